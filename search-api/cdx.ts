// The CDX server API as pywb defines it (pywb's docs, "CDX Server API"; pywb/warcserver/index/query.py and
// cdxops.py): GET /cdx (and /<index>/cdx) with url, matchType exact|prefix|host|domain (or a url of the form
// '*.example.com' / 'example.com/*'), from and to (partial timestamps), limit, sort=reverse|closest with
// closest=, filter (pywb's [!][=|~]field:value), fl (field list) and output=text|json|cdxj.
// Captures are found through the index's SURT filter terms (one document per URL and content), in SURT order;
// each line's MIME type, status and digest are read from its record by range (federation/cdx-export.ts), and
// only for the lines answered. A record that cannot be read still gets its line, with what the index stores
// (time, place, status, digest; no MIME type), and the answer's x-canopy-records-unread header counts them.

import type { FastifyPluginAsync } from 'fastify'
import type { Capture } from '../index-core/index/capture-codec.ts'
import { timestamp14 } from '../index-core/index/capture-codec.ts'
import { urlKeyOf } from '../index-core/index/doc-id.ts'
import { filterTerm } from '../index-core/index/schema.ts'
import { docKey } from '../index-core/query/index-reader.ts'
import type { DocKey, IndexReader } from '../index-core/query/index-reader.ts'
import { UserError } from '../index-core/user-error.ts'
import type { CdxEntry } from '../ingest/cdx/cdxj.ts'
import { cdxjJson, FIELD_ALIASES, formatCdxj, pyJson } from '../ingest/cdx/cdxj.ts'
import { surt } from '../ingest/extract/url.ts'
import { RecordUnavailableError } from '../federation/capture-records.ts'
import type { CrawlFolders } from '../federation/capture-records.ts'
import { captureCdxEntry, cdxKey } from '../federation/cdx-export.ts'
import type { IndexRegistry } from './registry.ts'
import { errorSchema } from './schemas.ts'

/** URLs a prefix, host or domain query may span; a wider one is asked to narrow (each URL is a tree read). */
export const MAX_CDX_URLS = 5000
export const MAX_CDX_LIMIT = 10_000
const DEFAULT_LIMIT = 1000

class CdxQueryError extends UserError {
  override name = 'CdxQueryError'
  readonly code: string
  constructor (code: string, message: string) { super(message); this.code = code }
}

export type MatchType = 'exact' | 'prefix' | 'host' | 'domain'

/** pywb's calc_search_range: the [start, end) range of SURT keys a query covers. */
export function searchRange (url: string, matchType: MatchType): { start: string, end: string } {
  let start = surt(url)
  if (start === null) throw new CdxQueryError('bad-url', `"${url}" is not a URL a SURT key can be made of`)
  const inc = (s: string): string => s.slice(0, -1) + String.fromCharCode(s.charCodeAt(s.length - 1) + 1)
  switch (matchType) {
    case 'exact': return { start, end: start + '!' }
    case 'prefix':
      if (url.endsWith('/') && !start.endsWith('/')) start += '/'
      if (url.endsWith('?') && !start.endsWith('?')) start += '?'
      return { start, end: inc(start) }
    case 'host': {
      const host = start.split(')/')[0]
      return { start: host + ')/', end: host + '*' }
    }
    case 'domain': {
      const host = start.split(')/')[0]
      return { start: host.includes(',') ? host + ')/' : host + ',', end: host + '-' }
    }
  }
}

/** warcio's pad_timestamp: a partial timestamp filled out from `pad` ('from': the earliest, 'to': the latest). */
export function padTimestamp (ts: string, side: 'from' | 'to'): string {
  const pad = side === 'from' ? '10000101000000' : '29991231235959'
  return ts.length >= 14 ? ts.slice(0, 14) : ts + pad.slice(ts.length)
}

function seconds (ts14: string): number {
  const [y, mo, d, h, mi, s] = [ts14.slice(0, 4), ts14.slice(4, 6), ts14.slice(6, 8), ts14.slice(8, 10), ts14.slice(10, 12), ts14.slice(12, 14)].map(Number)
  return Date.UTC(y, Math.max(0, mo - 1), Math.max(1, d), h, mi, s) / 1000
}

interface Found { readonly key: string, readonly timestamp: string, readonly capture: Capture, readonly doc: DocKey }

/** Every capture whose own URL's SURT key lies in [start, end), sorted by key and time (pywb's index order). */
export async function findCaptures (reader: IndexReader, start: string, end: string, exact: boolean): Promise<Found[]> {
  let surts: string[]
  if (exact) surts = [start]
  else {
    let common = 0
    while (common < start.length && common < end.length && start[common] === end[common]) common++
    const mark = filterTerm('surt', '')
    const terms = await reader.expandPrefix(filterTerm('surt', start.slice(0, common)), MAX_CDX_URLS)
    if (terms.length > MAX_CDX_URLS) throw new CdxQueryError('too-many-urls', `The query spans more than ${MAX_CDX_URLS} URLs; narrow it (a longer prefix, or matchType=host instead of domain)`)
    surts = terms.map(t => t.slice(mark.length)).filter(s => s >= start && s < end)
  }
  const out: Found[] = []
  const seen = new Set<string>()
  // Each URL is one range read of the documents tree: a few at a time, in SURT order.
  const perUrl: Array<Map<DocKey, Capture[]>> = []
  for (let i = 0; i < surts.length; i += 16) perUrl.push(...await Promise.all(surts.slice(i, i + 16).map(async s => await reader.urlCaptures(docKey(urlKeyOf(s))))))
  for (const byDoc of perUrl) {
    for (const [doc, captures] of byDoc) {
      for (const c of captures) {
        // A capture lies under its document's URL; a revisit may name another URL of its own.
        const key = cdxKey(c.url)
        const place = `${c.institution}\n${c.file}\n${c.offset}\n${c.memberOffset}`
        if (key < start || key >= end || seen.has(place)) continue
        seen.add(place)
        out.push({ key, timestamp: timestamp14(c.date), capture: c, doc })
      }
    }
  }
  const cmp = (a: string, b: string): number => a < b ? -1 : a > b ? 1 : 0
  return out.sort((a, b) => cmp(a.key, b.key) || cmp(a.timestamp, b.timestamp) || cmp(a.capture.file, b.capture.file) || a.capture.offset - b.capture.offset)
}

/** A pywb filter: [!] then '=' (equals), '~' (regex, anchored at the start, as Python's re.match) or contains; 'field:' optional. */
interface Filter { readonly invert: boolean, readonly field: string, readonly test: (v: string) => boolean }

function parseFilter (s: string): Filter {
  let rest = s
  const invert = rest.startsWith('!')
  if (invert) rest = rest.slice(1)
  let mode: '=' | '~' | 'contains' = 'contains'
  if (rest.startsWith('=') || rest.startsWith('~')) { mode = rest[0] as '=' | '~'; rest = rest.slice(1) }
  const colon = rest.indexOf(':')
  const field = colon < 0 ? '' : (FIELD_ALIASES[rest.slice(0, colon)] ?? rest.slice(0, colon))
  const value = colon < 0 ? rest : rest.slice(colon + 1)
  if (mode === '=') return { invert, field, test: v => v === value }
  if (mode === 'contains') return { invert, field, test: v => v.includes(value) }
  // A regex runs on the server's one thread: nested repetition ('(a+)+'), which can take exponential time, is refused.
  if (/\([^)]*[+*}][^)]*\)\s*[+*{]/.test(value)) throw new CdxQueryError('bad-filter', `filter "${s}": nested repetition is not allowed`)
  let re: RegExp
  try { re = new RegExp(`^(?:${value})`) } catch (err) { throw new CdxQueryError('bad-filter', `filter "${s}": ${(err as Error).message}`) }
  return { invert, field, test: v => re.test(v) }
}

function fieldOf (e: CdxEntry, f: string): string | undefined {
  return (e as unknown as Record<string, string | undefined>)[f]
}

export interface CdxQuery {
  readonly url: string
  readonly matchType?: MatchType
  readonly from?: string
  readonly to?: string
  readonly limit?: number
  readonly sort?: 'reverse' | 'closest'
  readonly reverse?: boolean
  readonly closest?: string
  readonly filter?: readonly string[]
  readonly fl?: string
  readonly output?: 'text' | 'json' | 'cdxj'
}

export interface CdxAnswer { readonly contentType: string, readonly body: string, readonly unread: number }

/** Runs one CDX query against an index: pywb's order of operations (filter, clamp, then sort and limit). */
export async function cdxQuery (reader: IndexReader, crawls: CrawlFolders, q: CdxQuery, signal?: AbortSignal): Promise<CdxAnswer> {
  let url = q.url
  let matchType = q.matchType
  if (matchType === undefined) {
    if (url.startsWith('*.')) { url = url.slice(2); matchType = 'domain' } else if (url.endsWith('*')) { url = url.slice(0, -1); matchType = 'prefix' } else matchType = 'exact'
  }
  const { start, end } = searchRange(url, matchType)
  const filters = (q.filter ?? []).map(parseFilter)
  const from = q.from === undefined || q.from === '' ? null : padTimestamp(q.from, 'from')
  const to = q.to === undefined || q.to === '' ? null : padTimestamp(q.to, 'to')
  let found = (await findCaptures(reader, start, end, matchType === 'exact')).filter(f => (from === null || f.timestamp >= from) && (to === null || f.timestamp <= to))
  const closest = q.closest === undefined || q.closest === '' ? null : padTimestamp(q.closest, 'from')
  if (closest !== null && (q.sort === 'closest' || q.sort === undefined)) {
    const at = seconds(closest)
    // A stable sort: equally close captures keep index order, as pywb's insertion does.
    found = found.map((f, i) => ({ f, i, d: Math.abs(seconds(f.timestamp) - at) })).sort((a, b) => a.d - b.d || a.i - b.i).map(x => x.f)
  } else if (q.sort === 'closest') {
    throw new CdxQueryError('bad-request', 'sort=closest needs closest=<timestamp>')
  } else if (q.sort === 'reverse' || q.reverse === true) found.reverse()
  const limit = q.limit ?? DEFAULT_LIMIT
  const fields = q.fl === undefined || q.fl === '' ? null : q.fl.split(',').map(f => FIELD_ALIASES[f] ?? f)
  const lines: string[] = []
  let unread = 0
  for (const f of found) {
    if (lines.length >= limit) break
    let e: CdxEntry
    try {
      e = await captureCdxEntry(reader, f.capture, crawls, signal)
    } catch (err) {
      if (!(err instanceof RecordUnavailableError)) throw err
      unread++
      const c = f.capture
      const digest = (await reader.doc(f.doc))?.digest.replace(/^sha1:/, '')
      e = {
        urlkey: f.key,
        timestamp: f.timestamp,
        url: c.url,
        ...(c.type === 'revisit' ? { mime: 'warc/revisit' } : {}),
        ...(c.type === 'response' && c.status !== null ? { status: String(c.status) } : {}),
        ...(digest === undefined ? {} : { digest }),
        length: String(c.length),
        offset: String(c.offset),
        filename: c.file
      }
    }
    const line = formatCdxj(e)
    if (!filters.every(x => x.test(x.field === '' ? line : (fieldOf(e, x.field) ?? '')) !== x.invert)) continue
    const all: Record<string, string> = { urlkey: e.urlkey, timestamp: e.timestamp, ...cdxjJson(e) }
    const pick = (names: readonly string[]): Record<string, string> => Object.fromEntries(names.filter(n => all[n] !== undefined).map(n => [n, all[n]]))
    switch (q.output ?? 'text') {
      case 'json': lines.push(JSON.stringify(fields === null ? all : pick(fields))); break
      case 'cdxj': lines.push(fields === null ? line : `${e.urlkey} ${e.timestamp} ${pyJson(pick(fields.filter(n => n !== 'urlkey' && n !== 'timestamp')))}`); break
      default: lines.push(fields === null ? line : fields.map(n => all[n] ?? '-').join(' '))
    }
  }
  const type = { text: 'text/plain', json: 'text/x-ndjson', cdxj: 'text/x-cdxj' }[q.output ?? 'text']
  return { contentType: `${type}; charset=utf-8`, body: lines.map(l => l + '\n').join(''), unread }
}

const TS = '^[0-9]{0,14}$'

export const cdxQuerySchema = {
  type: 'object',
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 4096, description: "The URL; '*.example.com' means matchType=domain, 'example.com/path*' matchType=prefix" },
    matchType: { type: 'string', enum: ['exact', 'prefix', 'host', 'domain'], description: 'exact (default), prefix (the URL and everything under it), host (every URL of the host), domain (the host and its subdomains)' },
    from: { type: 'string', pattern: TS, description: 'Earliest capture time, 1 to 14 digits (yyyyMMddhhmmss; 2014 means 2014-01-01 00:00:00)' },
    to: { type: 'string', pattern: TS, description: 'Latest capture time, 1 to 14 digits (2014 means 2014-12-31 23:59:59)' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_CDX_LIMIT, description: `Most lines answered (default ${DEFAULT_LIMIT})` },
    sort: { type: 'string', enum: ['reverse', 'closest'], description: 'reverse: newest first; closest: nearest to closest= first' },
    reverse: { type: 'boolean' },
    closest: { type: 'string', pattern: TS, description: 'The timestamp sort=closest orders by' },
    filter: { type: 'array', maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 256 }, description: "pywb filters, repeatable: [!][=|~]field:value, e.g. '=status:200', '!mime:warc/revisit', '~url:.*\\.pdf$'" },
    fl: { type: 'string', pattern: '^[a-z.,-]*$', maxLength: 200, description: 'Fields to answer, comma-separated (urlkey,timestamp,url,mime,status,digest,length,offset,filename)' },
    output: { type: 'string', enum: ['text', 'json', 'cdxj'], description: 'text (default: CDXJ lines, or the fl fields space-separated), json (one JSON object per line), cdxj' },
    index: { type: 'string', maxLength: 200, description: 'Index name (default: the first served)' }
  },
  required: ['url'],
  additionalProperties: false
} as const

export interface CdxApiOptions {
  readonly registry: IndexRegistry
  /** Copies of crawl files to read records from, besides those published into the index folder. */
  readonly crawls: CrawlFolders
}

type CdxRequest = { Params: { index?: string }, Querystring: CdxQuery & { index?: string } }

export const cdxApi: FastifyPluginAsync<CdxApiOptions> = async (app, opts) => {
  const schema = (perIndex: boolean): Record<string, unknown> => ({
    tags: ['cdx'],
    summary: perIndex ? 'CDX server API over one named index' : 'CDX server API (pywb\'s): the captures of a URL, prefix, host or domain',
    description: 'Lines in SURT order, one per WARC record captured: SURT key, timestamp, url, mime, status, digest, length, offset, filename (pywb\'s CDXJ). Plain text, NDJSON (output=json) or CDXJ.',
    querystring: cdxQuerySchema,
    ...(perIndex ? { params: { type: 'object', properties: { index: { type: 'string', maxLength: 200 } }, required: ['index'] } } : {}),
    response: {
      200: { description: 'CDX lines (text/plain, text/x-ndjson or text/x-cdxj), none when nothing matches', content: { 'text/plain': { schema: { type: 'string' } }, 'text/x-ndjson': { schema: { type: 'string' } }, 'text/x-cdxj': { schema: { type: 'string' } } } },
      400: errorSchema,
      404: errorSchema
    }
  })
  const handler = async (req: { params: { index?: string }, query: CdxQuery & { index?: string }, raw: { aborted?: boolean } }, reply: import('fastify').FastifyReply): Promise<unknown> => {
    const served = opts.registry.get(req.params.index ?? req.query.index)
    let a: CdxAnswer
    try {
      a = await cdxQuery(served.reader, opts.crawls, req.query, AbortSignal.timeout(60_000))
    } catch (err) {
      if (err instanceof CdxQueryError) return await reply.status(400).type('application/json; charset=utf-8').send({ error: err.code, message: err.message, position: null })
      throw err
    }
    return await reply.type(a.contentType).header('x-canopy-records-unread', String(a.unread)).send(a.body)
  }
  app.get<CdxRequest>('/cdx', { schema: schema(false) }, handler)
  app.get<CdxRequest>('/:index/cdx', { schema: schema(true) }, handler)
}
