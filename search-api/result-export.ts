// A result list as a file (SolrWayback's CSV export): every page a search matches, in result order, with
// every capture of it, streamed as CSV (one row per capture) or JSON (one object per page). Capped, so one
// request cannot make the server walk an archive's whole index.
import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { timestamp14 } from '../index-core/index/index.ts'
import type { Capture, DocRecord } from '../index-core/index/index.ts'
import { docKeyHex, urlKeyOfDoc, rankQuery } from '../index-core/query/index.ts'
import type { DocKey, IndexReader, Ranked, SearchRequest } from '../index-core/query/index.ts'
import { searchOf } from './search-params.ts'
import { recordPath } from './record-path.ts'
import type { IndexRegistry } from './registry.ts'
import { searchQuerySchema } from './schemas.ts'

/** Most pages (URLs) one export lists: past it the file says it was cut (header, and JSON `truncated`). */
export const EXPORT_MAX_PAGES = 10_000

export interface ExportedCapture extends Omit<Capture, 'date'> {
  readonly date: string | null
  readonly timestamp: string
  readonly doc: string
  readonly n: number
  readonly record: string
}
export interface ExportedPage {
  readonly url: string
  readonly title: string
  readonly host: string
  readonly mime: string
  readonly lang: string | null
  readonly status: number | null
  readonly versions: number
  readonly captures: ExportedCapture[]
}

const CSV_COLUMNS = [
  'url',
  'title',
  'host',
  'mime',
  'lang',
  'status',
  'capture_date',
  'timestamp',
  'capture_url',
  'institution',
  'record_type',
  'file',
  'offset',
  'length',
  'document',
  'record'
] as const

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading =+-@ is defused for spreadsheets. */
export function csvField(v: string | number | null): string {
  let s = v === null ? '' : String(v)
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

function csvRow(fields: Array<string | number | null>): string {
  return fields.map(csvField).join(',') + '\r\n'
}

/**
 * The matching pages in result order, each once (its best-ranked version stands for it, as in the page), with
 * the captures of every version of its URL, oldest first.
 */
async function* exportedPages(
  reader: IndexReader,
  ranked: readonly Ranked[],
  max: number,
  index: string | undefined,
  out: { truncated: boolean }
): AsyncGenerator<ExportedPage> {
  const seen = new Set<string>()
  for (const r of ranked) {
    const doc = await reader.doc(r.key)
    if (doc === null || seen.has(doc.surt)) continue
    if (seen.size >= max) {
      out.truncated = true
      return
    }
    seen.add(doc.surt)
    yield await pageOf(reader, r.key, doc, index)
  }
}

async function pageOf(reader: IndexReader, key: DocKey, doc: DocRecord, index: string | undefined): Promise<ExportedPage> {
  const captures: ExportedCapture[] = []
  let versions = 0
  for (const [k, cs] of await reader.urlCaptures(key)) {
    if (k !== key && (await reader.doc(k))?.surt !== doc.surt) continue
    versions++
    const id = docKeyHex(k)
    cs.forEach((c, n) => {
      captures.push({ ...c, timestamp: timestamp14(c.date), doc: id, n, record: recordPath(id, n, index) })
    })
  }
  captures.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0))
  return { url: doc.url, title: doc.title, host: doc.host, mime: doc.mime, lang: doc.lang, status: doc.status, versions, captures }
}

async function* csvLines(pages: AsyncIterable<ExportedPage>): AsyncGenerator<string> {
  yield '\ufeff' + csvRow([...CSV_COLUMNS]) // the byte-order mark: spreadsheets then read UTF-8 as UTF-8
  for await (const p of pages) {
    for (const c of p.captures) {
      yield csvRow([
        p.url,
        p.title,
        p.host,
        p.mime,
        p.lang,
        p.status,
        c.date,
        c.timestamp,
        c.url,
        c.institution,
        c.type,
        c.file,
        c.offset,
        c.length,
        c.doc,
        c.record
      ])
    }
  }
}

async function* jsonChunks(head: Record<string, unknown>, pages: AsyncIterable<ExportedPage>, out: { truncated: boolean }): AsyncGenerator<string> {
  yield JSON.stringify(head).slice(0, -1) + ',"pages":['
  let first = true
  let n = 0
  let caps = 0
  for await (const p of pages) {
    yield (first ? '\n' : ',\n') + JSON.stringify(p)
    first = false
    n++
    caps += p.captures.length
  }
  yield `\n],"pageCount":${n},"captureCount":${caps},"truncated":${String(out.truncated)}}\n`
}

const { size: _size, cursor: _cursor, facets: _facets, exactTotal: _exact, suggest: _suggest, ...exportFilters } = searchQuerySchema.properties

/** `bounded`: the server's query time limit, applied to ranking the matches (before the answer starts). */
export function installResultExport(app: FastifyInstance, registry: IndexRegistry, bounded: <T>(p: Promise<T>) => Promise<T>): void {
  app.get<{ Querystring: Record<string, string | number | undefined> }>(
    '/api/v1/search/export',
    {
      schema: {
        description: `Every page a search matches, in result order, with every capture: CSV (one row per capture) or JSON (one object per page). At most ${EXPORT_MAX_PAGES} pages (or \`limit\`); a cut list says so in the x-canopy-truncated header, and in JSON as "truncated".`,
        querystring: {
          type: 'object',
          properties: {
            ...exportFilters,
            format: { type: 'string', enum: ['csv', 'json'], description: 'csv (default) or json' },
            limit: { type: 'integer', minimum: 1, maximum: EXPORT_MAX_PAGES, description: `Most pages listed (default and most: ${EXPORT_MAX_PAGES})` }
          },
          required: ['q'],
          additionalProperties: false
        }
      }
    },
    async (req, reply) => {
      const p = req.query
      const served = registry.get(p.index as string | undefined)
      const request: SearchRequest = searchOf(p)
      const max = (p.limit as number | undefined) ?? EXPORT_MAX_PAGES
      // Ranked before the answer starts: a bad query is a 400, not a broken file.
      const { ranked } = await bounded(rankQuery(served.reader, request))
      const out = { truncated: false }
      const pages = exportedPages(served.reader, ranked, max, p.index as string | undefined, out)
      const format = (p.format as string | undefined) ?? 'csv'
      const name = `canopy-${
        String(p.q)
          .replace(/[^\p{L}\p{N}]+/gu, '-')
          .replace(/^-|-$/g, '')
          .slice(0, 40) || 'results'
      }.${format}`
      void reply.header('content-disposition', `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`)
      // Pages by URL key (two URLs share one only by a rare hash collision, which the walk then tells apart).
      const urls = new Set(ranked.map(r => urlKeyOfDoc(r.key))).size
      void reply.header('x-canopy-pages', String(urls))
      void reply.header('x-canopy-truncated', String(urls > max))
      if (format === 'json') {
        const head = {
          index: served.name,
          q: p.q,
          sort: request.sort,
          filters: Object.fromEntries(Object.entries(request.filters ?? {}).filter(([, v]) => v !== undefined)),
          limit: max
        }
        return await reply.type('application/json; charset=utf-8').send(Readable.from(jsonChunks(head, pages, out)))
      }
      return await reply.type('text/csv; charset=utf-8').send(Readable.from(csvLines(pages)))
    }
  )
}
