// Canopy's reading room: captures replayed inside Canopy by Webrecorder's replay engine (wabac.js, the
// service worker of ReplayWeb.page), fed from what the index already knows.
//   GET /replay/sw.js                                   wabac's service worker (scope /replay/; replay at /replay/w/<collection>/<ts>mp_/<url>)
//   GET /view?index=&ts=&url=                           the viewer: a banner (URL, capture date, institution, back to results) over the replayed page
//   GET /api/v1/replay/collection?index=                the index's replay collection: its name, CDXJ address, unreadable files
//   GET /api/v1/replay/cdxj/:index/:root/index.cdxj     every record of the index's crawl files (pywb's CDXJ), pointing at:
//   GET /api/v1/replay/files/:index/:institution/:file  a crawl file's bytes, by range (Range: bytes=a-b, a-, -n), from its UnixFS blocks
//   GET /api/v1/replay/capture?index=&url=&ts=          the capture of a URL nearest a time, for the banner
// wabac loads the CDXJ once per collection, then reads each record it replays by range: opening a capture
// reads that record and its page's resources, never a whole crawl file.

import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import type {} from '@fastify/rate-limit'
import type { IndexRegistry, ServedIndex } from '../registry.ts'
import { errorSchema } from '../schemas.ts'
import { buildCollection, nearestCapture } from './collection.ts'
import type { Collection } from './collection.ts'
import { crawlSource, CrawlFolder } from './crawl-source.ts'
import { RecordLists } from '../../federation/records/index.ts'
import { wabacServiceWorker } from './wabac-assets.ts'

export interface ReplayRoutesOptions {
  readonly registry: IndexRegistry
  /** Longest a crawl file may take to be read whole when its records are first listed. */
  readonly indexTimeoutMs?: number
  /** The institution's crawl folder: crawl files not in the block store are read from there (checked by CID). */
  readonly crawlRoot?: string
  /** The origin archived pages are replayed on, when not the viewer's own (server.ts, replayOrigin). */
  readonly replayOrigin?: string
  /** The record lists of crawl files, shared with the CDX API (each file listed once). */
  readonly lists?: RecordLists
  /** List the local indexes' crawl files once listening, so the first capture opened need not wait for it. */
  readonly warm?: boolean
}

/** Bytes of crawl files read for replay by range, per index (listing records apart): what opening captures cost. */
export interface ReplayCounters {
  rangeBytes: number
  rangeRequests: number
}

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
  const { registry } = opts
  const cache = opts.lists ?? new RecordLists()
  const collections = new Map<string, Promise<Collection>>()
  const counters = new Map<string, ReplayCounters>()
  const timeout = opts.indexTimeoutMs ?? 300_000
  const folder = opts.crawlRoot === undefined ? null : new CrawlFolder(opts.crawlRoot)
  // A replayed page asks for many records at once: the clients' limit is the gateway's, not the search API's.
  const config = { rateLimit: { max: 30_000, timeWindow: '1 minute' } }
  const page = {
    html: web('view.html'),
    js: web('view.js'),
    css: web('view.css'),
    worker: web('replay-worker.js'),
    boot: web('replay-boot.html'),
    bootJs: web('replay-boot.js')
  }

  const collectionOf = async (index: string | undefined): Promise<{ served: ServedIndex; c: Collection }> => {
    const served = registry.get(index)
    const key = `${served.name}\n${served.reader.cid.toString()}`
    let p = collections.get(key)
    if (p === undefined) {
      p = buildCollection(served, cache, timeout, folder, msg => {
        app.log.warn(msg)
      })
      const mine = p
      // A failure is not kept, and a collection missing files (a partner down) is listed again a minute on.
      p.then(
        c => {
          if (c.unreadable.length > 0)
            setTimeout(() => {
              if (collections.get(key) === mine) collections.delete(key)
            }, 60_000).unref()
        },
        () => {
          if (collections.get(key) === mine) collections.delete(key)
        }
      )
      // An index's older collections go when it moves on (reloaded after an ingest or a fetch).
      for (const k of collections.keys()) if (k.startsWith(`${served.name}\n`)) collections.delete(k)
      collections.set(key, p)
    }
    return { served, c: await p }
  }
  const countersOf = (name: string): ReplayCounters => {
    let c = counters.get(name)
    if (c === undefined) {
      c = { rangeBytes: 0, rangeRequests: 0 }
      counters.set(name, c)
    }
    return c
  }

  if (opts.warm === true) {
    app.addHook('onListen', async () => {
      for (const i of registry.list()) {
        if (i.kind !== 'local') continue
        // In the background: a failure here is the first replay's to report.
        collectionOf(i.name).catch((err: unknown) => {
          app.log.warn(`replay: listing the crawl files of ${i.name} failed: ${(err as Error).message}`)
        })
      }
    })
  }

  app.get('/replay/sw.js', { schema: { hide: true } }, async (_req, reply) => {
    // The worker's own fetches are the page's concern: the document CSP of this server would block the
    // WebAssembly wabac hashes with. Revalidated each time, so an upgraded wabac takes over.
    reply.removeHeader('content-security-policy')
    return await reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('service-worker-allowed', '/replay/')
      .send(await wabacServiceWorker())
  })
  app.get('/view', { schema: { hide: true } }, async (_req, reply) => await reply.type('text/html; charset=utf-8').send(page.html))
  app.get('/assets/replay-worker.js', { schema: { hide: true } }, async (_req, reply) => await reply.type('text/javascript; charset=utf-8').send(page.worker))
  // On the replay origin: registers wabac's worker there, loads the collection, then opens the archived page.
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

  const indexQuery = { type: 'object', properties: { index: { type: 'string', maxLength: 200 } } } as const
  app.get<{ Querystring: { index?: string } }>(
    '/api/v1/replay/collection',
    {
      schema: {
        tags: ['replay'],
        summary: 'The index as a replay collection (for wabac.js / ReplayWeb.page)',
        description:
          'Lists every record of every crawl file the index names (read once per file, then kept), and names the CDXJ a replay engine loads. Files whose blocks are not held are listed in unreadable, with why.',
        querystring: indexQuery,
        response: { 404: errorSchema }
      }
    },
    async req => {
      const { served, c } = await collectionOf(req.query.index)
      return {
        index: served.name,
        kind: served.kind,
        collection: c.name,
        root: c.root,
        cdxj: `/api/v1/replay/cdxj/${encodeURIComponent(served.name)}/${c.root}/index.cdxj`,
        files: c.files,
        records: c.records,
        unreadable: c.unreadable,
        replayOrigin: opts.replayOrigin ?? null,
        read: countersOf(served.name)
      }
    }
  )

  app.get<{ Params: { index: string; root: string } }>(
    '/api/v1/replay/cdxj/:index/:root/index.cdxj',
    {
      schema: {
        tags: ['replay'],
        summary: "Every record of the index's crawl files as CDXJ (pywb's format), each naming the range route of its file",
        params: { type: 'object', properties: { index: { type: 'string' }, root: { type: 'string', maxLength: 200 } }, required: ['index', 'root'] },
        response: { 404: errorSchema }
      }
    },
    async (req, reply) => {
      const { c } = await collectionOf(req.params.index)
      if (c.root !== req.params.root)
        return await reply
          .status(404)
          .header('cache-control', 'no-store')
          .send({ error: 'moved', message: `The index is now at ${c.root}; ask /api/v1/replay/collection again`, position: null })
      // Named by the index's root: the same URL always has the same lines, unless files were missing.
      return await reply
        .type('application/x-ndjson; charset=utf-8')
        .header('cache-control', c.unreadable.length === 0 ? 'public, max-age=31536000, immutable' : 'no-store')
        .send(c.cdxj)
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
    const source = await crawlSource(served.reader.store.blocks, f, folder)
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
      const { served, c } = await collectionOf(req.query.index)
      const hit = nearestCapture(c, req.query.url, req.query.ts ?? '')
      if (hit === null)
        return await reply
          .status(404)
          .send({ error: 'not-found', message: `${served.name} holds no capture of ${req.query.url.slice(0, 200)}`, position: null })
      return {
        index: served.name,
        ...hit,
        date: `${hit.timestamp.slice(0, 4)}-${hit.timestamp.slice(4, 6)}-${hit.timestamp.slice(6, 8)}T${hit.timestamp.slice(8, 10)}:${hit.timestamp.slice(10, 12)}:${hit.timestamp.slice(12, 14)}Z`
      }
    }
  )
}
