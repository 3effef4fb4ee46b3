// One posting: the occurrences of a term in one document.
//   key   = term (UTF-8) ‖ 0x00 ‖ docId (12 bytes)
//   value = tf(title) tf(body) tf(url) as varints, the document's field lengths as three norm bytes
//           (norms.ts), then for each field its positions as delta varints.
// Filter terms (site, year, ...) have an empty value. Frequencies and norms come first so scoring reads a
// few bytes and never touches positions; phrase queries decode positions only for candidate documents.

import { ByteReader, varintLength, writeVarint } from '../varint.ts'
import { DOC_ID_BYTES, FIELD_COUNT, TERM_SEPARATOR } from './schema.ts'
import { encodeNorm } from './norms.ts'

export type FieldPositions = readonly (readonly number[])[]

export class PostingFormatError extends Error {
  override name = 'PostingFormatError'
}

export function postingKey (term: Uint8Array, docId: Uint8Array): Uint8Array {
  const k = new Uint8Array(term.length + 1 + DOC_ID_BYTES)
  k.set(term)
  k[term.length] = TERM_SEPARATOR
  k.set(docId, term.length + 1)
  return k
}

/** The term prefix of every posting key of `term` (term ‖ 0x00). */
export function termPrefix (term: Uint8Array): Uint8Array {
  const k = new Uint8Array(term.length + 1)
  k.set(term)
  k[term.length] = TERM_SEPARATOR
  return k
}

/** Encodes positions per field (each sorted ascending, no duplicates) and the document's field lengths. */
export function encodePosting (fields: FieldPositions, lengths: readonly number[]): Uint8Array {
  // Sized exactly first: ingest encodes hundreds of postings per document.
  let size = FIELD_COUNT
  for (let f = 0; f < FIELD_COUNT; f++) {
    const ps = fields[f] ?? []
    size += varintLength(ps.length)
    let prev = -1
    for (const p of ps) {
      if (p <= prev) throw new RangeError('positions must increase')
      size += varintLength(p - prev - 1)
      prev = p
    }
  }
  const out = new Uint8Array(size)
  let o = 0
  for (let f = 0; f < FIELD_COUNT; f++) o = writeVarint(out, o, fields[f]?.length ?? 0)
  for (let f = 0; f < FIELD_COUNT; f++) out[o++] = encodeNorm(lengths[f])
  for (let f = 0; f < FIELD_COUNT; f++) {
    let prev = -1
    for (const p of fields[f] ?? []) { o = writeVarint(out, o, p - prev - 1); prev = p }
  }
  return out
}

export const EMPTY_POSTING = new Uint8Array(0)

/**
 * Term frequencies and norm bytes: out[0..2] = tf per field, out[3..5] = norm byte per field. An empty value
 * (a filter posting) gives zeros. Returns the offset where positions start.
 */
export function decodeScoring (value: Uint8Array, out: number[]): number {
  if (value.length === 0) { out.fill(0); return 0 }
  const r = new ByteReader(value)
  for (let f = 0; f < FIELD_COUNT; f++) {
    const tf = r.tryVarint()
    if (tf < 0) throw new PostingFormatError('malformed posting: term frequencies')
    out[f] = tf
  }
  if (r.pos + FIELD_COUNT > value.length) throw new PostingFormatError('malformed posting: norms')
  for (let f = 0; f < FIELD_COUNT; f++) out[FIELD_COUNT + f] = value[r.pos + f]
  return r.pos + FIELD_COUNT
}

/** Positions per field. */
export function decodePositions (value: Uint8Array): number[][] {
  const out: number[][] = Array.from({ length: FIELD_COUNT }, () => [])
  if (value.length === 0) return out
  const r = new ByteReader(value)
  const tfs = new Array<number>(FIELD_COUNT)
  for (let f = 0; f < FIELD_COUNT; f++) {
    tfs[f] = r.tryVarint()
    if (tfs[f] < 0 || tfs[f] > value.length * 8) throw new PostingFormatError('malformed posting: term frequencies')
  }
  r.pos += FIELD_COUNT // norms
  for (let f = 0; f < FIELD_COUNT; f++) {
    let prev = -1
    const ps = out[f]
    for (let i = 0; i < tfs[f]; i++) {
      const d = r.tryVarint()
      if (d < 0) throw new PostingFormatError('malformed posting: positions')
      prev += d + 1
      ps.push(prev)
    }
  }
  if (!r.done) throw new PostingFormatError('malformed posting: trailing bytes')
  return out
}

/** Positions of one field only, skipping the others' bytes (phrase checks need one field at a time). */
export function decodeFieldPositions (value: Uint8Array, field: number): number[] {
  if (value.length === 0) return []
  const r = new ByteReader(value)
  const tfs = new Array<number>(FIELD_COUNT)
  for (let f = 0; f < FIELD_COUNT; f++) {
    tfs[f] = r.tryVarint()
    if (tfs[f] < 0) throw new PostingFormatError('malformed posting: term frequencies')
  }
  r.pos += FIELD_COUNT
  for (let f = 0; f < field; f++) for (let i = 0; i < tfs[f]; i++) if (r.tryVarint() < 0) throw new PostingFormatError('malformed posting: positions')
  const out = new Array<number>(tfs[field])
  let prev = -1
  for (let i = 0; i < tfs[field]; i++) {
    const d = r.tryVarint()
    if (d < 0) throw new PostingFormatError('malformed posting: positions')
    prev += d + 1
    out[i] = prev
  }
  return out
}
