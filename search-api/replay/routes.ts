// Canopy's reading room: captures replayed inside Canopy by Webrecorder's replay engine (wabac.js, the
// service worker of ReplayWeb.page), fed from what the index already knows.
//   GET /replay/sw.js                                   Canopy's service worker: wabac's library with a 'canopy' collection (web/replay-sw.js)
//   GET /replay/wabac/swlib.js, /replay/wabac/index     wabac's service-worker library and the module it imports
//   GET /view?index=&ts=&url=                           the viewer: a banner (URL, capture date, institution, back to results) over the replayed page
//   GET /api/v1/replay/collection?index=                the index's replay collection: its name, lookup route, unreadable files
//   GET /api/v1/replay/lookup/:index/:root?url=&match=  the captures of one URL (or under a prefix), from the index's CDX table, as wabac stores them, each pointing at:
//   GET /api/v1/replay/files/:index/:institution/:file  a crawl file's bytes, by range (Range: bytes=a-b, a-, -n), from its UnixFS blocks
//   GET /api/v1/replay/capture?index=&url=&ts=          the capture of a URL nearest a time, for the banner
// wabac asks the captures of each URL a page needs as it needs them, then reads each record it replays by
// range: opening a capture reads that page's lookups and records, never a whole crawl file or the whole CDX.

import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import type {} from '@fastify/rate-limit'
import type { IndexRegistry, ServedIndex } from '../registry.ts'
import { errorSchema } from '../schemas.ts'
import type { CdxTables } from '../cdx-tables.ts'
import { CdxQueryError, searchRange } from '../cdx.ts'
import { crawlFileSource, indexCaptureLines, tableRange } from '../../federation/records/index.ts'
import type { CdxTable, CrawlCopies } from '../../federation/records/index.ts'
import { parseCdxLine } from '../../ingest/cdx/index.ts'
import { collectionName, replayEntry, unreadableFiles } from './collection.ts'
import { WABAC_FILES, wabacFile } from './wabac-assets.ts'

export interface ReplayRoutesOptions {
  readonly registry: IndexRegistry
  /** The served indexes' CDX tables (shared with the CDX server API): what lookups are answered from. */
  readonly tables: CdxTables
  /** Copies of crawl files not in the block store (serve --crawls, --crawl-root): the ones the CDX tables read too. */
  readonly copies: CrawlCopies
  /** The origin archived pages are replayed on, when not the viewer's own (server.ts, replayOrigin). */
  readonly replayOrigin?: string
  /** Make the local indexes' CDX tables once listening, so the first capture opened need not wait for them. */
  readonly warm?: boolean
}

/** Bytes of crawl files read for replay by range, per index (listing records apart): what opening captures cost. */
export interface ReplayCounters {
  rangeBytes: number
  rangeRequests: number
  /** URL lookups answered. */
  lookups: number
}

/** Most captures one lookup answers. */
const MAX_LOOKUP = 1000

const web = (name: string): string => readFileSync(new URL(`./web/${name}`, import.meta.url), 'utf8')

/** A Range header's one byte range within `size`, null when absent or not of the single-range form, 'unsatisfiable' when outside. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (header === undefined) return null
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (m === null || (m[1] === '' && m[2] === '')) return null
  if (m[1] === '') {
    const n = Math.min(Number(m[2]), size)
    return n === 0 ? 'unsatisfiable' : { start: size - n, end: size - 1 }
  }
  const start = Number(m[1])
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  if (start >= size || end < start) return 'unsatisfiable'
  return { start, end }
}

export const replayRoutes: FastifyPluginAsync<ReplayRoutesOptions> = async (app, opts) => {
  const { registry, tables } = opts
  const counters = new Map<string, ReplayCounters>()
  // A replayed page asks for many records at once: the clients' limit is the gateway's, not the search API's.
  const config = { rateLimit: { max: 30_000, timeWindow: '1 minute' } }
  const page = {
    // Whether archived pages run on an origin of their own, said in the page so that it need not ask before
    // installing the replay worker (the slowest step of a first open: wabac's 1.8 MB of script).
    html: web('view.html').replace('<body>', `<body data-replay-here="${opts.replayOrigin === undefined}">`),
    js: web('view.js'),
    css: web('view.css'),
    worker: web('replay-worker.js'),
    sw: web('replay-sw.js'),
    boot: web('replay-boot.html'),
    bootJs: web('replay-boot.js')
  }

  const countersOf = (name: string): ReplayCounters => {
    let c = counters.get(name)
    if (c === undefined) {
      c = { rangeBytes: 0, rangeRequests: 0, lookups: 0 }
      counters.set(name, c)
    }
    return c
  }
  // Said once per table (a table missing files is made again a minute on, and said again then).
  const told = new WeakSet<CdxTable>()
  const logUnread = (served: ServedIndex, t: CdxTable): void => {
    if (told.has(t)) return
    told.add(t)
    for (const u of t.unread) app.log.warn(`replay: the records of ${u.file} of ${served.name} could not be listed: ${u.message}`)
  }

  if (opts.warm === true) {
    app.addHook('onListen', async () => {
      for (const i of registry.list()) {
        if (i.kind !== 'local') continue
        // In the background: a failure here is the first replay's to report.
        tables.table(registry.get(i.name)).then(
          t => logUnread(registry.get(i.name), t),
          (err: unknown) => {
            app.log.warn(`replay: the CDX table of ${i.name} could not be made: ${(err as Error).message}`)
          }
        )
      }
    })
  }

  app.get('/replay/sw.js', { schema: { hide: true } }, async (_req, reply) => {
    // The worker's own fetches are the page's concern: the document CSP of this server would block the
    // WebAssembly wabac hashes with. Revalidated each time, so an upgraded wabac takes over.
    reply.removeHeader('content-security-policy')
    return await reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').header('service-worker-allowed', '/replay/').send(page.sw)
  })
  app.get<{ Params: { file: string } }>('/replay/wabac/:file', { schema: { hide: true } }, async (req, reply) => {
    const file = WABAC_FILES[req.params.file]
    if (file === undefined) return await reply.status(404).send({ error: 'not-found', message: 'No such file', position: null })
    return await reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(await wabacFile(file))
  })
  app.get('/view', { schema: { hide: true } }, async (_req, reply) => await reply.type('text/html; charset=utf-8').send(page.html))
  app.get('/assets/replay-worker.js', { schema: { hide: true } }, async (_req, reply) => await reply.type('text/javascript; charset=utf-8').send(page.worker))
  // On the replay origin: registers wabac's worker there, adds the collection, then opens the archived page.
  // It is framed by the viewer on the other origin, so it may be framed (it holds nothing but the way in).
  app.get(
    '/replay-boot.html',
    { schema: { hide: true } },
    async (_req, reply) =>
      await reply
        .type('text/html; charset=utf-8')
        .removeHeader('x-frame-options')
        .header('content-security-policy', "default-src 'self'; script-src 'self'; frame-ancestors *")
        .send(page.boot)
  )
  app.get('/replay-boot/worker.js', { schema: { hide: true } }, async (_req, reply) => await reply.type('text/javascript; charset=utf-8').send(page.worker))
  app.get('/replay-boot/boot.js', { schema: { hide: true } }, async (_req, reply) => await reply.type('text/javascript; charset=utf-8').send(page.bootJs))
  app.get('/assets/view.js', { schema: { hide: true } }, async (_req, reply) => await reply.type('text/javascript; charset=utf-8').send(page.js))
  app.get('/assets/view.css', { schema: { hide: true } }, async (_req, reply) => await reply.type('text/css; charset=utf-8').send(page.css))

  const indexQuery = {
    type: 'object',
    properties: {
      index: { type: 'string', maxLength: 200 },
      wait: { type: 'boolean', description: "Answer once the index's CDX table is made (else at once, with building: true while it is)" }
    }
  } as const
  app.get<{ Querystring: { index?: string; wait?: boolean } }>(
    '/api/v1/replay/collection',
    {
      schema: {
        tags: ['replay'],
        summary: 'The index as a replay collection (for wabac.js / ReplayWeb.page)',
        description:
          "Names the collection and the lookup route a replay engine asks each URL's captures of. The first call for an index makes its CDX table (each crawl file listed once, then kept); files whose records could not be read are listed in unreadable, with why.",
        querystring: indexQuery,
        response: { 404: errorSchema }
      }
    },
    async req => {
      const served = registry.get(req.query.index)
      const t = req.query.wait === true ? await tables.table(served) : tables.ready(served)
      if (t !== null && t.unreadFiles > 0) logUnread(served, t)
      const root = served.reader.cid.toString()
      return {
        index: served.name,
        kind: served.kind,
        collection: collectionName(served.name, root, t?.unreadFiles ?? 0),
        root,
        lookup: `/api/v1/replay/lookup/${encodeURIComponent(served.name)}/${root}`,
        // While the table is made (crawl files listed for the first time), lookups answer the index's own captures.
        building: t === null,
        files: t?.files ?? null,
        records: t?.lines ?? null,
        unreadable: t === null ? [] : unreadableFiles(t, served.kind === 'local'),
        unreadableFiles: t?.unreadFiles ?? 0,
        replayOrigin: opts.replayOrigin ?? null,
        read: countersOf(served.name)
      }
    }
  )

  app.get<{ Params: { index: string; root: string }; Querystring: { url: string; match?: 'exact' | 'prefix'; limit?: number } }>(
    '/api/v1/replay/lookup/:index/:root',
    {
      config,
      schema: {
        tags: ['replay'],
        summary: "The captures of one URL (or of every URL under a prefix) as wabac.js stores them, each naming its record's byte range",
        description:
          "NDJSON, one capture per line: url, ts (milliseconds), status, mime, digest and source (the range route of its crawl file, start, length). Answered from the index's CDX table by SURT key (http and https, www and not, are one key). Named by the index's root: the same URL always has the same answer.",
        params: { type: 'object', properties: { index: { type: 'string' }, root: { type: 'string', maxLength: 200 } }, required: ['index', 'root'] },
        querystring: {
          type: 'object',
          properties: {
            url: { type: 'string', minLength: 1, maxLength: 8000 },
            match: { type: 'string', enum: ['exact', 'prefix'] },
            limit: { type: 'integer', minimum: 1, maximum: MAX_LOOKUP }
          },
          required: ['url']
        },
        response: { 400: errorSchema, 404: errorSchema }
      }
    },
    async (req, reply) => {
      const served = registry.get(req.params.index)
      const root = served.reader.cid.toString()
      if (root !== req.params.root)
        return await reply
          .status(404)
          .header('cache-control', 'no-store')
          .send({ error: 'moved', message: `The index is now at ${root}; ask /api/v1/replay/collection again`, position: null })
      let range: { start: string; end: string }
      try {
        range = searchRange(req.query.url, req.query.match ?? 'exact')
      } catch (err) {
        if (!(err instanceof CdxQueryError)) throw err
        return await reply.status(400).send({ error: err.code, message: err.message, position: null })
      }
      const limit = req.query.limit ?? MAX_LOOKUP
      countersOf(served.name).lookups++
      // Not made yet: the index's own captures of the URL (its pages, not their resources), not to be kept.
      if (tables.ready(served) === null) {
        const lines = req.query.match === 'prefix' ? [] : await indexCaptureLines(served.reader, req.query.url)
        const out = lines.map(l => replayEntry(served.name, l)).filter(e => e !== null)
        return await reply
          .type('application/x-ndjson; charset=utf-8')
          .header('cache-control', 'no-store')
          .header('x-canopy-partial', 'true')
          .send(
            out
              .slice(0, limit)
              .map(e => JSON.stringify(e) + '\n')
              .join('')
          )
      }
      const abort = new AbortController()
      reply.raw.once('close', () => abort.abort())
      const { lines, complete } = await tables.with(served, async t => {
        const out: string[] = []
        for await (const { line, unread } of tableRange(t, range.start, range.end, abort.signal)) {
          // A line made from the index alone names a file that could not be read: nothing to replay from.
          if (unread) continue
          const e = replayEntry(served.name, line)
          if (e !== null) out.push(JSON.stringify(e) + '\n')
          if (out.length >= limit) break
        }
        return { lines: out, complete: t.unreadFiles === 0 }
      })
      return await reply
        .type('application/x-ndjson; charset=utf-8')
        .header('cache-control', complete ? 'public, max-age=31536000, immutable' : 'no-store')
        .send(lines.join(''))
    }
  )

  const fileRoute = async (
    req: { method: string; params: { index: string; institution: string; file: string }; headers: Record<string, string | string[] | undefined> },
    reply: FastifyReply
  ): Promise<FastifyReply> => {
    const served = registry.get(req.params.index)
    const f = await served.reader.crawlFile({ institution: req.params.institution, file: req.params.file })
    if (f === null)
      return await reply
        .status(404)
        .send({ error: 'not-found', message: `The index names no crawl file ${req.params.file} of ${req.params.institution}`, position: null })
    reply
      .header('accept-ranges', 'bytes')
      .header('x-canopy-file-cid', f.cid.toString())
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('etag', `"${f.cid.toString()}.${f.offset}.${f.size}"`)
      .type(/\.wacz$/i.test(f.file) ? 'application/wacz' : 'application/warc')
    const range = parseRange(typeof req.headers.range === 'string' ? req.headers.range : undefined, f.size)
    if (range === 'unsatisfiable')
      return await reply
        .status(416)
        .type('application/json; charset=utf-8')
        .removeHeader('cache-control')
        .removeHeader('etag')
        .header('content-range', `bytes */${f.size}`)
        .send({ error: 'bad-range', message: `The file has ${f.size} bytes`, position: null })
    const start = range?.start ?? 0
    const length = range === null ? f.size : range.end - range.start + 1
    if (range !== null) reply.status(206).header('content-range', `bytes ${start}-${start + length - 1}/${f.size}`)
    reply.header('content-length', String(length))
    if (req.method === 'HEAD') return await reply.send()
    const counter = countersOf(served.name)
    counter.rangeRequests++
    const abort = new AbortController()
    reply.raw.once('close', () => {
      abort.abort()
    })
    const source = await crawlFileSource(served.reader, f, opts.copies)
    const chunks = source.read(start, length, abort.signal)[Symbol.asyncIterator]()
    // The first chunk before the status goes out: a file whose blocks are missing answers 502, not a cut 206.
    let first: IteratorResult<Uint8Array>
    try {
      first = await chunks.next()
    } catch (err) {
      reply.removeHeader('content-length').removeHeader('content-range').removeHeader('cache-control').removeHeader('etag')
      return await reply
        .status(502)
        .type('application/json; charset=utf-8')
        .send({ error: 'record-unavailable', message: `${f.file} could not be read from ${f.cid.toString()}: ${(err as Error).message}`, position: null })
    }
    async function* body(): AsyncGenerator<Uint8Array> {
      if (first.done === true) return
      counter.rangeBytes += first.value.length
      yield first.value
      for (let n = await chunks.next(); n.done !== true; n = await chunks.next()) {
        counter.rangeBytes += n.value.length
        yield n.value
      }
    }
    return await reply.send(Readable.from(body()))
  }
  const fileSchema = {
    tags: ['replay'],
    summary: "A crawl file's bytes by range, read from its UnixFS blocks (the institution's own, or fetched from the partner that holds them, verified)",
    params: {
      type: 'object',
      properties: { index: { type: 'string' }, institution: { type: 'string' }, file: { type: 'string' } },
      required: ['index', 'institution', 'file']
    },
    response: { 404: errorSchema, 416: errorSchema, 502: errorSchema }
  }
  // HEAD too (fastify adds it): the replay engine asks a file's size that way.
  app.get<{ Params: { index: string; institution: string; file: string } }>(
    '/api/v1/replay/files/:index/:institution/:file',
    { config, schema: fileSchema },
    fileRoute
  )

  app.get<{ Querystring: { index?: string; url: string; ts?: string } }>(
    '/api/v1/replay/capture',
    {
      schema: {
        tags: ['replay'],
        summary: 'The capture of a URL nearest to a time (14-digit timestamp or a prefix of one), as replay will show it',
        querystring: {
          type: 'object',
          properties: { index: { type: 'string', maxLength: 200 }, url: { type: 'string', maxLength: 8000 }, ts: { type: 'string', pattern: '^[0-9]{0,14}$' } },
          required: ['url']
        },
        response: { 404: errorSchema }
      }
    },
    async (req, reply) => {
      const served = registry.get(req.query.index)
      const want = Number((req.query.ts ?? '').padEnd(14, '0').slice(0, 14))
      // The nearest, the earlier of two as near (lines of one key come oldest first).
      // (Typed by a cast: the closures' assignments are unseen by narrowing.)
      let best = null as Record<string, string> | null
      const consider = (line: string): void => {
        const f = parseCdxLine(line)
        if (best === null || Math.abs(Number(f.timestamp) - want) < Math.abs(Number(best.timestamp) - want)) best = f
      }
      try {
        const { start, end } = searchRange(req.query.url, 'exact')
        // While the table is made, the index's own captures (the banner's page is a document).
        if (tables.ready(served) === null) for (const line of await indexCaptureLines(served.reader, req.query.url)) consider(line)
        else
          await tables.with(served, async t => {
            best = null
            for await (const { line } of tableRange(t, start, end)) consider(line)
          })
      } catch (err) {
        if (!(err instanceof CdxQueryError)) throw err
      }
      if (best === null)
        return await reply
          .status(404)
          .send({ error: 'not-found', message: `${served.name} holds no capture of ${req.query.url.slice(0, 200)}`, position: null })
      const ts = best.timestamp
      return {
        index: served.name,
        timestamp: ts,
        url: best.url,
        institution: best.source ?? null,
        mime: best.mime ?? null,
        status: best.status === undefined ? null : Number(best.status),
        date: `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}T${ts.slice(8, 10)}:${ts.slice(10, 12)}:${ts.slice(12, 14)}Z`
      }
    }
  )
}
