// Calendar tiers (docs/updates.md, issue 18): months up to the index's latest are cut into aligned blocks of
// b^k months, at most b - 1 of each size, largest first (the digits of the latest month number in base b). The
// cut is a function of the latest month alone, so of the documents; a later month changes only the low digits,
// and aligned blocks nest, so an earlier cut's blocks each lie inside one block of a later cut.

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

/** The index of the block holding `month` (blocks as tierBlocks gives them: ascending, contiguous from 0). */
export function blockOf(blocks: ReadonlyArray<readonly [number, number]>, month: number): number {
  for (let i = 0; i < blocks.length; i++) if (month < blocks[i][1]) return i
  throw new RangeError(`month ${month} is past the last block (ending at ${blocks[blocks.length - 1]?.[1]})`)
}
