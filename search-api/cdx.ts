// The CDX server API as pywb defines it (pywb's docs, "CDX Server API"; pywb/warcserver/index/query.py and
// cdxops.py): GET /cdx (and /<index>/cdx) with url, matchType exact|prefix|host|domain (or a url of the form
// '*.example.com' / 'example.com/*'), from and to (partial timestamps), limit, sort=reverse|closest with
// closest=, filter (pywb's [!][=|~]field:value), fl (field list) and output=text|json|cdxj.
// It answers every record of the index's crawl files, as pywb's CDX server does over its CDXJ: the lines are
// those of `canopy export --cdxj` (federation/records/cdx-export.ts), made from the record lists replay also uses
// (listed once per file, kept by CID, record bodies never read), sorted, and searched by SURT range. A crawl
// file that cannot be read still gets lines for the captures the index holds of it (time, place, status; no
// MIME type), and the answer's x-canopy-records-unread header counts them.

import type { FastifyPluginAsync } from 'fastify'
import { surt } from '../index-core/index/index.ts'
import { UserError } from '../index-core/user-error.ts'
import { FIELD_ALIASES, parseCdxLine, pyJson } from '../ingest/cdx/index.ts'
import { tableRange } from '../federation/records/index.ts'
import type { CdxTable } from '../federation/records/index.ts'
import type { CdxTables } from './cdx-tables.ts'
import type { IndexRegistry } from './registry.ts'
import { errorSchema } from './schemas.ts'

export const MAX_CDX_LIMIT = 10_000
const DEFAULT_LIMIT = 1000

export class CdxQueryError extends UserError {
  override name = 'CdxQueryError'
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.code = code
  }
}

export type MatchType = 'exact' | 'prefix' | 'host' | 'domain'

/** pywb's calc_search_range: the [start, end) range of SURT keys a query covers. */
export function searchRange(url: string, matchType: MatchType): { start: string; end: string } {
  let start = surt(url)
  if (start === null) throw new CdxQueryError('bad-url', `"${url}" is not a URL a SURT key can be made of`)
  const inc = (s: string): string => s.slice(0, -1) + String.fromCharCode(s.charCodeAt(s.length - 1) + 1)
  switch (matchType) {
    case 'exact':
      return { start, end: start + '!' }
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
export function padTimestamp(ts: string, side: 'from' | 'to'): string {
  const pad = side === 'from' ? '10000101000000' : '29991231235959'
  return ts.length >= 14 ? ts.slice(0, 14) : ts + pad.slice(ts.length)
}

function seconds(ts14: string): number {
  const [y, mo, d, h, mi, s] = [ts14.slice(0, 4), ts14.slice(4, 6), ts14.slice(6, 8), ts14.slice(8, 10), ts14.slice(10, 12), ts14.slice(12, 14)].map(Number)
  return Date.UTC(y, Math.max(0, mo - 1), Math.max(1, d), h, mi, s) / 1000
}

/** A pywb filter: [!] then '=' (equals), '~' (regex, anchored at the start, as Python's re.match) or contains; 'field:' optional. */
interface Filter {
  readonly invert: boolean
  readonly field: string
  readonly test: (v: string) => boolean
}

function parseFilter(s: string): Filter {
  let rest = s
  const invert = rest.startsWith('!')
  if (invert) rest = rest.slice(1)
  let mode: '=' | '~' | 'contains' = 'contains'
  if (rest.startsWith('=') || rest.startsWith('~')) {
    mode = rest[0] as '=' | '~'
    rest = rest.slice(1)
  }
  const colon = rest.indexOf(':')
  const field = colon < 0 ? '' : (FIELD_ALIASES[rest.slice(0, colon)] ?? rest.slice(0, colon))
  const value = colon < 0 ? rest : rest.slice(colon + 1)
  if (mode === '=') return { invert, field, test: v => v === value }
  if (mode === 'contains') return { invert, field, test: v => v.includes(value) }
  // A regex runs on the server's one thread: nested repetition ('(a+)+'), which can take exponential time, is refused.
  if (/\([^)]*[+*}][^)]*\)\s*[+*{]/.test(value)) throw new CdxQueryError('bad-filter', `filter "${s}": nested repetition is not allowed`)
  let re: RegExp
  try {
    re = new RegExp(`^(?:${value})`)
  } catch (err) {
    throw new CdxQueryError('bad-filter', `filter "${s}": ${(err as Error).message}`)
  }
  return { invert, field, test: v => re.test(v) }
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

export interface CdxAnswer {
  readonly contentType: string
  readonly body: string
  readonly unread: number
}

/** A line the query keeps, with its fields. */
interface Found {
  readonly line: string
  readonly unread: boolean
  readonly fields: Record<string, string>
  /** Its place in SURT order, for a stable closest sort. */
  readonly i: number
  /** Seconds from closest= (closest sort only). */
  readonly d: number
}

/**
 * Runs one CDX query against an index's table, in pywb's order of operations (filter, clamp, then sort and
 * limit), reading the table's range as a stream: memory holds at most `limit` lines, whatever the range holds.
 */
export async function cdxQuery(table: CdxTable, q: CdxQuery, signal?: AbortSignal): Promise<CdxAnswer> {
  let url = q.url
  let matchType = q.matchType
  if (matchType === undefined) {
    if (url.startsWith('*.')) {
      url = url.slice(2)
      matchType = 'domain'
    } else if (url.endsWith('*')) {
      url = url.slice(0, -1)
      matchType = 'prefix'
    } else matchType = 'exact'
  }
  const { start, end } = searchRange(url, matchType)
  const filters = (q.filter ?? []).map(parseFilter)
  const from = q.from === undefined || q.from === '' ? null : padTimestamp(q.from, 'from')
  const to = q.to === undefined || q.to === '' ? null : padTimestamp(q.to, 'to')
  const closest = q.closest === undefined || q.closest === '' ? null : padTimestamp(q.closest, 'from')
  if (closest === null && q.sort === 'closest') throw new CdxQueryError('bad-request', 'sort=closest needs closest=<timestamp>')
  const mode =
    closest !== null && (q.sort === 'closest' || q.sort === undefined) ? 'closest' : q.sort === 'reverse' || q.reverse === true ? 'reverse' : 'forward'
  const at = closest === null ? 0 : seconds(closest)
  const limit = q.limit ?? DEFAULT_LIMIT
  // Kept: the first `limit` (forward), the last `limit` (reverse), or the `limit` nearest, ordered by (d, i) (closest).
  let kept: Found[] = []
  let i = 0
  for await (const { line, unread } of tableRange(table, start, end, signal)) {
    const sp = line.indexOf(' ')
    const timestamp = line.slice(sp + 1, line.indexOf(' ', sp + 1))
    if ((from !== null && timestamp < from) || (to !== null && timestamp > to)) continue
    const fields = parseCdxLine(line)
    if (!filters.every(x => x.test(x.field === '' ? line : (fields[x.field] ?? '')) !== x.invert)) continue
    const found: Found = { line, unread, fields, i: i++, d: mode === 'closest' ? Math.abs(seconds(timestamp) - at) : 0 }
    if (mode === 'forward') {
      kept.push(found)
      if (kept.length >= limit) break
    } else if (mode === 'reverse') {
      kept.push(found)
      if (kept.length >= 2 * limit) kept = kept.slice(-limit)
    } else if (kept.length < limit || found.d < kept[kept.length - 1].d) {
      // A stable order: equally close captures keep SURT order, as pywb's insertion does.
      let lo = 0
      let hi = kept.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (kept[mid].d <= found.d) lo = mid + 1
        else hi = mid
      }
      kept.splice(lo, 0, found)
      if (kept.length > limit) kept.pop()
    }
  }
  if (mode === 'reverse') kept = kept.slice(-limit).reverse()
  const fields = q.fl === undefined || q.fl === '' ? null : q.fl.split(',').map(f => FIELD_ALIASES[f] ?? f)
  const lines: string[] = []
  let unread = 0
  for (const { line, unread: u, fields: all } of kept) {
    if (u) unread++
    const pick = (names: readonly string[]): Record<string, string> => Object.fromEntries(names.filter(n => all[n] !== undefined).map(n => [n, all[n]]))
    switch (q.output ?? 'text') {
      case 'json':
        lines.push(JSON.stringify(fields === null ? all : pick(fields)))
        break
      case 'cdxj':
        lines.push(fields === null ? line : `${all.urlkey} ${all.timestamp} ${pyJson(pick(fields.filter(n => n !== 'urlkey' && n !== 'timestamp')))}`)
        break
      default:
        lines.push(fields === null ? line : fields.map(n => all[n] ?? '-').join(' '))
    }
  }
  const type = { text: 'text/plain', json: 'text/x-ndjson', cdxj: 'text/x-cdxj' }[q.output ?? 'text']
  return { contentType: `${type}; charset=utf-8`, body: lines.map(l => l + '\n').join(''), unread }
}

const TS = '^[0-9]{0,14}$'

export const cdxQuerySchema = {
  type: 'object',
  properties: {
    url: {
      type: 'string',
      minLength: 1,
      maxLength: 4096,
      description: "The URL; '*.example.com' means matchType=domain, 'example.com/path*' matchType=prefix"
    },
    matchType: {
      type: 'string',
      enum: ['exact', 'prefix', 'host', 'domain'],
      description: 'exact (default), prefix (the URL and everything under it), host (every URL of the host), domain (the host and its subdomains)'
    },
    from: { type: 'string', pattern: TS, description: 'Earliest capture time, 1 to 14 digits (yyyyMMddhhmmss; 2014 means 2014-01-01 00:00:00)' },
    to: { type: 'string', pattern: TS, description: 'Latest capture time, 1 to 14 digits (2014 means 2014-12-31 23:59:59)' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_CDX_LIMIT, description: `Most lines answered (default ${DEFAULT_LIMIT})` },
    sort: { type: 'string', enum: ['reverse', 'closest'], description: 'reverse: newest first; closest: nearest to closest= first' },
    reverse: { type: 'boolean' },
    closest: { type: 'string', pattern: TS, description: 'The timestamp sort=closest orders by' },
    filter: {
      type: 'array',
      maxItems: 10,
      items: { type: 'string', minLength: 1, maxLength: 256 },
      description: "pywb filters, repeatable: [!][=|~]field:value, e.g. '=status:200', '!mime:warc/revisit', '~url:.*\\.pdf$'"
    },
    fl: {
      type: 'string',
      pattern: '^[a-z.,-]*$',
      maxLength: 200,
      description: 'Fields to answer, comma-separated (urlkey,timestamp,url,mime,status,digest,length,offset,filename)'
    },
    output: {
      type: 'string',
      enum: ['text', 'json', 'cdxj'],
      description: 'text (default: CDXJ lines, or the fl fields space-separated), json (one JSON object per line), cdxj'
    },
    index: { type: 'string', maxLength: 200, description: 'Index name (default: the first served)' }
  },
  required: ['url'],
  additionalProperties: false
} as const

export interface CdxApiOptions {
  readonly registry: IndexRegistry
  /** The served indexes' CDX tables, shared with replay. */
  readonly tables: CdxTables
}

type CdxRequest = { Params: { index?: string }; Querystring: CdxQuery & { index?: string } }

export const cdxApi: FastifyPluginAsync<CdxApiOptions> = async (app, opts) => {
  const schema = (perIndex: boolean): Record<string, unknown> => ({
    tags: ['cdx'],
    summary: perIndex ? 'CDX server API over one named index' : "CDX server API (pywb's): the captures of a URL, prefix, host or domain",
    description:
      "Lines in SURT order, one per WARC record of the index's crawl files (responses, revisits, resources, metadata, requests): SURT key, timestamp, url, mime, status, digest, length, offset, filename (pywb's CDXJ). Plain text, NDJSON (output=json) or CDXJ.",
    querystring: cdxQuerySchema,
    ...(perIndex ? { params: { type: 'object', properties: { index: { type: 'string', maxLength: 200 } }, required: ['index'] } } : {}),
    response: {
      200: {
        description: 'CDX lines (text/plain, text/x-ndjson or text/x-cdxj), none when nothing matches',
        content: {
          'text/plain': { schema: { type: 'string' } },
          'text/x-ndjson': { schema: { type: 'string' } },
          'text/x-cdxj': { schema: { type: 'string' } }
        }
      },
      400: errorSchema,
      404: errorSchema
    }
  })
  const handler = async (
    req: { params: { index?: string }; query: CdxQuery & { index?: string }; raw: { aborted?: boolean } },
    reply: import('fastify').FastifyReply
  ): Promise<unknown> => {
    const served = opts.registry.get(req.params.index ?? req.query.index)
    let a: CdxAnswer
    try {
      a = await opts.tables.with(served, async t => await cdxQuery(t, req.query))
    } catch (err) {
      if (err instanceof CdxQueryError)
        return await reply.status(400).type('application/json; charset=utf-8').send({ error: err.code, message: err.message, position: null })
      throw err
    }
    return await reply.type(a.contentType).header('x-canopy-records-unread', String(a.unread)).send(a.body)
  }
  app.get<CdxRequest>('/cdx', { schema: schema(false) }, handler)
  app.get<CdxRequest>('/:index/cdx', { schema: schema(true) }, handler)
}
