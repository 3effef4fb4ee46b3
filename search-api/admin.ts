// Admin routes: they change what is served, so each needs the bearer token configured at start (401
// otherwise, and nothing changes). Long jobs run in the background; their progress is at /admin/jobs/:id.
import { randomUUID, timingSafeEqual } from 'node:crypto'
import path from 'node:path'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ingest } from '../ingest/pipeline.ts'
import type { IngestProgress, IngestSummary } from '../ingest/pipeline.ts'
import type { IndexRegistry } from './registry.ts'

export interface AdminOptions {
  /** Bearer token; without one, every admin route answers 401. */
  readonly token?: string
  /** The only folder crawls may be ingested from (paths outside it are refused). */
  readonly crawlRoot?: string
}

interface Job {
  readonly id: string
  readonly kind: 'ingest'
  state: 'running' | 'done' | 'failed'
  progress: IngestProgress | null
  summary: IngestSummary | null
  error: string | null
  readonly started: string
}

function authorized (req: FastifyRequest, token: string | undefined): boolean {
  if (token === undefined || token === '') return false
  const h = req.headers.authorization ?? ''
  const given = Buffer.from(h.startsWith('Bearer ') ? h.slice(7) : '')
  const want = Buffer.from(token)
  return given.length === want.length && timingSafeEqual(given, want)
}

export function installAdmin (app: FastifyInstance, registry: IndexRegistry, opts: AdminOptions): void {
  const jobs = new Map<string, Job>()
  app.register(async (admin) => {
    admin.addHook('onRequest', async (req, reply) => {
      if (!authorized(req, opts.token)) {
        return await reply.status(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'Admin routes need the bearer token configured at start', position: null })
      }
    })

    admin.post<{ Body: { paths: string[], index?: string, institution?: string } }>('/ingest', {
      schema: {
        body: {
          type: 'object',
          properties: { paths: { type: 'array', items: { type: 'string', maxLength: 4096 }, minItems: 1, maxItems: 1000 }, index: { type: 'string' }, institution: { type: 'string', maxLength: 128 } },
          required: ['paths'],
          additionalProperties: false
        }
      }
    }, async (req, reply) => {
      if (opts.crawlRoot === undefined) return await reply.status(403).send({ error: 'ingest-disabled', message: 'No crawl folder was configured at start', position: null })
      const root = path.resolve(opts.crawlRoot)
      const paths = req.body.paths.map(p => path.resolve(root, p))
      const outside = paths.find(p => p !== root && !p.startsWith(root + path.sep))
      if (outside !== undefined) return await reply.status(400).send({ error: 'outside-crawl-root', message: `${outside} is outside the crawl folder`, position: null })
      const served = registry.get(req.body.index)
      const job: Job = { id: randomUUID(), kind: 'ingest', state: 'running', progress: null, summary: null, error: null, started: new Date().toISOString() }
      jobs.set(job.id, job)
      ingest({ inputs: paths, index: served.path, institution: req.body.institution, onProgress: p => { job.progress = p } })
        .then(async s => { job.summary = s; await registry.reload(served.name); job.state = 'done' })
        .catch((err: Error) => { job.state = 'failed'; job.error = err.message })
      return await reply.status(202).send({ job: job.id, status: `/api/v1/admin/jobs/${job.id}` })
    })

    admin.get<{ Params: { id: string } }>('/jobs/:id', async (req, reply) => {
      const job = jobs.get(req.params.id)
      if (job === undefined) return await reply.status(404).send({ error: 'not-found', message: 'No such job', position: null })
      return job
    })
  }, { prefix: '/api/v1/admin' })
}
