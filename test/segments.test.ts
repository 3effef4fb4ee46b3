// Postings over several segments (issue 18, docs/updates.md): a reader whose postings are cut into segments
// by the month of each document's first capture must answer every query exactly as the same index read as
// one segment: the same hits with the same scores to the last bit, the same next page and totals, best-first
// (top-k) and full evaluation alike, and the same terms for prefixes and suggestions. Cuts: the calendar
// tiers of bases 4 and 2, and random cuts, on a generated crawl of 2005-2024 captures.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { makeCrawl } from '../tools/make-crawl.ts'
import {
  BALANCE,
  MAX_SEGMENTS,
  SPLIT_SHARE,
  blockAt,
  blockOf,
  consolidate,
  cutOf,
  cutPostings,
  firstMonths,
  lastMonth,
  MonthTally,
  monthOf,
  openIndex,
  tierBlocks,
  wholePostings
} from '../index-core/index/index.ts'
import type { MonthCounts } from '../index-core/index/index.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { MemoryBlocks, UnionBlocks, openIndexDir } from '../index-core/store/index.ts'
import type { IndexDir } from '../index-core/store/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import type { SearchRequest } from '../index-core/query/index.ts'
// A unit of the query folder (the walk of the term dictionary across segments), reached directly.
import { suggestTerms } from '../index-core/query/suggest.ts'
import { ingest } from '../ingest/index.ts'
import type { CID } from 'multiformats/cid'

let tmp: string
let dir: IndexDir
let store: NodeStore
let head: CID
let months: Map<string, number>
let latest: number
/** The index's postings as one segment, in a memory store of their own. */
let onePostings: { blocks: MemoryBlocks; shards: readonly CID[] }

// Every shape the reader evaluates: words best first (common and rare, required, excluded, in a field, with
// a filter), then phrases, prefixes, boolean logic, date order and facets (full evaluation).
const QUERIES = [
  'cell',
  'protein',
  'cancer cells',
  'gene therapy',
  'breast cancer',
  'mutation kinase receptor',
  '+gene therapy',
  'gene -therapy',
  'title:cancer cell',
  'cancer site:nih.gov',
  'protein type:html',
  'zebrafish',
  '"stem cells"',
  'cancer* cell',
  '(cancer OR tumor) cell',
  'cells date:2010..2015'
]

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

let seed = 11
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}

/** Random contiguous blocks covering months [0, latest]: 1 to 12 cuts anywhere. */
function randomBlocks(): Array<[number, number]> {
  const cuts = new Set<number>()
  const n = 1 + Math.floor(rnd() * 12)
  for (let i = 0; i < n; i++) cuts.add(1 + Math.floor(rnd() * latest))
  const edges = [0, ...[...cuts].sort((a, b) => a - b), latest + 1]
  return edges.slice(1).map((to, i) => [edges[i], to])
}

/** A reader of the index with its postings cut by `blocks` (the segments built into a memory store beside it). */
async function segmented(blocks: Array<[number, number]>): Promise<{ reader: IndexReader; segments: number }> {
  const mem = new NodeStore(new UnionBlocks([onePostings.blocks, dir.blocks.store]))
  const segs = await cutPostings(mem, onePostings.shards, months, blocks)
  return { reader: await IndexReader.open(mem, head, undefined, { segments: segs.map(s => s.shards) }), segments: segs.length }
}

/** The index read as one segment (its postings consolidated into one block, once, in memory). */
async function one(): Promise<IndexReader> {
  return await IndexReader.open(new NodeStore(new UnionBlocks([onePostings.blocks, dir.blocks.store])), head, undefined, { segments: [onePostings.shards] })
}

describe('postings over segments', { timeout: 900_000 }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-segments-'))
    const crawl = path.join(tmp, 'crawl.warc.gz')
    await makeCrawl({ pages: 800, out: crawl, seed: 5 })
    await ingest({ inputs: [crawl], index: path.join(tmp, 'index'), workers: 2 })
    dir = await openIndexDir(path.join(tmp, 'index'), { write: false })
    head = (await dir.head())!
    store = new NodeStore(dir.blocks.store)
    months = await firstMonths(store, (await openIndex(store, head)).docvalues)
    latest = Math.max(...months.values())
    const blocks = new MemoryBlocks()
    const mem = new NodeStore(new UnionBlocks([blocks, dir.blocks.store]))
    onePostings = { blocks, shards: await wholePostings(mem, await openIndex(mem, head)) }
  })
  after(async () => {
    await dir.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it('cuts months into the digits of the latest month, in base 2 by default', () => {
    assert.deepEqual(tierBlocks(0), [[0, 1]])
    // 7 months = 4 + 2 + 1 in base 2; in base 4, 1·4 + 3·1.
    assert.deepEqual(tierBlocks(6), [
      [0, 4],
      [4, 6],
      [6, 7]
    ])
    assert.deepEqual(tierBlocks(6, 4), [
      [0, 4],
      [4, 5],
      [5, 6],
      [6, 7]
    ])
    // A carry: 16 months are one block; month 16 starts a block of its own beside it.
    assert.deepEqual(tierBlocks(15), [[0, 16]])
    assert.deepEqual(tierBlocks(16, 4), [
      [0, 16],
      [16, 17]
    ])
    // 63 months: six blocks in base 2 (32 + 16 + 8 + 4 + 2 + 1), nine in base 4 (3 of 16, 4 and 1); 64: one.
    assert.equal(tierBlocks(62).length, 6)
    assert.equal(tierBlocks(62, 4).length, 9)
    assert.deepEqual(tierBlocks(63, 4), [[0, 64]])
    assert.equal(monthOf(0), 0)
    assert.equal(monthOf(Date.parse('2024-12-31T23:59:59Z') / 1000), (2024 - 1970) * 12 + 11)
    assert.equal(blockOf(tierBlocks(6), 4), 1)
    assert.equal(blockOf(tierBlocks(6), 3), 0)
    assert.throws(() => blockOf(tierBlocks(6), 7), RangeError)
  })

  it('cuts each calendar block in halves while they are unbalanced by more than BALANCE', () => {
    const c = (pairs: Array<[number, number]>): MonthCounts => ({ months: pairs.map(p => p[0]), docs: pairs.map(p => p[1]) })
    // [months with their documents, the cut], as text to keep each case on one line.
    const cases: Array<[string, string]> = [
      // A bulk month and a small one after it: two segments, until the small one holds a quarter of the bulk.
      ['672:100 673:1', '672-673 673-674'],
      ['672:100 673:24', '672-673 673-674'],
      ['672:100 673:25', '672-674'],
      // Months with no document are left out; a calendar block of one month's documents narrows to that month.
      ['3:1 700:2', '3-4 700-701'],
      // The small months after a bulk group among themselves as the calendar groups them.
      ['672:100 673:1 674:1 675:1', '672-673 673-674 674-676'],
      ['', ''],
      // Halves too small to matter stay together: 16 months whose documents grow 5-fold month on month would be
      // cut into one segment each; only the halves holding a sixteenth of all documents are split.
      [Array.from({ length: 16 }, (_, i) => `${768 + i}:${5 ** i}`).join(' '), '768-776 776-780 780-782 782-783 783-784']
    ]
    for (const [counts, cut] of cases) {
      const pairs = counts === '' ? [] : counts.split(' ').map(p => p.split(':').map(Number) as [number, number])
      assert.equal(
        cutOf(c(pairs))
          .map(b => b.join('-'))
          .join(' '),
        cut,
        counts
      )
    }
    assert.equal(BALANCE, 4)
    assert.equal(
      blockAt(
        [
          [3, 4],
          [700, 701]
        ],
        5
      ),
      -1
    )
    assert.equal(
      blockAt(
        [
          [3, 4],
          [700, 701]
        ],
        700
      ),
      1
    )
  })

  it('cuts any counts into aligned, balanced blocks of the calendar tiers that hold every document once', () => {
    let seed = 7
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    for (let round = 0; round < 300; round++) {
      const t = new MonthTally()
      const base = rand(800)
      for (let i = rand(40); i >= 0; i--) t.add(base + rand(1 + rand(200)), 1 + (rand(4) === 0 ? rand(5000) : rand(20)))
      const counts = t.counts()
      const size = (from: number, to: number): number => counts.months.reduce((a, m, i) => a + (from <= m && m < to ? counts.docs[i] : 0), 0)
      const cut = cutOf(counts)
      const total = counts.docs.reduce((x, y) => x + y, 0)
      assert.ok(cut.length <= MAX_SEGMENTS)
      const tiers = tierBlocks(lastMonth(counts))
      let after = 0
      for (const [from, to] of cut) {
        const n = to - from
        assert.ok(from >= after && (n & (n - 1)) === 0 && from % n === 0, `[${from}, ${to}) is aligned and after ${after}`)
        assert.ok(to <= tiers[blockOf(tiers, from)][1], `[${from}, ${to}) lies in one calendar block`)
        assert.ok(size(from, to) > 0, `[${from}, ${to}) holds a document`)
        if (n > 1) {
          const [a, b] = [size(from, from + n / 2), size(from + n / 2, to)]
          assert.ok(
            Math.min(a, b) * BALANCE >= Math.max(a, b) || Math.max(a, b) * SPLIT_SHARE < total,
            `[${from}, ${to}) has balanced halves (${a}, ${b}) or small ones (of ${total})`
          )
        }
        after = to
      }
      for (const m of counts.months) assert.ok(blockAt(cut, m) >= 0, `month ${m} is in the cut`)
    }
  })

  it('nests every earlier schedule in every later one: a block never straddles a later block', () => {
    for (const base of [2, 4])
      for (let a = 0; a < 400; a++) {
        const earlier = tierBlocks(a, base)
        for (let b = a + 1; b < 400; b++) {
          const later = tierBlocks(b, base)
          for (const [from, to] of earlier) assert.ok(to <= later[blockOf(later, from)][1], `base ${base}: [${from}, ${to}) of ${a} in ${b}`)
        }
      }
  })

  it('consolidates an index cut as it stood with an update cut by the later schedule into the later cut, root for root', async () => {
    const mem = new NodeStore(new UnionBlocks([new MemoryBlocks(), onePostings.blocks, dir.blocks.store]))
    // Months a document of the earlier index is given so that cutPostings leaves it out of the update.
    const PAST = Number.MAX_SAFE_INTEGER
    // Twenty monthly updates at once (several carries), and one month (the latest).
    const all = onePostings.shards
    const whole = await cutPostings(mem, all, months, tierBlocks(latest))
    const show = (segs: typeof whole): string[] => segs.map(x => `${x.from}-${x.to}: ${x.shards.map(c => c.toString()).join(' ')}`)
    for (const before of [latest - 20, latest - 1]) {
      const old = await cutPostings(mem, all, months, tierBlocks(before))
      const fresh = new Map([...months].map(([k, m]) => [k, m > before ? m : PAST]))
      const update = await cutPostings(mem, all, fresh, tierBlocks(latest))
      const merged = await consolidate(mem, [...old, ...update], tierBlocks(latest))
      assert.ok(old.length >= 2 && update.length >= 1)
      assert.deepEqual(show(merged), show(whole), `${latest - before} months after ${before}`)
    }
    // A cut that does not nest is refused, not merged into a wrong block.
    await assert.rejects(consolidate(mem, [{ from: 0, to: 5, shards: all }], tierBlocks(5)), RangeError)
  })

  it('gives the page, scores, next page and totals of one segment, for tier and random cuts', async () => {
    const cuts: Array<{ name: string; blocks: Array<[number, number]> }> = [
      { name: 'base 4', blocks: tierBlocks(latest, 4) },
      { name: 'base 2', blocks: tierBlocks(latest, 2) },
      ...Array.from({ length: 2 }, (_, i) => ({ name: `random ${i}`, blocks: randomBlocks() }))
    ]
    let early = 0
    for (const cut of cuts) {
      const { reader: many, segments } = await segmented(cut.blocks)
      assert.ok(segments >= 2, `${cut.name}: ${segments} segments hold documents`)
      const single = await one()
      assert.equal(await many.postingCount(), await single.postingCount(), `${cut.name}: postings`)
      for (const q of QUERIES) {
        for (const [group, exact, facets] of [
          [true, false, false],
          [false, false, false],
          [true, true, true]
        ] as const) {
          let ca: string | null = null
          let cb: string | null = null
          for (let page = 0; page < 2; page++) {
            const req: SearchRequest = { q, group, pageSize: 10, exactTotal: exact, facets }
            // Fresh readers each time: every list is read from the trees, best first where top-k applies.
            const fresh = await IndexReader.open(many.store, head, undefined, { segments: many.segments })
            const a = await search(fresh, { ...req, cursor: ca })
            const b = await search(await one(), { ...req, cursor: cb })
            const what = `${cut.name}: ${q} (group ${group}, exact ${exact}) page ${page}`
            assert.deepEqual(a.hits, b.hits, what)
            assert.deepEqual(a.facets, b.facets, what)
            assert.equal(a.nextCursor, b.nextCursor, what)
            // Where best-first reading stops depends on how far each read goes (a leaf's end on one segment),
            // so one may count all matches where the other gives a lower bound; never more than all of them.
            if (a.totalRelation === 'eq' && b.totalRelation === 'eq') assert.equal(a.total, b.total, what)
            else if (a.totalRelation === 'eq') assert.ok(b.total <= a.total, what)
            else if (b.totalRelation === 'eq') assert.ok(a.total <= b.total, what)
            if (a.totalRelation === 'gte') early++
            if (exact) assert.equal(a.totalRelation, 'eq', what)
            ca = a.nextCursor
            cb = b.nextCursor
            if (ca === null) break
          }
        }
      }
      for (const term of ['cell', 'protein', 'zebrafish', 'absent-term']) assert.equal(await many.docFrequency(term), await single.docFrequency(term), term)
      // Read best first in takes of random sizes, the segments' lists merged are one segment's list, entry for entry.
      for (const term of ['cell', 'protein', 'cancer', 'zebrafish']) {
        const a = await many.postingStream(term)
        const b = await single.postingStream(term)
        assert.equal(a.df, b.df, term)
        const got: string[] = []
        while (!a.postings.done)
          for (const e of await a.postings.take(1 + Math.floor(rnd() * 200), Math.floor(rnd() * 100))) got.push(hex(e.key) + hex(e.value))
        const want: string[] = []
        while (!b.postings.done) for (const e of await b.postings.take(1000)) want.push(hex(e.key) + hex(e.value))
        assert.equal(got.length, b.df, `${cut.name}: ${term} read whole`)
        assert.deepEqual(got, want, `${cut.name}: ${term} best first`)
      }
      assert.deepEqual(await many.expandPrefix('ca', 50), await single.expandPrefix('ca', 50), `${cut.name}: prefix`)
      for (const word of ['protien', 'cancr', 'mutaton'])
        assert.deepEqual(await suggestTerms(many, word), await suggestTerms(single, word), `${cut.name}: suggestions for ${word}`)
    }
    // Without queries that stop early, best-first reading across segments would not have been exercised.
    assert.ok(early >= 10, `only ${early} searches stopped early`)
  })
})
