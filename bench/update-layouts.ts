// Design measurement for issue 18 (docs/updates.md), not a bench suite: how many postings blocks an update
// makes new under candidate posting-key layouts, simulated over the real posting entries of the indexes
// `npm run bench -- updates [--quick]` built, without changing the format. For each layout every postings
// shard is rebuilt from the old index's entries and from the updated index's entries, keys rewritten by the
// layout, with the real prolly builder and configuration; the blocks of the new trees that the old trees do
// not hold are what a mirror would fetch. Also reported: how many lists one query word then reads (one per
// segment holding it), and the blocks on the paths that open those lists for twelve query words.
//
//   node bench/update-layouts.ts [--pages 2000] [--only-1%]
import path from 'node:path'
import type { CID } from 'multiformats/cid'
import { analyzeQuery } from '../index-core/analysis/index.ts'
import { concatBytes, utf8 } from '../index-core/bytes.ts'
import { decodeDocValues, openIndex, DOC_ID_BYTES, POSTINGS_TREE, shardOf, wholePostings } from '../index-core/index/index.ts'
import { buildTree, makeConfig, NodeStore, entries, nodesOnPath } from '../index-core/prolly/index.ts'
import type { TreeConfig, Entry } from '../index-core/prolly/index.ts'
import { MemoryBlocks, openIndexDir } from '../index-core/store/index.ts'
import { BENCH_DIR, INDEX_SHAPE } from './ingest.ts'

const args = process.argv.slice(2)
const N = Number(args[args.indexOf('--pages') + 1] ?? 2000) || 2000

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const SUFFIX = 2 + DOC_ID_BYTES // 0x00, 255 - impact, docId

/** What a layout knows of a document: the month and year of its first capture, and whether the update brought it. */
interface DocInfo {
  month: number
  year: number
  isNew: boolean
}

interface Layout {
  name: string
  cfg: TreeConfig
  /** The key of a posting under this layout, from today's key (term ‖ 0 ‖ 255 - impact ‖ docId). */
  key: (k: Uint8Array, d: DocInfo) => Uint8Array
  /** The segment a document's postings fall in (null: one list per term, as today). */
  segment: ((d: DocInfo) => number) | null
  /** The start of a term's list in one segment. */
  listStart: (term: Uint8Array, segment: number) => Uint8Array
}

const u16 = (n: number): Uint8Array => new Uint8Array([n >> 8, n & 255])
const termOf = (k: Uint8Array): Uint8Array => k.subarray(0, k.length - SUFFIX)
const suffixOf = (k: Uint8Array): Uint8Array => k.subarray(k.length - SUFFIX)
const SMALL_LEAVES = makeConfig({ leafFanout: 256, leafBytes: 1024, branchFanout: 48, minBytes: 512, maxBytes: 263168, maxEntryBytes: 131072 })
const Z = new Uint8Array([0])

function segmentFirst(name: string, seg: (d: DocInfo) => number): Layout {
  return {
    name,
    cfg: POSTINGS_TREE,
    segment: seg,
    key: (k, d) => concatBytes([u16(seg(d)), k]),
    listStart: (t, s) => concatBytes([u16(s), t, Z])
  }
}

const LAYOUTS: Layout[] = [
  { name: 'today: term ‖ impact ‖ doc', cfg: POSTINGS_TREE, segment: null, key: k => k, listStart: t => concatBytes([t, Z]) },
  { name: 'today, leaves of ~1.5 KiB instead of ~6', cfg: SMALL_LEAVES, segment: null, key: k => k, listStart: t => concatBytes([t, Z]) },
  {
    name: 'term ‖ month of first capture ‖ impact ‖ doc',
    cfg: POSTINGS_TREE,
    segment: d => d.month,
    key: (k, d) => concatBytes([termOf(k), Z, u16(d.month), suffixOf(k).subarray(1)]),
    listStart: (t, s) => concatBytes([t, Z, u16(s)])
  },
  segmentFirst('year of first capture ‖ term ‖ impact ‖ doc', d => d.year),
  segmentFirst('month of first capture ‖ term ‖ impact ‖ doc', d => d.month),
  segmentFirst('crawl (old index / new crawl) ‖ term ‖ impact ‖ doc', d => (d.isNew ? 1 : 0))
]

const QUERY = ['breast cancer', 'stem cells', 'immune response', 'blood pressure', 'vitamin supplementation', 'gene therapy']
const QUERY_TERMS = [...new Set(QUERY.flatMap(q => analyzeQuery(q, 'en').map(t => t.term)))].map(utf8)

async function openDir(name: string): Promise<{ store: NodeStore; shards: readonly CID[]; docvalues: CID; close: () => Promise<void> }> {
  const d = await openIndexDir(path.join(BENCH_DIR, `upd-${name}-${INDEX_SHAPE}`), { write: false })
  const store = new NodeStore(d.blocks.store)
  const r = await openIndex(store, (await d.head())!)
  return {
    store,
    shards: await wholePostings(store, r),
    docvalues: r.docvalues,
    close: async () => {
      await d.close()
    }
  }
}

async function collect(store: NodeStore, root: CID): Promise<Entry[]> {
  const out: Entry[] = []
  for await (const e of entries(store, root)) out.push(e)
  return out
}

const cmp = (a: Entry, b: Entry): number => Buffer.compare(a.key, b.key)

async function main(): Promise<void> {
  const all = await openDir(`all-${N}`)
  const months = new Map<string, { month: number; year: number }>()
  for await (const e of entries(all.store, all.docvalues)) {
    const first = decodeDocValues(e.value).first
    const date = new Date(first * 1000)
    months.set(hex(e.key), {
      year: first === 0 ? 0 : date.getUTCFullYear() - 1990,
      month: first === 0 ? 0 : (date.getUTCFullYear() - 1990) * 12 + date.getUTCMonth() + 1
    })
  }
  const cases = [
    { label: '1% new', base: `0-99-${N}` },
    { label: '10% new', base: `0-90-${N}` }
  ].slice(0, args.includes('--only-1%') ? 1 : 2)
  const lines: string[] = []
  for (const c of cases) {
    const base = await openDir(c.base)
    const baseDocs = new Set<string>()
    for await (const e of entries(base.store, base.docvalues)) baseDocs.add(hex(e.key))
    const info = (k: Uint8Array): DocInfo => {
      const id = hex(k.subarray(k.length - DOC_ID_BYTES))
      return { ...months.get(id)!, isNew: !baseDocs.has(id) }
    }
    const tallies = LAYOUTS.map(() => ({ total: 0, totalBlocks: 0, fresh: 0, freshBlocks: 0, lists: 0, pathBlocks: new Set<string>(), pathBytes: 0 }))
    for (let s = 0; s < all.shards.length; s++) {
      const oldEntries = await collect(base.store, base.shards[s])
      const newEntries = await collect(all.store, all.shards[s])
      for (let li = 0; li < LAYOUTS.length; li++) {
        const L = LAYOUTS[li]
        const t = tallies[li]
        const build = async (es: Entry[]): Promise<{ mem: MemoryBlocks; root: CID; segs: Map<string, Set<number>> }> => {
          const segs = new Map<string, Set<number>>()
          const keyed = es
            .map(e => {
              const d = info(e.key)
              if (L.segment !== null) {
                const term = hex(termOf(e.key))
                let set = segs.get(term)
                if (set === undefined) segs.set(term, (set = new Set()))
                set.add(L.segment(d))
              }
              return { key: L.key(e.key, d), value: e.value }
            })
            .sort(cmp)
          const mem = new MemoryBlocks()
          const root = await buildTree(new NodeStore(mem), keyed, L.cfg)
          return { mem, root, segs }
        }
        const o = await build(oldEntries)
        const n = await build(newEntries)
        if (li === 0 && s === 0 && !n.root.equals(all.shards[0]))
          throw new Error('the layout of today does not rebuild the real shard: the simulation is wrong')
        for (const [k, b] of n.mem.blocks) {
          t.total += b.length
          t.totalBlocks++
          if (!o.mem.blocks.has(k)) {
            t.fresh += b.length
            t.freshBlocks++
          }
        }
        // The lists the query words read, and the blocks on the paths that open them (a cold reader's first reads).
        const store = new NodeStore(n.mem)
        for (const term of QUERY_TERMS) {
          if (shardOf(term, all.shards.length) !== s) continue
          const segsOf = L.segment === null ? [0] : [...(n.segs.get(hex(term)) ?? [])]
          t.lists += segsOf.length
          for (const seg of segsOf) {
            for (const cid of await nodesOnPath(store, n.root, L.listStart(term, seg))) {
              const k = cid.toString()
              if (!t.pathBlocks.has(k)) {
                t.pathBlocks.add(k)
                t.pathBytes += n.mem.blocks.get(k)!.length
              }
            }
          }
        }
      }
    }
    await base.close()
    for (let li = 0; li < LAYOUTS.length; li++) {
      const t = tallies[li]
      lines.push(
        `| ${c.label} | ${LAYOUTS[li].name} | ${Math.round(t.total / 1024)} (${t.totalBlocks}) | ${Math.round(t.fresh / 1024)} (${t.freshBlocks}) | ${((100 * t.fresh) / t.total).toFixed(1)}% | ${(t.lists / QUERY_TERMS.length).toFixed(1)} | ${t.pathBlocks.size} blocks, ${Math.round(t.pathBytes / 1024)} kB |`
      )
    }
  }
  await all.close()
  console.log(`Posting-key layouts simulated over the ${N}-page crawl's postings (${QUERY_TERMS.length} query terms: ${QUERY.join(', ')})\n`)
  console.log(
    '| update | layout | postings kB (blocks) after | new kB (blocks) a mirror fetches | fetched / postings | lists per query term | blocks on the paths opening them (all query terms) |'
  )
  console.log('|---|---|---|---|---|---|---|')
  for (const l of lines) console.log(l)
}

await main()
