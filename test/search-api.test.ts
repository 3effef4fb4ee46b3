// The search API over real HTTP on loopback, serving the built-in sample crawl.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ingest } from '../ingest/index.ts'
import { WARC_DIR } from './helpers.ts'
import { serveIndex } from './serve-index.ts'
import type { Served } from './serve-index.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))
let tmp: string
let served: Served
let base: string

async function get(p: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }> {
  const r = await fetch(base + p, init)
  const text = await r.text()
  return { status: r.status, body: r.headers.get('content-type')?.includes('json') === true ? JSON.parse(text) : text, headers: r.headers }
}

const post = async (p: string, body: unknown, token?: string): Promise<{ status: number; body: any; headers: Headers }> =>
  await get(p, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) }
  })

describe('search API', { timeout: 120_000 }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-api-'))
    await ingest({ inputs: [SAMPLE], index: tmp, workers: 2, institution: 'Meridian' })
    served = await serveIndex('sample', tmp, {
      replay: { bases: { Meridian: 'https://replay.example/wayback' } },
      admin: { token: 'sesame', crawlRoot: WARC_DIR }
    })
    base = served.base
  })
  after(async () => {
    await served.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it('answers a search with hits, facets, snippets and replay links', async () => {
    const r = await get('/api/v1/search?q=library&size=3')
    assert.equal(r.status, 200)
    assert.equal(r.body.index, 'sample')
    assert.equal(r.body.hits.length, 3)
    assert.ok(r.body.total >= 3)
    assert.ok(r.body.facets.site.length > 0)
    // Facets count every match, so the total is exact; without them it may be a lower bound, unless asked.
    assert.equal(r.body.totalRelation, 'eq')
    const lean = await get('/api/v1/search?q=library&size=3&facets=false')
    // On the sample, deciding the page reads every posting of the word, so even the lean count is exact (the
    // lower-bound case, 'gte', is checked against full evaluation in test/top-k.test.ts).
    assert.deepEqual([lean.body.totalRelation, lean.body.total], ['eq', r.body.total])
    assert.deepEqual(
      lean.body.hits.map((x: { id: string }) => x.id),
      r.body.hits.map((x: { id: string }) => x.id)
    )
    const exact = await get('/api/v1/search?q=library&size=3&facets=false&exactTotal=true')
    assert.deepEqual([exact.status, exact.body.totalRelation, exact.body.total, exact.body.facets], [200, 'eq', r.body.total, null])
    const h = r.body.hits[0]
    assert.match(h.titleHtml + h.snippet, /<mark>/)
    const c = h.captures[0]
    assert.equal(c.replay, `https://replay.example/wayback/${c.timestamp}/${c.url}`)
    assert.match(c.timestamp, /^\d{14}$/)
  })

  it('pages with the cursor it returns', async () => {
    const a = await get('/api/v1/search?q=archive&size=5')
    const b = await get(`/api/v1/search?q=archive&size=5&cursor=${encodeURIComponent(a.body.nextCursor)}`)
    assert.equal(b.status, 200)
    const ids = new Set(a.body.hits.map((h: { url: string }) => h.url))
    assert.equal(b.body.hits.length, 5, 'a second full page')
    for (const h of b.body.hits) assert.ok(!ids.has(h.url))
  })

  it('applies filter parameters', async () => {
    const all = await get('/api/v1/search?q=archive&size=100')
    const r = await get('/api/v1/search?q=archive&lang=fr&size=100')
    assert.equal(r.status, 200)
    const fr = all.body.hits.filter((h: { lang: string }) => h.lang === 'fr')
    assert.ok(fr.length > 0 && fr.length < all.body.hits.length, 'the sample has French pages among others')
    assert.deepEqual(r.body.hits.map((h: { id: string }) => h.id).sort(), fr.map((h: { id: string }) => h.id).sort(), 'exactly the French ones')
  })

  it('suggests corrections from the index on an empty result, and not on a good one', async () => {
    const r = await get('/api/v1/search?q=libary')
    assert.equal(r.status, 200)
    assert.equal(r.body.total, 0)
    assert.equal(r.body.suggest.q, 'library')
    assert.deepEqual(
      r.body.suggest.corrections.map((c: { word: string }) => c.word),
      ['libary']
    )
    const corrected = await get('/api/v1/search?q=' + encodeURIComponent(r.body.suggest.q) + '&facets=false')
    assert.ok(corrected.body.total > 0, 'the suggestion finds pages')
    assert.equal(corrected.body.suggest, null)
    assert.equal((await get('/api/v1/search?q=libary&suggest=false')).body.suggest, null)
  })

  it('links every capture of a hit to its record route', async () => {
    const r = await get('/api/v1/search?q=library&size=3')
    for (const h of r.body.hits) {
      for (const c of h.captures) {
        assert.equal(c.record, `/api/v1/documents/${c.doc}/captures/${c.n}/record`)
        const d = await get(`/api/v1/documents/${c.doc}`)
        assert.equal(d.body.captures[c.n].offset, c.offset, 'the link names this capture')
      }
    }
  })

  it('exports every page a search matches with every capture, as CSV and JSON', async () => {
    const all = await get('/api/v1/search?q=museum&size=100&exactTotal=true&facets=false')
    assert.equal(all.body.nextCursor, null)
    const captures = all.body.hits.reduce((a: number, h: { captureCount: number }) => a + h.captureCount, 0)
    const csv = await get('/api/v1/search/export?q=museum&format=csv')
    assert.equal(csv.status, 200)
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/)
    assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="canopy-museum\.csv"/)
    const rows = (csv.body as string)
      .replace(/^\ufeff/, '')
      .trimEnd()
      .split('\r\n')
    assert.equal(rows[0].split(',')[0], 'url')
    assert.equal(rows.length - 1, captures, 'one row per capture')
    assert.deepEqual(new Set(rows.slice(1).map(l => l.split(',')[0])), new Set(all.body.hits.map((h: { url: string }) => h.url)))
    const json = await get('/api/v1/search/export?q=museum&format=json')
    assert.equal(json.body.pageCount, all.body.totalUrls)
    assert.equal(json.body.captureCount, captures)
    assert.equal(json.body.truncated, false)
    assert.deepEqual(
      json.body.pages.map((p: { url: string }) => p.url),
      all.body.hits.map((h: { url: string }) => h.url),
      'in result order'
    )
    const cut = await get('/api/v1/search/export?q=museum&format=json&limit=2')
    assert.equal(cut.headers.get('x-canopy-truncated'), 'true')
    assert.deepEqual([cut.body.pageCount, cut.body.truncated], [2, true])
    assert.equal((await get('/api/v1/search/export?q=%22open&format=csv')).status, 400)
    assert.equal((await get('/api/v1/search/export?q=museum&limit=100000')).status, 400)
  })

  it('returns a document with its captures and an excerpt', async () => {
    const s = await get('/api/v1/search?q=museum&size=1')
    const d = await get(`/api/v1/documents/${s.body.hits[0].id}`)
    assert.equal(d.status, 200)
    assert.equal(d.body.url, s.body.hits[0].url)
    assert.ok(d.body.captures.length >= 1)
    assert.ok(d.body.excerpt.length > 0)
    assert.equal((await get('/api/v1/documents/00000000000000000000')).status, 404)
    assert.equal((await get('/api/v1/documents/not-hex')).status, 400)
  })

  it('answers malformed and oversized requests with clear 400 and 413, never a stack trace', async () => {
    const bad = await get('/api/v1/search?q=' + encodeURIComponent('library AND'))
    assert.equal(bad.status, 400)
    assert.equal(bad.body.error, 'dangling-operator')
    assert.match(bad.body.message, /AND/)
    const long = await get('/api/v1/search?q=' + 'x'.repeat(12289))
    assert.equal(long.status, 413)
    assert.equal((await get('/api/v1/search?q=a&size=1000')).status, 400)
    assert.equal((await get('/api/v1/search')).status, 400)
    assert.equal((await get('/api/v1/search?q=a&index=nope')).status, 404)
    for (const r of [bad, long]) assert.doesNotMatch(JSON.stringify(r.body), /at .*\.ts:\d+/)
  })

  it('serves health, stats, indexes and an OpenAPI document, with security headers', async () => {
    const h = await get('/api/v1/health')
    assert.deepEqual(h.body, { status: 'ok' })
    assert.equal(h.headers.get('x-content-type-options'), 'nosniff')
    assert.ok(h.headers.get('content-security-policy') !== null)
    assert.equal(h.headers.get('access-control-allow-origin'), null, 'CORS is off by default')
    const s = await get('/api/v1/stats')
    assert.ok(s.body.documents > 100)
    const i = await get('/api/v1/indexes')
    assert.equal(i.body.indexes[0].name, 'sample')
    const o = await get('/api/v1/openapi.json')
    assert.ok(o.body.openapi.startsWith('3.'))
    assert.ok('/api/v1/search' in o.body.paths)
  })

  it('exposes Prometheus metrics: requests, latencies, index sizes, cache hits', async () => {
    await get('/api/v1/search?q=library')
    const m = await get('/metrics')
    assert.equal(m.status, 200)
    assert.match(m.body, /canopy_http_requests_total\{route="\/api\/v1\/search",method="GET",status="200"\} \d+/)
    assert.match(m.body, /canopy_http_request_duration_seconds_bucket/)
    assert.match(m.body, /canopy_index_documents\{index="sample"\} \d+/)
    assert.match(m.body, /canopy_block_cache_hits_total\{index="sample"\} \d+/)
  })

  it('refuses admin routes without the token and changes nothing; ingests in the background with it', async () => {
    const before = (await get('/api/v1/stats')).body.documents
    assert.equal((await post('/api/v1/admin/ingest', { paths: ['netarchivesuite__jwat'] })).status, 401)
    assert.equal((await post('/api/v1/admin/ingest', { paths: ['netarchivesuite__jwat'] }, 'wrong')).status, 401)
    assert.equal((await post('/api/v1/admin/ingest', { paths: ['../../etc'] }, 'sesame')).status, 400)
    assert.equal((await get('/api/v1/stats')).body.documents, before)
    const started = await post('/api/v1/admin/ingest', { paths: ['netarchivesuite__jwat'], institution: 'KB' }, 'sesame')
    assert.equal(started.status, 202)
    let job
    for (let i = 0; i < 600; i++) {
      job = (await get(started.body.status, { headers: { authorization: 'Bearer sesame' } })).body
      if (job.state !== 'running') break
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    assert.equal(job.state, 'done', job.error)
    assert.ok((await get('/api/v1/stats')).body.documents > before, 'the served index now holds the new crawl')
    const r = await get('/api/v1/search?q=archive&institution=KB')
    assert.ok(r.body.total > 0)
  })
})
