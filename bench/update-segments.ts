// Design measurement for issue 18 (docs/updates.md), before the format changes: the postings blocks an update
// makes new when postings are segments by calendar tiers, with real segment trees (index/segments.ts
// cutPostings), not a key prefix. The old index's postings are cut by the tiers of its own latest month, the
// updated index's by the tiers of its latest month (the cut a format-10 ingest or merge would give: consolidate
// makes exactly it, test/segments.test.ts); the blocks of the new segment trees that the old ones do not hold
// are what a mirror fetches. Uses the indexes `npm run bench -- updates [--quick]` built.
//
//   node bench/update-segments.ts [--pages 2000] [--base 2]
import path from 'node:path'
import { cutPostings, firstMonths, openIndex, tierBlocks, wholePostings } from '../index-core/index/index.ts'
import { NodeStore, entries } from '../index-core/prolly/index.ts'
import { MemoryBlocks, UnionBlocks, openIndexDir } from '../index-core/store/index.ts'
import { toHex } from '../index-core/bytes.ts'
import { BENCH_DIR, INDEX_SHAPE } from './ingest.ts'

const args = process.argv.slice(2)
const opt = (name: string, d: number): number => {
  const i = args.indexOf(name)
  return i < 0 ? d : Number(args[i + 1])
}
const N = opt('--pages', 2000)
const BASE = opt('--base', 2)
const PAST = Number.MAX_SAFE_INTEGER

const all = await openIndexDir(path.join(BENCH_DIR, `upd-all-${N}-${INDEX_SHAPE}`), { write: false })
const allStore = new NodeStore(all.blocks.store)
const root = await openIndex(allStore, (await all.head())!)
const months = await firstMonths(allStore, root.docvalues)

/** The segments of the documents `months` gives, cut by the tiers of their latest month, built in a store of their own. */
async function cut(ms: Map<string, number>): Promise<{ blocks: Map<string, Uint8Array>; segments: number; latest: number }> {
  const mem = new MemoryBlocks()
  const last = Math.max(...[...ms.values()].filter(m => m !== PAST))
  const segs = await cutPostings(
    new NodeStore(new UnionBlocks([mem, all.blocks.store])),
    await wholePostings(new NodeStore(all.blocks.store), root),
    ms,
    tierBlocks(last, BASE)
  )
  return { blocks: mem.blocks, segments: segs.length, latest: last }
}

const updated = await cut(months)
let total = 0
for (const b of updated.blocks.values()) total += b.length
console.log(
  `Postings as base-${BASE} tier segments, ${N}-page crawl: the updated index's postings ${Math.round(total / 1024)} kB in ${updated.blocks.size} blocks, ${updated.segments} segments (latest month ${updated.latest})\n`
)
console.log('| update | old index: segments (latest month) | postings fetched by a mirror | fetched / postings |')
console.log('|---|---|---|---|')
for (const [label, base] of [
  ['1% new', `0-99-${N}`],
  ['10% new', `0-90-${N}`]
]) {
  const d = await openIndexDir(path.join(BENCH_DIR, `upd-${base}-${INDEX_SHAPE}`), { write: false })
  const s = new NodeStore(d.blocks.store)
  const held = new Set<string>()
  for await (const e of entries(s, (await openIndex(s, (await d.head())!)).docvalues)) held.add(toHex(e.key))
  await d.close()
  const old = await cut(new Map([...months].map(([k, m]) => [k, held.has(k) ? m : PAST])))
  let fresh = 0
  let freshBlocks = 0
  for (const [k, b] of updated.blocks)
    if (!old.blocks.has(k)) {
      fresh += b.length
      freshBlocks++
    }
  console.log(
    `| ${label} | ${old.segments} (${old.latest}) | ${Math.round(fresh / 1024)} kB in ${freshBlocks} blocks | ${((100 * fresh) / total).toFixed(1)}% |`
  )
}
await all.close()
