// What a branch entry says of the subtree beneath it: [count, ...sums]. The count is the number of leaf
// entries; the sums (only in trees whose config sets `sums`) add up the first `sums` varints of every
// leaf value. Readers check each claim against the child, so totals such as a collection's summed field
// lengths can be read off the root and stay right through any merge, without reading the leaves.

import { ByteReader } from '../varint.ts'

export type Agg = readonly number[]

/** The leading `n` varints of a leaf value, or null if it does not start with them. */
export function readSums(value: Uint8Array, n: number): number[] | null {
  const r = new ByteReader(value)
  const out = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    const x = r.tryVarint()
    if (x < 0) return null
    out[i] = x
  }
  return out
}

export function addInto(acc: number[], agg: Agg): void {
  for (let i = 0; i < agg.length; i++) acc[i] += agg[i]
}

export function equalAgg(a: Agg, b: Agg): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export function zeroAgg(sums: number): number[] {
  return new Array<number>(1 + sums).fill(0)
}
