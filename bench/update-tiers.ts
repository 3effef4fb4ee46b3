// Design measurement for issue 18 (docs/updates.md), not a bench suite: the cost of history-independent
// calendar tiers. Documents are grouped by the month of their first capture; the months up to the index's
// latest are cut into aligned blocks of b^k months, at most b - 1 of each size, largest first (a base-b
// counter: the grouping is a function of the latest month alone, so of the documents, not of the history).
// Replaying the generated crawl's months one by one as monthly updates, an update rewrites every segment that
// is new or changed (a segment's postings are rewritten whole when it gains documents: measured by
// bench/update-layouts.ts), weighted by the documents per month read from the index's doc values.
//
// Format 11's cut (tiers.ts cutOf: calendar blocks split while their halves are unbalanced) is replayed the
// same way; --bulk F multiplies the documents of the first month by F (an archive whose first crawl is bulk).
//
// --monthly P replaces the crawl by a bulk first crawl in January 2026 followed, every month for --years Y (8),
// by a crawl of P% of the bulk's documents: the archive the real-page bench stands for.
//
//   node bench/update-tiers.ts [--pages 2000] [--last 20] [--bulk 1] [--monthly P [--years 8]]
import path from 'node:path'
import { cutOf, decodeDocValues, openIndex, tierBlocks } from '../index-core/index/index.ts'
import { NodeStore, entries } from '../index-core/prolly/index.ts'
import { openIndexDir } from '../index-core/store/index.ts'
import { BENCH_DIR, INDEX_SHAPE } from './ingest.ts'

const args = process.argv.slice(2)
const opt = (name: string, d: number): number => {
  const i = args.indexOf(name)
  return i < 0 ? d : Number(args[i + 1])
}
const N = opt('--pages', 2000)
const LAST = opt('--last', 20)
/** Months are counted from January of this year (the decision's rule: 1970); 0 counts from the crawl's first month. */
const ORIGIN = opt('--origin', 1970)
const BULK = opt('--bulk', 1)

/**
 * The aligned blocks [start, end) covering months [0, latest] (index/segments.ts tierBlocks); with a cap (a
 * power of b), blocks never grow past it: whole blocks of the cap first, then the digits of what remains.
 */
export function tiers(latest: number, b: number, cap: number): Array<[number, number]> {
  if (!Number.isFinite(cap)) return tierBlocks(latest, b)
  const out: Array<[number, number]> = []
  let start = 0
  let n = latest + 1
  for (; n >= cap; n -= cap, start += cap) out.push([start, start + cap])
  if (n > 0) for (const [from, to] of tierBlocks(n - 1, b)) out.push([start + from, start + to])
  return out
}

const MONTHLY = opt('--monthly', 0)
const perMonth = new Map<number, number>()
if (MONTHLY > 0) {
  perMonth.set(2026 * 12, 10_000)
  for (let i = 1; i <= opt('--years', 8) * 12; i++) perMonth.set(2026 * 12 + i, Math.round(100 * MONTHLY))
} else {
  const d = await openIndexDir(path.join(BENCH_DIR, `upd-all-${N}-${INDEX_SHAPE}`), { write: false })
  const store = new NodeStore(d.blocks.store)
  const r = await openIndex(store, (await d.head())!)
  for await (const e of entries(store, r.docvalues)) {
    const first = decodeDocValues(e.value).first
    if (first === 0) continue
    const t = new Date(first * 1000)
    const m = t.getUTCFullYear() * 12 + t.getUTCMonth()
    perMonth.set(m, (perMonth.get(m) ?? 0) + 1)
  }
  await d.close()
}
const m0 = ORIGIN === 0 ? Math.min(...perMonth.keys()) : ORIGIN * 12
const months = Math.max(...perMonth.keys()) - m0 + 1
const firstMonth = Math.min(...perMonth.keys()) - m0
const docs = Array.from({ length: months }, (_, i) => (perMonth.get(m0 + i) ?? 0) * (i === firstMonth ? BULK : 1))
const prefix = [0]
for (const x of docs) prefix.push(prefix[prefix.length - 1] + x)
const size = ([a, b]: [number, number]): number => prefix[b] - prefix[a]
/** Format 11's cut of the months up to `m` (months counted from m0, as the table is). */
const sizeCut = (m: number): Array<[number, number]> => {
  const held = docs.slice(0, m + 1).flatMap((n, i) => (n > 0 ? [i] : []))
  return cutOf({ months: held, docs: held.map(i => docs[i]) })
}

console.log(
  `${months - firstMonth} months of first captures (months counted from ${ORIGIN === 0 ? 'the first' : `${ORIGIN}-01`}), ${prefix[months]} documents (${MONTHLY > 0 ? `a bulk month, then ${MONTHLY}% of it monthly` : `${N}-page crawl`}); each month an update of ~${(100 / (months - firstMonth)).toFixed(2)}% of the final index\n`
)
console.log(
  '| schedule | segments at the end (most ever) | mean rewritten per update, last ' +
    LAST +
    ' months (× the update) | largest rewrite, last ' +
    LAST +
    ' months, of the index | largest rewrite after the first 5 years, of the index then | mean rewritten per update over the whole history (× the update) |'
)
console.log('|---|---|---|---|---|---|')
const schedules: Array<{ name: string; b: number; cap: number; sizes?: boolean }> = [
  { name: 'base 2, blocks split while unbalanced (format 11)', b: 2, cap: Infinity, sizes: true },
  { name: 'one segment (today)', b: 2, cap: 0 },
  { name: 'a segment per month', b: 2, cap: 1 },
  { name: 'base 2', b: 2, cap: Infinity },
  { name: 'base 4', b: 4, cap: Infinity },
  { name: 'base 8', b: 8, cap: Infinity },
  { name: 'base 4, blocks of at most 16 months', b: 4, cap: 16 },
  { name: 'base 4, blocks of at most 64 months', b: 4, cap: 64 }
]
for (const s of schedules) {
  let prev = new Set<string>()
  let most = 0
  let worstRecent = 0
  let worstEver = 0
  let sumRecent = 0
  let sumAll = 0
  let addRecent = 0
  let addAll = 0
  let segs = 0
  for (let m = 0; m < months; m++) {
    const cur = s.sizes === true ? sizeCut(m) : s.cap === 0 ? [[0, m + 1] as [number, number]] : tiers(m, s.b, s.cap)
    const keys = new Set(cur.map(([a, b]) => `${a}-${b}`))
    // A segment is rewritten when it is new (its set of months changed) and holds documents.
    let rewritten = 0
    for (const t of cur) if (!prev.has(`${t[0]}-${t[1]}`)) rewritten += size(t)
    const total = prefix[m + 1]
    if (total > 0) {
      if (m >= firstMonth + 60) worstEver = Math.max(worstEver, rewritten / total)
      sumAll += rewritten
      addAll += docs[m]
      if (m >= months - LAST) {
        worstRecent = Math.max(worstRecent, rewritten / total)
        sumRecent += rewritten
        addRecent += docs[m]
      }
    }
    segs = cur.filter(t => size(t) > 0).length
    most = Math.max(most, segs)
    prev = keys
  }
  console.log(
    `| ${s.name} | ${segs} (${most}) | ${(sumRecent / addRecent).toFixed(1)} | ${(100 * worstRecent).toFixed(1)}% | ${(100 * worstEver).toFixed(1)}% | ${(sumAll / addAll).toFixed(1)} |`
  )
}
