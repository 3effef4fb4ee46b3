// The cut of postings into segments (docs/updates.md, issue 18). Calendar tiers: months up to the index's latest
// are cut into aligned blocks of b^k months, at most b - 1 of each size, largest first (the digits of the latest
// month number in base b); a later month changes only the low digits. Inside each block, sizes decide (cutOf):
// a block is one segment only when its halves hold documents within a factor of each other, as Lucene's tiered
// merge policy merges only segments of similar size, so a month that holds much of the archive is not merged
// with the small months beside it at every carry. The cut is a function of the documents per month, so of the
// documents, whatever the order of ingests and merges.

/**
 * Tiers grow by this factor: at most TIER_BASE - 1 blocks of each size. Base 2, not the 4 first decided:
 * with 4, cold queries cost more than 1.5× one segment's (docs/updates.md, "Step 1").
 */
export const TIER_BASE = 2

/** The last month a capture's date can name (December 9999: WARC dates have four-digit years). */
export const MAX_MONTH = (9999 - 1970 + 1) * 12 - 1

/** Months since 1970-01 of a time in seconds since 1970; an unknown date (0) or an earlier one counts as month 0. */
export function monthOf(seconds: number): number {
  if (!(seconds > 0)) return 0
  const d = new Date(seconds * 1000)
  return Math.min(MAX_MONTH, (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth())
}

/**
 * The aligned blocks [from, to) covering months [0, latest]: the digits of latest + 1 in base `base`, largest
 * first (a digit d at base^k: d blocks of base^k months).
 */
export function tierBlocks(latest: number, base: number = TIER_BASE): Array<[number, number]> {
  const out: Array<[number, number]> = []
  let start = 0
  let n = latest + 1
  let size = 1
  while (size * base <= n) size *= base
  for (; size >= 1; size /= base) {
    for (; n >= size; n -= size, start += size) out.push([start, start + size])
  }
  return out
}

/**
 * A block is one segment when the smaller of its halves holds at least 1/BALANCE of the larger's documents;
 * otherwise each half is cut by the same rule. 4: a month that holds most of an archive stays a segment of its
 * own until the months after it add up to a quarter of it (docs/updates.md, "Tiers that weigh sizes").
 */
export const BALANCE = 4

/**
 * A block is split only when its larger half holds at least 1/SPLIT_SHARE of all documents: splitting a block of
 * small halves saves rewriting little, and the rule then bounds the segments whatever the dates (at most
 * SPLIT_SHARE split blocks at each of 16 depths, their larger halves disjoint: MAX_SEGMENTS in all).
 */
export const SPLIT_SHARE = 16

/** Tier blocks (at most 17: MAX_MONTH + 1 < 2^17) and one segment more per split (16 depths of SPLIT_SHARE each). */
export const MAX_SEGMENTS = 17 + 16 * SPLIT_SHARE

/** Documents per month of first capture: months ascending, each count positive. */
export interface MonthCounts {
  readonly months: readonly number[]
  readonly docs: readonly number[]
}

/** The documents the counts count. */
export function countedDocs(c: MonthCounts): number {
  return c.docs.reduce((a, b) => a + b, 0)
}

/** Whether `segments` are exactly the blocks of `cut`, in order. */
export function followsCut(segments: ReadonlyArray<{ readonly from: number; readonly to: number }>, cut: ReadonlyArray<readonly [number, number]>): boolean {
  return segments.length === cut.length && segments.every((g, i) => g.from === cut[i][0] && g.to === cut[i][1])
}

/** The latest month that holds a document (0 when none does). */
export function lastMonth(c: MonthCounts): number {
  return c.months.length === 0 ? 0 : c.months[c.months.length - 1]
}

/**
 * The segments' blocks [from, to) for these counts, ascending: each block of the latest month's calendar tiers
 * that holds a document, cut in halves while they are unbalanced (BALANCE) and the larger holds a share of the
 * documents (SPLIT_SHARE); blocks without documents are left out. Every block is aligned and a power of 2 long, so the blocks of two cuts either nest or are disjoint.
 */
export function cutOf(c: MonthCounts): Array<[number, number]> {
  const prefix = [0]
  for (const n of c.docs) prefix.push(prefix[prefix.length - 1] + n)
  // Documents first captured in months [from, to).
  const size = (from: number, to: number): number => prefix[lowerBound(c.months, to)] - prefix[lowerBound(c.months, from)]
  const total = prefix[prefix.length - 1]
  const out: Array<[number, number]> = []
  const place = (from: number, to: number): void => {
    const n = size(from, to)
    if (n === 0) return
    const mid = (from + to) / 2
    const a = to - from === 1 ? n : size(from, mid)
    const b = n - a
    if (to - from === 1 || Math.min(a, b) * BALANCE >= Math.max(a, b) || Math.max(a, b) * SPLIT_SHARE < total) {
      out.push([from, to])
      return
    }
    place(from, mid)
    place(mid, to)
  }
  for (const [from, to] of tierBlocks(lastMonth(c))) place(from, to)
  return out
}

/** The first index of `xs` (ascending) whose value is at least `x`. */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0
  let hi = xs.length
  while (lo < hi) {
    const m = (lo + hi) >>> 1
    if (xs[m] < x) lo = m + 1
    else hi = m
  }
  return lo
}

/** The index of the block holding `month` in ascending, disjoint blocks, or -1 when none does. */
export function blockAt(blocks: ReadonlyArray<readonly [number, number]>, month: number): number {
  let lo = 0
  let hi = blocks.length
  while (lo < hi) {
    const m = (lo + hi) >>> 1
    if (blocks[m][1] <= month) lo = m + 1
    else hi = m
  }
  return lo < blocks.length && blocks[lo][0] <= month ? lo : -1
}

/** The index of the block holding `month`; a month no block holds is refused. */
export function blockOf(blocks: ReadonlyArray<readonly [number, number]>, month: number): number {
  const i = blockAt(blocks, month)
  if (i < 0) throw new RangeError(`month ${month} is in no block of the cut`)
  return i
}
