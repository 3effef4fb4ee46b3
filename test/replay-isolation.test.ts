// An archived page is not trusted: its scripts run in the reader's browser when it is replayed. Here an
// archived page with hostile script tries to read the search page's storage (where a reader's settings live)
// and to call an admin route, in real Chromium, with replay on the search page's own origin (the default)
// and on a replay origin of its own (serve --replay-origin, what ReplayWeb.page and pywb advise).
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import type { CID } from 'multiformats/cid'
import { openIndexDir } from '../index-core/store/index.ts'
import { importCrawlFile } from '../index-core/index/index.ts'
import { ingest } from '../ingest/index.ts'
import { WarcWriter } from '../tools/warc-writer.ts'
import { IndexRegistry, buildServer } from '../search-api/index.ts'
import { launchChromium, NO_CHROMIUM } from './fixtures/browser.ts'

const TOKEN = 'admin-secret-token-0123456789'

/** The hostile page: it reports what it could reach in #out (the test reads it from the frame). */
const HOSTILE = `<!doctype html><html><head><title>Hostile archived page</title></head><body>
<h1>An archived page with hostile script</h1><p>This page was captured with a script that tries to reach the archive's own application.</p>
<pre id="out">running</pre>
<script>
(async () => {
  const out = {}
  const n = window.__native || { storage: localStorage, parent: window.parent, top: window.top, fetch: window.fetch }
  // The search page's storage, through every window this frame can name.
  try { out.self = n.storage ? n.storage.getItem('canopy.reader') : 'blocked' } catch (e) { out.self = 'blocked:' + e.name }
  for (const name of ['parent', 'top']) {
    try { out[name] = n[name].localStorage.getItem('canopy.reader') } catch (e) { out[name] = 'blocked:' + e.name }
  }
  // An admin route, on the app's origin (named in the page the attacker read), with what storage gave.
  const origin = new URLSearchParams(location.hash.slice(1)).get('app') || ''
  // Through the viewer's own fetch (out of the replay worker's reach) when that window is reachable, and its own.
  const call = async (f) => {
    try { return (await f(origin + '/api/v1/admin/partners', { headers: { authorization: 'Bearer ' + (out.parent || out.top || '') }, credentials: 'include' })).status } catch (e) { return 'blocked:' + e.name }
  }
  let topFetch = null
  try { topFetch = n.top.fetch.bind(n.top) } catch (e) { out.admin = 'blocked:' + e.name }
  if (topFetch) out.admin = await call(topFetch)
  out.adminOwn = await call(n.fetch)
  document.getElementById('out').textContent = JSON.stringify(out)
})()
</script></body></html>`

/** The status of a GET sent to a loopback server under another host name (fetch does not let a Host header be set). */
async function statusAs(url: string, host: string, headers: Record<string, string> = {}): Promise<number> {
  return await new Promise((resolve, reject) => {
    const req = request(url, { headers: { ...headers, host } }, res => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => {
        resolve(typeof a === 'object' && a !== null ? a.port : 0)
      })
    })
  })
}

describe('replayed pages are kept from the application', { timeout: 300_000, skip: NO_CHROMIUM }, () => {
  let tmp: string
  let dir: string
  let browser: Browser
  const closers: Array<() => Promise<void>> = []

  /** A server with admin on; with a replay origin, the app is reached as app.localhost and replay as replay.app.localhost (same site, another origin, both secure contexts for the browser). */
  async function serve(separate: boolean): Promise<{ base: string; replay: string }> {
    const port = await freePort()
    const registry = await IndexRegistry.open([{ name: 'evil', kind: 'local', path: dir }])
    const origin = separate ? `http://replay.app.localhost:${port}` : undefined
    const app = await buildServer({ registry, rateLimit: 0, admin: { token: TOKEN }, ...(origin === undefined ? {} : { replayOrigin: origin }) })
    const local = await app.listen({ host: '127.0.0.1', port })
    closers.push(async () => {
      await app.close()
      await registry.close()
    })
    return separate ? { base: `http://app.localhost:${port}`, replay: origin! } : { base: local, replay: local }
  }

  /** Opens the hostile capture in the viewer as a reader who has settings in the search page's storage; returns what the page reached. */
  async function attack(base: string, replay: string): Promise<Record<string, unknown>> {
    const context = await browser.newContext()
    // The attacker's way around the replay engine's rewriting (wabac's wombat wraps storage, parent and fetch in
    // the page's own globals): the native objects, kept before any page script runs. What the page can reach
    // with them is what its origin lets it, which is what is tested.
    await context.addInitScript(() => {
      const w = window as unknown as Record<string, unknown>
      let storage: Storage | null = null
      try {
        storage = window.localStorage
      } catch {}
      w.__native = { storage, parent: window.parent, top: window.top, fetch: window.fetch.bind(window) }
    })
    const page: Page = await context.newPage()
    await page.goto(`${base}/`)
    await page.evaluate(() => {
      localStorage.setItem('canopy.reader', "the reader's saved searches")
    })
    await page.goto(`${base}/view?index=evil&ts=20240501100000&url=${encodeURIComponent(`http://evil.example/#app=${base}`)}`)
    const logs: string[] = []
    page.on('console', m => {
      logs.push(m.text())
    })
    page.on('pageerror', e => {
      logs.push(e.message)
    })
    const frame = page.frameLocator('#frame')
    const out = frame.locator('#out')
    try {
      await out.filter({ hasNotText: 'running' }).waitFor({ timeout: 30_000 })
    } catch {
      const inner =
        (await page
          .frames()[1]
          ?.locator('body')
          .innerText()
          .catch(() => '')) ?? ''
      throw new Error(
        `the archived page did not run: viewer: ${await page.locator('#status').innerText()}; frame: ${page
          .frames()
          .map(f => f.url())
          .join(' ')}: ${inner}; console: ${logs.join(' | ')}`
      )
    }
    const result = JSON.parse(await out.innerText()) as Record<string, unknown>
    const src = await page.locator('#frame').getAttribute('src')
    assert.equal(new URL(src ?? '', base).origin, new URL(replay).origin, `the frame opens on ${replay}: ${src}`)
    await context.close()
    return result
  }

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-isolation-'))
    const warc = path.join(tmp, 'evil.warc')
    const w = WarcWriter.toFile(warc, { gzip: false })
    w.response({
      url: 'http://evil.example/',
      date: '2024-05-01T10:00:00Z',
      status: 200,
      headers: [['Content-Type', 'text/html; charset=utf-8']],
      body: HOSTILE
    })
    w.close()
    dir = path.join(tmp, 'idx')
    await ingest({ inputs: [warc], index: dir, workers: 1, institution: 'Archive' })
    const d = await openIndexDir(dir, { write: true })
    try {
      await importCrawlFile(warc, {
        put: async (cid: CID, bytes: Uint8Array) => {
          await d.blocks.store.put(cid, bytes)
          return cid
        }
      })
    } finally {
      await d.close()
    }
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    for (const c of closers) await c()
    await rm(tmp, { recursive: true, force: true })
  })

  it('by default: the admin route refuses the page, since the admin token is never in the browser', async t => {
    const { base, replay } = await serve(false)
    const got = await attack(base, replay)
    t.diagnostic(`same origin: ${JSON.stringify(got)}`)
    // What the default cannot stop: a script that gets round the rewriter reads the search page's storage.
    assert.equal(got.top, "the reader's saved searches")
    // The admin route, called from the viewer's window with all the page could find: refused.
    assert.equal(got.admin, 401)
    // Its own fetches go through the replay worker, which answers from the archive only.
    assert.notEqual(got.adminOwn, 200)
  })

  it("with --replay-origin: the page runs on another origin, reaches neither the search page's storage nor the API", async t => {
    const { base, replay } = await serve(true)
    const got = await attack(base, replay)
    t.diagnostic(`replay origin: ${JSON.stringify(got)}`)
    assert.equal(got.self, null, "its own origin's storage holds nothing of the search page")
    assert.match(String(got.parent), /^blocked:SecurityError/)
    assert.match(String(got.top), /^blocked:SecurityError/)
    assert.match(String(got.admin), /^blocked:SecurityError/)
    assert.notEqual(got.adminOwn, 200)
    assert.notEqual(got.adminOwn, 401, 'not even asked of the admin route')
    // The replay origin answers nothing but replay: the admin route and the search page are not there.
    const local = replay.replace('replay.app.localhost', '127.0.0.1')
    assert.equal(await statusAs(`${local}/api/v1/admin/partners`, new URL(replay).host, { authorization: `Bearer ${TOKEN}` }), 404)
    assert.equal(await statusAs(`${local}/`, new URL(replay).host), 404)
    assert.equal(await statusAs(`${local}/replay/sw.js`, new URL(replay).host), 200)
    // And archived pages are not served on the application's origin, where the admin route still is.
    assert.equal(await statusAs(`${local}/replay/sw.js`, new URL(base).host), 404)
    assert.equal(await statusAs(`${local}/api/v1/admin/partners`, new URL(base).host, { authorization: `Bearer ${TOKEN}` }), 200)
  })
})
