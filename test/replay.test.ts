// Replay inside Canopy, in a real headless Chromium (Debian's, through playwright-core): wabac.js (Webrecorder's
// replay engine) in its service worker, fed by Canopy's CDXJ of the index's crawl files and range reads of their
// UnixFS blocks. A local capture and a WACZ capture show the archived page (its text is the record's, its
// stylesheet applies), a link followed inside the page stays in the archive, and opening a capture in a large
// crawl file reads only the records it needs. Screenshots go to test/output/.
import assert from 'node:assert/strict'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import type { CID } from 'multiformats/cid'
import { openIndexDir } from '../index-core/store/index.ts'
import { importCrawlFile } from '../index-core/index/index.ts'
import { ingest } from '../ingest/index.ts'
import { WarcWriter } from '../tools/warc-writer.ts'
import { parseRange } from '../search-api/replay/routes.ts'
import { crawlFilesOf } from '../federation/records/index.ts'
import { indexRecords } from '../ingest/cdx/record-list.ts'
import { IndexRegistry, buildServer } from '../search-api/index.ts'
import { Cli } from './fixtures/cli.ts'
import { WACZ_DIR } from './helpers.ts'
import { serveIndex } from './serve-index.ts'
import type { Served } from './serve-index.ts'
import { launchChromium, NO_CHROMIUM, openViewer as openArchived } from './fixtures/browser.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))
const OUT = fileURLToPath(new URL('./output/', import.meta.url))

interface Collection {
  collection: string
  root: string
  lookup: string
  files: number
  records: number
  unreadable: unknown[]
  read: { rangeBytes: number; rangeRequests: number; lookups: number }
}

/** A capture as the lookup route answers it (wabac's store entry). */
interface Entry {
  url: string
  ts: number
  mime?: string
  source: { path: string; start: number; length: number }
}

/** The captures the lookup route answers for a URL (or a prefix). */
async function lookup(base: string, c: Collection, url: string, match = 'exact'): Promise<Entry[]> {
  const res = await fetch(`${base}${c.lookup}?${new URLSearchParams({ url, match }).toString()}`)
  assert.equal(res.status, 200)
  return (await res.text())
    .split('\n')
    .filter(l => l !== '')
    .map(l => JSON.parse(l) as Entry)
}

/** Ingests crawls into a fresh index and adds their blocks to its store, as `canopy publish --crawls` does. */
async function indexWithBlocks(dir: string, inputs: string[], institution: string): Promise<void> {
  await ingest({ inputs, index: dir, workers: 2, institution })
  const d = await openIndexDir(dir, { write: true })
  try {
    for (const p of inputs)
      await importCrawlFile(p, {
        put: async (cid: CID, bytes: Uint8Array) => {
          await d.blocks.store.put(cid, bytes)
          return cid
        }
      })
  } finally {
    await d.close()
  }
}

/** The words of a text, lower-cased, for comparing what a page shows with what the index extracted. */
function words(s: string): string[] {
  return s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
}

/** The share of the first `n` words of `expected` that the rendered text holds. */
function overlap(expected: string, rendered: string, n = 80): number {
  const have = new Set(words(rendered))
  const want = words(expected).slice(0, n)
  return want.filter(w => have.has(w)).length / Math.max(1, want.length)
}

describe('replay inside Canopy', { timeout: 300_000, skip: NO_CHROMIUM }, () => {
  let tmp: string
  let browser: Browser
  const servers: Served[] = []
  const outside: string[] = []

  async function serve(name: string, dir: string): Promise<string> {
    const s = await serveIndex(name, dir, { rateLimit: 0 })
    servers.push(s)
    return s.base
  }
  async function newPage(base: string): Promise<Page> {
    // A context of its own: the service worker and its collections start empty.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    context.on('request', r => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) outside.push(r.url())
    })
    return await context.newPage()
  }
  /** Opens the viewer and waits for the archived page to load in its frame. */
  async function openViewer(page: Page, base: string, link: string): Promise<void> {
    const error = await openArchived(page, base, link)
    assert.equal(error, null, `the viewer failed: ${error}`)
  }
  const frameText = async (page: Page): Promise<string> => await page.frameLocator('#frame').locator('body').innerText()
  const collection = async (base: string): Promise<Collection> => (await (await fetch(`${base}/api/v1/replay/collection?wait=true`)).json()) as Collection

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-replay-'))
    await mkdir(OUT, { recursive: true })
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    for (const s of servers) await s.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it('parses the byte ranges a replay engine asks for', () => {
    assert.deepEqual(parseRange('bytes=10-19', 100), { start: 10, end: 19 })
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 })
    assert.deepEqual(parseRange('bytes=-22', 100), { start: 78, end: 99 })
    assert.deepEqual(parseRange('bytes=95-200', 100), { start: 95, end: 99 })
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable')
    assert.equal(parseRange(undefined, 100), null)
    assert.equal(parseRange('bytes=1-2,5-6', 100), null)
  })

  it('lists a damaged crawl file as far as it parses, and never keeps a list cut short by missing bytes', async () => {
    const all = await readFile(SAMPLE)
    async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
      yield b
    }
    const whole = await indexRecords(once(all))
    assert.equal(whole.length, 183)
    const cut = await indexRecords(once(all.subarray(0, Math.floor(all.length / 2))))
    assert.ok(cut.length > 0 && cut.length < whole.length, 'a truncated file lists the records before the damage')
    assert.deepEqual(cut, whole.slice(0, cut.length))
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield all.subarray(0, 20_000)
      throw new Error('block missing')
    }
    await assert.rejects(indexRecords(failing()), /block missing/)
  })

  it("replays a local capture from a search result: the record's text, its stylesheet, a banner; links stay in the archive", async () => {
    const dir = path.join(tmp, 'sample')
    await indexWithBlocks(dir, [SAMPLE], 'Meridian')
    const base = await serve('sample', dir)
    const c = await collection(base)
    assert.equal(c.unreadable.length, 0)
    assert.ok(c.records > c.files, 'every record of the crawl is listed, not only the indexed documents')

    // The result's link opens Canopy's viewer (no outside replay tool is configured).
    const page = await newPage(base)
    await page.goto(`${base}/?q=${encodeURIComponent('music library')}`)
    await page.waitForSelector('.hit h2 a')
    const href = await page.locator('.hit h2 a').first().getAttribute('href')
    assert.match(href!, /^\/view\?index=sample&ts=\d{14}&url=https?%3A/)
    await page.locator('.hit h2 a').first().click()
    await page.waitForURL(/\/view\?/)
    await openViewer(page, base, page.url())
    const viewed = new URL(page.url())
    const url = viewed.searchParams.get('url')!

    // The page shows what the record holds: the index's text of that document is on the screen.
    const search = (await (await fetch(`${base}/api/v1/search?${new URLSearchParams({ q: `url:"${url}"`, size: '1' }).toString()}`)).json()) as {
      hits: Array<{ id: string; url: string }>
    }
    const hit =
      search.hits.find(h => h.url === url) ??
      ((await (await fetch(`${base}/api/v1/search?q=${encodeURIComponent('music library')}&size=1`)).json()) as { hits: Array<{ id: string }> }).hits[0]
    const doc = (await (await fetch(`${base}/api/v1/documents/${hit.id}`)).json()) as { excerpt: string }
    const text = await frameText(page)
    assert.ok(overlap(doc.excerpt, text) > 0.9, `the replayed page shows the record's text (overlap ${overlap(doc.excerpt, text)})`)
    // Its archived stylesheet was found in the archive and applies.
    const sheets = await page
      .frameLocator('#frame')
      .locator('html')
      .evaluate(() =>
        [...document.styleSheets].reduce((n, s) => {
          try {
            return n + s.cssRules.length
          } catch {
            return n
          }
        }, 0)
      )
    assert.ok(sheets > 0, 'the archived stylesheet is loaded')
    // The banner says what is shown.
    assert.equal(await page.locator('#page-url').innerText(), url)
    assert.match(await page.locator('#capture-date').innerText(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/)
    assert.equal(await page.locator('#institution').innerText(), 'Meridian')
    assert.equal(await page.locator('#back').getAttribute('href'), `/?q=${encodeURIComponent('music library')}`, 'back to the results searched')
    await page.screenshot({ path: path.join(OUT, 'replay-local.png') })

    // A link inside the archived page leads to another archived page, still replayed by Canopy.
    const frame = page.frameLocator('#frame')
    // The first link to another page of the site (not to this page, not to an anchor). Inside the replayed
    // page, wombat shows the archived URL as the link's href; the browser goes to the archive's.
    const pick = await frame
      .locator('a[href]')
      .evaluateAll(
        (as, here) => (as as HTMLAnchorElement[]).findIndex(a => new URL(a.href).host === new URL(here).host && !a.href.includes('#') && a.href !== here),
        url
      )
    assert.ok(pick >= 0, 'the archived page links to another page of its site')
    const before = text
    await frame.locator('a[href]').nth(pick).click()
    await page.waitForFunction(
      t =>
        (document.querySelector('#frame') as HTMLIFrameElement).contentDocument?.body?.innerText !== t &&
        (document.querySelector('#frame') as HTMLIFrameElement).contentDocument?.readyState === 'complete',
      before,
      { timeout: 30_000 }
    )
    const after = await page.evaluate(() => (document.querySelector('#frame') as HTMLIFrameElement).contentWindow!.location.href)
    assert.ok(after.startsWith(`${base}/replay/w/${c.collection}/`), `the followed link stays in the archive: ${after}`)
    const next = (await frameText(page)).trim()
    assert.ok(next.length > 0 && next !== before.trim(), 'another archived page is shown')
    await page.waitForFunction(u => document.querySelector('#page-url')?.textContent !== u, url)
    assert.match(page.url(), /\/view\?index=sample&ts=\d{14}&url=/, 'the address bar names the page now shown')
    await page.screenshot({ path: path.join(OUT, 'replay-local-followed.png') })
    await page.context().close()
    assert.deepEqual(outside, [], 'no request leaves the server')
  })

  it('opens a capture in a large crawl file by reading only its records: the page, its stylesheet and image', async t => {
    const dir = path.join(tmp, 'large')
    await mkdir(dir, { recursive: true })
    const crawl = path.join(dir, 'large.warc')
    const w = WarcWriter.toFile(crawl, { gzip: false })
    const blob = new Uint8Array(256 * 1024).map((_b, i) => (i * 31 + 7) & 0xff)
    const filler = (from: number, to: number): void => {
      for (let i = from; i < to; i++)
        w.response({
          url: `http://large.example/blob/${i}.bin`,
          date: '2021-05-01T10:00:00Z',
          status: 200,
          headers: [['Content-Type', 'application/octet-stream']],
          body: blob
        })
    }
    // A 1x1 PNG.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')
    filler(0, 80)
    w.response({
      url: 'http://large.example/',
      date: '2021-05-01T10:00:01Z',
      status: 200,
      headers: [['Content-Type', 'text/html; charset=utf-8']],
      body: '<!doctype html><html><head><title>Large crawl</title><link rel="stylesheet" href="/style.css"></head><body><h1>The reading room of a large crawl</h1><p>Archivists open this page among a great many records.</p><img id="logo" src="/logo.png" alt="logo"></body></html>'
    })
    w.response({
      url: 'http://large.example/style.css',
      date: '2021-05-01T10:00:02Z',
      status: 200,
      headers: [['Content-Type', 'text/css']],
      body: 'h1 { color: rgb(10, 120, 30); }'
    })
    w.response({ url: 'http://large.example/logo.png', date: '2021-05-01T10:00:03Z', status: 200, headers: [['Content-Type', 'image/png']], body: png })
    filler(80, 160)
    w.close()
    const size = (await stat(crawl)).size
    await indexWithBlocks(path.join(dir, 'idx'), [crawl], 'Large')
    const base = await serve('large', path.join(dir, 'idx'))

    // Listing the file's records (once, kept by its CID) reads their heads; opening a capture then reads by range.
    const listed = await collection(base)
    assert.equal(listed.records, 163)
    const lengthOf = async (u: string): Promise<number> => {
      const found = await lookup(base, listed, u)
      assert.equal(found.length, 1, `${u} is listed once`)
      return found[0].source.length
    }
    const needed =
      (await lengthOf('http://large.example/')) + (await lengthOf('http://large.example/style.css')) + (await lengthOf('http://large.example/logo.png'))
    const asked = listed.read.lookups
    const page = await newPage(base)
    await openViewer(page, base, `/view?index=large&ts=20210501100001&url=${encodeURIComponent('http://large.example/')}`)
    const frame = page.frameLocator('#frame')
    await frame.locator('#logo').evaluate(async img => {
      const i = img as HTMLImageElement
      if (!i.complete)
        await new Promise(resolve => {
          i.onload = resolve
          i.onerror = resolve
        })
    })
    assert.equal(await frame.locator('#logo').evaluate(img => (img as HTMLImageElement).naturalWidth), 1, 'the archived image is shown')
    assert.equal(await frame.locator('h1').evaluate(h => getComputedStyle(h).color), 'rgb(10, 120, 30)', 'the archived stylesheet applies')
    await page.screenshot({ path: path.join(OUT, 'replay-large.png') })
    const read = (await collection(base)).read
    // Exactly the three records, each once: not the ${size}-byte file.
    assert.ok(
      read.rangeBytes >= (await lengthOf('http://large.example/')) && read.rangeBytes <= needed,
      `read ${read.rangeBytes} bytes by range; the page and its resources are ${needed}`
    )
    assert.ok(read.rangeBytes * 1000 < size, `read ${read.rangeBytes} of ${size} bytes`)
    // The browser asked the captures of the URLs the page needed, not the index's whole CDX.
    const pageLookups = read.lookups - asked - 3
    assert.ok(pageLookups >= 3 && pageLookups < 20, `${pageLookups} lookups for a page of three records`)
    t.diagnostic(
      `opening the capture read ${read.rangeBytes} bytes in ${read.rangeRequests} range requests, of a ${size}-byte crawl file, after ${pageLookups} URL lookups`
    )
    // The record list is kept in the data folder: another server process lists the collection without the file.
    const kept = (await readdir(path.join(dir, 'idx', 'replay'))).filter(n => n.endsWith('.ndjson'))
    assert.equal(kept.length, 1)
    // (Marked, to see that a new server uses it rather than reading the file again.)
    const keptFile = path.join(dir, 'idx', 'replay', kept[0])
    await writeFile(keptFile, (await readFile(keptFile, 'utf8')).replaceAll('/blob/0.bin"', '/blob/kept.bin"'))
    // (The CDX table made from it is kept too: removed, so that the new server makes it again from the lists.)
    await rm(path.join(dir, 'idx', 'replay', 'cdx'), { recursive: true, force: true })
    const second = await serve('large', path.join(dir, 'idx'))
    const again = await collection(second)
    assert.equal((await lookup(second, again, 'http://large.example/blob/kept.bin')).length, 1, 'the list kept on disk is used')
    assert.equal((await lookup(second, again, 'http://large.example/blob/0.bin')).length, 0)
    await page.context().close()
  })

  it("replays captures inside WACZ packages, read by range from the packages' blocks", async () => {
    const dir = path.join(tmp, 'wacz')
    const packages = (await readdir(WACZ_DIR, { recursive: true, withFileTypes: true }))
      .filter(e => e.isFile() && e.name.endsWith('.wacz'))
      .map(e => path.join(e.parentPath, e.name))
    await indexWithBlocks(dir, packages, 'W')
    const base = await serve('wacz', dir)
    const c = await collection(base)
    assert.deepEqual(c.unreadable, [])
    for (const [q, name] of [
      ['webrecorder', 'replay-wacz-webrecorder.png'],
      ['example', 'replay-wacz-example.png']
    ]) {
      const r = (await (await fetch(`${base}/api/v1/search?q=${q}&size=1`)).json()) as {
        hits: Array<{ id: string; url: string; captures: Array<{ file: string; replay: string }> }>
      }
      const hit = r.hits[0]
      assert.ok(hit !== undefined, `${q} is found`)
      const capture = hit.captures[hit.captures.length - 1]
      assert.match(capture.file, /\.wacz#/, 'the capture lies inside a WACZ package')
      const page = await newPage(base)
      await openViewer(page, base, capture.replay)
      const doc = (await (await fetch(`${base}/api/v1/documents/${hit.id}`)).json()) as { excerpt: string }
      const text = await frameText(page)
      assert.ok(overlap(doc.excerpt, text) > 0.8, `${hit.url}: the replayed page shows the record's text (overlap ${overlap(doc.excerpt, text)})`)
      assert.equal(await page.locator('#page-url').innerText(), hit.url)
      assert.equal(await page.locator('#institution').innerText(), 'W')
      await page.screenshot({ path: path.join(OUT, name) })
      await page.context().close()
    }
    assert.ok((await collection(base)).read.rangeBytes > 0)
    assert.deepEqual(outside, [], 'no request leaves the server')
  })

  it("replays a partner's capture from its crawl file's blocks, fetched from the partner and verified", async () => {
    const cli = new Cli()
    try {
      const A = path.join(tmp, 'partner-A')
      const D = path.join(tmp, 'reader-D')
      await cli.run(['ingest', SAMPLE, '--index', A, '--institution', 'Meridian', '--workers', '1', '--json'])
      // A publishes its index and its crawl file (as UnixFS), and serves its blocks over the IPFS gateway.
      const pub = await cli.json<{ publicKey: string }>(['publish', '--index', A, '--institution', 'Meridian', '--crawls', SAMPLE])
      const [, urlA] = await cli.daemon(
        ['serve', '--index', A, '--port', '0', '--workers', '1', '--rate-limit', '0'],
        /Canopy API at (http:\/\/127\.0\.0\.1:\d+)\//
      )
      await cli.run(['partners', 'add', 'A', '--key', pub.publicKey, '--gateway', urlA, '--index', D])
      await cli.run(['fetch', '--index', D])

      const registry = await IndexRegistry.open(await IndexRegistry.specsOf(D))
      const app = await buildServer({ registry, rateLimit: 0 })
      const base = await app.listen({ host: '127.0.0.1', port: 0 })
      servers.push({
        base,
        close: async () => {
          await app.close()
          await registry.close()
        }
      })
      const served = registry.get('A')
      assert.equal(served.kind, 'partner')
      const file = (await crawlFilesOf(served.reader))[0]
      const own = registry.dir('A').blocks.store
      assert.equal(await own.has(file.cid), false, "D does not hold A's crawl file before replaying it")

      const r = (await (await fetch(`${base}/api/v1/search?index=A&q=${encodeURIComponent('music library')}&size=1`)).json()) as {
        hits: Array<{ id: string; url: string; captures: Array<{ replay: string }> }>
      }
      const hit = r.hits[0]
      const link = hit.captures[hit.captures.length - 1].replay
      assert.match(link, /^\/view\?index=A&/)
      const page = await newPage(base)
      await openViewer(page, base, link)
      const doc = (await (await fetch(`${base}/api/v1/documents/${hit.id}?index=A`)).json()) as { excerpt: string }
      const text = await frameText(page)
      assert.ok(overlap(doc.excerpt, text) > 0.9, `the partner's page shows the record's text (overlap ${overlap(doc.excerpt, text)})`)
      assert.equal(await page.locator('#institution').innerText(), 'Meridian')
      await page.screenshot({ path: path.join(OUT, 'replay-partner.png') })
      await page.context().close()
      // The blocks came from A through D's verifying store, and D keeps them.
      assert.equal(await own.has(file.cid), true, "the crawl file's blocks were fetched from the partner")
      assert.deepEqual(((await (await fetch(`${base}/api/v1/replay/collection?index=A&wait=true`)).json()) as Collection).unreadable, [])
      assert.deepEqual(cli.violations(), [], 'no process reached beyond loopback')
    } finally {
      await cli.stopDaemons()
    }
  })

  it("replays the demo's sample crawl offline after canopy start (npm start)", async () => {
    const cli = new Cli()
    try {
      const [, base] = await cli.daemon(['start', '--index', path.join(tmp, 'demo'), '--port', '0'], /serving the sample at (http:\/\/127\.0\.0\.1:\d+)\//)
      // The server lists the crawl's records as soon as it listens, before anyone opens a capture.
      const kept = async (): Promise<string[]> =>
        (await readdir(path.join(tmp, 'demo', 'replay')).catch(() => [] as string[])).filter(n => n.endsWith('.ndjson'))
      for (let i = 0; i < 300 && (await kept()).length === 0; i++) await new Promise(resolve => setTimeout(resolve, 100))
      assert.equal((await kept()).length, 1, "the sample crawl's records are listed ahead of the first replay")
      const page = await newPage(base)
      await page.goto(`${base}/?q=library`)
      await page.waitForSelector('.hit h2 a')
      await page.locator('.hit h2 a').first().click()
      await page.waitForURL(/\/view\?/)
      await openViewer(page, base, page.url())
      assert.equal(await page.locator('#institution').innerText(), 'sample')
      assert.ok((await frameText(page)).length > 200, 'the archived page is shown')
      assert.equal((await collection(base)).unreadable.length, 0, "the sample crawl's blocks are in the demo's store")
      await page.screenshot({ path: path.join(OUT, 'replay-demo.png') })
      await page.context().close()
      assert.deepEqual(cli.violations(), [], 'the demo reaches nothing beyond loopback')
    } finally {
      await cli.stopDaemons()
    }
  })

  it('reads an unpublished crawl from the crawl folder once its CID is the indexed one, and says what to do when it is not there', async () => {
    const dir = path.join(tmp, 'unpublished')
    await ingest({ inputs: [SAMPLE], index: dir, workers: 2, institution: 'M' })
    // Without the crawl file anywhere: the viewer says why nothing replays, and how to fix it.
    const bare = await serve('bare', dir)
    const page = await newPage(bare)
    await page.goto(`${bare}/view?index=bare&url=${encodeURIComponent('https://www.meridian-library.org/')}`)
    await page.waitForSelector('#status.error')
    assert.match(await page.locator('#status').innerText(), /publish --crawls.*--crawl-root/)
    await page.context().close()
    // The same when the page first hears that the table is still being made, and learns that nothing replays
    // before its frame has loaded: the frame's load does not put the earlier notice back.
    const late = await newPage(bare)
    await late.route(/\/api\/v1\/replay\/collection\?(?!.*wait)/, async route => {
      const res = await route.fetch()
      // What the server answers while its table is made: nothing listed yet, nothing unreadable yet.
      const made = await res.json()
      await route.fulfill({ response: res, json: { ...made, building: true, records: null, files: null, unreadable: [], unreadableFiles: 0 } })
    })
    await late.goto(`${bare}/view?index=bare&url=${encodeURIComponent('https://www.meridian-library.org/')}`)
    await late.waitForFunction(
      () =>
        (document.querySelector('#frame') as HTMLIFrameElement | null)?.contentDocument?.readyState === 'complete' &&
        (document.querySelector('#frame') as HTMLIFrameElement).src !== ''
    )
    await late.waitForSelector('#status.error')
    assert.match(await late.locator('#status').innerText(), /publish --crawls.*--crawl-root/)
    await late.context().close()

    // A crawl folder holding a different file of the same name, and the indexed one.
    const crawls = path.join(tmp, 'crawls')
    await mkdir(path.join(crawls, 'a'), { recursive: true })
    await mkdir(path.join(crawls, 'b'), { recursive: true })
    await writeFile(path.join(crawls, 'a', 'sample.warc.gz'), 'not the crawl that was indexed')
    await copyFile(SAMPLE, path.join(crawls, 'b', 'sample.warc.gz'))
    const s = await serveIndex('disk', dir, { rateLimit: 0, admin: { crawlRoot: crawls } })
    servers.push(s)
    const c = (await (await fetch(`${s.base}/api/v1/replay/collection?wait=true`)).json()) as Collection
    assert.deepEqual(c.unreadable, [])
    assert.equal(c.records, 183)
    const png = (await lookup(s.base, c, 'https://www.hollowbrook.ac.uk/assets/logo.png')).find(e => e.mime === 'image/png')!
    const [offset, length, filename] = [png.source.start, png.source.length, png.source.path]
    const res = await fetch(s.base + filename, { headers: { range: `bytes=${offset}-${offset + length - 1}` } })
    assert.equal(res.status, 206)
    assert.equal(res.headers.get('content-range'), `bytes ${offset}-${offset + length - 1}/${(await stat(SAMPLE)).size}`)
    assert.deepEqual(
      Buffer.from(await res.arrayBuffer()),
      (await readFile(SAMPLE)).subarray(offset, offset + length),
      "the record's bytes, from the indexed file"
    )
    assert.equal((await fetch(s.base + filename, { headers: { range: 'bytes=99999999-' } })).status, 416)
  })
})
