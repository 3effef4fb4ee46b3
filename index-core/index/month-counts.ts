// The month counts block: how many documents were first captured in each month, the sizes the cut of postings
// into segments weighs (tiers.ts cutOf). The root links it; readers of postings never need it, writers
// (ingest, merge, withdrawal) keep it exact, so the cut stays a function of the documents:
//   { canopy: 'months', months: [first month, then the gap to each next], docs: [documents of each] }
// Gaps keep a century of months to about two bytes each; the root stays small whatever the dates.

import * as dagCbor from '@ipld/dag-cbor'
import type { CID } from 'multiformats/cid'
import { equalBytes } from '../bytes.ts'
import type { BlockAccess } from '../store/index.ts'
import { getVerified, putDagCbor } from './dag-block.ts'
import { IndexFormatError } from './index-root.ts'
import { MAX_MONTH } from './tiers.ts'
import type { MonthCounts } from './tiers.ts'

/** Every month of MAX_MONTH with a count of up to 2^32 fits (about 600 kB). */
const MAX_COUNTS_BYTES = 1024 * 1024

export const NO_MONTHS: MonthCounts = Object.freeze({ months: [], docs: [] })

export function encodeMonthCounts(c: MonthCounts): Uint8Array {
  return dagCbor.encode({ canopy: 'months', months: c.months.map((m, i) => (i === 0 ? m : m - c.months[i - 1])), docs: c.docs })
}

export function decodeMonthCounts(bytes: Uint8Array): MonthCounts {
  if (bytes.length > MAX_COUNTS_BYTES) throw new IndexFormatError(`month counts of ${bytes.length} bytes are larger than ${MAX_COUNTS_BYTES}`)
  let m: { canopy?: unknown; months?: unknown; docs?: unknown } | null
  try {
    m = dagCbor.decode(bytes) as typeof m
  } catch (err) {
    throw new IndexFormatError(`month counts: not dag-cbor (${(err as Error).message})`)
  }
  if (m === null || typeof m !== 'object' || m.canopy !== 'months' || !Array.isArray(m.months) || !Array.isArray(m.docs) || m.months.length !== m.docs.length) {
    throw new IndexFormatError('month counts malformed')
  }
  const months: number[] = []
  let at = -1
  for (const [i, gap] of (m.months as unknown[]).entries()) {
    // Months ascend: the first is a month, each next one at least a month later.
    if (typeof gap !== 'number' || !Number.isInteger(gap) || gap < (i === 0 ? 0 : 1) || (i === 0 ? gap : at + gap) > MAX_MONTH) {
      throw new IndexFormatError(`month counts: month ${i} malformed`)
    }
    at = i === 0 ? gap : at + gap
    months.push(at)
  }
  for (const [i, n] of (m.docs as unknown[]).entries()) {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw new IndexFormatError(`month counts: count ${i} malformed`)
  }
  const c: MonthCounts = { months, docs: m.docs as number[] }
  if (!equalBytes(encodeMonthCounts(c), bytes)) throw new IndexFormatError('month counts: not in canonical form')
  return c
}

export async function saveMonthCounts(blocks: BlockAccess, c: MonthCounts): Promise<CID> {
  return await putDagCbor(blocks, encodeMonthCounts(c))
}

export async function loadMonthCounts(blocks: BlockAccess, cid: CID): Promise<MonthCounts> {
  return decodeMonthCounts(await getVerified(blocks, cid, 'month counts'))
}

/** Counts being changed: documents added to and taken from months; no month may fall below zero. */
export class MonthTally {
  readonly #n = new Map<number, number>()

  constructor(from: MonthCounts = NO_MONTHS) {
    for (const [i, m] of from.months.entries()) this.#n.set(m, from.docs[i])
  }

  add(month: number, n = 1): this {
    const v = (this.#n.get(month) ?? 0) + n
    // Only counts that do not count the documents (a forged or damaged index) can fall below zero.
    if (v < 0) throw new IndexFormatError(`month counts do not count the documents: month ${month} would hold ${v}`)
    if (v === 0) this.#n.delete(month)
    else this.#n.set(month, v)
    return this
  }

  counts(): MonthCounts {
    const months = [...this.#n.keys()].sort((a, b) => a - b)
    return { months, docs: months.map(m => this.#n.get(m)!) }
  }
}
