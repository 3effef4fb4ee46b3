// Generates Canopy's built-in sample crawl, ingest/sample/sample.warc.gz, from the text in sites.ts (nothing outside
// the repository is read). Fully deterministic: a seeded PRNG and fixed dates, so running it twice gives the same
// bytes; test/crawl-gen.test.ts checks that the committed file is exactly what this script writes.
//
//   node tools/sample/make-sample.ts [--out path]     (default: ingest/sample/sample.warc.gz)

import { fileURLToPath } from 'node:url'
import { WarcWriter, httpDate, type Headers, type WrittenRecord } from '../warc-writer.ts'
import { Rng, dateAt, escapeMarkup, makePng, slugify, utc } from './gen-util.ts'
import { LABELS, SITES, type Lang, type SiteDef } from './sites.ts'

export const SAMPLE_PATH = fileURLToPath(new URL('../../ingest/sample/sample.warc.gz', import.meta.url))
const SEED = 'canopy-sample-v1'
const DAY = 86_400_000
const USER_AGENT = 'Mozilla/5.0 (compatible; CanopySampleBot/1.0)'

interface Page {
  site: SiteDef
  siteIndex: number
  url: string
  path: string
  title: string
  subject: string
  section: string
  published: number
  captured: number
  home: boolean
  /** Sentences of the page, in paragraphs (placeholders filled). */
  paragraphs: string[][]
  html: string
}

type Capture =
  | { kind: 'page'; date: number; page: Page }
  | { kind: 'duplicate'; date: number; page: Page }
  | { kind: 'revisit'; date: number; page: Page }
  | { kind: 'asset'; date: number; site: SiteDef; url: string; contentType: string; body: Uint8Array | string }
  | { kind: 'status'; date: number; site: SiteDef; url: string; status: 404 | 301; location?: string; html: string }

export interface SampleCounts {
  warcinfo: number
  response: number
  request: number
  revisit: number
  /** HTML 200 responses (including the duplicate captures). */
  htmlPages: number
  /** Response records captured a second time with identical content. */
  duplicates: number
  notFound: number
  redirects: number
  /** Non-HTML 200 responses (css, js, png, robots.txt). */
  nonHtml: number
  hosts: number
  byLang: Record<Lang, number>
}

export interface SampleResult {
  out: string
  records: number
  bytes: number
  counts: SampleCounts
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

function fill(t: string, ctx: { s: string; person: string; place: string; year: number; n: number }): string {
  return t
    .replaceAll('{S}', cap(ctx.s))
    .replaceAll('{s}', ctx.s)
    .replaceAll('{person}', ctx.person)
    .replaceAll('{place}', ctx.place)
    .replaceAll('{year}', String(ctx.year))
    .replaceAll('{n}', String(ctx.n))
}

function formatDate(ms: number, lang: Lang): string {
  const d = new Date(ms)
  const y = d.getUTCFullYear()
  const m = d.getUTCMonth()
  const day = d.getUTCDate()
  const months = LABELS[lang].months
  if (lang === 'ja') return `${y}年${m + 1}月${day}日`
  if (lang === 'de') return `${day}. ${months[m]} ${y}`
  return `${day} ${months[m]} ${y}`
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

function origin(site: SiteDef): string {
  return `${site.scheme}://${site.host}`
}

/** URL path of an article, in the style of each kind of site. */
function articlePath(_site: SiteDef, siteIndex: number, section: string, title: string, published: number, seq: number): string {
  const d = new Date(published)
  const y = d.getUTCFullYear()
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0')
  const dd = String(d.getUTCDate()).padStart(2, '0')
  const slug = slugify(title, 9)
  switch (siteIndex) {
    case 0:
      return `/${section}/${slug}/`
    case 1:
      return `/${section}/${y}/${slug}.html`
    case 2:
      return `/${section}/${y}/${mm}/${dd}/${slug}`
    case 3:
      return `/${section}/${slug}`
    case 4:
      return `/${section}/${slug}.aspx`
    case 5:
      return `/${y}/${mm}/${slug}/`
    case 8:
      return `/${section}/${y}/${mm}${dd}-${String(seq).padStart(2, '0')}.html`
    default:
      return `/${section}/${slug}.html`
  }
}

function styleBlock(site: SiteDef): string {
  const [fg, bg] = site.colors
  return `:root{--brand:${fg};--paper:${bg}}${site.lang === 'ja' ? 'body{font-family:"Noto Sans JP",sans-serif}' : ''}`
}

function scriptBlock(_site: SiteDef, siteIndex: number): string {
  if (siteIndex % 3 === 0) return `var _paq = window._paq = window._paq || []; _paq.push(['trackPageView'], ['setSiteId', '${siteIndex + 1}']);`
  if (siteIndex % 3 === 1) return `document.documentElement.className = 'js';`
  return `window.dataLayer = window.dataLayer || []; dataLayer.push({ section: document.body && document.body.className });`
}

function renderPage(p: Page, related: Page[], external: { url: string; title: string }[], siteIndex: number, latest: Page[]): string {
  const site = p.site
  const L = LABELS[site.lang]
  const fullTitle = p.home ? site.name : `${p.title} | ${site.name}`
  const description = (p.paragraphs[0]?.[0] ?? site.tagline).slice(0, 200)
  const head = [
    '<!DOCTYPE html>',
    `<html lang="${site.lang}" class="no-js">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeMarkup(fullTitle)}</title>`,
    `<meta name="description" content="${escapeMarkup(description)}">`,
    `<link rel="canonical" href="${escapeMarkup(p.url)}">`,
    '<link rel="stylesheet" href="/assets/site.css">',
    `<style>${styleBlock(site)}</style>`,
    `<script>${scriptBlock(site, siteIndex)}</script>`,
    '</head>'
  ].filter(Boolean)
  const nav = site.sections.map(s => `<li><a href="/${s.path}/">${escapeMarkup(s.label)}</a></li>`).join('')
  const header = [
    `<body class="${p.home ? 'home' : 'page-' + p.section}">`,
    `<a class="skip" href="#main">${escapeMarkup(L.skip)}</a>`,
    '<header class="site-header">',
    `<a href="/" class="logo">${site.logo ? `<img src="/assets/logo.png" alt="" width="32" height="32"> ` : ''}${escapeMarkup(site.name)}</a>`,
    `<p class="tagline">${escapeMarkup(site.tagline)}</p>`,
    `<form action="/search" method="get" role="search"><input type="search" name="q" aria-label="${escapeMarkup(L.search)}" placeholder="${escapeMarkup(L.search)}"></form>`,
    '</header>',
    `<nav><ul>${nav}</ul></nav>`
  ]
  const body: string[] = ['<main id="main">', '<article>', `<h1>${escapeMarkup(p.home ? site.name : p.title)}</h1>`]
  if (!p.home) {
    const label = site.sections.find(s => s.path === p.section)?.label ?? ''
    body.push(
      `<p class="meta">${escapeMarkup(L.published)} <time datetime="${isoDay(p.published)}">${formatDate(p.published, site.lang)}</time> · <a href="/${p.section}/">${escapeMarkup(label)}</a></p>`
    )
  }
  for (const para of p.paragraphs) body.push(`<p>${escapeMarkup(para.join(site.lang === 'ja' ? '' : ' '))}</p>`)
  if (p.home && latest.length > 0) {
    body.push(`<h2>${escapeMarkup(L.latest)}</h2>`, '<ul class="latest">')
    for (const q of latest) body.push(`<li><a href="${escapeMarkup(q.path)}">${escapeMarkup(q.title)}</a></li>`)
    body.push('</ul>')
  }
  body.push('</article>')
  if (related.length > 0 || external.length > 0) {
    body.push('<aside>', `<h2>${escapeMarkup(L.related)}</h2>`, '<ul>')
    for (const q of related) body.push(`<li><a href="${escapeMarkup(q.path)}">${escapeMarkup(q.title)}</a></li>`)
    for (const e of external) body.push(`<li><a href="${escapeMarkup(e.url)}" rel="external">${escapeMarkup(e.title)}</a></li>`)
    body.push('</ul>', '</aside>')
  }
  body.push('</main>')
  const footer = [
    '<footer class="site-footer">',
    `<p>© <span id="year">${new Date(p.captured).getUTCFullYear()}</span> ${escapeMarkup(site.name)} · ${escapeMarkup(site.address)}</p>`,
    `<ul><li><a href="/privacy">${escapeMarkup(L.privacy)}</a></li><li><a href="/contact">${escapeMarkup(L.contact)}</a></li><li><a href="/accessibility">${escapeMarkup(L.accessibility)}</a></li></ul>`,
    '</footer>',
    site.js ? '<script src="/assets/site.js" defer></script>' : '',
    '</body>',
    '</html>',
    ''
  ].filter((x, i, a) => x !== '' || i === a.length - 1)
  return [...head, ...header, ...body, ...footer].join('\n')
}

function statusPage(site: SiteDef, status: 404 | 301, location?: string): string {
  const L = LABELS[site.lang]
  const title = status === 404 ? L.notFoundTitle : L.movedTitle
  const text = status === 404 ? L.notFoundText : L.movedText
  const link = status === 301 && location ? ` <a href="${escapeMarkup(location)}">${escapeMarkup(location)}</a>` : ` <a href="/">${escapeMarkup(site.name)}</a>`
  return `<!DOCTYPE html>\n<html lang="${site.lang}">\n<head>\n<meta charset="utf-8">\n<title>${status} ${escapeMarkup(title)}</title>\n</head>\n<body>\n<h1>${escapeMarkup(title)}</h1>\n<p>${escapeMarkup(text)}${link}</p>\n</body>\n</html>\n`
}

function siteCss(site: SiteDef): string {
  return `/* ${site.name} — main stylesheet */\nhtml { box-sizing: border-box; }\n*, *::before, *::after { box-sizing: inherit; }\nbody { background: var(--paper); color: #1b1b1b; font-size: 1.05rem; }\na { color: var(--brand); text-decoration-thickness: 1px; }\nbody { margin: 0; font-family: Georgia, "Times New Roman", serif; }\n.site-header, .site-footer { background: var(--brand); color: #fff; padding: 1rem 2rem; }\n.site-header a, .site-footer a { color: #fff; }\nnav ul { list-style: none; margin: 0; padding: 0 2rem; display: flex; gap: 1.5rem; border-bottom: 1px solid #ccc; }\nmain { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.6; }\n.meta { color: #666; font-size: .9rem; }\n.skip { position: absolute; left: -999px; }\nh1, h2 { font-family: "Helvetica Neue", Arial, sans-serif; color: var(--brand); }\n.site-header { display: flex; align-items: center; justify-content: space-between; }\n.latest li { margin-bottom: .4rem; }\n@media (max-width: 600px) { nav ul { flex-direction: column; } }\n`
}

function siteJs(site: SiteDef): string {
  return `// ${site.name}: small enhancements\n(function () {\n  'use strict';\n  var links = document.querySelectorAll('a[rel="external"]');\n  for (var i = 0; i < links.length; i++) {\n    links[i].setAttribute('target', '_blank');\n    links[i].setAttribute('rel', 'external noopener');\n  }\n  var form = document.querySelector('form[role="search"]');\n  if (form) {\n    form.addEventListener('submit', function (e) {\n      var q = form.querySelector('input[name="q"]');\n      if (q && !q.value.trim()) { e.preventDefault(); }\n    });\n  }\n})();\n`
}

const ROBOTS = 'User-agent: *\nDisallow: /search\nDisallow: /admin/\nCrawl-delay: 5\n\nSitemap: http://www.lakemont-county.gov/sitemap.xml\n'

/** Builds every page of every site (text and HTML) and the list of captures, sorted by date. */
function plan(): { captures: Capture[]; pages: Page[] } {
  const rng = new Rng(SEED)
  const pages: Page[] = []
  const bySite: Page[][] = []

  SITES.forEach((site, si) => {
    const start = utc(site.years[0], 1, 1)
    const end = utc(site.years[1], 12, 31, 23, 59, 59)
    const combos: [number, number][] = []
    for (let s = 0; s < site.subjects.length; s++) for (let t = 0; t < site.titles.length; t++) combos.push([s, t])
    const chosen = rng.sample(combos, site.pages - 1)
    const list: Page[] = []
    const used = new Set<string>()
    for (let i = 0; i < site.pages; i++) {
      const home = i === 0
      const captured = dateAt(start + Math.floor(rng.next() * (end - start))).getTime()
      const published = home ? captured : Math.max(start - 365 * DAY, captured - rng.int(1, 400) * DAY - rng.int(0, 86_399) * 1000)
      const yearMax = new Date(captured).getUTCFullYear()
      const [si2, ti] = home ? [0, 0] : chosen[i - 1]
      const subject = site.subjects[si2]
      const ctx = () => ({
        s: subject,
        person: rng.pick(site.people),
        place: rng.pick(site.places),
        year: rng.int(Math.max(1995, yearMax - 12), yearMax),
        n: rng.pick([12, 40, 75, 120, 250, 480, 900, 1200, 3500, 15000, 42000])
      })
      const title = home ? site.name : fill(site.titles[ti], { ...ctx(), year: new Date(published).getUTCFullYear() })
      const section = home ? '' : site.sections[rng.int(0, site.sections.length - 1)].path
      let path = home ? '/' : articlePath(site, si, section, title, published, i)
      while (used.has(path)) path = path.replace(/(\/?)(\.html|\.aspx)?$/, `-${i}$1$2`)
      used.add(path)
      // Text: 2-4 paragraphs (1-2 on the home page) of 3-5 sentences, no sentence used twice on a page.
      const nPara = home ? rng.int(1, 2) : rng.int(2, 3)
      const order = rng.sample(site.sentences, site.sentences.length)
      const paragraphs: string[][] = []
      let k = 0
      if (home) paragraphs.push([site.tagline + (site.lang === 'ja' ? '。' : '.')])
      for (let pi = 0; pi < nPara && k < order.length; pi++) {
        const n = rng.int(3, 4)
        const para: string[] = []
        for (let j = 0; j < n && k < order.length; j++) para.push(fill(order[k++], ctx()))
        paragraphs.push(para)
      }
      list.push({ site, siteIndex: si, url: origin(site) + path, path, title, subject, section, published, captured, home, paragraphs, html: '' })
    }
    bySite.push(list)
    pages.push(...list)
  })

  // Links: related pages on the same site; the blog and the library also link to other sites of the sample.
  bySite.forEach((list, si) => {
    const articles = list.filter(p => !p.home)
    for (const p of list) {
      const related = rng.sample(
        articles.filter(q => q !== p),
        rng.int(2, 4)
      )
      const external: { url: string; title: string }[] = []
      if ((si === 5 || si === 0) && rng.chance(0.5)) {
        const other = rng.pick(bySite.filter((_, j) => j !== si))
        const q = rng.pick(other)
        external.push({ url: q.url, title: q.title })
      }
      const latest = p.home
        ? articles
            .slice()
            .sort((a, b) => b.published - a.published)
            .slice(0, 8)
        : []
      p.html = renderPage(p, related, external, si, latest)
    }
  })

  const captures: Capture[] = pages.map(page => ({ kind: 'page', date: page.captured, page }))

  // The same page captured again later with identical content (full responses, not revisits), and revisits.
  const laterCapture = (kind: 'duplicate' | 'revisit', p: Page): void => {
    const end = utc(p.site.years[1], 12, 31, 23, 59, 59)
    const room = Math.floor((end - p.captured) / DAY) - 1
    captures.push({ kind, page: p, date: p.captured + rng.int(30, Math.min(700, room)) * DAY + rng.int(0, 86_399) * 1000 })
  }
  const roomy = (si: number): Page[] => bySite[si].filter(p => !p.home && utc(p.site.years[1], 12, 31) - p.captured > 120 * DAY)
  laterCapture('duplicate', rng.pick(roomy(0)))
  laterCapture('duplicate', rng.pick(roomy(8)))
  for (const si of [1, 3, 5, 7]) laterCapture('revisit', rng.pick(roomy(si)))

  // Non-HTML resources, captured a few seconds after the site's first page.
  const first = (si: number): number => Math.min(...bySite[si].map(p => p.captured)) + 2000
  const asset = (si: number, path: string, contentType: string, body: Uint8Array | string, dt = 0): void => {
    captures.push({ kind: 'asset', date: first(si) + dt, site: SITES[si], url: origin(SITES[si]) + path, contentType, body })
  }
  asset(0, '/assets/site.css', 'text/css', siteCss(SITES[0]))
  asset(3, '/assets/site.css', 'text/css', siteCss(SITES[3]))
  asset(2, '/assets/site.js', 'application/javascript', siteJs(SITES[2]))
  asset(
    1,
    '/assets/logo.png',
    'image/png',
    makePng(4, 4, (x, y) => [0x5b + x * 20, 0x2a + y * 20, 0x86])
  )
  asset(
    3,
    '/assets/logo.png',
    'image/png',
    makePng(6, 6, (x, y) => [0x2a, 0x9d - y * 10, 0x8f + x * 10]),
    1000
  )
  asset(4, '/robots.txt', 'text/plain', ROBOTS, -1000)

  // Error and redirect responses.
  const status = (si: number, url: string, code: 404 | 301, location?: string): void => {
    const site = SITES[si]
    const p = rng.pick(bySite[si])
    captures.push({ kind: 'status', date: p.captured + 5000, site, url, status: code, location, html: statusPage(site, code, location) })
  }
  status(0, 'https://www.meridian-library.org/collections/old-catalogue/search.asp?id=1874', 404)
  status(2, 'http://www.elmshire-courier.co.uk/news/2011/03/14/flood-story-removed', 404)
  status(3, 'http://collections.eastgate-museum.org/', 301, 'https://collections.eastgate-museum.org/')
  status(4, 'http://www.lakemont-county.gov/records', 301, 'http://www.lakemont-county.gov/records/')

  captures.sort((a, b) => a.date - b.date) // stable: ties keep insertion order
  return { captures, pages }
}

function responseHeaders(site: SiteDef, date: number, contentType: string, lastModified?: number): Headers {
  const h: Headers = [
    ['Date', httpDate(new Date(date))],
    ['Server', site.server]
  ]
  if (site.server.startsWith('Microsoft-IIS')) h.push(['X-Powered-By', 'ASP.NET'])
  if (lastModified !== undefined) h.push(['Last-Modified', httpDate(new Date(lastModified))])
  h.push(['Content-Type', contentType])
  if (site.scheme === 'https') h.push(['Strict-Transport-Security', 'max-age=31536000'])
  h.push(['Connection', 'close'])
  return h
}

function requestHeaders(site: SiteDef, accept: string): Headers {
  return [
    ['User-Agent', USER_AGENT],
    ['Accept', accept],
    ['Connection', 'close'],
    ['Host', site.host]
  ]
}

const ACCEPT_HTML = 'text/html,*/*;q=0.8'

/** Writes the sample crawl to `out` and returns what it wrote. */
export function makeSample(out: string = SAMPLE_PATH): SampleResult {
  const { captures } = plan()
  const w = WarcWriter.toFile(out, { seed: SEED, level: 9 })
  const counts: SampleCounts = {
    warcinfo: 0,
    response: 0,
    request: 0,
    revisit: 0,
    htmlPages: 0,
    duplicates: 0,
    notFound: 0,
    redirects: 0,
    nonHtml: 0,
    hosts: SITES.length,
    byLang: { en: 0, fr: 0, de: 0, ja: 0 }
  }
  const firstCapture = new Map<Page, WrittenRecord>()
  try {
    w.warcinfo({
      date: '2025-01-01T00:00:00Z',
      filename: 'sample.warc.gz',
      fields: [
        // The path it had when written: kept so the committed sample's bytes (and its index root) stay the same.
        ['software', 'Canopy sample generator (ingest/sample/make-sample.ts)'],
        ['format', 'WARC File Format 1.1'],
        ['conformsTo', 'https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/'],
        ['isPartOf', 'canopy-sample'],
        ['description', 'Fictional websites written for Canopy demos and tests; every domain, person and text is invented.'],
        ['robots', 'classic'],
        ['http-header-user-agent', USER_AGENT]
      ]
    })
    counts.warcinfo++

    const pair = (res: WrittenRecord, site: SiteDef, url: string, date: number, accept: string): void => {
      w.request({ url, date: new Date(date), headers: requestHeaders(site, accept), concurrentTo: res.id })
      counts.request++
    }

    for (const c of captures) {
      const date = new Date(c.date)
      if (c.kind === 'page' || c.kind === 'duplicate') {
        const p = c.page
        const res = w.response({
          url: p.url,
          date,
          ip: p.site.ip,
          status: 200,
          headers: responseHeaders(p.site, c.date, 'text/html; charset=utf-8', p.published),
          body: p.html
        })
        if (c.kind === 'page') firstCapture.set(p, res)
        else counts.duplicates++
        counts.response++
        counts.htmlPages++
        counts.byLang[p.site.lang]++
        pair(res, p.site, p.url, c.date, ACCEPT_HTML)
      } else if (c.kind === 'revisit') {
        const p = c.page
        const orig = firstCapture.get(p)
        if (!orig?.payloadDigest) throw new Error(`revisit before its original: ${p.url}`)
        const res = w.revisit({
          url: p.url,
          date,
          ip: p.site.ip,
          status: 200,
          headers: [...responseHeaders(p.site, c.date, 'text/html; charset=utf-8', p.published), ['Content-Length', String(Buffer.byteLength(p.html))]],
          refersToUrl: orig.url ?? p.url,
          refersToDate: orig.date,
          refersTo: orig.id,
          payloadDigest: orig.payloadDigest
        })
        counts.revisit++
        pair(res, p.site, p.url, c.date, ACCEPT_HTML)
      } else if (c.kind === 'asset') {
        const res = w.response({
          url: c.url,
          date,
          ip: c.site.ip,
          status: 200,
          headers: responseHeaders(c.site, c.date, c.contentType, c.date - 400 * DAY),
          body: c.body
        })
        counts.response++
        counts.nonHtml++
        pair(res, c.site, c.url, c.date, c.contentType === 'image/png' ? 'image/avif,image/webp,image/png,*/*;q=0.8' : '*/*')
      } else {
        const headers = responseHeaders(c.site, c.date, 'text/html; charset=utf-8')
        if (c.location) headers.splice(2, 0, ['Location', c.location])
        const res = w.response({ url: c.url, date, ip: c.site.ip, status: c.status, headers, body: c.html })
        counts.response++
        if (c.status === 404) counts.notFound++
        else counts.redirects++
        pair(res, c.site, c.url, c.date, ACCEPT_HTML)
      }
    }
  } catch (e) {
    w.abort()
    throw e
  }
  const { records, bytes } = w.close()
  return { out, records, bytes, counts }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--out')
  const out = i > 0 && process.argv[i + 1] ? process.argv[i + 1] : SAMPLE_PATH
  const t0 = performance.now()
  const r = makeSample(out)
  const c = r.counts
  console.log(
    `${r.out}: ${r.records} records, ${r.bytes} bytes in ${(performance.now() - t0).toFixed(0)} ms — ` +
      `${c.htmlPages} HTML pages (${c.duplicates} duplicate captures; en ${c.byLang.en}, fr ${c.byLang.fr}, de ${c.byLang.de}, ja ${c.byLang.ja}) ` +
      `on ${c.hosts} hosts, ${c.nonHtml} non-HTML, ${c.notFound} 404, ${c.redirects} 301, ${c.revisit} revisits, ${c.request} requests`
  )
}
