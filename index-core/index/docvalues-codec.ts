// Per-document values for facets and sorting over whole result sets (what Lucene calls doc values), one
// small entry per document (grouping by URL needs none: the key starts with the URL key):
//   key   = docId
//   value = flags ‖ [domain ‖ mime ‖ lang]  (when the document's content is known)
//           ‖ first capture ‖ last capture (varint seconds since 1970, 0 = none) ‖ years ‖ institutions
// Content fields come from the document; dates, years and institutions from its captures. Entries combine
// by union (years, institutions), min/max (dates) and a deterministic pick (content), so a document's values
// are the same whichever order its captures, crawls, workers or partners' indexes arrive in.

import { compareBytes, fromUtf8, utf8 } from '../bytes.ts'
import { ByteReader, ByteWriter } from '../varint.ts'
import { UserError } from '../user-error.ts'

export interface DocContent {
  /** The registered domain: the site facet. */
  readonly domain: string
  readonly mime: string
  readonly lang: string
}

export interface DocValues {
  readonly content: DocContent | null
  readonly first: number
  readonly last: number
  readonly years: readonly number[]
  readonly institutions: readonly string[]
}

export class DocValuesFormatError extends UserError {
  override name = 'DocValuesFormatError'
}

/** '2014-03-25T12:12:25Z' to seconds since 1970; null for a date that cannot be read. */
export function captureSeconds(date: string | null): number | null {
  if (date === null) return null
  const ms = Date.parse(date)
  return Number.isFinite(ms) && ms >= 0 ? Math.floor(ms / 1000) : null
}

function str(w: ByteWriter, s: string): void {
  const b = utf8(s)
  w.varint(b.length).bytes(b)
}

export function encodeDocValues(v: DocValues): Uint8Array {
  const w = new ByteWriter()
  w.bytes(Uint8Array.of(v.content === null ? 0 : 1))
  if (v.content !== null) {
    str(w, v.content.domain)
    str(w, v.content.mime)
    str(w, v.content.lang)
  }
  w.varint(v.first).varint(v.last)
  w.varint(v.years.length)
  for (const y of v.years) w.varint(y)
  w.varint(v.institutions.length)
  for (const i of v.institutions) str(w, i)
  return w.finish()
}

export function decodeDocValues(value: Uint8Array): DocValues {
  const r = new ByteReader(value)
  const fail = (): never => {
    throw new DocValuesFormatError('malformed doc values')
  }
  const n = (): number => {
    const x = r.tryVarint()
    return x < 0 ? fail() : x
  }
  const s = (): string => {
    const len = n()
    if (r.pos + len > value.length) fail()
    const out = fromUtf8(value.subarray(r.pos, r.pos + len))
    r.pos += len
    return out
  }
  if (value.length < 1 || value[0] > 1) fail()
  r.pos = 1
  let content: DocContent | null = null
  if (value[0] === 1) {
    content = { domain: s(), mime: s(), lang: s() }
  }
  const first = n()
  const last = n()
  const years = Array.from({ length: Math.min(n(), value.length) }, n)
  const institutions = Array.from({ length: Math.min(n(), value.length) }, s)
  if (!r.done) fail()
  return { content, first, last, years, institutions }
}

function unionSorted<T>(a: readonly T[], b: readonly T[], cmp: (x: T, y: T) => number): T[] {
  const out: T[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    const c = i >= a.length ? 1 : j >= b.length ? -1 : cmp(a[i], b[j])
    if (c <= 0) {
      out.push(a[i])
      if (c === 0) j++
      i++
    } else out.push(b[j++])
  }
  return out
}

const byBytes = (x: string, y: string): number => compareBytes(utf8(x), utf8(y))

/** The union of two entries for one document: commutative, associative and idempotent. */
export function unionDocValues(_key: Uint8Array, a: Uint8Array, b: Uint8Array): Uint8Array {
  if (compareBytes(a, b) === 0) return a
  const x = decodeDocValues(a)
  const y = decodeDocValues(b)
  let content = x.content ?? y.content
  if (x.content !== null && y.content !== null) {
    const ex = encodeDocValues({ content: x.content, first: 0, last: 0, years: [], institutions: [] })
    const ey = encodeDocValues({ content: y.content, first: 0, last: 0, years: [], institutions: [] })
    content = compareBytes(ex, ey) >= 0 ? x.content : y.content
  }
  const first = x.first === 0 ? y.first : y.first === 0 ? x.first : Math.min(x.first, y.first)
  return encodeDocValues({
    content,
    first,
    last: Math.max(x.last, y.last),
    years: unionSorted(x.years, y.years, (p, q) => p - q),
    institutions: unionSorted(x.institutions, y.institutions, byBytes)
  })
}
