// Every record of a crawl file as a CDX entry, the one lister behind replay, the CDX server API and
// `canopy export --cdxj`. Records are parsed by warcio (the library wabac.js replays with), which lists what
// pywb's and cdxj-indexer's indexers list (responses, revisits, resources, metadata, and requests, as they
// do); each entry is then put in pywb's form: Canopy's SURT key (index-core/index/url-keys.ts, a port of the surt
// library pywb keys with), every value a string, a SHA-1 digest without its 'sha1:' prefix.
//
// Bytes read are bounded: a record's body is never held (a small request body apart: a POST is keyed by it).
// In an uncompressed WARC a body is skipped by its
// Content-Length without being read (only the WARC and HTTP heads are), so listing a file with a 256 MiB
// record reads a few KiB of it; a gzip member can only be found to end by inflating it, so a compressed file
// is streamed through once, chunk by chunk.

import { appendRequestQuery, AsyncIterReader, CDXIndexer, WARCParser } from 'warcio'
import type { CdxEntry } from './cdxj.ts'
import { surt } from '../../index-core/index/index.ts'
import { cachedSource, gzipEvents } from '../reader/index.ts'

/** One record's CDX fields, without the file name (each user names the file its own way). */
export type RecordCdx = Omit<CdxEntry, 'filename'> & { readonly method?: string; readonly requestBody?: string }

/** A crawl file's bytes by range, read only when asked. */
export interface RangeSource {
  readonly size: number
  read(start: number, length: number, signal?: AbortSignal): AsyncIterable<Uint8Array>
}

const FIELDS = ['urlkey', 'timestamp', 'url', 'mime', 'status', 'digest', 'length', 'offset', 'method', 'requestBody', 'WARC-Type']
/** Bytes asked of a source at a time: a WARC head is read in one ask. */
const CHUNK = 64 * 1024

/**
 * The SURT key pywb gives a URL: Canopy's surt, except that a URL with no host (urn:, file:///…) keys as
 * itself, as the surt library's `if -1 == parenIdx: return url` does.
 */
export function cdxKey(url: string): string {
  const k = surt(url)
  return k === null || k === '-' || !k.includes(')') ? url : k
}

function pywbForm(r: Record<string, unknown>): RecordCdx | null {
  const { url, timestamp } = r
  if (typeof url !== 'string' || typeof timestamp !== 'string') return null
  const s = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v))
  const digest = s(r.digest)
  // A POST (or other non-GET) request's body is appended to the key as a query, as pywb and wabac look it up.
  const method = s(r.method)
  const body = s(r.requestBody)
  return {
    urlkey: cdxKey(method !== undefined && body !== undefined ? appendRequestQuery(url, body, method) : url),
    timestamp,
    url,
    // pywb's 'unk' for a response or resource that declares no type (warcio leaves the field out).
    ...(s(r.mime) !== undefined ? { mime: s(r.mime) } : r['WARC-Type'] === 'response' || r['WARC-Type'] === 'resource' ? { mime: 'unk' } : {}),
    // pywb writes a status for responses only (a revisit's HTTP head is the original's).
    ...(s(r.status) === undefined || r['WARC-Type'] === 'revisit' ? {} : { status: s(r.status) }),
    ...(digest === undefined ? {} : { digest: digest.startsWith('sha1:') ? digest.slice(5) : digest }),
    length: String(r.length),
    offset: String(r.offset),
    ...(s(r.method) === undefined ? {} : { method: s(r.method) }),
    ...(s(r.requestBody) === undefined ? {} : { requestBody: s(r.requestBody) })
  }
}

/**
 * A reader of an uncompressed file that skips by seeking: warcio skips a record's body with skipSize, which
 * here moves the read position on instead of reading. (warcio 2.4's AsyncIterReader keeps the bytes it has
 * taken in _readOffset and an unread chunk in _savedChunk; written against warcio 2.4.11; test/cdx-bounded-reads.test.ts fails if a new version moves them.)
 */
class SeekingReader extends AsyncIterReader {
  readonly #at: { pos: number }
  constructor(src: RangeSource, signal: AbortSignal | undefined, count: (n: number) => void, failed: (err: unknown) => void) {
    const at = { pos: 0 }
    const iter = {
      async next(): Promise<IteratorResult<Uint8Array>> {
        if (at.pos >= src.size) return { done: true, value: undefined }
        const want = Math.min(CHUNK, src.size - at.pos)
        const parts: Uint8Array[] = []
        try {
          for await (const c of src.read(at.pos, want, signal)) parts.push(c)
        } catch (err) {
          failed(err)
          throw err
        }
        const b = parts.length === 1 ? parts[0] : Buffer.concat(parts)
        count(b.length)
        at.pos += b.length
        if (b.length === 0) return { done: true, value: undefined }
        return { done: false, value: b }
      },
      [Symbol.asyncIterator]() {
        return this
      }
    }
    super(iter, null)
    this.#at = at
  }

  override async skipSize(n: number): Promise<number> {
    const self = this as unknown as { _savedChunk: Uint8Array | null; _readOffset: number }
    let done = 0
    const saved = self._savedChunk
    if (saved !== null && saved.length > 0) {
      self._savedChunk = null
      if (saved.length > n) {
        self._readOffset += n
        this.unread(saved.subarray(n))
        self._readOffset += saved.length - n
        return n
      }
      self._readOffset += saved.length
      done = saved.length
    }
    const jump = n - done
    this.#at.pos += jump
    self._readOffset += jump
    return n
  }
}

/** A request body read to key a POST by (warcio's postToGetUrl reads at most its DEFAULT_MAX_QUERY_SIZE, 4096). */
const MAX_REQUEST_BODY = 64 * 1024

/**
 * warcio's CDX indexer, except that it reads no record whole: its own iterRecords reads every record fully
 * (a 256 MiB video into memory) for the sake of a POST request's body. Here a request's body is read when
 * small, and every other record's body skipped.
 */
class HeadsIndexer extends CDXIndexer {
  // biome-ignore lint/suspicious/noExplicitAny: the signature warcio's CDXIndexer declares
  override async *iterRecords(parser: WARCParser, filename: string): AsyncGenerator<Record<string, any>, void, unknown> {
    this._lastRecord = null
    for await (const r of parser) {
      if (r.warcType === 'request' && Number(r.warcHeaders.headers.get('Content-Length') ?? 0) <= MAX_REQUEST_BODY) await r.readFully()
      else await r.skipFully()
      const e = this.indexRecord(r, parser, filename)
      if (e !== null) yield e
    }
    const last = this.indexRecord(null, parser, filename)
    if (last !== null) yield last
  }
}

function gzipped(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b
}

/**
 * Every record of a crawl file, as far as it can be parsed (a damaged file is listed up to the damage, as
 * ingest reads it); a failure to get the bytes (a block missing, a partner down) fails the whole listing, so
 * that a partial list is never kept as the file's. `read` counts the bytes taken from the source.
 */
export async function listRecords(src: RangeSource, opts: { signal?: AbortSignal; read?: (n: number) => void } = {}): Promise<RecordCdx[]> {
  const count = opts.read ?? (() => {})
  if (src.size === 0) return []
  const head: Uint8Array[] = []
  for await (const c of src.read(0, Math.min(2, src.size), opts.signal)) head.push(c)
  const first = Buffer.concat(head)
  count(first.length)
  if (gzipped(first)) {
    const byMember = await listMembers(src, opts.signal, count)
    if (Array.isArray(byMember)) return byMember
    // warcio inflates the file's whole members only: given a member cut short, its inflater never ends.
    const upTo = byMember.wholeMembers
    async function* whole(): AsyncGenerator<Uint8Array> {
      for (let pos = 0; pos < upTo; pos += 1 << 20) {
        for await (const c of src.read(pos, Math.min(1 << 20, upTo - pos), opts.signal)) {
          count(c.length)
          yield c
        }
      }
    }
    return await indexRecords(whole())
  }
  let failed: unknown = null
  const reader = new SeekingReader(src, opts.signal, count, err => {
    failed = err
  })
  return await collect(reader, () => failed)
}

/** Inflated bytes of a member kept for warcio to parse: the WARC and HTTP heads, and a small request body. */
const MEMBER_HEAD = MAX_REQUEST_BODY + 256 * 1024
/** What may follow a record in its member: the record's CRLFCRLF, and the NUL or line-end padding some writers leave. */
const MAX_PADDING = 4096

function isPadding(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0 && x !== 0x0a && x !== 0x0d) return false
  return true
}

async function* onceBytes(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b
}

/**
 * A gzipped crawl file listed member by member, each inflated by node:zlib (the ingest reader's member splitter,
 * several times faster than warcio's JavaScript inflater) and its head parsed by warcio as an uncompressed WARC;
 * one indexer sees the records in file order (it pairs requests with responses), each placed where its member
 * lies, as warcio places a record of a gzipped file. The file is listed up to the first damage, as warcio lists
 * it. When a member holds more than one record (a file gzipped whole) or a record goes on past its member, warcio's
 * own reading lists the file: the bytes of its whole members are said (`wholeMembers`), for it to read those only.
 */
async function listMembers(src: RangeSource, signal: AbortSignal | undefined, count: (n: number) => void): Promise<RecordCdx[] | { wholeMembers: number }> {
  const bytes = cachedSource(async (pos, len) => {
    const parts: Uint8Array[] = []
    for await (const c of src.read(pos, len, signal)) parts.push(c)
    const b = parts.length === 1 ? parts[0] : new Uint8Array(Buffer.concat(parts))
    count(b.length)
    return b
  }, src.size)
  const indexer = new HeadsIndexer({ fields: FIELDS })
  const out: RecordCdx[] = []
  const emit = (r: Record<string, unknown> | null): void => {
    const e = r === null ? null : pywbForm(r)
    if (e !== null) out.push(e)
  }
  let start = -1
  let head: Uint8Array[] = []
  let kept = 0
  let total = 0
  let place = { offset: 0, recordLength: 0 }
  let fallback = false
  let whole = 0
  for await (const ev of gzipEvents(bytes)) {
    if (ev.kind === 'error') break
    if (fallback) {
      if (ev.kind === 'member-end') {
        if (!ev.ok) break
        whole = ev.end
      }
      continue
    }
    if (ev.kind === 'member-start') {
      start = ev.offset
      head = []
      kept = 0
      total = 0
    } else if (ev.kind === 'data') {
      total += ev.data.length
      if (kept < MEMBER_HEAD) {
        const take = ev.data.subarray(0, MEMBER_HEAD - kept)
        head.push(take)
        kept += take.length
      }
    } else {
      if (!ev.ok) break
      whole = ev.end
      place = { offset: start, recordLength: ev.end - start }
      const inflated = Buffer.concat(head)
      const parser = new WARCParser(new AsyncIterReader(onceBytes(inflated), null), { parseHttp: true, strictHeaders: true } as ConstructorParameters<
        typeof WARCParser
      >[1])
      const r = await parser.parse()
      if (r === null) continue
      // Where the record ends in the member (warcio 2.4 keeps the WARC head's length in _warcHeadersLength).
      const end = (parser as unknown as { _warcHeadersLength: number })._warcHeadersLength + r.warcContentLength
      // A record longer than its member (it goes on in the next, or the file is damaged), or a member with more
      // after its record than padding: warcio's reading of the whole stream lists such a file.
      if (end > total || total - end > MAX_PADDING || (end < kept && !isPadding(inflated.subarray(end)))) {
        fallback = true
        continue
      }
      if (r.warcType === 'request' && r.warcContentLength <= MAX_REQUEST_BODY) await r.readFully()
      emit(indexer.indexRecord(r, place as unknown as WARCParser, ''))
    }
  }
  if (fallback) return { wholeMembers: whole }
  emit(indexer.indexRecord(null, place as unknown as WARCParser, ''))
  return out
}

/** Every record of a stream of a crawl file's bytes (read through once). */
export async function indexRecords(bytes: AsyncIterable<Uint8Array>): Promise<RecordCdx[]> {
  let sourceError: unknown = null
  async function* watched(): AsyncGenerator<Uint8Array> {
    try {
      yield* bytes
    } catch (err) {
      sourceError = err
      throw err
    }
  }
  return await collect(new AsyncIterReader(watched()), () => sourceError)
}

async function collect(reader: AsyncIterReader, sourceError: () => unknown): Promise<RecordCdx[]> {
  const indexer = new HeadsIndexer({ fields: FIELDS })
  const out: RecordCdx[] = []
  try {
    const parser = new WARCParser(reader, { parseHttp: true, strictHeaders: true } as ConstructorParameters<typeof WARCParser>[1])
    for await (const r of indexer.iterRecords(parser, '')) {
      const e = pywbForm(r as Record<string, unknown>)
      if (e !== null) out.push(e)
    }
  } catch (err) {
    if (sourceError() !== null) throw sourceError()
    if (out.length === 0) throw err
  }
  return out
}
