// The search page as an archivist uses it, in a real headless Chromium (Debian's, through playwright-core)
// against a real server over the sample crawl and a second index: the date histogram filters, did-you-mean,
// numbered pages that survive a reload, choosing an index, the phone layout, the keyboard, and the CSV export.
// Screenshots go to test/output/ for review.
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { ingest } from '../ingest/index.ts'
import { WarcWriter } from '../tools/warc-writer.ts'
import { IndexRegistry, buildServer } from '../search-api/index.ts'
import { launchChromium, NO_CHROMIUM } from './fixtures/browser.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))
const OUT = fileURLToPath(new URL('./output/', import.meta.url))

let tmp: string
let base: string
let browser: Browser
let close: () => Promise<void>
const outside: string[] = []

async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport })
  page.on('request', r => {
    if (!r.url().startsWith(base)) outside.push(r.url())
  })
  return page
}

async function api(p: string): Promise<any> {
  return await (await fetch(base + p)).json()
}

const titles = async (page: Page): Promise<string[]> => await page.locator('.hit h2').allInnerTexts()

/** Waits until the results and the facet counts of the current URL are shown. */
async function settled(page: Page): Promise<void> {
  await page.waitForSelector('.hit, .empty, .error')
  await page.waitForFunction(
    () => document.querySelector('.hit, .empty') === null || document.querySelector('#histogram .bar') !== null || document.querySelector('.empty') !== null
  )
}

describe('search page', { timeout: 240_000, skip: NO_CHROMIUM }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-page-'))
    await ingest({ inputs: [SAMPLE], index: path.join(tmp, 'meridian'), workers: 2, institution: 'Meridian' })
    // A second institution's small index, with a word the sample does not have.
    const crawl = path.join(tmp, 'other.warc')
    const w = WarcWriter.toFile(crawl, { gzip: false })
    const html = [['Content-Type', 'text/html']] as [string, string][]
    w.response({
      url: 'http://other.example/zanzibar',
      date: '2021-05-01T00:00:00Z',
      status: 200,
      headers: html,
      body: '<title>Zanzibar gazette</title><p>The zanzibar gazette archive.</p>'
    })
    w.close()
    await ingest({ inputs: [crawl], index: path.join(tmp, 'other'), workers: 1, institution: 'Other' })
    const registry = await IndexRegistry.open([
      { name: 'meridian', kind: 'local', path: path.join(tmp, 'meridian') },
      { name: 'other', kind: 'local', path: path.join(tmp, 'other') }
    ])
    const app = await buildServer({ registry })
    base = await app.listen({ host: '127.0.0.1', port: 0 })
    close = async () => {
      await app.close()
      await registry.close()
    }
    await mkdir(OUT, { recursive: true })
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await close?.()
    await rm(tmp, { recursive: true, force: true })
  })

  it('shows capture dates as a histogram; clicking a year or dragging over years filters the results to them', async () => {
    const page = await newPage()
    await page.goto(base + '/?q=library')
    await settled(page)
    assert.equal(await page.title(), 'library — Canopy — search the web archive', 'the tab shows the query')
    const bars = page.locator('#histogram .bar')
    const years = await bars.evaluateAll(bs =>
      bs.map(b => ({ year: Number((b as HTMLElement).dataset.year), count: Number((b as HTMLElement).dataset.count) }))
    )
    const facet = (await api('/api/v1/search?q=library&size=1')).facets.year as Array<{ value: string; count: number }>
    // Every year from the first to the last capture, gaps included (the old facet list stopped at 12).
    assert.equal(years.length, Number(facet.at(-1)!.value) - Number(facet[0].value) + 1)
    assert.ok(years.length > 12)
    for (const f of facet) assert.equal(years.find(y => y.year === Number(f.value))?.count, f.count)
    await page.screenshot({ path: path.join(OUT, 'page-histogram.png') })

    // Drag from the first year with captures to the fourth: the results are those years' only.
    const withCaptures = years.filter(y => y.count > 0)
    const [a, b] = [withCaptures[0], withCaptures[3]]
    await page.locator(`#histogram .bar[data-year="${a.year}"]`).hover()
    await page.mouse.down()
    await page.locator(`#histogram .bar[data-year="${b.year}"]`).hover()
    await page.mouse.up()
    await page.waitForURL(u => u.searchParams.get('from') === String(a.year) && u.searchParams.get('to') === String(b.year))
    await settled(page)
    const inRange = await api(`/api/v1/search?q=library&size=100&from=${a.year}&to=${b.year}`)
    await page.waitForFunction(n => document.querySelector('.summary')?.textContent?.includes(`(${n} version`), inRange.total)
    assert.ok(inRange.total < (await api('/api/v1/search?q=library&size=1')).total, 'fewer than all')
    for (const h of await page.locator('.hit').all()) {
      const dates = (await h.locator('.captures li').allTextContents()).map(t => Number(t.slice(0, 4)))
      assert.ok(
        dates.some(y => y >= a.year && y <= b.year),
        `a capture within ${a.year}-${b.year}: ${dates.join(' ')}`
      )
    }
    // The zoomed histogram shows only the range; a click on one year narrows to it.
    const zoomed = await page.locator('#histogram .bar').evaluateAll(bs => bs.map(b => Number((b as HTMLElement).dataset.year)))
    assert.ok(
      zoomed.every(y => y >= a.year && y <= b.year),
      zoomed.join(' ')
    )
    await page.locator(`#histogram .bar[data-year="${b.year}"]`).click()
    await page.waitForURL(u => u.searchParams.get('from') === String(b.year) && u.searchParams.get('to') === String(b.year))
    await page.waitForFunction(n => document.querySelector('.summary')?.textContent?.includes(`(${n} version`), b.count)
    // Within one year the histogram shows its months; a month with captures narrows to it.
    await page.waitForFunction(y => document.querySelectorAll(`#histogram .bar[data-key^="${y}-"]`).length === 12, b.year)
    const months = await page
      .locator('#histogram .bar')
      .evaluateAll(bs => bs.map(x => ({ key: (x as HTMLElement).dataset.key!, count: Number((x as HTMLElement).dataset.count) })))
    assert.ok(months.reduce((n, m) => n + m.count, 0) >= b.count, 'every version of the year is in a month')
    const month = months.find(m => m.count > 0)!
    await page.screenshot({ path: path.join(OUT, 'page-histogram-months.png') })
    await page.locator(`#histogram .bar[data-key="${month.key}"]`).click()
    await page.waitForURL(u => u.searchParams.get('from') === month.key && u.searchParams.get('to') === month.key)
    await page.waitForFunction(n => document.querySelector('.summary')?.textContent?.includes(`(${n} version`), month.count)
    for (const h of await page.locator('.hit').all()) {
      assert.ok(
        (await h.locator('.captures li').allTextContents()).some(t => t.startsWith(month.key)),
        `a capture in ${month.key}`
      )
    }
    // A keyboard user picks a year with Enter; "All dates" zooms back out.
    await page.click('#all-dates')
    await page.waitForURL(u => !u.searchParams.has('from') && !u.searchParams.has('to'))
    await page.waitForFunction(n => document.querySelectorAll('#histogram .bar').length === n, years.length)
    await page.locator(`#histogram .bar[data-year="${a.year}"]`).focus()
    await page.keyboard.press('Enter')
    await page.waitForURL(u => u.searchParams.get('from') === String(a.year) && u.searchParams.get('to') === String(a.year))
    await page.close()
  })

  it('suggests a correction for a misspelt word, and says what to try', async () => {
    const page = await newPage()
    await page.goto(base + '/?q=libary')
    await page.waitForSelector('.empty')
    assert.match(await page.locator('.summary').innerText(), /^0 pages \(0 versions\)/)
    assert.equal(await page.locator('#suggestion').innerText(), 'library')
    assert.match(await page.locator('.empty').innerText(), /spelling[\s\S]*OR/)
    await page.screenshot({ path: path.join(OUT, 'page-did-you-mean.png') })
    await page.click('#suggestion')
    await page.waitForSelector('.hit')
    assert.equal(new URL(page.url()).searchParams.get('q'), 'library')
    assert.equal(await page.locator('#suggestion').count(), 0)
    await page.close()
  })

  it('numbers the pages, keeps the page in the URL across a reload, and goes back', async () => {
    const page = await newPage()
    await page.goto(base + '/?q=library')
    await page.waitForSelector('.pages a[aria-label="Page 3"]')
    const first = await titles(page)
    await page.click('.pages a[aria-label="Page 2"]')
    await page.waitForURL(u => u.searchParams.get('page') === '2')
    await page.waitForFunction(t => document.querySelector('.hit h2')?.textContent !== t, first[0])
    const second = await titles(page)
    assert.ok(
      second.every(t => !first.includes(t)),
      'page 2 has no result of page 1'
    )
    await page.reload()
    await page.waitForSelector('.hit')
    assert.deepEqual(await titles(page), second, 'the same page after a reload')
    assert.equal(await page.locator('.pages [aria-current="page"]').innerText(), '2')
    // Page 3 opened directly, in a fresh tab with no remembered cursor, is the page reached by Next.
    await page.click('#next')
    await page.waitForURL(u => u.searchParams.get('page') === '3')
    await page.waitForFunction(t => document.querySelector('.hit h2')?.textContent !== t, second[0])
    const third = await titles(page)
    const fresh = await newPage()
    await fresh.goto(base + '/?q=library&page=3')
    await fresh.waitForSelector('.hit')
    assert.deepEqual(await titles(fresh), third)
    await fresh.close()
    // The way back: Previous, and the browser's Back.
    await page.click('#prev')
    await page.waitForURL(u => u.searchParams.get('page') === '2')
    await page.waitForFunction(t => document.querySelector('.hit h2')?.textContent === t, second[0])
    await page.goBack()
    await page.waitForURL(u => u.searchParams.get('page') === '3')
    await page.waitForFunction(t => document.querySelector('.hit h2')?.textContent === t, third[0])
    await page.close()
  })

  it('lets the user choose an index, and honours ?index=', async () => {
    const page = await newPage()
    await page.goto(base + '/?q=zanzibar&index=other')
    await page.waitForSelector('.hit')
    assert.equal(await page.locator('#index').inputValue(), 'other')
    assert.deepEqual(await page.locator('#index option').allInnerTexts(), ['meridian (own index)', 'other (own index)'])
    assert.equal(await page.locator('.hit').count(), 1)
    await page.selectOption('#index', 'meridian')
    await page.waitForURL(u => u.searchParams.get('index') === 'meridian')
    await page.waitForSelector('.empty')
    assert.match(await page.locator('.empty').innerText(), /another index/)
    await page.close()
  })

  it('puts sort, dates and filters within reach on a 375 px phone', async () => {
    const page = await newPage({ width: 375, height: 812 })
    await page.goto(base + '/?q=library')
    await settled(page)
    const box = async (sel: string): Promise<{ y: number; height: number }> => {
      const b = await page.locator(sel).first().boundingBox()
      assert.ok(b !== null, `${sel} is shown`)
      return b
    }
    // Closed, the filters take no room: the toggle and the sort sit above the first result.
    const toggle = await box('#filters-toggle')
    const sort = await box('#sort')
    const hit = await box('.hit')
    assert.ok(toggle.y + toggle.height <= hit.y && sort.y + sort.height <= hit.y, `toggle at ${toggle.y}, sort at ${sort.y}, first result at ${hit.y}`)
    assert.ok(toggle.y < 812 / 3)
    assert.equal(await page.locator('#refine').isVisible(), false)
    await page.screenshot({ path: path.join(OUT, 'page-phone.png') })
    await page.click('#filters-toggle')
    assert.equal(await page.getAttribute('#filters-toggle', 'aria-expanded'), 'true')
    // Open, the histogram, the date fields and the first facet show on the first screen.
    for (const sel of ['#histogram .bar', '#from', '#to', '.facet-value']) {
      const b = await box(sel)
      assert.ok(b.y + b.height <= 812, `${sel} ends at ${b.y + b.height}, within the first screen`)
    }
    await page.screenshot({ path: path.join(OUT, 'page-phone-filters.png') })
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 375, 'no horizontal scrolling')
    await page.close()
  })

  for (const viewport of [
    { width: 1280, height: 900 },
    { width: 375, height: 812 }
  ]) {
    it(`takes a keyboard-only user to the first result in at most 5 Tabs (${viewport.width} px)`, async () => {
      const page = await newPage(viewport)
      await page.goto(base + '/?q=library')
      await settled(page)
      let tabs = 0
      const onFirst = async (): Promise<boolean> =>
        await page.evaluate(() => document.activeElement?.closest('.hit') === document.querySelector('.hit') && document.activeElement?.tagName === 'A')
      while (tabs < 5 && !(await onFirst())) {
        await page.keyboard.press('Tab')
        tabs++
        // The first stop is the skip link; it is followed.
        if (await page.evaluate(() => document.activeElement?.classList.contains('skip-link'))) {
          await page.screenshot({ path: path.join(OUT, `page-skip-link-${viewport.width}.png`) })
          await page.keyboard.press('Enter')
        }
      }
      assert.ok(await onFirst(), `the first result's link has focus after ${tabs} Tabs`)
      await page.close()
    })
  }

  it('exports the result list as CSV with every capture, and as JSON', async () => {
    const page = await newPage()
    await page.goto(base + '/?q=museum')
    await settled(page)
    const all = await api('/api/v1/search?q=museum&size=100&exactTotal=true&facets=false')
    const captures = all.hits.reduce((n: number, h: { captureCount: number }) => n + h.captureCount, 0)
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')])
    assert.equal(download.suggestedFilename(), 'canopy-museum.csv')
    const csv = (await readFile(await download.path())).toString('utf8').replace(/^\ufeff/, '')
    const rows = csv.trimEnd().split('\r\n')
    assert.equal(rows.length - 1, captures, 'one row per capture, every capture')
    const listed = new Set(all.hits.flatMap((h: { captures: Array<{ timestamp: string; url: string }> }) => h.captures.map(c => `${c.timestamp} ${c.url}`)))
    const exported = new Set(
      rows.slice(1).map(r => {
        const f = r.split(',')
        return `${f.at(-9)} ${f.at(-8)}`
      })
    )
    assert.deepEqual(exported, listed)
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')])
    const body = JSON.parse((await readFile(await json.path())).toString('utf8'))
    assert.deepEqual([body.pageCount, body.captureCount, body.truncated], [all.totalUrls, captures, false])
    await page.close()
  })

  it('serves a favicon and made no request outside the server', async () => {
    const r = await fetch(base + '/favicon.ico')
    assert.equal(r.status, 200)
    assert.equal(r.headers.get('content-type'), 'image/x-icon')
    assert.deepEqual(outside, [])
  })
})
