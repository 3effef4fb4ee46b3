// One posting: the occurrences of a term in one document.
//   key   = term (UTF-8) ‖ 0x00 ‖ 255 - impact ‖ docId (10 bytes)
//   value = header ‖ more term frequencies ‖ length norms ‖ positions
//     impact    the posting's impact byte (impact.ts), which orders a term's postings; filter postings have 0
//     header    one byte: bits 0-2 say which fields (title 1, body 2, url 4) hold the term; bits 3-7 hold
//               tf - 1 of the first of them, 31 meaning "tf - 32 follows as a varint"
//     more tfs  tf - 1 of each further field that holds the term, as varints
//     norms     for each field that holds the term, in field order, the document's length of that field as
//               one norm byte (impact.ts lengthNorm): a query scores the posting from tfs and norms alone
//     positions for each field that holds the term, in field order, its positions as delta varints
//               (p - previous - 1, the previous of the first being -1)
// Filter terms (site, year, ...) have an empty value. A posting of one occurrence (most of them) is a header
// byte, a norm and a position. The impact sits in the key, before the document, so a term's postings come
// best first: a query reads a long list only as far as its top results need (query/top-k.ts).

import { ByteReader, varintLength, writeVarint } from '../varint.ts'
import { DOC_ID_BYTES, FIELD_COUNT, TERM_SEPARATOR } from './schema.ts'
import { UserError } from '../user-error.ts'

export type FieldPositions = readonly (readonly number[])[]

export class PostingFormatError extends UserError {
  override name = 'PostingFormatError'
}

/** tf - 1 of the first field fits the header below this; at it, the rest follows as a varint. */
const HEADER_TF_ESCAPE = 31

/** Bytes of a posting key after the term: separator, impact byte, document id. */
export const POSTING_SUFFIX_BYTES = 2 + DOC_ID_BYTES

export function postingKey(term: Uint8Array, impact: number, docId: Uint8Array): Uint8Array {
  const k = new Uint8Array(term.length + POSTING_SUFFIX_BYTES)
  k.set(term)
  k[term.length] = TERM_SEPARATOR
  k[term.length + 1] = 255 - impact
  k.set(docId, term.length + 2)
  return k
}

/** The impact byte of a posting key. */
export function keyImpact(key: Uint8Array): number {
  return 255 - key[key.length - DOC_ID_BYTES - 1]
}

/** The term of a posting key. */
export function keyTerm(key: Uint8Array): Uint8Array {
  return key.subarray(0, key.length - POSTING_SUFFIX_BYTES)
}

/** The term prefix of every posting key of `term` (term ‖ 0x00). */
export function termPrefix(term: Uint8Array): Uint8Array {
  const k = new Uint8Array(term.length + 1)
  k.set(term)
  k[term.length] = TERM_SEPARATOR
  return k
}

/** Encoded bytes of a posting (see encodePosting); checks that positions increase. */
export function postingSize(fields: FieldPositions): number {
  let size = 1
  for (let f = 0; f < FIELD_COUNT; f++) if ((fields[f]?.length ?? 0) > 0) size++
  let first = true
  for (let f = 0; f < FIELD_COUNT; f++) {
    const ps = fields[f]
    const n = ps?.length ?? 0
    if (n === 0) continue
    if (first) {
      first = false
      if (n - 1 >= HEADER_TF_ESCAPE) size += varintLength(n - 1 - HEADER_TF_ESCAPE)
    } else size += varintLength(n - 1)
    let prev = -1
    for (let i = 0; i < n; i++) {
      const p = ps[i]
      if (p <= prev) throw new RangeError('positions must increase')
      const d = p - prev - 1
      size += d < 0x80 ? 1 : varintLength(d)
      prev = p
    }
  }
  if (first) throw new RangeError('a posting needs at least one position')
  return size
}

/**
 * Writes a posting's value at out[o] (the caller has made room) from positions held in one array (bulk
 * indexing groups a document's tokens in place): field f's counts[f] positions, ascending and without
 * duplicates, start at positions[starts[f]]; at least one field holds some. `norms`: the document's length
 * norm byte per field. Returns the offset after it.
 */
export function encodePositionsInto(
  out: Uint8Array,
  o: number,
  counts: ArrayLike<number>,
  positions: ArrayLike<number>,
  starts: ArrayLike<number>,
  norms: ArrayLike<number>
): number {
  return writePosting(out, o, counts, positions, positions, positions, starts, norms)
}

const NONE: readonly number[] = []
const NO_OFFSETS: readonly number[] = [0, 0, 0]
if (FIELD_COUNT !== 3) throw new Error('writePosting takes three fields')

function writePosting(
  out: Uint8Array,
  o: number,
  counts: ArrayLike<number>,
  p0: ArrayLike<number>,
  p1: ArrayLike<number>,
  p2: ArrayLike<number>,
  starts: ArrayLike<number>,
  norms: ArrayLike<number>
): number {
  let mask = 0
  let first = -1
  for (let f = 0; f < FIELD_COUNT; f++) {
    if (counts[f] === 0) continue
    mask |= 1 << f
    if (first < 0) first = f
  }
  const tf0 = counts[first] - 1
  out[o++] = mask | (Math.min(tf0, HEADER_TF_ESCAPE) << 3)
  if (tf0 >= HEADER_TF_ESCAPE) o = writeVarint(out, o, tf0 - HEADER_TF_ESCAPE)
  for (let f = first + 1; f < FIELD_COUNT; f++) if ((mask & (1 << f)) !== 0) o = writeVarint(out, o, counts[f] - 1)
  for (let f = first; f < FIELD_COUNT; f++) if ((mask & (1 << f)) !== 0) out[o++] = norms[f]
  for (let f = first; f < FIELD_COUNT; f++) {
    if ((mask & (1 << f)) === 0) continue
    const ps = f === 0 ? p0 : f === 1 ? p1 : p2
    const end = starts[f] + counts[f]
    let prev = -1
    for (let i = starts[f]; i < end; i++) {
      const d = ps[i] - prev - 1
      if (d < 0x80) out[o++] = d
      else o = writeVarint(out, o, d)
      prev = ps[i]
    }
  }
  return o
}

/**
 * Encodes positions per field (each sorted ascending, no duplicates; at least one field must hold some) and
 * the document's length norm byte per field (impact.ts lengthNorm).
 */
export function encodePosting(fields: FieldPositions, norms: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(postingSize(fields))
  const counts = [fields[0]?.length ?? 0, fields[1]?.length ?? 0, fields[2]?.length ?? 0]
  writePosting(out, 0, counts, fields[0] ?? NONE, fields[1] ?? NONE, fields[2] ?? NONE, NO_OFFSETS, norms)
  return out
}

export const EMPTY_POSTING = new Uint8Array(0)

/**
 * Term frequencies per field into out[0..2] (0 where the field does not hold the term), all zeros for an empty
 * value (a filter posting), and, given `norms`, the length norm byte of each field holding the term. Returns
 * the offset where positions start.
 */
export function decodeTfs(value: Uint8Array, out: number[] | Float64Array, norms?: number[] | Uint8Array): number {
  for (let f = 0; f < FIELD_COUNT; f++) out[f] = 0
  if (value.length === 0) return 0
  const h = value[0]
  const mask = h & 7
  if (mask === 0) throw new PostingFormatError('malformed posting: no field')
  let pos = 1
  let first = true
  for (let f = 0; f < FIELD_COUNT; f++) {
    if ((mask & (1 << f)) === 0) continue
    let tf: number
    if (first) {
      first = false
      tf = h >>> 3
      if (tf === HEADER_TF_ESCAPE) {
        const r = new ByteReader(value, pos)
        const x = r.tryVarint()
        if (x < 0) throw new PostingFormatError('malformed posting: term frequencies')
        tf += x
        pos = r.pos
      }
    } else {
      const b = value[pos]
      if (b === undefined) throw new PostingFormatError('malformed posting: term frequencies')
      if (b < 0x80) {
        tf = b
        pos++
      } else {
        const r = new ByteReader(value, pos)
        tf = r.tryVarint()
        if (tf < 0) throw new PostingFormatError('malformed posting: term frequencies')
        pos = r.pos
      }
    }
    out[f] = tf + 1
  }
  for (let f = 0; f < FIELD_COUNT; f++) {
    if ((mask & (1 << f)) === 0) continue
    if (pos >= value.length) throw new PostingFormatError('malformed posting: length norms')
    if (norms !== undefined) norms[f] = value[pos]
    pos++
  }
  return pos
}

/** Positions per field. */
export function decodePositions(value: Uint8Array): number[][] {
  const out: number[][] = Array.from({ length: FIELD_COUNT }, () => [])
  if (value.length === 0) return out
  const tfs = new Array<number>(FIELD_COUNT)
  const r = new ByteReader(value, decodeTfs(value, tfs))
  for (let f = 0; f < FIELD_COUNT; f++) {
    if (tfs[f] > value.length) throw new PostingFormatError('malformed posting: term frequencies')
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
export function decodeFieldPositions(value: Uint8Array, field: number): number[] {
  if (value.length === 0) return []
  const tfs = new Array<number>(FIELD_COUNT)
  const r = new ByteReader(value, decodeTfs(value, tfs))
  for (let f = 0; f < field; f++) for (let i = 0; i < tfs[f]; i++) if (r.tryVarint() < 0) throw new PostingFormatError('malformed posting: positions')
  if (tfs[field] > value.length) throw new PostingFormatError('malformed posting: term frequencies')
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

/** Which fields hold the term (bit f for field f), from the header alone; 0 for a filter posting. */
export function postingFields(value: Uint8Array): number {
  return value.length === 0 ? 0 : value[0] & 7
}
