// The OpenAPI document a client generator and a reader rely on: structurally valid OpenAPI 3.0 (checked here
// against the specification's rules, no validator package being installed), every route tagged and
// summarised, search's 404 and 502 declared, the admin routes under a bearer security scheme, and the docs
// page working in Debian's Chromium without a Content-Security-Policy violation.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ingest } from '../ingest/index.ts'
import { serveIndex } from './serve-index.ts'
import type { Served } from './serve-index.ts'
import { launchChromium, NO_CHROMIUM } from './fixtures/browser.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

type Json = any

/** Every violation of OpenAPI 3.0's structural rules found in `doc` (an empty list when it is valid). */
function openApiProblems(doc: Json): string[] {
  const p: string[] = []
  if (typeof doc.openapi !== 'string' || !/^3\.0\.\d+$/.test(doc.openapi)) p.push(`openapi: ${String(doc.openapi)} is not 3.0.x`)
  if (typeof doc.info?.title !== 'string' || typeof doc.info?.version !== 'string') p.push('info needs a title and a version')
  if (doc.paths === null || typeof doc.paths !== 'object') p.push('paths must be an object')
  const tags = new Set((doc.tags ?? []).map((t: Json) => t.name))
  const schemes = doc.components?.securitySchemes ?? {}
  for (const [name, s] of Object.entries(schemes) as Array<[string, Json]>) {
    if (!['apiKey', 'http', 'oauth2', 'openIdConnect'].includes(s.type)) p.push(`securityScheme ${name}: type ${String(s.type)}`)
    if (s.type === 'http' && typeof s.scheme !== 'string') p.push(`securityScheme ${name}: http needs a scheme`)
  }
  const resolve = (ref: string): unknown =>
    ref.startsWith('#/')
      ? ref
          .slice(2)
          .split('/')
          .reduce<Json>((o, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc)
      : undefined
  // Schemas: 3.0 has no type arrays (nullable instead), and every $ref must resolve.
  const walk = (v: Json, at: string): void => {
    if (v === null || typeof v !== 'object') return
    if (typeof v.$ref === 'string' && resolve(v.$ref) === undefined) p.push(`${at}: $ref ${String(v.$ref)} does not resolve`)
    if (Array.isArray(v.type)) p.push(`${at}: type ${JSON.stringify(v.type)} is an array (not OpenAPI 3.0)`)
    for (const [k, x] of Object.entries(v)) walk(x, `${at}/${k}`)
  }
  walk(doc.components ?? {}, '#/components')
  const ids = new Set<string>()
  for (const [route, item] of Object.entries(doc.paths ?? {}) as Array<[string, Json]>) {
    if (!route.startsWith('/')) p.push(`path ${route} does not start with /`)
    const templated = [...route.matchAll(/\{([^}]+)\}/g)].map(m => m[1])
    for (const [method, op] of Object.entries(item) as Array<[string, Json]>) {
      if (!METHODS.includes(method)) {
        if (!['parameters', 'summary', 'description', 'servers'].includes(method)) p.push(`${route}: unknown key ${method}`)
        continue
      }
      const at = `${method.toUpperCase()} ${route}`
      if (op.operationId !== undefined) {
        if (ids.has(op.operationId)) p.push(`${at}: operationId ${String(op.operationId)} repeated`)
        ids.add(op.operationId)
      }
      const responses = Object.entries(op.responses ?? {}) as Array<[string, Json]>
      if (responses.length === 0) p.push(`${at}: no responses`)
      for (const [code, r] of responses) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(code)) p.push(`${at}: response code ${code}`)
        if (typeof r.description !== 'string') p.push(`${at} ${code}: a response needs a description`)
        for (const [media, c] of Object.entries(r.content ?? {}) as Array<[string, Json]>) {
          if (!/^[\w.+-]+\/[\w.+*-]+$/.test(media)) p.push(`${at} ${code}: media type ${media}`)
          walk(c.schema, `${at} ${code} ${media}`)
        }
      }
      const params = (op.parameters ?? []) as Json[]
      const seen = new Set<string>()
      for (const x of params) {
        if (typeof x.name !== 'string' || !['query', 'header', 'path', 'cookie'].includes(x.in)) p.push(`${at}: parameter ${JSON.stringify(x)}`)
        if (x.in === 'path' && x.required !== true) p.push(`${at}: path parameter ${String(x.name)} must be required`)
        if (x.in === 'path' && !templated.includes(x.name)) p.push(`${at}: path parameter ${String(x.name)} is not in the path`)
        if (seen.has(`${x.in} ${x.name}`)) p.push(`${at}: parameter ${String(x.name)} twice`)
        seen.add(`${x.in} ${x.name}`)
        walk(x.schema, `${at} ${String(x.name)}`)
      }
      for (const t of templated) if (!params.some(x => x.in === 'path' && x.name === t)) p.push(`${at}: {${t}} has no path parameter`)
      for (const t of op.tags ?? []) if (!tags.has(t)) p.push(`${at}: tag ${String(t)} is not declared`)
      for (const req of op.security ?? [])
        for (const name of Object.keys(req)) if (schemes[name] === undefined) p.push(`${at}: security scheme ${name} is not declared`)
      if (op.requestBody !== undefined) for (const c of Object.values(op.requestBody.content ?? {}) as Json[]) walk(c.schema, `${at} body`)
    }
  }
  return p
}

describe('OpenAPI document and docs page', { timeout: 180_000 }, () => {
  let tmp: string
  let served: Served
  let doc: Json
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-openapi-'))
    await ingest({ inputs: [SAMPLE], index: tmp, workers: 1, institution: 'Meridian' })
    served = await serveIndex('sample', tmp, { admin: { token: 'sesame' } })
    doc = await (await fetch(`${served.base}/api/v1/openapi.json`)).json()
  })
  after(async () => {
    await served.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it('is a structurally valid OpenAPI 3.0 document', () => {
    assert.deepEqual(openApiProblems(doc), [])
    // The check finds what it looks for: a broken copy fails it.
    const broken = structuredClone(doc)
    broken.paths['/api/v1/search'].get.responses['404'] = {}
    broken.paths['/api/v1/search'].get.tags = ['nowhere']
    broken.paths['/api/v1/admin/ingest'].post.security = [{ basic: [] }]
    assert.equal(openApiProblems(broken).length, 3)
  })

  it('tags and summarises every route, and declares what search and documents answer on failure', () => {
    for (const [route, item] of Object.entries(doc.paths) as Array<[string, Json]>) {
      for (const [method, op] of Object.entries(item) as Array<[string, Json]>) {
        assert.ok(typeof op.summary === 'string' && op.summary.length > 5, `${method} ${route} has no summary`)
        assert.ok(Array.isArray(op.tags) && op.tags.length > 0, `${method} ${route} has no tag`)
      }
    }
    const search = doc.paths['/api/v1/search'].get
    assert.deepEqual(search.tags, ['search'])
    for (const code of ['200', '400', '404', '502', '503']) assert.ok(search.responses[code] !== undefined, `search: no ${code}`)
    assert.match(search.responses['502'].description, /partner/)
    for (const r of ['/api/v1/documents/{id}', '/api/v1/documents/{id}/captures/{n}/record']) {
      assert.deepEqual(doc.paths[r].get.tags, ['documents'])
      for (const code of ['404', '502']) assert.ok(doc.paths[r].get.responses[code] !== undefined, `${r}: no ${code}`)
    }
    for (const r of ['/cdx', '/{index}/cdx']) {
      const cdx = doc.paths[r].get
      assert.deepEqual(cdx.tags, ['cdx'])
      assert.deepEqual(
        cdx.parameters
          .filter((x: Json) => x.in === 'query')
          .map((x: Json) => x.name)
          .sort(),
        ['closest', 'filter', 'fl', 'from', 'index', 'limit', 'matchType', 'output', 'reverse', 'sort', 'to', 'url']
      )
      assert.deepEqual(Object.keys(cdx.responses['200'].content).sort(), ['text/plain', 'text/x-cdxj', 'text/x-ndjson'])
    }
  })

  it('puts the admin routes under a bearer security scheme, and only them', async () => {
    assert.deepEqual(doc.components.securitySchemes.bearerAuth, {
      type: 'http',
      scheme: 'bearer',
      description: doc.components.securitySchemes.bearerAuth.description
    })
    let admin = 0
    for (const [route, item] of Object.entries(doc.paths) as Array<[string, Json]>) {
      for (const [method, op] of Object.entries(item) as Array<[string, Json]>) {
        const isAdmin = route.startsWith('/api/v1/admin/')
        assert.equal(op.security !== undefined, isAdmin, `${method} ${route}: security`)
        if (!isAdmin) continue
        admin++
        assert.deepEqual(op.tags, ['admin'])
        assert.deepEqual(op.security, [{ bearerAuth: [] }])
        assert.ok(op.responses['401'] !== undefined, `${method} ${route}: no 401`)
      }
    }
    assert.ok(admin >= 8, `${admin} admin operations`)
    // What the document says is what the server does: no token, 401.
    const r = await fetch(`${served.base}/api/v1/admin/jobs/x`)
    assert.equal(r.status, 401)
  })

  it('serves the docs page in Chromium without a Content-Security-Policy violation or an outside request', { skip: NO_CHROMIUM }, async () => {
    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      const problems: string[] = []
      const outside: string[] = []
      page.on('console', m => {
        if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`${m.type()}: ${m.text()}`)
      })
      page.on('pageerror', e => {
        problems.push(`pageerror: ${e.message}`)
      })
      page.on('request', r => {
        if (!r.url().startsWith(served.base) && !r.url().startsWith('data:')) outside.push(r.url())
      })
      await page.goto(`${served.base}/docs`)
      assert.equal(new URL(page.url()).pathname, '/api/v1/docs')
      await page.waitForSelector('.opblock-tag', { timeout: 30_000 })
      const tags = await page.locator('.opblock-tag').allInnerTexts()
      for (const t of ['search', 'documents', 'cdx', 'admin'])
        assert.ok(
          tags.some(x => x.startsWith(t)),
          `docs page lacks the ${t} section: ${tags.join(' | ')}`
        )
      // The security scheme gives the page its Authorize button.
      assert.equal(await page.locator('.btn.authorize').count(), 1)
      await page.locator('.opblock-tag', { hasText: 'cdx' }).first().click()
      await page.waitForSelector('.opblock-summary-path', { timeout: 10_000 })
      await page.waitForTimeout(500)
      assert.deepEqual(problems, [])
      assert.deepEqual(outside, [])
    } finally {
      await browser.close()
    }
  })
})
