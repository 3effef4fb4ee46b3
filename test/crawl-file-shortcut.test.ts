// A crawl file's UnixFS CID: the one ingest records without the importer (a file of one chunk) is the one the
// importer gives, which `canopy publish --crawls` adds; beyond one chunk the importer names it.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { CID } from 'multiformats/cid'
import { importCrawlFile } from '../index-core/index/index.ts'
import { WARC_DIR } from './helpers.ts'

/** The CID the importer gives, with its blocks counted (a store is given, so the importer runs). */
async function byImporter(file: string): Promise<{ cid: string; blocks: number }> {
  let blocks = 0
  const { cid } = await importCrawlFile(file, {
    put: async (c: CID) => {
      blocks++
      return c
    }
  })
  return { cid: cid.toString(), blocks }
}

describe('crawl file CIDs', () => {
  let tmp: string
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-crawl-file-'))
  })
  after(async () => {
    await rm(tmp, { recursive: true, force: true })
  })

  it('match the importer for real WARCs, at one chunk and beyond', async () => {
    const files = [
      'iipc__webarchive-commons/src__test__resources__org__archive__format__gzip__IAH-urls-wget.warc.gz',
      'N0taN3rd__node-warc/test__files__books.toscrape.warc',
      'webrecorder__replayweb.page/mkdocs__site__docs__examples__netpreserve-twitter.warc'
    ].map(f => path.join(WARC_DIR, f))
    for (const f of files) {
      const plain = await importCrawlFile(f)
      const imported = await byImporter(f)
      assert.equal(plain.cid.toString(), imported.cid, f)
    }
  })

  it('match the importer at the chunk boundary (1 MiB, one byte more) and for an empty file', async () => {
    for (const size of [1, 1_048_575, 1_048_576, 1_048_577, 0]) {
      const f = path.join(tmp, `f-${size}`)
      const bytes = new Uint8Array(size)
      for (let i = 0; i < size; i++) bytes[i] = (i * 7919) % 251
      await writeFile(f, bytes)
      const plain = await importCrawlFile(f)
      const imported = await byImporter(f)
      assert.equal(plain.cid.toString(), imported.cid, `size ${size}`)
      assert.equal(plain.size, size)
      // One raw block up to a chunk, a UnixFS node above it: the boundary is where the importer puts it.
      if (size > 0) assert.equal(imported.blocks === 1, size <= 1_048_576, `size ${size}: ${imported.blocks} blocks`)
    }
  })
})
