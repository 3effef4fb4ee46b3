// A document record in the docs tree (doc-keys.ts).
//   key   = urlKey ‖ 0x00 ‖ contentKey
//   value = 1 0 length(title) length(body) length(url) as varints (the docs tree's five sums: one document
//           and its field lengths in tokens, which the root adds up for BM25's average lengths), then the document's metadata as a dag-cbor array, positional (field names in every record
//           would cost an eighth of it): [url, surt, host, domain, mime, lang, title, description, status,
//           charset, digest, textChars, textTruncated]
// Everything here derives from the captured bytes and URL, so the same document is the same record at every
// institution; captures (who holds it, when) sit beside it in the same tree.

import * as dagCbor from '@ipld/dag-cbor'
import { ByteReader, ByteWriter } from '../varint.ts'
import { afterSums, RECORD_SUMS } from './doc-keys.ts'
import { FIELD_COUNT } from './schema.ts'
import { UserError } from '../user-error.ts'

export interface DocRecord {
  readonly url: string
  readonly surt: string
  readonly host: string
  readonly domain: string
  readonly mime: string
  readonly lang: string | null
  readonly title: string
  readonly description: string
  readonly status: number | null
  readonly charset: string
  /** Normalised payload digest ('sha1:…'), half of the document's identity. */
  readonly digest: string
  /** Characters of stored body text, and whether extraction cut the text. */
  readonly textChars: number
  readonly textTruncated: boolean
  /** Indexed terms per field (title, body, url): the lengths BM25 normalises by. */
  readonly lengths: readonly number[]
}

export class DocFormatError extends UserError {
  override name = 'DocFormatError'
}

export function encodeDoc(d: DocRecord): Uint8Array {
  const w = new ByteWriter()
  w.bytes(RECORD_SUMS)
  for (let f = 0; f < FIELD_COUNT; f++) w.varint(d.lengths[f])
  const meta = [d.url, d.surt, d.host, d.domain, d.mime, d.lang, d.title, d.description, d.status, d.charset, d.digest, d.textChars, d.textTruncated]
  return w.bytes(dagCbor.encode(meta)).finish()
}

const FIELD_NAMES = [
  'url',
  'surt',
  'host',
  'domain',
  'mime',
  'lang',
  'title',
  'description',
  'status',
  'charset',
  'digest',
  'textChars',
  'textTruncated'
] as const

const str = (m: readonly unknown[], i: number): string => {
  const v = m[i]
  if (typeof v !== 'string') throw new DocFormatError(`document record: ${FIELD_NAMES[i]} is not a string`)
  return v
}

export function decodeDoc(value: Uint8Array): DocRecord {
  const body = afterSums(value, RECORD_SUMS)
  if (body === null) throw new DocFormatError('document record: malformed sums')
  const r = new ByteReader(body)
  const lengths: number[] = []
  for (let f = 0; f < FIELD_COUNT; f++) {
    const n = r.tryVarint()
    if (n < 0) throw new DocFormatError('document record: malformed lengths')
    lengths.push(n)
  }
  let m: unknown
  try {
    m = dagCbor.decode(body.subarray(r.pos))
  } catch (err) {
    throw new DocFormatError(`document record: ${(err as Error).message}`)
  }
  if (!Array.isArray(m) || m.length !== FIELD_NAMES.length) throw new DocFormatError('document record: not an array of its fields')
  const a = m as unknown[]
  const [status, lang, textChars, textTruncated] = [a[8], a[5], a[11], a[12]]
  if (status !== null && (typeof status !== 'number' || !Number.isInteger(status))) throw new DocFormatError('document record: status')
  if (lang !== null && typeof lang !== 'string') throw new DocFormatError('document record: lang')
  if (typeof textChars !== 'number' || typeof textTruncated !== 'boolean') throw new DocFormatError('document record: text fields')
  return {
    url: str(a, 0),
    surt: str(a, 1),
    host: str(a, 2),
    domain: str(a, 3),
    mime: str(a, 4),
    lang,
    title: str(a, 6),
    description: str(a, 7),
    status,
    charset: str(a, 9),
    digest: str(a, 10),
    textChars,
    textTruncated,
    lengths
  }
}
