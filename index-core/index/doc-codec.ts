// A document record in the docs tree.
//   key   = docId
//   value = length(title) length(body) length(url) as varints (summed by the tree: collection statistics),
//           then a dag-cbor map of the document's metadata.
// Everything here derives from the captured bytes and URL, so the same document is the same record at every
// institution; captures (who holds it, when) live in the captures tree.

import * as dagCbor from '@ipld/dag-cbor'
import { ByteReader, ByteWriter } from '../varint.ts'
import { FIELD_COUNT } from './schema.ts'

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

export class DocFormatError extends Error {
  override name = 'DocFormatError'
}

export function encodeDoc (d: DocRecord): Uint8Array {
  const w = new ByteWriter()
  for (let f = 0; f < FIELD_COUNT; f++) w.varint(d.lengths[f])
  const meta = {
    url: d.url,
    surt: d.surt,
    host: d.host,
    domain: d.domain,
    mime: d.mime,
    lang: d.lang,
    title: d.title,
    description: d.description,
    status: d.status,
    charset: d.charset,
    digest: d.digest,
    textChars: d.textChars,
    textTruncated: d.textTruncated
  }
  return w.bytes(dagCbor.encode(meta)).finish()
}

const str = (m: Record<string, unknown>, k: string): string => {
  const v = m[k]
  if (typeof v !== 'string') throw new DocFormatError(`document record: ${k} is not a string`)
  return v
}

export function decodeDoc (value: Uint8Array): DocRecord {
  const r = new ByteReader(value)
  const lengths: number[] = []
  for (let f = 0; f < FIELD_COUNT; f++) {
    const n = r.tryVarint()
    if (n < 0) throw new DocFormatError('document record: malformed lengths')
    lengths.push(n)
  }
  let m: Record<string, unknown>
  try {
    m = dagCbor.decode(value.subarray(r.pos)) as Record<string, unknown>
  } catch (err) {
    throw new DocFormatError(`document record: ${(err as Error).message}`)
  }
  if (m === null || typeof m !== 'object') throw new DocFormatError('document record: not a map')
  const status = m.status
  const lang = m.lang
  if (status !== null && (typeof status !== 'number' || !Number.isInteger(status))) throw new DocFormatError('document record: status')
  if (lang !== null && typeof lang !== 'string') throw new DocFormatError('document record: lang')
  if (typeof m.textChars !== 'number' || typeof m.textTruncated !== 'boolean') throw new DocFormatError('document record: text fields')
  return {
    url: str(m, 'url'),
    surt: str(m, 'surt'),
    host: str(m, 'host'),
    domain: str(m, 'domain'),
    mime: str(m, 'mime'),
    lang,
    title: str(m, 'title'),
    description: str(m, 'description'),
    status,
    charset: str(m, 'charset'),
    digest: str(m, 'digest'),
    textChars: m.textChars,
    textTruncated: m.textTruncated,
    lengths
  }
}
