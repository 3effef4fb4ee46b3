// Reading posting lists best first (index-core/query/top-k.ts) must give exactly the page a full evaluation
// gives: same hits, same scores to the last bit, same next page, over many pages, with and without grouping
// by URL. On a generated crawl large enough for lists of thousands of postings, so reading does stop early.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { makeCrawl } from '../tools/make-crawl.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import type { SearchRequest, SearchResult } from '../index-core/query/index.ts'
import { openIndexDir } from '../index-core/store/index.ts'
import type { IndexDir } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'

let tmp: string
let dir: IndexDir

async function fresh(): Promise<IndexReader> {
  return await IndexReader.open(new NodeStore(dir.blocks.store), (await dir.head())!)
}

/** A search from a cold reader, as top-k (facets off) or as a full evaluation (exact total). */
async function run(req: SearchRequest, exact: boolean): Promise<SearchResult> {
  return await search(await fresh(), { pageSize: 10, ...req, facets: false, exactTotal: exact })
}

// Words of every frequency in SciFact text, pairs of them, and every shape top-k reads: required words,
// exclusions, a field, a filter, a stop word, a word twice; then shapes it leaves to the executor.
const QUERIES = [
  'cell',
  'protein',
  'cancer cells',
  'stem cells',
  'gene therapy',
  'breast cancer',
  'immune response',
  'blood pressure',
  'vitamin supplementation',
  'mutation kinase receptor',
  'patients risk',
  '+gene therapy',
  '+cancer +cells',
  'gene -therapy',
  'cell -cancer -protein',
  'title:cancer cell',
  'body:protein expression',
  'the cells',
  'cell cells',
  'cancer site:nih.gov',
  'protein type:html',
  'stem-cells',
  'cancer/tumor cell',
  '+gene-therapy protein',
  'title:immune-response cell',
  'cancer AND cell',
  '"stem cells"',
  '"gene expression"',
  '"cell proliferation" cancer',
  '+"immune response" -mice',
  'title:"breast cancer" cells',
  '"cells cells"',
  'cancer* cell',
  '(cancer OR tumor) cell'
]

describe('top-k reading', { timeout: 600_000 }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-topk-'))
    const crawl = path.join(tmp, 'crawl.warc.gz')
    await makeCrawl({ pages: 1500, out: crawl, seed: 3 })
    await ingest({ inputs: [crawl], index: path.join(tmp, 'index'), workers: 2 })
    dir = await openIndexDir(path.join(tmp, 'index'), { write: false })
  })
  after(async () => {
    await dir.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it('gives the page of a full evaluation, page after page, with a total never above the exact one', async () => {
    let early = 0
    let lessRead = 0
    for (const q of QUERIES) {
      for (const group of [true, false]) {
        let ca: string | null = null
        let cb: string | null = null
        for (let page = 0; page < 3; page++) {
          const a = await run({ q, group, cursor: ca }, false)
          const b = await run({ q, group, cursor: cb }, true)
          assert.deepEqual(a.hits, b.hits, `${q} (group ${group}) page ${page}`)
          assert.equal(a.nextCursor === null, b.nextCursor === null, `${q}: a next page`)
          assert.equal(b.totalRelation, 'eq')
          if (a.totalRelation === 'eq') assert.equal(a.total, b.total, `${q}: exact total`)
          else {
            assert.ok(a.total <= b.total && a.totalUrls <= b.totalUrls, `${q}: ${a.total} ≤ ${b.total}`)
            if (page === 0 && group) {
              early++
              assert.ok(a.io.bytesRead <= b.io.bytesRead, `${q}: top-k read ${a.io.bytesRead} bytes, the full evaluation ${b.io.bytesRead}`)
              if (a.io.bytesRead < b.io.bytesRead) lessRead++
            }
          }
          ca = a.nextCursor
          cb = b.nextCursor
          if (ca === null) break
        }
      }
    }
    // Without stopping early on common words the reader would prove nothing.
    assert.ok(early >= 10, `only ${early} queries stopped early`)
    // Lists of a few leaves are read whole either way; most lists here are longer.
    assert.ok(lessRead >= early / 2, `only ${lessRead} of ${early} queries that stopped early read less`)
  })

  it('gives the page of a full evaluation for random queries of 1 to 16 words, common and rare', async () => {
    // Words met in the crawl's text, common to rare, drawn by a seeded generator: the same queries every run.
    const vocabulary = [
      'cell',
      'cells',
      'protein',
      'cancer',
      'gene',
      'expression',
      'patients',
      'risk',
      'the',
      'of',
      'immune',
      'response',
      'therapy',
      'mutation',
      'kinase',
      'receptor',
      'blood',
      'pressure',
      'vitamin',
      'tumor',
      'insulin',
      'macrophages',
      'cholesterol',
      'neurons',
      'trial',
      'randomized',
      'stem',
      'breast',
      'mice',
      'dna',
      'signaling',
      'pathway',
      'infection',
      'virus',
      'brain',
      'memory',
      'obesity',
      'diabetes',
      'mortality',
      'zebrafish'
    ]
    let seed = 7
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    let stopped = 0
    for (let i = 0; i < 30; i++) {
      const n = 1 + Math.floor(rnd() * 16)
      const q = Array.from({ length: n }, () => vocabulary[Math.floor(rnd() * vocabulary.length)]).join(' ')
      for (const group of [true, false]) {
        const a = await run({ q, group }, false)
        const b = await run({ q, group }, true)
        assert.deepEqual(a.hits, b.hits, `${q} (group ${group})`)
        assert.equal(a.nextCursor === null, b.nextCursor === null, `${q}: a next page`)
        if (a.totalRelation === 'gte') {
          stopped++
          assert.ok(a.total <= b.total)
        } else assert.equal(a.total, b.total)
      }
    }
    assert.ok(stopped > 0, 'some random queries stopped early')
  })

  it('scores lists already decoded in memory whole (exactly), and reads best first only lists it must read', async () => {
    const r = await fresh()
    const early = await search(r, { q: 'cancer cells', pageSize: 10, facets: false })
    assert.equal(early.totalRelation, 'gte', 'nothing decoded yet: read best first')
    await search(r, { q: 'cancer cells', pageSize: 10, facets: false, exactTotal: true })
    const again = await search(r, { q: 'cancer cells', pageSize: 10, facets: false })
    assert.equal(again.totalRelation, 'eq', 'the lists are in memory now: evaluated whole')
    assert.deepEqual(again.hits, early.hits)
    assert.ok(again.total >= early.total)
  })

  it('completes documents from lists in memory, read whole partway or already there, with the page of a full evaluation', async () => {
    // wholeInMemory 0: lists of this crawl's size are read whole partway through reading them best first,
    // and read best first though in memory; either way each document met is completed by a lookup.
    const open = async (): Promise<IndexReader> => await IndexReader.open(new NodeStore(dir.blocks.store), (await dir.head())!, undefined, { wholeInMemory: 0 })
    let stopped = 0
    let partway = 0
    // A site holding a good share of the matches: a filter read neither whole nor dropped as small, but
    // asked of each document met.
    const site = (await search(await open(), { q: 'cell', facets: true })).facets!.site[0].value
    const filtered = [`cell site:${site}`, `cancer cells site:${site}`, `+protein -cancer site:${site}`, `cell lang:en type:html`]
    for (const q of [...QUERIES, ...filtered]) {
      for (const group of [true, false]) {
        const r = await open()
        const first = await search(r, { q, group, pageSize: 10, facets: false })
        const full = await search(await open(), { q, group, pageSize: 10, facets: false, exactTotal: true })
        assert.deepEqual(first.hits, full.hits, `${q} (group ${group}), lists read whole partway`)
        if (first.totalRelation === 'gte' && r.caches.postings.size > 0) partway++
        await search(r, { q, group, pageSize: 10, facets: false, exactTotal: true })
        let cursor: string | null = null
        let exact: string | null = null
        for (let page = 0; page < 3; page++) {
          // The full evaluation above decoded every list of q: the top-k read looks documents up in them.
          const a = await search(r, { q, group, pageSize: 10, facets: false, cursor })
          const b = await search(r, { q, group, pageSize: 10, facets: false, exactTotal: true, cursor: exact })
          assert.deepEqual(a.hits, b.hits, `${q} (group ${group}) page ${page}`)
          assert.equal(a.nextCursor === null, b.nextCursor === null, `${q}: a next page`)
          if (a.totalRelation === 'gte') {
            assert.ok(a.total <= full.total, `${q}: ${a.total} ≤ ${full.total}`)
            if (page === 0) stopped++
          } else assert.equal(a.total, full.total)
          cursor = a.nextCursor
          exact = b.nextCursor
          if (cursor === null) break
        }
      }
    }
    assert.ok(stopped >= 10, `only ${stopped} queries stopped early with their lists in memory`)
    assert.ok(partway >= 5, `only ${partway} queries read a list whole partway and stopped early`)
  })

  it('counts exactly when asked, or when the query needs every match (facets, date order)', async () => {
    const r = await fresh()
    for (const req of [
      { q: 'cancer cells', facets: false, exactTotal: true },
      { q: 'cancer cells', facets: true },
      { q: 'cancer cells', facets: false, sort: 'date-desc' as const }
    ]) {
      const res = await search(r, req)
      assert.equal(res.totalRelation, 'eq', JSON.stringify(req))
    }
    const [full, top] = [await run({ q: 'cancer cells' }, true), await run({ q: 'cancer cells' }, false)]
    assert.equal(top.totalRelation, 'gte')
    assert.ok(top.total < full.total)
  })
})
