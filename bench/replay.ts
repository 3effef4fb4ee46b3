// Opening a capture in a large crawl file, in Debian's Chromium: the viewer, Canopy's service worker (wabac.js),
// its URL lookups and its range reads, against a served index of the generated crawl (one gzipped WARC of about
// 1 GB at 200,000 pages; --quick: 20,000). Measured in one run:
//   - the CDX table's one-time build (every record of the crawl file listed, as pywb indexes a WARC it is given),
//     and opening the kept table in a new server;
//   - opening captures: in a new browser context each (the service worker installed, wabac started, the
//     collection added: what a reader's first click costs) and in one context (a reader's next clicks), each
//     timed from navigation to the archived page loaded in the viewer's frame;
//   - what each open read: crawl-file bytes by range, range requests and URL lookups.
import { existsSync } from 'node:fs'
import { rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { CrawlFolders } from '../federation/records/index.ts'
import { launchChromium, NO_CHROMIUM, openViewer } from '../test/fixtures/browser.ts'
import { serveIndex } from '../test/serve-index.ts'
import { makeCrawl } from '../tools/make-crawl.ts'
import { runMeasured } from './child-usage.ts'
import type { Section } from './report.ts'

const CANOPY = fileURLToPath(new URL('../bin/canopy.mjs', import.meta.url))
const WORK = '/tmp/canopy-bench'
const QUERIES = ['gene expression', 'protein', 'cancer therapy', 'cell', 'mutation', 'patients', 'vaccine', 'brain', 'virus', 'insulin']

const log = (m: string): void => {
  console.error(`[replay] ${m}`)
}

interface Counters {
  rangeBytes: number
  rangeRequests: number
  lookups: number
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}

/** Opens the viewer at `link` and waits until the archived page has loaded in its frame; ms. */
async function open(page: Page, base: string, link: string): Promise<number> {
  const t0 = performance.now()
  const error = await openViewer(page, base, link, 120_000)
  const ms = performance.now() - t0
  if (error !== null) throw new Error(`the viewer failed on ${link}: ${error}`)
  return ms
}

export async function run({ quick }: { quick: boolean }): Promise<Section[]> {
  if (NO_CHROMIUM !== false)
    return [{ title: 'Replay: opening a capture in a large crawl file', command: 'npm run bench -- replay', notes: [`skipped: ${NO_CHROMIUM}`], rows: [] }]
  const pages = quick ? 20_000 : 200_000
  const crawl = path.join(WORK, `crawl-${pages}-seed1.warc.gz`)
  const index = path.join(WORK, `replay-i${pages}`)
  if (!existsSync(crawl)) {
    log(`generating a ${pages}-page crawl`)
    await makeCrawl({ pages, out: crawl, seed: 1 })
  }
  if (!existsSync(path.join(index, 'HEAD'))) {
    log(`ingesting ${pages} pages (2 workers)`)
    await rm(index, { recursive: true, force: true })
    await runMeasured(process.execPath, [CANOPY, 'ingest', crawl, '--index', index, '--workers', '2', '--json'])
  }
  const fileBytes = (await stat(crawl)).size
  // The table and record lists Canopy keeps in the index folder, removed: the first build lists the file.
  await rm(path.join(index, 'replay'), { recursive: true, force: true })

  const serve = async (): Promise<{ base: string; close: () => Promise<void> }> =>
    await serveIndex('bench', index, { crawls: await CrawlFolders.open([crawl]), rateLimit: 0 })
  const collection = async (base: string): Promise<{ records: number; read: Counters }> =>
    (await (await fetch(`${base}/api/v1/replay/collection?index=bench&wait=true`)).json()) as { records: number; read: Counters }

  const first = await serve()
  // Captures to open: the first hits of a few searches (each a different page), as a reader would click them.
  const links: string[] = []
  for (const q of QUERIES) {
    const r = (await (await fetch(`${first.base}/api/v1/search?index=bench&q=${encodeURIComponent(q)}&size=5&facets=false`)).json()) as {
      hits: Array<{ captures: Array<{ replay: string }> }>
    }
    for (const h of r.hits) {
      const link = h.captures[h.captures.length - 1]?.replay
      if (link !== undefined && !links.includes(link)) links.push(link)
    }
  }
  const n = quick ? 8 : 20
  const chosen = links.slice(0, n)

  // Opened while the table is made (the server's first use of this index root): answered from the index's own
  // captures, in one tab, the table's listing running beside them.
  log('opening captures while the CDX table is made (listing every record of the crawl file)')
  let browser: Browser | null = await launchChromium()
  const building: number[] = []
  let t0 = performance.now()
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    for (const link of chosen.slice(-4)) building.push(await open(page, first.base, link))
    await context.close()
  } finally {
    await browser.close()
    browser = null
  }
  const { records } = await collection(first.base)
  const buildS = (performance.now() - t0) / 1000
  await first.close()
  const server = await serve()
  t0 = performance.now()
  await collection(server.base)
  const keptMs = performance.now() - t0
  log(`opening ${chosen.length} captures`)
  const fresh: number[] = []
  const warm: number[] = []
  const bytes: number[] = []
  const requests: number[] = []
  const lookups: number[] = []
  const slowest: Array<{ ms: number; link: string }> = []
  const fromResults: number[] = []
  try {
    browser = await launchChromium()
    for (const link of chosen) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
      const before = (await collection(server.base)).read
      fresh.push(await open(await context.newPage(), server.base, link))
      const after = (await collection(server.base)).read
      bytes.push(after.rangeBytes - before.rangeBytes)
      requests.push(after.rangeRequests - before.rangeRequests)
      lookups.push(after.lookups - before.lookups)
      await context.close()
    }
    // A reader's first click from the results: a new browser, the search page loaded (it installs the replay
    // worker while the results are read), then the first result opened.
    for (const q of QUERIES.slice(0, quick ? 3 : 8)) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
      const page = await context.newPage()
      await page.goto(`${server.base}/?index=bench&q=${encodeURIComponent(q)}`)
      await page.waitForSelector('.hit h2 a')
      // Ready once the page has added the index's collection to the worker (it notes the name it added).
      await page.waitForFunction(() => localStorage.getItem('canopy.collection.bench') !== null, undefined, { timeout: 60_000 })
      const link = await page.locator('.hit h2 a').first().getAttribute('href')
      if (link?.startsWith('/view?') === true) fromResults.push(await open(page, server.base, link))
      await context.close()
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await open(page, server.base, chosen[0])
    for (const link of chosen.slice(1)) {
      warm.push(await open(page, server.base, link))
      slowest.push({ ms: warm[warm.length - 1], link })
    }
    await context.close()
  } finally {
    await browser?.close()
    await server.close()
  }
  const ms = (x: number): number => Math.round(x)
  return [
    {
      title: 'Replay: opening a capture in a large crawl file',
      command: `npm run bench -- replay${quick ? ' --quick' : ''}`,
      notes: [
        `One gzipped WARC of ${(fileBytes / 1e9).toFixed(2)} GB (${pages.toLocaleString('en-US')} generated pages, ${records.toLocaleString('en-US')} records), served by one Canopy process on loopback; Debian's Chromium through playwright-core. The CDX table is built once per index root (each crawl file's record list is kept by its CID and reused by later roots); every open after it reads only the records the page needs.`,
        `Slowest opens in one tab: ${slowest
          .sort((a, b) => b.ms - a.ms)
          .slice(0, 3)
          .map(x => `${Math.round(x.ms)} ms ${decodeURIComponent(x.link.replace(/^.*url=/, ''))}`)
          .join('; ')}.`,
        '"new browser": a new browser context per open, the viewer opened directly (service worker installed, wabac started, collection added); "from the search page": a new browser context loads the results (the page installs the replay worker and adds the collection meanwhile; the click is timed once it has) and opens the first result; "same browser": the next opens in one tab. Times run from navigation to the archived page loaded in the viewer frame.'
      ],
      rows: [
        { measure: 'crawl file', value: `${(fileBytes / 1e9).toFixed(2)} GB` },
        { measure: 'CDX table built (first use of the index root: every record listed)', value: `${buildS.toFixed(1)} s` },
        {
          measure: `open a capture while the table is made, one tab: p50 / max (${building.length}; the first in a new browser)`,
          value: `${ms(quantile(building, 0.5))} / ${ms(Math.max(...building))} ms`
        },
        { measure: 'CDX table opened (kept, a new server)', value: `${ms(keptMs)} ms` },
        {
          measure: `open a capture, new browser: p50 / p90 / max (${fresh.length} captures)`,
          value: `${ms(quantile(fresh, 0.5))} / ${ms(quantile(fresh, 0.9))} / ${ms(Math.max(...fresh))} ms`
        },
        {
          measure: `first result opened from the search page, new browser: p50 / max (${fromResults.length} searches)`,
          value: `${ms(quantile(fromResults, 0.5))} / ${ms(Math.max(...fromResults))} ms`
        },
        {
          measure: `open a capture, same browser: p50 / p90 / max (${warm.length})`,
          value: `${ms(quantile(warm, 0.5))} / ${ms(quantile(warm, 0.9))} / ${ms(Math.max(...warm))} ms`
        },
        {
          measure: 'crawl-file bytes read per open: median / max',
          value: `${quantile(bytes, 0.5).toLocaleString('en-US')} / ${Math.max(...bytes).toLocaleString('en-US')}`
        },
        { measure: 'range requests per open: median / max', value: `${quantile(requests, 0.5)} / ${Math.max(...requests)}` },
        { measure: 'URL lookups per open: median / max', value: `${quantile(lookups, 0.5)} / ${Math.max(...lookups)}` }
      ]
    }
  ]
}
