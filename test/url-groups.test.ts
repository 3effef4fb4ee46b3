// Grouping by URL when two URLs share a URL key. Document keys start with a 40-bit hash of the URL, so
// grouping and version listing work on key ranges; about one pair of URLs in 1.5 million shares a key,
// and then the records must keep the two URLs apart. The two URLs below were found by searching for such
// a pair (the test checks that they still collide).
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { urlKeyOf } from '../index-core/index/doc-id.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import { openIndexDir } from '../index-core/store/index.ts'
import type { IndexDir } from '../index-core/store/index.ts'
import { surt } from '../index-core/index/index.ts'
import { ingest } from '../ingest/index.ts'
import { WarcWriter } from '../tools/warc-writer.ts'

const A = 'http://collide.example.org/p/741897'
const B = 'http://collide.example.org/p/1338994'

describe('URLs whose URL keys collide', { timeout: 120_000 }, () => {
  let tmp: string
  let dir: IndexDir
  let reader: IndexReader

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-collide-'))
    const crawl = path.join(tmp, 'collide.warc.gz')
    const w = WarcWriter.toFile(crawl, { seed: 'collide' })
    const page = (title: string, words: string): string => `<html><head><title>${title}</title></head><body><p>${words}</p></body></html>`
    const html = [['Content-Type', 'text/html; charset=utf-8']] as [string, string][]
    w.response({ url: A, date: '2020-01-01T00:00:00Z', status: 200, headers: html, body: page('A one', 'zeppelin airship hangar') })
    w.response({ url: A, date: '2021-01-01T00:00:00Z', status: 200, headers: html, body: page('A two', 'zeppelin airship hangar, revised') })
    w.response({ url: B, date: '2022-01-01T00:00:00Z', status: 200, headers: html, body: page('B', 'zeppelin') })
    w.close()
    await ingest({ inputs: [crawl], index: path.join(tmp, 'index'), workers: 1 })
    dir = await openIndexDir(path.join(tmp, 'index'), { write: false })
    reader = await IndexReader.open(new NodeStore(dir.blocks.store), (await dir.head())!)
  })
  after(async () => {
    await dir.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it('the two URLs share a URL key', () => {
    assert.deepEqual(urlKeyOf(surt(A)!), urlKeyOf(surt(B)!))
    assert.notEqual(surt(A), surt(B))
  })

  for (const facets of [false, true]) {
    it(`keeps them apart as two results, each with only its own versions and captures (facets ${facets ? 'on' : 'off'})`, async () => {
      const r = await search(reader, { q: 'zeppelin', facets, allCaptures: true })
      assert.equal(r.total, 3)
      assert.equal(r.totalUrls, 2)
      assert.deepEqual(r.hits.map(h => h.url).sort(), [A, B].sort())
      const a = r.hits.find(h => h.url === A)!
      const b = r.hits.find(h => h.url === B)!
      assert.equal(a.versions, 2)
      assert.deepEqual(
        a.captures!.map(c => c.url),
        [A, A]
      )
      assert.deepEqual(
        a.captureDates.map(d => d.slice(0, 4)),
        ['2020', '2021']
      )
      assert.equal(b.versions, 1)
      assert.deepEqual(
        b.captures!.map(c => c.url),
        [B]
      )
      const ungrouped = await search(reader, { q: 'zeppelin', group: false, facets })
      assert.equal(ungrouped.hits.length, 3)
    })
  }
})
