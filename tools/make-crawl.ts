// A large, realistic, reproducible crawl for scale benchmarks, built from the SciFact abstracts in ../shared.
//
//   node tools/make-crawl.ts --pages 20000 --out /tmp/large.warc.gz [--seed 1]
//
// `pages` HTML page captures (each 2-8 abstracts with titles, 300-1500 words, inside site boilerplate), about 5% of
// them duplicate captures of an earlier page (identical payload), plus ~3% revisit records, ~10% non-HTML responses
// (css, js, png), some 404 and 301 responses, and a request record for every response and revisit. A few hundred
// hosts, dates 2005-2024 in capture order. Same seed and page count, same bytes. Memory stays flat: records are
// streamed to the file, and only a bounded window of recent captures is kept (for duplicates and revisits).

import { fileURLToPath } from 'node:url'
import { basename } from 'node:path'
import { WarcWriter, httpDate, type Headers, type WrittenRecord } from './warc-writer.ts'
import { Rng, dateAt, escapeMarkup, makePng, slugify, utc } from './sample/gen-util.ts'
import { loadAbstracts, makeHosts, type Abstract, type Host } from './crawl-text.ts'

export interface MakeCrawlOptions {
  pages: number
  out: string
  seed?: string | number
  /** Path of corpus.jsonl; default ../shared/data/ir/scifact/corpus.jsonl beside the repository. */
  corpus?: string
}

export interface CrawlCounts {
  warcinfo: number
  response: number
  request: number
  revisit: number
  /** HTML 200 responses: new pages plus duplicate captures (= pages). */
  htmlPages: number
  /** HTML 200 responses that repeat an earlier capture's payload exactly. */
  duplicates: number
  /** Non-HTML 200 responses (css, js, png). */
  nonHtml: number
  notFound: number
  redirects: number
  hosts: number
  /** Words of SciFact text (titles + abstracts) in the new pages. */
  words: number
}

export interface MakeCrawlResult {
  /** WARC records written (warcinfo, responses, requests, revisits). */
  records: number
  /** HTML 200 response records (new pages and duplicate captures). */
  htmlPages: number
  /** Size of the output file. */
  bytes: number
  counts: CrawlCounts
  ms: number
}

const START = utc(2005, 1, 1)
const END = utc(2024, 12, 31, 23, 59, 59)
const DAY = 86_400_000
const RING = 4096
/** Words of SciFact text (titles + abstracts) per page. */
export const MIN_WORDS = 300
export const MAX_WORDS = 1500
const USER_AGENT = 'Mozilla/5.0 (compatible; CanopyBenchBot/1.0; +https://example.org/canopy-bench-bot)'
const ACCEPT_HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

interface PageMeta {
  index: number
  host: Host
  abstracts: Abstract[]
  title: string
  url: string
  path: string
  section: string
  published: number
  /** Capture time of the page's first (new) capture. */
  captured: number
}

interface Remembered {
  index: number
  url: string
  date: string
  id: string
  digest: string
  length: number
  host: Host
}

function pickWeighted(cum: Float64Array, x: number): number {
  let lo = 0
  let hi = cum.length - 1
  const target = x * cum[cum.length - 1]
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (cum[mid] > target) hi = mid
    else lo = mid + 1
  }
  return lo
}

function ymd(ms: number): [string, string, string] {
  const s = new Date(ms).toISOString()
  return [s.slice(0, 4), s.slice(5, 7), s.slice(8, 10)]
}

function articlePath(host: Host, section: string, slug: string, published: number, index: number): string {
  const [y, m, d] = ymd(published)
  switch (host.pathStyle) {
    case 0:
      return `/${section}/${y}/${m}/${slug}/`
    case 1:
      return `/${section}/${slug}-${index}.html`
    case 2:
      return `/${y}/${m}/${d}/${slug}`
    case 3:
      return `/${section}/article/${index}/${slug}`
    case 4:
      return `/index.php?option=com_content&view=article&id=${index}&catid=${section.length}`
    default:
      return `/${section}/${slug}.aspx`
  }
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

function longDate(ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`
}

function css(host: Host): string {
  return (
    `/* ${host.name} */\n:root{--brand:${host.brand}}\nbody{margin:0;font:16px/1.6 "Source Sans Pro",Helvetica,Arial,sans-serif;color:#222}\n` +
    `header.site{background:var(--brand);color:#fff;padding:12px 24px}header.site a{color:#fff;text-decoration:none}\n` +
    `nav.primary ul{display:flex;gap:20px;list-style:none;margin:0;padding:8px 24px;border-bottom:1px solid #ddd}\n` +
    `main{max-width:760px;margin:24px auto;padding:0 16px}article h2{margin-top:2em}.byline{color:#777;font-size:14px}\n` +
    `aside.related{border-top:1px solid #eee;margin-top:32px}footer.site{background:#f4f4f4;padding:24px;font-size:14px}\n` +
    `@media (max-width:640px){nav.primary ul{flex-wrap:wrap}}\n`
  )
}

function js(host: Host): string {
  return (
    `/* ${host.host} site script */\n(function(){\n  "use strict";\n  var nav=document.querySelector("nav.primary");\n` +
    `  if(nav){nav.addEventListener("click",function(e){var t=e.target;if(t&&t.tagName==="A"){t.setAttribute("aria-current","page");}});}\n` +
    `  var els=document.querySelectorAll("time[datetime]");\n  for(var i=0;i<els.length;i++){els[i].title=els[i].getAttribute("datetime");}\n` +
    `  window.siteConfig={host:${JSON.stringify(host.host)},sections:${JSON.stringify(host.sections)}};\n})();\n`
  )
}

/** Generates the crawl. Resolves when the file is complete (written as out.partial, renamed at the end). */
export async function makeCrawl(opts: MakeCrawlOptions): Promise<MakeCrawlResult> {
  const t0 = performance.now()
  const pages = Math.floor(opts.pages)
  if (!(pages >= 1)) throw new Error(`pages must be a positive integer, got ${opts.pages}`)
  const seed = String(opts.seed ?? 1)
  const abstracts = loadAbstracts(opts.corpus)
  const nHosts = Math.min(400, Math.max(8, Math.round(pages / 50)))
  const hosts = makeHosts(nHosts, seed)
  const cum = new Float64Array(hosts.length)
  hosts.reduce((s, h, i) => (cum[i] = s + h.weight), 0)
  const span = END - START

  /** Everything about page `index` that other pages need (its URL and title); a pure function of (seed, index). */
  const meta = (index: number): PageMeta => {
    const r = new Rng(`${seed}:meta:${index}`)
    const host = hosts[pickWeighted(cum, r.next())]
    // 2-8 distinct abstracts until a target of 300-1500 words; an abstract that would pass 1500 is skipped.
    const target = r.int(MIN_WORDS, MAX_WORDS)
    const chosen: Abstract[] = []
    let words = 0
    for (let tries = 0; tries < 200 && (chosen.length < 2 || (words < target && chosen.length < 8)); tries++) {
      const a = abstracts[r.int(0, abstracts.length - 1)]
      if (chosen.includes(a)) continue
      // Over the limit: try another (only the first two, which every page needs, may give up on the limit).
      if (words + a.words > MAX_WORDS && (chosen.length >= 2 || tries < 150)) continue
      chosen.push(a)
      words += a.words
    }
    const captured = Math.floor((START + ((index + r.next()) / pages) * span) / 1000) * 1000
    const published = Math.max(utc(2000), captured - r.int(0, 700) * DAY - r.int(0, 86_399) * 1000)
    const section = r.pick(host.sections)
    const path = articlePath(host, section, slugify(chosen[0].title, 8), published, index)
    return { index, host, abstracts: chosen, title: chosen[0].title, url: `${host.scheme}://${host.host}${path}`, path, section, published, captured }
  }

  /** The HTML of page `index`: depends only on (seed, index), so a duplicate capture regenerates the same bytes. */
  const html = (m: PageMeta): string => {
    const r = new Rng(`${seed}:body:${m.index}`)
    const h = m.host
    const first = m.abstracts[0]
    const description = first.sentences[0].slice(0, 200)
    const out: string[] = [
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      `<title>${escapeMarkup(m.title)} | ${escapeMarkup(h.name)}</title>`,
      `<meta name="description" content="${escapeMarkup(description)}">`,
      h.kind === 'journal'
        ? `<meta name="citation_title" content="${escapeMarkup(m.title)}">\n<meta name="citation_publication_date" content="${new Date(m.published).toISOString().slice(0, 10)}">`
        : '',
      '<link rel="stylesheet" href="/assets/site.css">',
      `<style>.hero{border-left:4px solid ${h.brand};padding-left:12px}</style>`,
      `<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());gtag('config','UA-${100000 + ((hosts.indexOf(h) * 7919) % 900000)}-1');</script>`,
      '</head>',
      `<body class="${h.kind} section-${m.section}">`,
      `<header class="site"><a href="/" class="brand">${escapeMarkup(h.name)}</a>`,
      '<form class="search" action="/search" method="get"><input type="search" name="q" placeholder="Search"><button>Search</button></form></header>',
      `<nav class="primary"><ul>${h.sections.map(s => `<li><a href="/${s}/">${escapeMarkup(s.replace(/-/g, ' '))}</a></li>`).join('')}</ul></nav>`,
      '<main id="content">',
      '<article>',
      `<h1 class="hero">${escapeMarkup(m.title)}</h1>`,
      `<p class="byline">Posted <time datetime="${new Date(m.published).toISOString().slice(0, 10)}">${longDate(m.published)}</time> in <a href="/${m.section}/">${escapeMarkup(m.section.replace(/-/g, ' '))}</a></p>`
    ]
    m.abstracts.forEach((a, i) => {
      if (i > 0) out.push(`<h2>${escapeMarkup(a.title)}</h2>`)
      let j = 0
      while (j < a.sentences.length) {
        const n = r.int(2, 5)
        out.push(`<p>${escapeMarkup(a.sentences.slice(j, j + n).join(' '))}</p>`)
        j += n
      }
    })
    out.push('</article>')
    const nRel = r.int(2, 5)
    if (pages > 1) {
      out.push('<aside class="related"><h2>Related</h2><ul>')
      for (let i = 0; i < nRel; i++) {
        let j = r.int(0, pages - 1)
        if (j === m.index) j = (j + 1) % pages
        const o = meta(j)
        const href = o.host === h ? o.path : o.url
        out.push(`<li><a href="${escapeMarkup(href)}">${escapeMarkup(o.title)}</a></li>`)
      }
      out.push('</ul></aside>')
    }
    out.push(
      '</main>',
      `<footer class="site"><p>© ${new Date(m.published).getUTCFullYear()} ${escapeMarkup(h.name)}. All rights reserved.</p>`,
      '<ul><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li><li><a href="/contact">Contact</a></li></ul></footer>',
      '<script src="/assets/site.js" async></script>',
      '</body>',
      '</html>',
      ''
    )
    return out.filter((x, i, a) => x !== '' || i === a.length - 1).join('\n')
  }

  const resHeaders = (h: Host, date: number, contentType: string, lastModified?: number): Headers => {
    const out: Headers = [
      ['Date', httpDate(new Date(date))],
      ['Server', h.server]
    ]
    if (h.server.startsWith('Microsoft-IIS')) out.push(['X-Powered-By', 'ASP.NET'])
    out.push(['Content-Type', contentType])
    if (lastModified !== undefined) out.push(['Last-Modified', httpDate(new Date(lastModified))])
    out.push(['Cache-Control', 'max-age=600'], ['Connection', 'close'])
    return out
  }
  const reqHeaders = (h: Host, accept: string): Headers => [
    ['User-Agent', USER_AGENT],
    ['Accept', accept],
    ['Accept-Encoding', 'identity'],
    ['Connection', 'close'],
    ['Host', h.host]
  ]

  const counts: CrawlCounts = {
    warcinfo: 0,
    response: 0,
    request: 0,
    revisit: 0,
    htmlPages: 0,
    duplicates: 0,
    nonHtml: 0,
    notFound: 0,
    redirects: 0,
    hosts: hosts.length,
    words: 0
  }
  const w = WarcWriter.toFile(opts.out, { seed: `make-crawl:${seed}:${pages}` })
  // A bounded window of recent new pages, for duplicates and revisits to refer back to (memory stays flat).
  const ring: Remembered[] = []
  let ringPos = 0
  const rng = new Rng(`${seed}:sequence:${pages}`)
  /** A capture time strictly after `orig` (an ISO WARC-Date): at least `base`, at most the end of 2024. */
  const after = (orig: string, base: number, maxDays: number): number | null => {
    const t = Math.min(END, Math.max(base, Date.parse(orig) + rng.int(1, maxDays) * DAY + rng.int(0, 86_399) * 1000))
    return t > Date.parse(orig) ? t : null
  }
  const request = (res: WrittenRecord, h: Host, url: string, date: Date, accept: string): void => {
    w.request({ url, date, headers: reqHeaders(h, accept), concurrentTo: res.id })
    counts.request++
  }

  try {
    w.warcinfo({
      date: '2025-01-01T00:00:00Z',
      filename: basename(opts.out),
      fields: [
        // The path it had when written: kept so the crawl's bytes stay what earlier runs measured.
        ['software', 'Canopy bench/make-crawl.ts'],
        ['format', 'WARC File Format 1.1'],
        ['conformsTo', 'https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/'],
        ['isPartOf', `canopy-bench-seed-${seed}`],
        ['description', `Synthetic crawl of ${pages} pages for benchmarks; page text from the BEIR SciFact corpus, hosts invented.`],
        ['robots', 'ignore'],
        ['http-header-user-agent', USER_AGENT]
      ]
    })
    counts.warcinfo++

    for (let k = 0; k < pages; k++) {
      const base = START + ((k + 0.5) / pages) * span
      // ~5% duplicate captures: an earlier page fetched again, byte-identical payload, new record.
      const dupOf = ring.length > 0 && rng.chance(0.05) ? ring[rng.int(0, ring.length - 1)] : null
      const dupAt = dupOf ? after(dupOf.date, base, 90) : null
      if (dupOf && dupAt !== null) {
        const o = dupOf
        const m = meta(o.index)
        const date = dateAt(dupAt)
        const res = w.response({
          url: m.url,
          date,
          ip: m.host.ip,
          status: 200,
          headers: resHeaders(m.host, date.getTime(), 'text/html; charset=utf-8', m.published),
          body: html(m)
        })
        if (res.payloadDigest !== o.digest) throw new Error(`duplicate of page ${o.index} is not identical`)
        counts.response++
        counts.htmlPages++
        counts.duplicates++
        request(res, m.host, m.url, date, ACCEPT_HTML)
      } else {
        const m = meta(k)
        const body = html(m)
        const date = dateAt(m.captured)
        const res = w.response({
          url: m.url,
          date,
          ip: m.host.ip,
          status: 200,
          headers: resHeaders(m.host, date.getTime(), 'text/html; charset=utf-8', m.published),
          body
        })
        counts.response++
        counts.htmlPages++
        for (const a of m.abstracts) counts.words += a.words
        request(res, m.host, m.url, date, ACCEPT_HTML)
        ring[ringPos++ % RING] = { index: k, url: m.url, date: res.date, id: res.id, digest: res.payloadDigest!, length: Buffer.byteLength(body), host: m.host }

        // ~10% of responses non-HTML: the site's stylesheet or script (same bytes each time), or a small image.
        if (rng.chance(0.11)) {
          const d = dateAt(m.captured + rng.int(1, 20) * 1000)
          const kind = rng.int(0, 2)
          const h = m.host
          const origin = `${h.scheme}://${h.host}`
          let url: string
          let ct: string
          let payload: Uint8Array | string
          if (kind === 0) {
            url = `${origin}/assets/site.css`
            ct = 'text/css'
            payload = css(h)
          } else if (kind === 1) {
            url = `${origin}/assets/site.js`
            ct = 'application/javascript'
            payload = js(h)
          } else {
            const pw = rng.int(2, 16)
            const ph = rng.int(2, 16)
            const c = [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)]
            url = `${origin}/images/figure-${k}.png`
            ct = 'image/png'
            payload = makePng(pw, ph, (x, y) => [(c[0] + x * 9) & 255, (c[1] + y * 9) & 255, c[2]])
          }
          const res2 = w.response({ url, date: d, ip: h.ip, status: 200, headers: resHeaders(h, d.getTime(), ct), body: payload })
          counts.response++
          counts.nonHtml++
          request(res2, h, url, d, ct === 'image/png' ? 'image/png,image/*;q=0.8,*/*;q=0.5' : '*/*')
        }
      }

      // ~3% revisits of an earlier capture (identical-payload-digest profile).
      if (ring.length > 1 && rng.chance(0.03)) {
        const o = ring[rng.int(0, ring.length - 1)]
        const t = after(o.date, base, 180)
        if (t !== null) {
          const d = dateAt(t)
          const res = w.revisit({
            url: o.url,
            date: d,
            ip: o.host.ip,
            status: 200,
            headers: [...resHeaders(o.host, d.getTime(), 'text/html; charset=utf-8'), ['Content-Length', String(o.length)]],
            refersToUrl: o.url,
            refersToDate: o.date,
            refersTo: o.id,
            payloadDigest: o.digest
          })
          counts.revisit++
          request(res, o.host, o.url, d, ACCEPT_HTML)
        }
      }

      // ~0.7% each: a dead link (404) and a redirect (301) on some host.
      const e = rng.next()
      if (e < 0.014) {
        const h = hosts[pickWeighted(cum, rng.next())]
        const d = dateAt(base + rng.int(1, 30) * 1000)
        const origin = `${h.scheme}://${h.host}`
        if (e < 0.007) {
          const url = `${origin}/${rng.pick(h.sections)}/${rng.int(1000, 99999)}/removed-page`
          const body = `<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>404 Not Found</title></head>\n<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p><hr><address>${escapeMarkup(h.server)} at ${h.host}</address></body>\n</html>\n`
          const res = w.response({ url, date: d, ip: h.ip, status: 404, headers: resHeaders(h, d.getTime(), 'text/html; charset=iso-8859-1'), body })
          counts.response++
          counts.notFound++
          request(res, h, url, d, ACCEPT_HTML)
        } else {
          const from = `http://${h.host}/${rng.pick(h.sections)}`
          const to = `${h.scheme === 'https' ? 'https' : 'http'}://${h.host}/${from.split('/').pop()}/`
          const body = `<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>301 Moved Permanently</title></head>\n<body><h1>Moved Permanently</h1><p>The document has moved <a href="${escapeMarkup(to)}">here</a>.</p></body>\n</html>\n`
          const headers = resHeaders(h, d.getTime(), 'text/html; charset=iso-8859-1')
          headers.splice(2, 0, ['Location', to])
          const res = w.response({ url: from, date: d, ip: h.ip, status: 301, headers, body })
          counts.response++
          counts.redirects++
          request(res, h, from, d, ACCEPT_HTML)
        }
      }
    }
  } catch (err) {
    w.abort()
    throw err
  }
  const { records, bytes } = w.close()
  return { records, htmlPages: counts.htmlPages, bytes, counts, ms: performance.now() - t0 }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i > 0 ? process.argv[i + 1] : undefined
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const pages = Number(arg('--pages') ?? 20000)
  const out = arg('--out') ?? `/tmp/canopy-crawl-${pages}.warc.gz`
  const seed = arg('--seed') ?? '1'
  if (!Number.isInteger(pages) || pages < 1) {
    console.error('usage: node tools/make-crawl.ts --pages N --out FILE [--seed S]')
    process.exit(2)
  }
  const r = await makeCrawl({ pages, out, seed })
  const c = r.counts
  console.log(
    `${out}: ${r.records} records, ${(r.bytes / 1e6).toFixed(1)} MB in ${(r.ms / 1000).toFixed(1)} s (seed ${seed}) — ` +
      `${r.htmlPages} HTML pages (${c.duplicates} duplicate captures, ${(c.words / Math.max(1, c.htmlPages - c.duplicates)).toFixed(0)} words/page), ` +
      `${c.hosts} hosts, ${c.nonHtml} non-HTML, ${c.revisit} revisits, ${c.notFound} 404, ${c.redirects} 301, ${c.request} requests`
  )
}
