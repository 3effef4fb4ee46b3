// Cost as the archive grows: the generated crawl (tools/make-crawl.ts) at 20,000, 100,000 and 1,000,000 pages, each
// ingested fresh by the CLI with 2 workers in a process of its own (wall time, CPU and peak RSS from the kernel),
// then the fixed query mix of bench/query.ts run warm and cold on the index it made. Writes the curve as a table
// (bench/results/scale.md) and a plot (bench/results/scale.svg).
//
//   npm run bench -- scale [--sizes 20000,100000,1000000]     (--quick: 2,000 and 5,000 pages)
//
// Disk stays bounded: each size's crawl (unless another bench keeps it cached) and index are deleted once measured,
// so at most one crawl and one index exist at a time (1M pages: ~5 GB of crawl, ~12 GB of index).
import { existsSync, writeFileSync } from 'node:fs'
import { mkdir, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { NodeStore } from '../index-core/prolly/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import { openIndexDir } from '../index-core/store/index.ts'
import { makeCrawl } from '../tools/make-crawl.ts'
import { runMeasured } from './child-usage.ts'
import { BENCH_DIR } from './ingest.ts'
import { mix } from './query.ts'
import type { Row, Section } from './report.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CANOPY = path.join(ROOT, 'bin', 'canopy.mjs')
const FULL_SIZES = [20_000, 100_000, 1_000_000]
const QUICK_SIZES = [2_000, 5_000]

interface Point {
  pages: number
  documents: number
  crawlBytes: number
  wallS: number
  cpuS: number
  peakRss: number
  indexBytes: number
  /** The results of a search as the page first asks for them: top 10, no facets, a lower-bound total. */
  warmP50: number
  coldP50: number
  /** The same searches with facets, which count every match. */
  facetWarmP50: number
  facetColdP50: number
}

function sizesFrom(argv: readonly string[], quick: boolean): number[] {
  const i = argv.indexOf('--sizes')
  if (i < 0) return quick ? QUICK_SIZES : FULL_SIZES
  const sizes = (argv[i + 1] ?? '').split(',').map(Number)
  if (sizes.length === 0 || !sizes.every(n => Number.isInteger(n) && n > 0)) throw new Error('--sizes takes page counts, e.g. --sizes 20000,100000')
  return sizes
}

function p50(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/**
 * Warm (one reader, caches filled by three earlier runs of each query) and cold (a new reader per run) p50 in
 * ms, of the search the web page sends first (results without facets, which it then asks for apart) and of
 * the same search with facets. Faceted searches run cold once per query: at a million pages each takes seconds.
 */
async function queryP50(index: string): Promise<{ warm: number; cold: number; facetWarm: number; facetCold: number }> {
  const dir = await openIndexDir(index, { write: false })
  try {
    const head = (await dir.head())!
    const reader = await IndexReader.open(new NodeStore(dir.blocks.store, { cacheBytes: 512 * 1024 * 1024 }), head)
    const host = (await search(reader, { q: 'protein', pageSize: 1 })).hits[0].host
    const out = { warm: [] as number[], cold: [] as number[], facetWarm: [] as number[], facetCold: [] as number[] }
    for (const q of mix(host)) {
      for (const facets of [false, true]) {
        for (let i = 0; i < (facets ? 1 : 3); i++) {
          const fresh = await IndexReader.open(new NodeStore(dir.blocks.store), head)
          const t = performance.now()
          await search(fresh, { q: q.canopy, facets })
          ;(facets ? out.facetCold : out.cold).push(performance.now() - t)
        }
        for (let i = 0; i < 3; i++) await search(reader, { q: q.canopy, facets })
        for (let i = 0; i < 5; i++) {
          const t = performance.now()
          await search(reader, { q: q.canopy, facets })
          ;(facets ? out.facetWarm : out.warm).push(performance.now() - t)
        }
      }
    }
    return { warm: p50(out.warm), cold: p50(out.cold), facetWarm: p50(out.facetWarm), facetCold: p50(out.facetCold) }
  } finally {
    await dir.close()
  }
}

async function measure(pages: number, work: string, log: (s: string) => void): Promise<Point> {
  // A crawl another bench keeps (bench/ingest.ts largeCrawl) is used as it is and left in place.
  const cached = path.join(BENCH_DIR, `crawl-${pages}-seed1.warc.gz`)
  const ours = !existsSync(cached)
  const crawl = ours ? path.join(work, `crawl-${pages}.warc.gz`) : cached
  const index = path.join(work, `index-${pages}`)
  try {
    if (ours) {
      log(`generating a ${pages}-page crawl`)
      await makeCrawl({ pages, out: crawl, seed: 1 })
    }
    await rm(index, { recursive: true, force: true })
    log(`ingesting ${pages} pages (2 workers)`)
    const u = await runMeasured(process.execPath, [CANOPY, 'ingest', crawl, '--index', index, '--workers', '2', '--json'])
    const s = JSON.parse(u.stdout) as { documents: number; indexBytes: number }
    log('querying')
    const q = await queryP50(index)
    return {
      pages,
      documents: s.documents,
      crawlBytes: (await stat(crawl)).size,
      wallS: u.wallS,
      cpuS: u.cpuS,
      peakRss: u.peakRss,
      indexBytes: s.indexBytes,
      warmP50: q.warm,
      coldP50: q.cold,
      facetWarmP50: q.facetWarm,
      facetColdP50: q.facetCold
    }
  } finally {
    await rm(index, { recursive: true, force: true })
    if (ours) await rm(crawl, { force: true })
  }
}

const mb = (n: number): number => Math.round(n / 1e5) / 10

/** Small line plots against pages (log scale): ingest pages/s, peak RSS, index bytes per page, query p50 without and with facets. */
export function plotSvg(points: readonly Point[]): string {
  const W = 300
  const H = 200
  const M = { l: 56, r: 24, t: 28, b: 36 }
  const panels: Array<{ title: string; unit: string; series: Array<{ name: string; color: string; y: (p: Point) => number }> }> = [
    { title: 'ingest pages/s', unit: 'pages/s', series: [{ name: 'pages/s', color: '#1f77b4', y: p => p.documents / p.wallS }] },
    { title: 'peak ingest RSS', unit: 'MB', series: [{ name: 'MB', color: '#d62728', y: p => p.peakRss / 1e6 }] },
    { title: 'index bytes per page', unit: 'bytes', series: [{ name: 'bytes', color: '#2ca02c', y: p => p.indexBytes / p.documents }] },
    {
      title: 'query p50',
      unit: 'ms',
      series: [
        { name: 'warm', color: '#ff7f0e', y: p => p.warmP50 },
        { name: 'cold', color: '#9467bd', y: p => p.coldP50 }
      ]
    },
    {
      title: 'query p50 with facets',
      unit: 'ms',
      series: [
        { name: 'warm', color: '#ff7f0e', y: p => p.facetWarmP50 },
        { name: 'cold', color: '#9467bd', y: p => p.facetColdP50 }
      ]
    }
  ]
  const rows = Math.ceil(panels.length / 2)
  const xs = points.map(p => Math.log10(p.pages))
  const x0 = Math.min(...xs)
  const x1 = Math.max(...xs) === x0 ? x0 + 1 : Math.max(...xs)
  const fmt = (v: number): string => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3))
  const parts: string[] = []
  panels.forEach((panel, i) => {
    const ox = (i % 2) * W
    const oy = Math.floor(i / 2) * H
    const ys = panel.series.flatMap(s => points.map(s.y))
    const yMax = Math.max(...ys, 0) * 1.15 || 1
    const px = (p: Point): number => ox + M.l + ((Math.log10(p.pages) - x0) / (x1 - x0)) * (W - M.l - M.r)
    const py = (v: number): number => oy + H - M.b - (v / yMax) * (H - M.t - M.b)
    parts.push(`<text x="${ox + W / 2}" y="${oy + 16}" text-anchor="middle" font-weight="bold">${panel.title} (${panel.unit})</text>`)
    parts.push(`<line x1="${ox + M.l}" y1="${py(0)}" x2="${ox + W - M.r}" y2="${py(0)}" stroke="#888"/>`)
    parts.push(`<line x1="${ox + M.l}" y1="${py(0)}" x2="${ox + M.l}" y2="${py(yMax)}" stroke="#888"/>`)
    for (const f of [0, 0.5, 1]) parts.push(`<text x="${ox + M.l - 4}" y="${py(f * yMax) + 4}" text-anchor="end">${fmt(f * yMax)}</text>`)
    for (const p of points) parts.push(`<text x="${px(p)}" y="${py(0) + 16}" text-anchor="middle">${p.pages.toLocaleString('en-US')}</text>`)
    panel.series.forEach((s, j) => {
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.map(p => `${px(p).toFixed(1)},${py(s.y(p)).toFixed(1)}`).join(' ')}"/>`
      )
      for (const p of points) parts.push(`<circle cx="${px(p).toFixed(1)}" cy="${py(s.y(p)).toFixed(1)}" r="3" fill="${s.color}"/>`)
      if (panel.series.length > 1) parts.push(`<text x="${ox + W - M.r - 40}" y="${oy + 34 + 14 * j}" fill="${s.color}">${s.name}</text>`)
    })
  })
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${rows * H + 20}" font-family="sans-serif" font-size="11">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n` +
    `<text x="${W}" y="${rows * H + 12}" text-anchor="middle">pages in the crawl (log scale); generated crawl, 2 workers</text>\n</svg>\n`
  )
}

export async function run({ quick }: { quick: boolean }): Promise<Section[]> {
  const sizes = sizesFrom(process.argv, quick)
  const log = (s: string): void => {
    console.error(s)
  }
  const work = path.join(BENCH_DIR, 'scale')
  await mkdir(work, { recursive: true })
  const points: Point[] = []
  const load0 = os.loadavg()[0]
  try {
    for (const n of sizes) points.push(await measure(n, work, log))
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  writeFileSync(new URL('./results/scale.svg', import.meta.url), plotSvg(points))
  const rows: Row[] = points.map(p => ({
    pages: p.pages,
    'documents indexed': p.documents,
    'crawl MB': mb(p.crawlBytes),
    'ingest s': p.wallS,
    'pages/s': Math.round(p.documents / p.wallS),
    'CPU s': p.cpuS,
    'peak RSS MB': mb(p.peakRss),
    'index MB': mb(p.indexBytes),
    'index bytes/page': Math.round(p.indexBytes / p.documents),
    'warm p50 ms': p.warmP50,
    'cold p50 ms': p.coldP50,
    'faceted warm p50 ms': p.facetWarmP50,
    'faceted cold p50 ms': p.facetColdP50
  }))
  const first = points[0]
  const last = points.at(-1)!
  const rel = (f: (p: Point) => number): string => (f(last) / f(first)).toFixed(2)
  const cmd = `npm run bench -- scale${quick ? ' --quick' : ''}${process.argv.includes('--sizes') ? ` --sizes ${sizes.join(',')}` : ''}`
  return [
    {
      title: `Cost as the crawl grows (generated crawl, ${sizes.map(n => n.toLocaleString('en-US')).join(' / ')} pages) on ${os.cpus().length} cores`,
      command: cmd,
      notes: [
        'Each size: a fresh index, the CLI ingest (2 workers) as a process of its own (wall, CPU and peak RSS from the kernel, start-up included), then the 19 queries of the query bench (one and two words, phrases, filters), warm (one reader, 3 runs first, then 5 timed) and cold (a new reader and cache per run, 3 runs, the OS page cache warm). "p50": the search the web page sends first (10 results, no facets, a lower-bound total as Elasticsearch gives by default); "faceted": the same searches with facets, which the page asks for apart and which count every match (cold: 1 run per query). Plot: bench/results/scale.svg.',
        `Largest / smallest: pages/s ×${rel(p => p.documents / p.wallS)} (floor ≥ 0.8), peak RSS ×${rel(p => p.peakRss)}, index bytes/page ×${rel(p => p.indexBytes / p.documents)}, warm query p50 ×${rel(p => p.warmP50)} and cold ×${rel(p => p.coldP50)} (ceiling 2); with facets warm ×${rel(p => p.facetWarmP50)}, cold ×${rel(p => p.facetColdP50)}.`,
        `Machine load (1-minute average, other work included) ${load0.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end: on a shared machine the wall-clock columns move with it.`
      ],
      rows
    }
  ]
}
