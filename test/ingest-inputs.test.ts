// What ingest reads of the folders it is given: symlink loops are skipped and counted, a crawl folder it is
// confined to cannot be left through a symlink, and skips are counted per file.
import assert from 'node:assert/strict'
import { mkdir, symlink, copyFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { expandInputs, OutsideRootError } from '../ingest/inputs.ts'
import { ingest } from '../ingest/index.ts'
import { WARC_BAD_DIR, withTmp } from './helpers.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))

describe('ingest inputs', { timeout: 120_000 }, () => {
  it('walks a folder with a symlink loop once, counting the loop, and ingests what it holds', async () => {
    await withTmp(async tmp => {
      const crawls = path.join(tmp, 'crawls')
      await mkdir(path.join(crawls, 'a'), { recursive: true })
      await copyFile(SAMPLE, path.join(crawls, 'a', 'sample.warc.gz'))
      await symlink(crawls, path.join(crawls, 'a', 'loop'))
      await symlink('self', path.join(crawls, 'self')) // a link to itself: ELOOP
      const e = await expandInputs([crawls])
      assert.equal(e.files.length, 1)
      assert.ok((e.skipped['symlink-loop'] ?? 0) >= 2, JSON.stringify(e.skipped))
      const s = await ingest({ inputs: [crawls], index: path.join(tmp, 'idx'), workers: 1 })
      assert.ok(s.stats.documents > 0)
      assert.ok((s.skipped['symlink-loop'] ?? 0) >= 2)
    })
  })

  it('confined to a crawl folder, refuses a named path that leads out of it and skips a link that does', async () => {
    await withTmp(async tmp => {
      const root = path.join(tmp, 'crawls')
      const outside = path.join(tmp, 'private')
      await mkdir(root)
      await mkdir(outside)
      await copyFile(SAMPLE, path.join(outside, 'secret.warc.gz'))
      await copyFile(SAMPLE, path.join(root, 'own.warc.gz'))
      await symlink(path.join(outside, 'secret.warc.gz'), path.join(root, 'link.warc.gz'))
      const e = await expandInputs([root], { root })
      assert.deepEqual(
        e.files.map(f => path.basename(f.path)),
        ['own.warc.gz']
      )
      assert.equal(e.skipped['outside-crawl-root'], 1)
      await assert.rejects(expandInputs([path.join(root, 'link.warc.gz')], { root }), OutsideRootError)
      // Unconfined (the command line), the same link is read.
      assert.equal((await expandInputs([root])).files.length, 2)
    })
  })

  it('says which files its skips came from', async () => {
    await withTmp(async tmp => {
      const s = await ingest({ inputs: [WARC_BAD_DIR], index: path.join(tmp, 'idx'), workers: 2 })
      const files = Object.keys(s.skippedByFile)
      assert.ok(files.length > 1)
      const total = (m: Record<string, number>): number => Object.values(m).reduce((a, b) => a + b, 0)
      assert.equal(
        Object.values(s.skippedByFile).reduce((a, m) => a + total(m), 0),
        total(s.skipped),
        'per file, the skips add up to the totals'
      )
    })
  })
})
