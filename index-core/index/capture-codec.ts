// One capture of a document: where and when an institution archived it.
//   key   = urlKey ‖ 0x01 ‖ contentKey ‖ 14-digit timestamp (ASCII, '0…0' when unknown) ‖ 8 bytes of
//           hash(institution, file, offset) (in the docs tree, doc-keys.ts)
//   value = the docs tree's sums 0 1 as varints (one capture), then the dag-cbor array
//           [date, url, type, status, institution, file, offset, length, memberOffset, recordId]
//           (positional: field names in every one of millions of captures would cost a fifth of its bytes)
// Keys sort a document's captures by time, so "every capture date" is one range scan.

import { createHash } from 'node:crypto'
import * as dagCbor from '@ipld/dag-cbor'
import { afterSums, CAPTURE_SUMS, docKindKey, KIND_CAPTURE, withSums } from './doc-keys.ts'
import { DOC_ID_BYTES } from './schema.ts'
import { UserError } from '../user-error.ts'

export interface Capture {
  /** ISO 8601 UTC 'YYYY-MM-DDTHH:MM:SSZ', or null when the record's date could not be read. */
  readonly date: string | null
  /** The URL as captured (may differ from the document's, e.g. http vs https, or a revisit's own URL). */
  readonly url: string
  readonly type: 'response' | 'resource' | 'revisit'
  readonly status: number | null
  readonly institution: string
  /** The crawl file, and where in it the record lies, so a replay tool can open the exact record. */
  readonly file: string
  readonly offset: number
  readonly length: number
  readonly memberOffset: number
  readonly recordId: string | null
}

export class CaptureFormatError extends UserError {
  override name = 'CaptureFormatError'
}

/** '2014-03-25T12:12:25Z' → '20140325121225' (the wayback timestamp); null → 14 zeros. */
export function timestamp14(date: string | null): string {
  if (date === null) return '00000000000000'
  const t = date.replace(/[^0-9]/g, '').slice(0, 14)
  return t.padEnd(14, '0')
}

export function captureKey(docId: Uint8Array, c: Capture): Uint8Array {
  const h = createHash('sha256')
    .update(c.institution)
    .update('\0')
    .update(c.file)
    .update('\0')
    .update(String(c.offset))
    .update('\0')
    .update(String(c.memberOffset))
    .digest()
  const k = docKindKey(docId, KIND_CAPTURE, 14 + 8)
  const ts = timestamp14(c.date)
  for (let i = 0; i < 14; i++) k[DOC_ID_BYTES + 1 + i] = ts.charCodeAt(i)
  k.set(h.subarray(0, 8), DOC_ID_BYTES + 1 + 14)
  return k
}

export function encodeCapture(c: Capture): Uint8Array {
  return withSums(CAPTURE_SUMS, dagCbor.encode([c.date, c.url, c.type, c.status, c.institution, c.file, c.offset, c.length, c.memberOffset, c.recordId]))
}

export function decodeCapture(value: Uint8Array): Capture {
  const body = afterSums(value, CAPTURE_SUMS)
  if (body === null) throw new CaptureFormatError('capture: malformed sums')
  let a: unknown
  try {
    a = dagCbor.decode(body)
  } catch (err) {
    throw new CaptureFormatError(`capture: ${(err as Error).message}`)
  }
  if (!Array.isArray(a) || a.length !== 10) throw new CaptureFormatError('capture: malformed record')
  const [date, url, type, status, institution, file, offset, length, memberOffset, recordId] = a as unknown[]
  const ok =
    (date === null || typeof date === 'string') &&
    typeof url === 'string' &&
    (type === 'response' || type === 'resource' || type === 'revisit') &&
    (status === null || typeof status === 'number') &&
    typeof institution === 'string' &&
    typeof file === 'string' &&
    typeof offset === 'number' &&
    typeof length === 'number' &&
    typeof memberOffset === 'number' &&
    (recordId === null || typeof recordId === 'string')
  if (!ok) throw new CaptureFormatError('capture: malformed record')
  return { date, url, type, status, institution, file, offset, length, memberOffset, recordId }
}
