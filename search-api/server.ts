// The HTTP service: a versioned JSON API over the served indexes (fastify), with schemas for every route,
// an OpenAPI document, security headers, rate limiting, and errors that say what is wrong without leaking
// internals.

import { readFileSync } from 'node:fs'
import Fastify, { LogController } from 'fastify'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import { installRequestLog } from './request-log.ts'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { timestamp14, recordStart } from '../index-core/index/index.ts'
import { docKey, search, suggestQuery } from '../index-core/query/index.ts'
import { searchOf } from './search-params.ts'
import type { IndexRegistry } from './registry.ts'
import { replayLink } from './replay.ts'
import { recordPath } from './record-path.ts'
import { installResultExport } from './result-export.ts'
import { CrawlFolder, replayRoutes } from './replay/index.ts'
import { CdxTables } from './cdx-tables.ts'
import { installAdmin } from './admin.ts'
import { readRecord, CrawlFolders, RecordLists } from '../federation/records/index.ts'
import type { CrawlCopies } from '../federation/records/index.ts'
import { gateway, servedBlocks } from './gateway.ts'
import type { GatewayOptions } from './gateway.ts'
import type { AdminOptions } from './admin.ts'
import { installMetrics } from './metrics.ts'
import { routingV1 } from './routing-v1.ts'
import type { RoutingOptions } from './routing-v1.ts'
import type { ReplayConfig } from './replay.ts'
import { documentParamsSchema, errorSchema, searchQuerySchema, searchResponseSchema } from './schemas.ts'
import { cdxApi } from './cdx.ts'
import { DOCS_CSP, SWAGGER_OPTIONS } from './openapi.ts'

export interface ServerOptions {
  readonly registry: IndexRegistry
  readonly replay?: ReplayConfig
  /** Origins allowed by CORS; none (CORS off) by default. */
  readonly corsOrigins?: readonly string[]
  /** Requests per minute per client (0: no limit, e.g. for a load test from one address). */
  readonly rateLimit?: number
  /** A search taking longer than this answers 503. */
  readonly queryTimeoutMs?: number
  /** Fastify's pino logger: true logs every request to stdout; by default only errors are logged, to stderr. */
  readonly logger?: boolean | { readonly stream: { write(line: string): void } }
  /** A pino logger made by the caller (serve: human lines or JSON, to stderr or a file); wins over `logger`. */
  readonly loggerInstance?: FastifyBaseLogger
  readonly admin?: AdminOptions
  /** The IPFS trustless gateway (/ipfs, /ipns) over the served directories' blocks; on unless false. */
  readonly gateway?: GatewayOptions | false
  /** List the local indexes' crawl files for replay as soon as the server listens (one process of several is enough). */
  readonly warmReplay?: boolean
  /** The Delegated Routing V1 API (/routing/v1: IPNS records, providers); on unless false. */
  readonly routing?: RoutingOptions | false
  /** Copies of crawl files the CDX API reads records from (besides crawl files published into the index folders). */
  readonly crawls?: CrawlFolders
  /**
   * The origin archived pages are replayed on (serve --replay-origin, e.g. http://replay.archive.example:8080),
   * a second name of this same server: there only replay is served, and the search page, its storage and the
   * API's other routes are out of an archived page's reach. Unset, replay shares the page's origin.
   */
  readonly replayOrigin?: string
}

/** Captures listed per hit in API responses (the count says how many there are in all). */
const CAPTURES_PER_HIT = 50

class TimeoutError extends Error {
  override name = 'TimeoutError'
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      p,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          reject(new TimeoutError('query took too long'))
        }, ms)
      })
    ])
  } finally {
    clearTimeout(timer)
  }
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  // forceCloseConnections: on close, end idle keep-alive connections instead of waiting for clients to.
  const app = Fastify({
    // Without a logger asked for (`canopy start`, embedding), errors still go to stderr: a 500 is never silent.
    ...(opts.loggerInstance === undefined ? { logger: opts.logger ?? { level: 'error', stream: process.stderr } } : { loggerInstance: opts.loggerInstance }),
    // Requests are logged by request-log.ts, one bounded line each.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 200 },
    forceCloseConnections: true,
    // A parameter the API does not know is an error (400), not silently dropped: `pageSize=100` must not
    // quietly give 10 hits.
    ajv: { customOptions: { removeAdditional: false } }
  })
  installRequestLog(app)
  const replay: ReplayConfig = opts.replay ?? { bases: {} }
  const timeout = opts.queryTimeoutMs ?? 10_000

  // Reading rooms serve over plain HTTP on intranets: no upgrade-insecure-requests, which would make the
  // browser fetch the page's own script and style over HTTPS that is not there.
  const replayOrigin = opts.replayOrigin === undefined ? null : new URL(opts.replayOrigin).origin
  // The viewer frames archived pages from the replay origin when there is one.
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null, ...(replayOrigin === null ? {} : { frameSrc: ["'self'", replayOrigin] }) } }
  })
  if (replayOrigin !== null) {
    const replayHost = new URL(replayOrigin).host.toLowerCase()
    // One server, two names: on the replay origin only replay is answered; on the others, archived pages are not.
    app.addHook('onRequest', async (req, reply) => {
      const path = req.url
      const replayPath = path.startsWith('/replay/') || path.startsWith('/api/v1/replay/') || path.startsWith('/replay-boot')
      const onReplay = (req.headers.host ?? '').toLowerCase() === replayHost
      if (onReplay && !replayPath)
        return await reply.status(404).send({ error: 'replay-origin', message: `${replayOrigin} serves archived pages only`, position: null })
      if (!onReplay && (path.startsWith('/replay/') || path.startsWith('/replay-boot')))
        return await reply.status(404).send({ error: 'replay-elsewhere', message: `Archived pages are replayed from ${replayOrigin}`, position: null })
    })
  }
  if (opts.corsOrigins !== undefined && opts.corsOrigins.length > 0) await app.register(cors, { origin: [...opts.corsOrigins] })
  if (opts.rateLimit !== 0) await app.register(rateLimit, { max: opts.rateLimit ?? 1200, timeWindow: '1 minute' })
  await app.register(swagger, SWAGGER_OPTIONS)
  await app.register(swaggerUi, { routePrefix: '/api/v1/docs', staticCSP: DOCS_CSP, uiConfig: { validatorUrl: null } })
  app.get('/docs', { schema: { hide: true } }, async (_req, reply) => await reply.redirect('/api/v1/docs'))

  app.setErrorHandler((err, req, reply) => {
    const e = err as Error & { code?: string; position?: number | null; validation?: unknown; statusCode?: number }
    // Every answer here is JSON, whatever type the route had set before it failed.
    reply.type('application/json; charset=utf-8')
    if (e.name === 'QueryError' || e.name === 'SearchError') {
      return reply.status(e.code === 'too-long' ? 413 : 400).send({ error: e.code ?? 'bad-query', message: e.message, position: e.position ?? null })
    }
    // An error answer describes this request only: no cache may keep it (the gateway's are cached otherwise).
    if (e.validation !== undefined)
      return reply.status(400).header('cache-control', 'no-store').send({ error: 'bad-request', message: e.message, position: null })
    if (e.name === 'UnknownIndexError') return reply.status(404).send({ error: 'unknown-index', message: e.message, position: null })
    if (e.name === 'TimeoutError')
      return reply.status(503).send({ error: 'timeout', message: 'The search took too long; make it more specific', position: null })
    // Part of a partner's or combined index is fetched as it is read: a partner that is down, slow or sends
    // forged blocks is the partner's failure, not this server's (the details, addresses included, go to the log).
    if (e.name === 'PartnerUnavailableError' || e.name === 'BlockRefusedError') {
      req.log.warn(err)
      return reply.status(502).send({
        error: e.name === 'BlockRefusedError' ? 'partner-refused' : 'partner-unavailable',
        message:
          e.name === 'BlockRefusedError'
            ? 'A partner sent a block that failed verification; it was refused'
            : 'Part of this index is held by a partner that could not be reached; try again later, or keep a full copy with canopy fetch --all',
        position: null
      })
    }
    if (e.statusCode !== undefined && e.statusCode < 500) {
      // 429 from the rate limit (its Retry-After header is already set), 413 from the body limit, others 4xx.
      const error = e.statusCode === 429 ? 'rate-limited' : e.statusCode === 413 ? 'too-large' : 'bad-request'
      return reply.status(e.statusCode).header('cache-control', 'no-store').send({ error, message: e.message, position: null })
    }
    req.log.error(err)
    // Never a stack trace or internal detail in a response.
    return reply.status(500).send({ error: 'internal', message: 'Internal error', position: null })
  })

  // The served indexes' CDX tables, shared by the CDX API and replay, made from crawl files' record lists
  // (each file listed once): copies of crawl files are looked for in --crawls, then in the crawl folder.
  const crawls = opts.crawls ?? (await CrawlFolders.open([]))
  const crawlRoot = opts.admin?.crawlRoot === undefined ? null : new CrawlFolder(opts.admin.crawlRoot)
  const copies: CrawlCopies = {
    source: async (file, known) => (await crawls.source(file, known)) ?? (crawlRoot === null ? null : await crawlRoot.source(file, known))
  }
  const tables = new CdxTables(copies, new RecordLists())
  app.addHook('onClose', async () => {
    tables.close()
  })
  await app.register(cdxApi, { registry: opts.registry, tables })
  installMetrics(app, opts.registry)
  installAdmin(app, opts.registry, opts.admin ?? {})
  if (opts.gateway !== false) await app.register(gateway, { registry: opts.registry, ...opts.gateway })
  if (opts.routing !== false) {
    const g = opts.gateway === false ? undefined : opts.gateway
    await app.register(routingV1, {
      indexDir: opts.registry.dir(g?.index).path,
      store: servedBlocks(opts.registry),
      isOwnIpnsName: g?.isOwnIpnsName,
      ...opts.routing
    })
  }

  // Liveness probes must not be turned away by the rate limit meant for clients.
  app.get(
    '/api/v1/health',
    { config: { rateLimit: false }, schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } },
    async () => ({ status: 'ok' })
  )

  app.get<{ Querystring: { brief?: boolean } }>(
    '/api/v1/indexes',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            brief: {
              type: 'boolean',
              description: "Names, kinds and institutions only (no counts read from the trees: quick for partners' indexes read sparsely)"
            }
          }
        }
      }
    },
    async req => {
      const all = opts.registry.list()
      if (req.query.brief === true)
        return { indexes: all.map(i => ({ name: i.name, kind: i.kind, institution: i.manifest?.institution ?? null, documents: i.reader.stats.documents })) }
      return {
        indexes: await Promise.all(
          all.map(async i => ({
            name: i.name,
            kind: i.kind,
            root: i.reader.cid.toString(),
            stats: { ...i.reader.stats, postings: await i.reader.postingCount() },
            manifest: i.manifest,
            sources: i.sources,
            provenance: i.provenance
          }))
        )
      }
    }
  )

  app.get('/api/v1/stats', async () => {
    const all = opts.registry.list()
    return {
      indexes: all.length,
      documents: all.reduce((a, i) => a + i.reader.stats.documents, 0),
      captures: all.reduce((a, i) => a + i.reader.stats.captures, 0)
    }
  })

  app.get<{ Querystring: Record<string, string | number | boolean | undefined> }>(
    '/api/v1/search',
    {
      schema: { querystring: searchQuerySchema, response: { 200: searchResponseSchema, 400: errorSchema, 413: errorSchema, 503: errorSchema } }
    },
    async req => {
      const p = req.query
      const served = opts.registry.get(p.index as string | undefined)
      const r = await withTimeout(
        search(served.reader, {
          ...searchOf(p),
          group: (p.group as boolean | undefined) ?? true,
          pageSize: (p.size as number | undefined) ?? 10,
          cursor: (p.cursor as string | undefined) ?? null,
          facets: (p.facets as boolean | undefined) ?? true,
          exactTotal: (p.exactTotal as boolean | undefined) ?? false,
          allCaptures: true
        }),
        timeout
      )
      // Did you mean: only for an empty or poor first page, where a misspelling is the likely cause.
      const poor = r.totalUrls < 3 && r.nextCursor === null && (p.cursor ?? '') === ''
      const suggest = poor && p.suggest !== false ? await withTimeout(suggestQuery(served.reader, p.q as string), timeout) : null
      return {
        index: served.name,
        ...r,
        suggest,
        hits: r.hits.map(h => ({
          ...h,
          captures: (h.captures ?? []).slice(-CAPTURES_PER_HIT).map(c => ({
            ...c,
            replay: replayLink(replay, c.institution, c.timestamp, c.url, served.name),
            record: recordPath(c.doc, c.n, p.index as string | undefined)
          }))
        }))
      }
    }
  )

  installResultExport(app, opts.registry, async p => await withTimeout(p, timeout))

  app.get<{ Params: { id: string }; Querystring: { index?: string } }>(
    '/api/v1/documents/:id',
    {
      schema: { params: documentParamsSchema, querystring: { type: 'object', properties: { index: { type: 'string' } } } }
    },
    async (req, reply) => {
      const served = opts.registry.get(req.query.index)
      const key = docKey(Buffer.from(req.params.id, 'hex'))
      const doc = await served.reader.doc(key)
      if (doc === null) return await reply.status(404).send({ error: 'not-found', message: `No document ${req.params.id}`, position: null })
      const captures = await Promise.all(
        (await served.reader.captures(key)).map(async (c, n) => {
          const file = await served.reader.crawlFile(c)
          return {
            ...c,
            timestamp: timestamp14(c.date),
            replay: replayLink(replay, c.institution, timestamp14(c.date), c.url, served.name),
            // The crawl file on IPFS: the record is bytes offset..offset+length of it.
            fileCid: file?.cid.toString() ?? null,
            record: file === null ? null : recordPath(req.params.id, n, req.query.index)
          }
        })
      )
      const text = await served.reader.fullText(key)
      return { id: req.params.id, index: served.name, ...doc, captures, excerpt: text.slice(0, 2000), textChars: doc.textChars }
    }
  )

  app.get<{ Params: { id: string; n: number }; Querystring: { index?: string } }>(
    '/api/v1/documents/:id/captures/:n/record',
    {
      schema: {
        description: 'The raw WARC record of one capture, read from the crawl file published on IPFS (fetched from the partner that holds it when needed)',
        params: {
          type: 'object',
          properties: { ...documentParamsSchema.properties, n: { type: 'integer', minimum: 0, maximum: 100000 } },
          required: ['id', 'n']
        },
        querystring: { type: 'object', properties: { index: { type: 'string' } } }
      }
    },
    async (req, reply) => {
      const served = opts.registry.get(req.query.index)
      const key = docKey(Buffer.from(req.params.id, 'hex'))
      const c = (await served.reader.captures(key))[req.params.n]
      if (c === undefined)
        return await reply.status(404).send({ error: 'not-found', message: `No capture ${req.params.n} of document ${req.params.id}`, position: null })
      const file = await served.reader.crawlFile(c)
      if (file === null)
        return await reply
          .status(404)
          .send({ error: 'no-file', message: `The crawl file ${c.file} is not known by its CID (or lies compressed inside a WACZ package)`, position: null })
      let bytes: Uint8Array
      try {
        bytes = await readRecord(served.reader.store.blocks, file.cid, recordStart(file, c.offset, c.length), c.length, AbortSignal.timeout(60_000))
      } catch (err) {
        return await reply
          .status(502)
          .send({ error: 'record-unavailable', message: `The record could not be read from ${file.cid.toString()}: ${(err as Error).message}`, position: null })
      }
      // A record of a .warc.gz file is one gzip member: served as is, for a replay tool to open.
      const gz = bytes[0] === 0x1f && bytes[1] === 0x8b
      return await reply
        .type(gz ? 'application/gzip' : 'application/warc')
        .header('content-disposition', `attachment; filename="${c.file.replace(/[^A-Za-z0-9._-]/g, '_')}-${c.offset}.warc${gz ? '.gz' : ''}"`)
        .header('x-canopy-file-cid', file.cid.toString())
        .send(Buffer.from(bytes))
    }
  )

  // Replay inside Canopy (wabac.js over the crawl files' blocks, by range), and its viewer page.
  await app.register(replayRoutes, {
    registry: opts.registry,
    tables,
    copies,
    warm: opts.warmReplay,
    replayOrigin: replayOrigin ?? undefined
  })

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  // The web page: three static files, read once, served from here (no external request).
  const web = (name: string): string => readFileSync(new URL(`./web/${name}`, import.meta.url), 'utf8')
  const page = { html: web('index.html'), js: web('app.js'), css: web('style.css') }
  const favicon = readFileSync(new URL('./web/favicon.ico', import.meta.url))
  app.get('/', { schema: { hide: true } }, async (_req, reply) => await reply.type('text/html; charset=utf-8').send(page.html))
  app.get('/assets/app.js', { schema: { hide: true } }, async (_req, reply) => await reply.type('text/javascript; charset=utf-8').send(page.js))
  app.get(
    '/favicon.ico',
    { schema: { hide: true } },
    async (_req, reply) => await reply.type('image/x-icon').header('cache-control', 'public, max-age=86400').send(favicon)
  )
  app.get('/assets/style.css', { schema: { hide: true } }, async (_req, reply) => await reply.type('text/css; charset=utf-8').send(page.css))

  return app
}
