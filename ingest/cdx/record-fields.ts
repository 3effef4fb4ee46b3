// The CDX fields of one WARC record, read from its bytes (a gzip member or a plain record) by pywb's rules
// (pywb/indexer/archiveindexer.py), since the index keeps what search needs, not what a CDX line says:
//   mime    revisit: 'warc/revisit'; response: the HTTP Content-Type's first word (split at ';' or ' '), 'unk'
//           when there is none; resource: the record's own Content-Type, likewise
//   status  response records only (by convention), the HTTP status code
//   digest  WARC-Payload-Digest as declared, without a 'sha1:' prefix (other algorithms keep theirs); when
//           undeclared (not for revisits), base32 SHA-1 of the payload bytes as they stand in the record
//           (pywb hashes the raw stream: a chunked payload with its chunk framing)
// The record is parsed by Canopy's own reader (ingest/reader), so every WARC it can ingest it can index.

import { createHash } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { base32 } from '../../index-core/bytes.ts'
import { streamSource } from '../reader/source.ts'
import { readWarcSource } from '../reader/warc-file.ts'
import { createStats } from '../reader/types.ts'
import type { CaptureRecord } from '../reader/types.ts'

export interface RecordCdxFields {
  readonly type: CaptureRecord['type']
  /** WARC-Target-URI and WARC-Date as the reader gives them (normalised date, or null). */
  readonly url: string
  readonly date: string | null
  readonly mime: string
  readonly mimeDetected: string | null
  readonly status: string | null
  readonly digest: string | null
}

export class RecordFieldsError extends Error {
  override name = 'RecordFieldsError'
}

const MIME_SPLIT = /[; ]/

function header (fields: ReadonlyArray<[string, string]>, name: string): string | null {
  for (const [k, v] of fields) if (k === name) return v
  return null
}

function firstWord (value: string | null, fallback: string): string {
  if (value === null || value === '') return fallback
  const w = value.split(MIME_SPLIT, 1)[0]
  return w === '' ? fallback : w
}

/** Index of the first CRLFCRLF (or LFLF) in `b` from `from`, and the length of that separator. */
function headEnd (b: Uint8Array, from: number): { at: number, sep: number } | null {
  for (let i = from; i < b.length - 1; i++) {
    if (b[i] === 0x0a && b[i + 1] === 0x0a) return { at: i, sep: 2 }
    if (b[i] === 0x0d && b[i + 1] === 0x0a && b[i + 2] === 0x0d && b[i + 3] === 0x0a) return { at: i, sep: 4 }
  }
  return null
}

/** pywb's digest of a record that declares none: SHA-1 of the payload bytes after the HTTP head, as stored. */
function rawPayloadDigest (record: Uint8Array, http: boolean): string | null {
  const warcHead = headEnd(record, 0)
  if (warcHead === null) return null
  const headText = Buffer.from(record.subarray(0, warcHead.at)).toString('latin1')
  const len = /^content-length:\s*(\d+)\s*$/im.exec(headText)
  const start = warcHead.at + warcHead.sep
  const block = record.subarray(start, len === null ? record.length : Math.min(record.length, start + Number(len[1])))
  let payload = block
  if (http) {
    const h = headEnd(block, 0)
    payload = h === null ? new Uint8Array(0) : block.subarray(h.at + h.sep)
  }
  return base32(createHash('sha1').update(payload).digest())
}

/** The CDX fields of the one record `bytes` holds; RecordFieldsError when they hold no readable capture record. */
export async function recordCdxFields (bytes: Uint8Array): Promise<RecordCdxFields> {
  async function * one (): AsyncGenerator<Uint8Array> { yield bytes }
  let rec: CaptureRecord | null = null
  const problems: string[] = []
  for await (const ev of readWarcSource(streamSource(one(), bytes.length), 'record', { wantBody: () => false }, createStats())) {
    if (ev.kind === 'record') { rec ??= ev; continue }
    if (ev.dropped) problems.push(`${ev.reason}: ${ev.detail}`)
  }
  if (rec === null) throw new RecordFieldsError(problems.length > 0 ? `no readable record: ${problems.join('; ')}` : 'no response, resource or revisit record')
  const http = rec.type !== 'resource' && (header(rec.warcHeaders, 'content-type') ?? '').toLowerCase().startsWith('application/http')
  const mime = rec.type === 'revisit'
    ? 'warc/revisit'
    : rec.type === 'response' ? firstWord(header(rec.headers, 'content-type'), 'unk') : firstWord(header(rec.warcHeaders, 'content-type'), 'unk')
  const declared = header(rec.warcHeaders, 'warc-payload-digest')
  let digest: string | null = declared === null || declared === '' ? null : declared.startsWith('sha1:') ? declared.slice(5) : declared
  if (digest === null && rec.type !== 'revisit') {
    const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? new Uint8Array(gunzipSync(bytes)) : bytes
    digest = rawPayloadDigest(raw, http)
  }
  return {
    type: rec.type,
    url: rec.url,
    date: rec.date,
    mime,
    mimeDetected: header(rec.warcHeaders, 'warc-identified-payload-type'),
    status: rec.type === 'response' && rec.status !== null ? String(rec.status) : null,
    digest
  }
}
