// The admin routes of federation over real HTTP: add a partner, fetch it, merge, withdraw, publish — each
// refused without the token (and nothing changes), each run as a background job with a status route.
import assert from 'node:assert/strict'
import { mkdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { openInstitution, exportIndex, publish } from '../federation/operations/index.ts'
import { ingest } from '../ingest/index.ts'
import { IndexRegistry, buildServer } from '../search-api/index.ts'
import { warc, withTmp } from './helpers.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))
const JAPANESE = warc('chatnoir-eu__chatnoir-resiliparse/tests__data__clueweb-quirk.warc.gz')
const TOKEN = 'open-sesame'

let tmp = ''
let release: () => void = () => {}
let registry: IndexRegistry
let app: FastifyInstance
let base = ''
let keyA = ''

async function call(method: string, p: string, body?: unknown, token: string | null = TOKEN): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' }
  if (token !== null) headers.authorization = `Bearer ${token}`
  const r = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await r.text()
  return { status: r.status, body: text === '' ? null : JSON.parse(text) }
}

/** Starts a job and waits for it to end; returns the job. */
async function job(p: string, body: unknown): Promise<any> {
  const started = await call('POST', p, body)
  assert.equal(started.status, 202, JSON.stringify(started.body))
  for (;;) {
    const j = await call('GET', started.body.status)
    if (j.body.state !== 'running') return j.body
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

describe('admin routes for federation', { timeout: 300_000 }, () => {
  before(async () => {
    await new Promise<void>((resolve, reject) => {
      void withTmp(async t => {
        try {
          tmp = t
          // Institution A publishes and exports its index as a CAR into B's crawl folder.
          await ingest({ inputs: [SAMPLE], index: path.join(t, 'A'), institution: 'A', workers: 2 })
          const a = await openInstitution(path.join(t, 'A'), { write: true, name: 'A' })
          try {
            keyA = (await publish(a)).publicKey
            await mkdir(path.join(t, 'crawls'))
            await exportIndex(a, path.join(t, 'crawls', 'A.car'))
          } finally {
            await a.close()
          }
          await ingest({ inputs: [JAPANESE], index: path.join(t, 'B'), institution: 'B', workers: 2 })
          const b = await openInstitution(path.join(t, 'B'), { write: true, name: 'B' })
          await b.close()
          registry = await IndexRegistry.open(await IndexRegistry.specsOf(path.join(t, 'B')))
          app = await buildServer({ registry, admin: { token: TOKEN, crawlRoot: path.join(t, 'crawls') } })
          base = await app.listen({ host: '127.0.0.1', port: 0 })
          resolve()
        } catch (err) {
          reject(err)
        }
        await new Promise<void>(r => {
          release = r
        })
      })
    })
  })
  after(async () => {
    await app?.close()
    await registry?.close()
    release()
  })

  it('refuses every federation route without the token, and nothing changes', async () => {
    const partner = { publicKey: keyA, sources: [{ kind: 'car', path: 'A.car' }] }
    for (const [m, p, body] of [
      ['PUT', '/api/v1/admin/partners/A', partner],
      ['GET', '/api/v1/admin/partners', undefined],
      ['POST', '/api/v1/admin/fetch', {}],
      ['POST', '/api/v1/admin/merge', { inputs: ['A'] }],
      ['POST', '/api/v1/admin/publish', {}],
      ['POST', '/api/v1/admin/withdraw', { prefixes: ['http://example.org/'] }],
      ['DELETE', '/api/v1/admin/partners/A', undefined]
    ] as const) {
      assert.equal((await call(m, p, body, null)).status, 401, `${m} ${p}`)
      assert.equal((await call(m, p, body, 'wrong')).status, 401, `${m} ${p}`)
    }
    assert.equal(
      await stat(path.join(tmp, 'B', 'partners.json')).then(
        () => true,
        () => false
      ),
      false
    )
    assert.equal(
      await stat(path.join(tmp, 'B', 'refs', 'published.json')).then(
        () => true,
        () => false
      ),
      false
    )
  })

  it('adds a partner, fetches it, merges, withdraws and publishes through jobs', async () => {
    assert.equal(
      (await call('PUT', '/api/v1/admin/partners/A', { publicKey: keyA, sources: [{ kind: 'car', path: '../../etc/passwd' }] })).status,
      400,
      'a CAR outside the crawl folder'
    )
    assert.equal((await call('PUT', '/api/v1/admin/partners/A', { publicKey: 'not a key', sources: [{ kind: 'car', path: 'A.car' }] })).status, 400)
    assert.equal((await call('PUT', '/api/v1/admin/partners/A', { publicKey: keyA, sources: [{ kind: 'car', path: 'A.car' }] })).status, 200)
    assert.deepEqual(
      (await call('GET', '/api/v1/admin/partners')).body.partners.map((p: { name: string }) => p.name),
      ['A']
    )

    const fetched = await job('/api/v1/admin/fetch', {})
    assert.equal(fetched.state, 'done', fetched.error)
    const merged = await job('/api/v1/admin/merge', { inputs: ['A'], name: 'both' })
    assert.equal(merged.state, 'done', merged.error)
    const indexes = (await call('GET', '/api/v1/indexes')).body.indexes as Array<{ name: string; kind: string; root: string; stats: { documents: number } }>
    const kinds = Object.fromEntries(indexes.map(i => [i.name, i.kind]))
    assert.deepEqual(kinds, { local: 'local', A: 'partner', both: 'merged' })
    const docs = Object.fromEntries(indexes.map(i => [i.name, i.stats.documents]))
    assert.equal(docs.both, docs.local + docs.A, 'A and B share no document')

    // Crawls go into the local index only: not into a partner's or a combined one (which would write HEAD).
    const headBefore = await readFile(path.join(tmp, 'B', 'HEAD'), 'utf8')
    for (const index of ['A', 'both']) {
      const r = await call('POST', '/api/v1/admin/ingest', { paths: ['A.car'], index })
      assert.equal(r.status, 400, `ingest into ${index}`)
      assert.match(r.body.message, /crawls are ingested into a local index/)
    }
    assert.equal(await readFile(path.join(tmp, 'B', 'HEAD'), 'utf8'), headBefore)

    const search = async (index: string, q: string): Promise<number> =>
      (await call('GET', `/api/v1/search?index=${index}&q=${encodeURIComponent(q)}`)).body.total
    assert.ok((await search('both', 'library')) > 0)

    // B withdraws its own documents of one host; the local index no longer finds them.
    const hosts = (await call('GET', '/api/v1/search?index=local&q=www%20OR%20com%20OR%20jp%20OR%20html&size=100')).body.hits.map(
      (h: { host: string }) => h.host
    ) as string[]
    const host = hosts[0]
    const before = await search('local', `site:${host}`)
    assert.ok(before > 0)
    assert.equal((await call('POST', '/api/v1/admin/withdraw', { urls: ['not a url'] })).status, 400)
    const w = await job('/api/v1/admin/withdraw', { prefixes: [`http://${host}/`] })
    assert.equal(w.state, 'done', w.error)
    assert.ok(w.summary.withdrawn.length > 0)
    assert.equal(await search('local', `site:${host}`), 0)

    const p = await job('/api/v1/admin/publish', {})
    assert.equal(p.state, 'done', p.error)
    assert.equal(p.summary.seq, 1)
    const published = JSON.parse(await readFile(path.join(tmp, 'B', 'refs', 'published.json'), 'utf8')) as { index: string }
    assert.equal(published.index, w.summary.index, 'what was published is the index after the withdrawal')

    assert.equal((await call('DELETE', '/api/v1/admin/partners/A')).status, 200)
    assert.equal((await call('DELETE', '/api/v1/admin/partners/A')).status, 404)
  })

  it('searches a partner added while serving, reading its index sparsely through its gateway', async () => {
    // A serves its index as a trustless gateway; B, already serving, is told of A only now.
    const regA = await IndexRegistry.open(await IndexRegistry.specsOf(path.join(tmp, 'A')))
    const gw = await buildServer({ registry: regA })
    const gwBase = await gw.listen({ host: '127.0.0.1', port: 0 })
    try {
      assert.equal((await call('PUT', '/api/v1/admin/partners/G', { publicKey: keyA, sources: [{ kind: 'gateway', url: gwBase }] })).status, 200)
      const fetched = await job('/api/v1/admin/fetch', {})
      assert.equal(fetched.state, 'done', fetched.error)
      const indexes = (await call('GET', '/api/v1/indexes')).body.indexes as Array<{ name: string; kind: string }>
      assert.equal(indexes.find(i => i.name === 'G')?.kind, 'partner')
      for (const q of ['library', 'preservation OR museum']) {
        const here = (await call('GET', `/api/v1/search?index=G&q=${encodeURIComponent(q)}&size=5`)).body as { total: number; hits: Array<{ id: string }> }
        const there = (await (await fetch(`${gwBase}/api/v1/search?q=${encodeURIComponent(q)}&size=5`)).json()) as {
          total: number
          hits: Array<{ id: string }>
        }
        assert.ok(here.total > 0)
        assert.deepEqual([here.total, here.hits.map(h => h.id)], [there.total, there.hits.map(h => h.id)], `${q}: the same answer as A's own server`)
      }
      assert.equal((await call('DELETE', '/api/v1/admin/partners/G')).status, 200)
    } finally {
      await gw.close()
      await regA.close()
    }
  })
})
