// The web page in a real headless Chromium (Debian's, driven by playwright-core): search, facet, next page,
// a capture link, a phone-sized screen, and no request leaving the server. Saves a screenshot for review in
// test/output/.
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { ingest } from '../ingest/index.ts'
import { WarcWriter } from '../tools/warc-writer.ts'
import { serveIndex } from './serve-index.ts'
import type { Served } from './serve-index.ts'
import { launchChromium, NO_CHROMIUM } from './fixtures/browser.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))
const OUT = fileURLToPath(new URL('./output/', import.meta.url))

let tmp: string
let served: Served | undefined
let base: string
let browser: Browser
const outside: string[] = []

async function newPage(viewport = { width: 1280, height: 900 }, server = (): string => base): Promise<Page> {
  const page = await browser.newPage({ viewport })
  // Every request must go to the server under test.
  page.on('request', r => {
    if (!r.url().startsWith(server())) outside.push(r.url())
  })
  return page
}

describe('web page', { timeout: 180_000, skip: NO_CHROMIUM }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-web-'))
    await ingest({ inputs: [SAMPLE], index: tmp, workers: 2, institution: 'Meridian' })
    served = await serveIndex('sample', tmp, { replay: { bases: { Meridian: 'http://127.0.0.1:9/replay' } } })
    base = served.base
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await served?.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it('searches, filters by a facet, pages, links captures to replay, and saves a screenshot', async () => {
    const page = await newPage()
    await page.goto(base + '/')
    await page.fill('#q', 'library')
    await page.keyboard.press('Enter')
    await page.waitForSelector('.hit')
    const first = await page.locator('.hit').count()
    assert.equal(first, 10)
    assert.match(await page.locator('.summary').innerText(), /pages/)
    assert.ok((await page.locator('.hit mark').count()) > 0, 'matches are highlighted')
    await mkdir(OUT, { recursive: true })
    await page.screenshot({ path: path.join(OUT, 'results.png'), fullPage: true })

    // A capture link follows the wayback convention.
    const href = await page.locator('.hit .capture-link').first().getAttribute('href')
    assert.match(href!, /^http:\/\/127\.0\.0\.1:9\/replay\/\d{14}\/https?:\/\//)

    // Next page shows other pages.
    const titles1 = await page.locator('.hit h2').allInnerTexts()
    await page.click('#next')
    await page.waitForFunction(t => document.querySelector('.hit h2')?.textContent !== t, titles1[0])
    const titles2 = await page.locator('.hit h2').allInnerTexts()
    assert.ok(
      titles2.every(t => !titles1.includes(t)),
      'page 2 has no result of page 1'
    )
    await page.click('#prev')
    await page.waitForFunction(t => document.querySelector('.hit h2')?.textContent === t, titles1[0])

    // Clicking a site facet filters every result to that site.
    const facet = page.locator('.facet-value[data-facet="site"]').first()
    const site = (await facet.locator('span').first().innerText()).trim()
    const count = Number(await facet.locator('.count').innerText())
    await facet.click()
    await page.waitForSelector('.chip')
    await page.waitForFunction(n => document.querySelectorAll('.hit').length === Math.min(10, n), count)
    for (const u of await page.locator('.hit .url').allInnerTexts()) assert.ok(new URL(u).hostname.endsWith(site), `${u} is on ${site}`)
    // The exact count arrives with the facets (the results alone may count only what their page needs).
    await page.waitForFunction(n => document.querySelector('.summary')?.textContent?.startsWith(`${n} pages`), count)
    await page.close()
  })

  it('shows a clear message for a malformed query', async () => {
    const page = await newPage()
    await page.goto(base + '/?q=' + encodeURIComponent('"unclosed'))
    await page.waitForSelector('.error')
    assert.match(await page.locator('.error').innerText(), /never closed|quote/i)
    await page.close()
  })

  it('works on a phone-sized screen, with the keyboard alone', async () => {
    const page = await newPage({ width: 390, height: 844 })
    await page.goto(base + '/')
    await page.keyboard.type('museum')
    await page.keyboard.press('Enter')
    await page.waitForSelector('.hit')
    await mkdir(OUT, { recursive: true })
    await page.screenshot({ path: path.join(OUT, 'results-phone.png') })
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `no horizontal scrolling (${width}px)`)
    await page.close()
  })

  it('treats every value from a crawl as text and links only http(s) URLs', async () => {
    // A crawl written to harm its readers: a title-less page whose URL carries markup, a javascript: URL, and
    // a title that tries to close its tag.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'canopy-web-hostile-'))
    const hostile = await (async () => {
      const crawl = path.join(dir, 'hostile.warc')
      const w = WarcWriter.toFile(crawl, { gzip: false })
      const html = [['Content-Type', 'text/html']] as [string, string][]
      w.response({
        url: 'http://evil.example/a"><img src=x onerror="window.pwned=1">',
        date: '2020-01-01T00:00:00Z',
        status: 200,
        headers: html,
        body: '<p>hostile one</p>'
      })
      w.response({
        url: 'javascript:window.pwned=2',
        date: '2020-01-01T00:00:00Z',
        status: 200,
        headers: html,
        body: '<title>click me</title><p>hostile two</p>'
      })
      w.response({
        url: 'http://evil.example/b',
        date: '2020-01-01T00:00:00Z',
        status: 200,
        headers: html,
        body: '<title></a><style>body{display:none}</style></title><p>hostile three</p>'
      })
      w.close()
      await ingest({ inputs: [crawl], index: path.join(dir, 'idx'), workers: 1 })
      return await serveIndex('hostile', path.join(dir, 'idx'))
    })()
    const page = await newPage(undefined, () => hostile.base)
    try {
      await page.goto(`${hostile.base}/?q=hostile`)
      await page.waitForSelector('.hit')
      // The javascript: page is not indexed at all (bad-url); if it were, it would be shown, never linked.
      assert.equal(await page.locator('.hit').count(), 2)
      assert.equal(await page.locator('.hit img, .hit style, .hit script').count(), 0, 'no element comes from a crawl')
      assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined)
      const hrefs = await page.locator('.hit a').evaluateAll(as => as.map(a => a.getAttribute('href') ?? ''))
      // Captures open in this server (its replay viewer, or the record route), never the live URL nor javascript:.
      assert.ok(
        hrefs.length >= 2 && hrefs.every(h => /^(\/view\?|\/api\/v1\/documents\/[0-9a-f]{20}\/captures\/\d+\/record$)/.test(h)),
        `only this server's capture links: ${hrefs.join(' ')}`
      )
      assert.match(
        await page
          .locator('.hit h2')
          .allInnerTexts()
          .then(t => t.join('\n')),
        /onerror/,
        'the URL is shown as text'
      )
    } finally {
      await page.close()
      await hostile.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('made no request outside the server', () => {
    assert.deepEqual(outside, [])
  })
})
