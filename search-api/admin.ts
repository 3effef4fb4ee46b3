// Admin routes: they change what is served, so each needs the bearer token configured at start (401
// otherwise, and nothing changes). Long jobs (ingest, fetch, merge, publish, withdraw) run in the background;
// their progress and result are at /admin/jobs/:id. Federation routes act on the first served index's folder
// (the institution's data folder).
import { randomUUID, timingSafeEqual } from 'node:crypto'
import { realpath } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ingest } from '../ingest/index.ts'
import type { IngestProgress, IngestSummary } from '../ingest/index.ts'
import { openInstitution, fetchPartner, mergePartners, publish, selectionFromUrls, withdraw } from '../federation/operations/index.ts'
import type { Institution } from '../federation/operations/index.ts'
import { checkPartner } from '../federation/trust/index.ts'
import { identityName } from '../federation/identity/index.ts'
import type { Partner } from '../federation/trust/index.ts'
import { storeCare } from '../federation/maintenance/index.ts'
import type { IndexRegistry } from './registry.ts'

export interface AdminOptions {
  /** Bearer token; without one, every admin route answers 401. */
  readonly token?: string
  /** The only folder crawls may be ingested from (paths outside it are refused). */
  readonly crawlRoot?: string
}

interface Job {
  readonly id: string
  readonly kind: 'ingest' | 'fetch' | 'merge' | 'publish' | 'withdraw'
  state: 'running' | 'done' | 'failed'
  progress: IngestProgress | null
  summary: IngestSummary | unknown
  error: string | null
  readonly started: string
}

function authorized(req: FastifyRequest, token: string | undefined): boolean {
  if (token === undefined || token === '') return false
  const h = req.headers.authorization ?? ''
  const given = Buffer.from(h.startsWith('Bearer ') ? h.slice(7) : '')
  const want = Buffer.from(token)
  return given.length === want.length && timingSafeEqual(given, want)
}

export function installAdmin(app: FastifyInstance, registry: IndexRegistry, opts: AdminOptions): void {
  const jobs = new Map<string, Job>()
  app.register(
    async admin => {
      admin.addHook('onRequest', async (req, reply) => {
        if (!authorized(req, opts.token)) {
          return await reply
            .status(401)
            .header('www-authenticate', 'Bearer')
            .send({ error: 'unauthorized', message: 'Admin routes need the bearer token configured at start', position: null })
        }
      })

      admin.post<{ Body: { paths: string[]; index?: string; institution?: string } }>(
        '/ingest',
        {
          schema: {
            body: {
              type: 'object',
              properties: {
                paths: { type: 'array', items: { type: 'string', maxLength: 4096 }, minItems: 1, maxItems: 1000 },
                index: { type: 'string' },
                institution: { type: 'string', maxLength: 128 }
              },
              required: ['paths'],
              additionalProperties: false
            }
          }
        },
        async (req, reply) => {
          if (opts.crawlRoot === undefined)
            return await reply.status(403).send({ error: 'ingest-disabled', message: 'No crawl folder was configured at start', position: null })
          const root = path.resolve(opts.crawlRoot)
          const paths = req.body.paths.map(p => path.resolve(root, p))
          // By where each path really leads (symlinks followed), not by its spelling.
          const realRoot = await realpath(root)
          const real = await Promise.all(paths.map(async p => await realpath(p).catch(() => p)))
          const outside = real.findIndex(p => p !== realRoot && !p.startsWith(realRoot + path.sep))
          if (outside >= 0)
            return await reply
              .status(400)
              .send({ error: 'outside-crawl-root', message: `${req.body.paths[outside]} is outside the crawl folder`, position: null })
          const served = registry.get(req.body.index)
          // A partner's or combined index lives in the institution's folder but is not its HEAD: an ingest there
          // would write the institution's own index instead.
          if (served.kind !== 'local')
            return await reply
              .status(400)
              .send(
                bad(`${served.name} is a ${served.kind === 'partner' ? "partner's" : 'combined'} index: crawls are ingested into a local index, then merged`)
              )
          const job: Job = { id: randomUUID(), kind: 'ingest', state: 'running', progress: null, summary: null, error: null, started: new Date().toISOString() }
          jobs.set(job.id, job)
          // confineTo: what a path leads to through symlinks must lie in the crawl folder too.
          ingest({
            inputs: paths,
            index: served.path,
            institution: req.body.institution,
            confineTo: root,
            onProgress: p => {
              job.progress = p
            },
            care: storeCare
          })
            .then(async s => {
              job.summary = s
              await registry.reload(served.name)
              job.state = 'done'
            })
            .catch((err: Error) => {
              job.state = 'failed'
              job.error = err.message
            })
          return await reply.status(202).send({ job: job.id, status: `/api/v1/admin/jobs/${job.id}` })
        }
      )

      const start = (kind: Job['kind'], work: (job: Job) => Promise<unknown>): { job: string; status: string } => {
        const job: Job = { id: randomUUID(), kind, state: 'running', progress: null, summary: null, error: null, started: new Date().toISOString() }
        jobs.set(job.id, job)
        work(job)
          .then(s => {
            job.summary = s
            job.state = 'done'
          })
          .catch((err: Error) => {
            job.state = 'failed'
            job.error = err.message
          })
        return { job: job.id, status: `/api/v1/admin/jobs/${job.id}` }
      }
      /** The institution's folder: the first served index's, opened (and locked) for the job only. */
      const withInstitution = async <T>(f: (inst: Institution, folder: string) => Promise<T>): Promise<T> => {
        const folder = registry.get().path
        const inst = await openInstitution(folder, { write: true, name: (await identityName(folder)) ?? undefined })
        try {
          return await f(inst, folder)
        } finally {
          await inst.close()
        }
      }
      const bad = (message: string): { error: string; message: string; position: null } => ({ error: 'bad-request', message, position: null })

      const sourceSchema = {
        type: 'object',
        properties: {
          kind: { enum: ['libp2p', 'gateway', 'car'] },
          addr: { type: 'string', maxLength: 1024 },
          url: { type: 'string', maxLength: 2048 },
          path: { type: 'string', maxLength: 4096 }
        },
        required: ['kind'],
        additionalProperties: false
      }
      admin.put<{ Params: { name: string }; Body: { publicKey: string; sources: Partner['sources'] } }>(
        '/partners/:name',
        {
          schema: {
            body: {
              type: 'object',
              properties: { publicKey: { type: 'string', maxLength: 64 }, sources: { type: 'array', items: sourceSchema, minItems: 1, maxItems: 16 } },
              required: ['publicKey', 'sources'],
              additionalProperties: false
            }
          }
        },
        async (req, reply) => {
          let partner: Partner
          try {
            partner = checkPartner({ name: req.params.name, publicKey: req.body.publicKey, sources: req.body.sources })
          } catch (err) {
            return await reply.status(400).send(bad((err as Error).message))
          }
          // A CAR named by an admin must come from the crawl folder, like ingested crawls.
          if (partner.sources.some(s => s.kind === 'car') && opts.crawlRoot === undefined)
            return await reply.status(400).send(bad('CAR sources need the crawl folder configured at start'))
          const sources = []
          for (const s of partner.sources) {
            if (s.kind !== 'car') {
              sources.push(s)
              continue
            }
            const root = await realpath(path.resolve(opts.crawlRoot!))
            const p = await realpath(path.resolve(root, s.path)).catch(() => null)
            if (p === null || !p.startsWith(root + path.sep))
              return await reply.status(400).send({ error: 'outside-crawl-root', message: `${s.path} is not a file in the crawl folder`, position: null })
            sources.push({ kind: 'car' as const, path: p })
          }
          partner = { ...partner, sources }
          await withInstitution(async inst => {
            await inst.partners.put(partner)
          })
          return await reply.status(200).send(partner)
        }
      )
      admin.get('/partners', async () => await withInstitution(async inst => ({ partners: await inst.partners.all() })))
      admin.delete<{ Params: { name: string } }>('/partners/:name', async (req, reply) => {
        const removed = await withInstitution(async inst => await inst.partners.remove(req.params.name))
        return removed
          ? { removed: req.params.name }
          : await reply.status(404).send({ error: 'not-found', message: `No partner named ${req.params.name}`, position: null })
      })

      admin.post<{ Body: { partners?: string[]; all?: boolean } }>(
        '/fetch',
        {
          schema: {
            body: {
              type: 'object',
              properties: { partners: { type: 'array', items: { type: 'string', maxLength: 64 }, maxItems: 256 }, all: { type: 'boolean' } },
              additionalProperties: false
            }
          }
        },
        async (req, reply) =>
          await reply.status(202).send(
            start(
              'fetch',
              async () =>
                await withInstitution(async (inst, folder) => {
                  const partners =
                    req.body.partners === undefined
                      ? await inst.partners.all()
                      : await Promise.all(req.body.partners.map(async n => await inst.partners.get(n)))
                  const out = []
                  for (const p of partners) {
                    out.push(await fetchPartner(inst, p, { all: req.body.all }))
                    await registry.upsert({ name: p.name, kind: 'partner', path: folder, ref: p.name })
                  }
                  return out
                })
            )
          )
      )

      admin.post<{ Body: { inputs: string[]; name?: string; local?: boolean } }>(
        '/merge',
        {
          schema: {
            body: {
              type: 'object',
              properties: {
                inputs: { type: 'array', items: { type: 'string', maxLength: 64 }, maxItems: 256 },
                name: { type: 'string', maxLength: 64 },
                local: { type: 'boolean' }
              },
              required: ['inputs'],
              additionalProperties: false
            }
          }
        },
        async (req, reply) =>
          await reply.status(202).send(
            start(
              'merge',
              async () =>
                await withInstitution(async (inst, folder) => {
                  const s = await mergePartners(inst, req.body.inputs, { name: req.body.name, local: req.body.local })
                  await registry.upsert({ name: s.name, kind: 'merged', path: folder, ref: s.name })
                  return s
                })
            )
          )
      )

      admin.post<{ Body: { merged?: string } }>(
        '/publish',
        {
          schema: { body: { type: 'object', properties: { merged: { type: 'string', maxLength: 64 } }, additionalProperties: false } }
        },
        async (req, reply) =>
          await reply.status(202).send(
            start(
              'publish',
              async () =>
                await withInstitution(async inst => {
                  const s = await publish(inst, { merged: req.body.merged })
                  await registry.reload(registry.get().name)
                  return s
                })
            )
          )
      )

      admin.post<{ Body: { urls?: string[]; prefixes?: string[]; institution?: string } }>(
        '/withdraw',
        {
          schema: {
            body: {
              type: 'object',
              properties: {
                urls: { type: 'array', items: { type: 'string', maxLength: 4096 }, maxItems: 10000 },
                prefixes: { type: 'array', items: { type: 'string', maxLength: 4096 }, maxItems: 1000 },
                institution: { type: 'string', maxLength: 128 }
              },
              additionalProperties: false
            }
          }
        },
        async (req, reply) => {
          let sel
          try {
            sel = selectionFromUrls(req.body.urls ?? [], req.body.prefixes ?? [])
          } catch (err) {
            return await reply.status(400).send(bad((err as Error).message))
          }
          return await reply.status(202).send(
            start(
              'withdraw',
              async () =>
                await withInstitution(async (inst, folder) => {
                  const s = await withdraw(inst, req.body.institution ?? (await identityName(folder)) ?? 'local', sel)
                  await registry.reload(registry.get().name)
                  return s
                })
            )
          )
        }
      )

      admin.get<{ Params: { id: string } }>('/jobs/:id', async (req, reply) => {
        const job = jobs.get(req.params.id)
        if (job === undefined) return await reply.status(404).send({ error: 'not-found', message: 'No such job', position: null })
        return job
      })
    },
    { prefix: '/api/v1/admin' }
  )
}
