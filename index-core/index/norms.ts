// Field lengths in one byte, as Lucene stores norms (SmallFloat.intToByte4): exact up to 23, then a float
// with a 4-bit mantissa (relative error under 1/8). Each word posting carries its document's norm byte of
// every field that holds the word, beside the term frequencies BM25 reads (posting-codec.ts).

import { FIELD_COUNT } from './schema.ts'

function longToInt4 (i: number): number {
  const numBits = 32 - Math.clz32(i)
  if (numBits < 4) return i
  const shift = numBits - 4
  return ((i >>> shift) & 0x07) | ((shift + 1) << 3)
}

function int4ToLong (i: number): number {
  const bits = i & 0x07
  const shift = (i >>> 3) - 1
  return shift === -1 ? bits : (bits | 0x08) * 2 ** shift
}

const MAX_INT4 = longToInt4(0x7fffffff)
const NUM_FREE_VALUES = 255 - MAX_INT4

/** Length (0 .. 2^31-1) to its norm byte. */
export function encodeNorm (length: number): number {
  const i = Math.min(Math.max(0, Math.floor(length)), 0x7fffffff)
  return i < NUM_FREE_VALUES ? i : NUM_FREE_VALUES + longToInt4(i - NUM_FREE_VALUES)
}

/** Norm byte to the length it stands for (the lower end of its bucket). */
export function decodeNorm (b: number): number {
  return b < NUM_FREE_VALUES ? b : NUM_FREE_VALUES + int4ToLong(b - NUM_FREE_VALUES)
}

/** A document's norms: its field lengths (title, body, url) as norm bytes. */
export function encodeNorms (lengths: readonly number[]): Uint8Array {
  if (lengths.length !== FIELD_COUNT) throw new RangeError(`norms need ${FIELD_COUNT} field lengths`)
  return Uint8Array.from(lengths, n => encodeNorm(n))
}

/** All 256 decoded lengths, for table lookups in scoring loops. */
export const NORM_TABLE: Float64Array = Float64Array.from({ length: 256 }, (_, b) => decodeNorm(b))
