// Ingest at scale: the generated crawl, WARC to finished index, with 1 and 2 workers, against SQLite FTS5
// (node:sqlite, porter tokenizer) indexing the same extracted text in the same run; index sizes; and peak
// memory as the crawl grows.
import { mkdir, rm, stat } from 'node:fs/promises'
import { DatabaseSync } from 'node:sqlite'
import { spawnSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { createHash } from 'node:crypto'
import { DEFAULT_ANALYZER, SCORING, INDEX_FORMAT, TREE_CONFIGS } from '../index-core/index/index.ts'
import { PROLLY_FORMAT } from '../index-core/prolly/index.ts'
import { ingest } from '../ingest/index.ts'
import type { IngestSummary } from '../ingest/index.ts'
import { extractDocument, isIndexableType } from '../ingest/extract/index.ts'
import { readCrawl } from '../ingest/reader/index.ts'
import { makeCrawl } from '../tools/make-crawl.ts'
import type { Row, Section } from './report.ts'

export const BENCH_DIR = path.join(os.tmpdir(), 'canopy-bench')

/** The large generated crawl (cached by size and seed: generation is deterministic). */
export async function largeCrawl(pages: number): Promise<string> {
  await mkdir(BENCH_DIR, { recursive: true })
  const out = path.join(BENCH_DIR, `crawl-${pages}-seed1.warc.gz`)
  const exists = await stat(out).then(
    () => true,
    () => false
  )
  if (!exists) await makeCrawl({ pages, out, seed: 1 })
  return out
}

/**
 * What an index's bytes depend on besides its crawls: the format versions, tree configurations, scoring and
 * analyzer settings. Cached bench indexes are named by it, so any change to these rebuilds them instead of
 * failing to open them (a tree configuration can change within one index format while it is developed).
 */
export const INDEX_SHAPE = `f${INDEX_FORMAT}-${createHash('sha256')
  .update(JSON.stringify([PROLLY_FORMAT, TREE_CONFIGS, SCORING, DEFAULT_ANALYZER]))
  .digest('hex')
  .slice(0, 8)}`

/** The large crawl ingested with 2 workers, kept between runs for the query, load and federation suites. */
export async function benchIndex(pages: number): Promise<string> {
  const crawl = await largeCrawl(pages)
  const index = path.join(BENCH_DIR, `index-${pages}-${INDEX_SHAPE}`)
  if (
    !(await stat(path.join(index, 'HEAD')).then(
      () => true,
      () => false
    ))
  ) {
    console.error(`ingesting the ${pages}-page crawl (index format ${INDEX_FORMAT})`)
    await ingest({ inputs: [crawl], index, workers: 2 })
  }
  return index
}

/** Runs f while sampling this process's RSS (workers are threads, so they are included). */
async function withPeakRss<T>(f: () => Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 50)
  try {
    const value = await f()
    return { value, peak: Math.max(peak, process.memoryUsage().rss) }
  } finally {
    clearInterval(timer)
  }
}

/** CPU seconds this process (all its threads) used since `from`. */
function cpuSince(from: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(from)
  return (c.user + c.system) / 1e6
}

/**
 * Removes what an earlier run left and waits until the disk has done so: on a file system mounted with
 * online discard, deleting a 240 MB index of tens of thousands of files goes on in the kernel for seconds,
 * which would otherwise be charged to the run that follows.
 */
async function clear(p: string): Promise<void> {
  await rm(p, { recursive: true, force: true })
  spawnSync('sync')
}

async function canopyRun(crawl: string, workers: number, name: string): Promise<{ s: IngestSummary; peak: number; cpu: number }> {
  const index = path.join(BENCH_DIR, name)
  await clear(index)
  const c0 = process.cpuUsage()
  const { value, peak } = await withPeakRss(async () => await ingest({ inputs: [crawl], index, workers }))
  return { s: value, peak, cpu: cpuSince(c0) }
}

export interface Extracted {
  url: string
  title: string
  body: string
}

/**
 * The text Canopy extracts from a crawl (2xx HTML and text pages, one per URL and payload), for the
 * reference engines to index the same text.
 */
export async function extractAll(crawl: string): Promise<Extracted[]> {
  const out: Extracted[] = []
  const seen = new Set<string>()
  for await (const ev of readCrawl(crawl, { wantBody: isIndexableType })) {
    if (ev.kind !== 'record' || ev.type === 'revisit' || ev.body === null) continue
    if (ev.status !== null && (ev.status < 200 || ev.status > 299)) continue
    const key = ev.url + ' ' + (ev.payloadDigest ?? '')
    if (seen.has(key)) continue
    seen.add(key)
    const r = extractDocument({ url: ev.url, contentType: ev.contentType, headers: ev.headers, body: ev.body, status: ev.status })
    if (r.ok) out.push({ url: r.doc.url, title: r.doc.title, body: r.doc.text })
  }
  return out
}

async function fts5Run(docs: Extracted[]): Promise<{ ms: number; bytes: number }> {
  const file = path.join(BENCH_DIR, 'fts5.sqlite')
  await rm(file + '-wal', { force: true })
  await clear(file)
  const db = new DatabaseSync(file)
  db.exec("CREATE VIRTUAL TABLE docs USING fts5(url, title, body, tokenize = 'porter unicode61')")
  const ins = db.prepare('INSERT INTO docs (url, title, body) VALUES (?, ?, ?)')
  const t = performance.now()
  db.exec('BEGIN')
  for (const d of docs) ins.run(d.url, d.title, d.body)
  db.exec('COMMIT')
  db.exec("INSERT INTO docs(docs) VALUES('optimize')")
  const ms = performance.now() - t
  db.close()
  return { ms, bytes: (await stat(file)).size }
}

const mb = (n: number): number => Math.round(n / 1e5) / 10

export async function run({ quick }: { quick: boolean }): Promise<Section[]> {
  const N = quick ? 2000 : 20000
  const log = (s: string): void => {
    console.error(s)
  }
  log(`generating a ${N}-page crawl`)
  const crawl = await largeCrawl(N)
  const crawlBytes = (await stat(crawl)).size

  const load0 = os.loadavg()[0]
  const runs: Row[] = []
  let two: { s: IngestSummary; peak: number; cpu: number } | undefined
  for (const workers of [1, 2]) {
    log(`canopy ingest, ${workers} worker(s)`)
    const r = await canopyRun(crawl, workers, `ingest-w${workers}`)
    if (workers === 2) two = r
    const secs = r.s.ms / 1000
    runs.push({
      engine: `canopy, ${workers} worker${workers > 1 ? 's' : ''} (WARC → index)`,
      'HTML pages indexed': r.s.documents,
      seconds: secs,
      'pages/s': Math.round(r.s.documents / secs),
      'CPU s (all threads)': r.cpu,
      'MB/s (compressed WARC)': mb(r.s.bytesRead / secs),
      'index MB': mb(r.s.indexBytes),
      'peak RSS MB': mb(r.peak)
    })
  }
  log('extracting text for FTS5')
  const t = performance.now()
  const ce = process.cpuUsage()
  const docs = await extractAll(crawl)
  const extractMs = performance.now() - t
  const extractCpu = cpuSince(ce)
  log(`fts5 indexing ${docs.length} documents`)
  const cf = process.cpuUsage()
  const f = await fts5Run(docs)
  const ftsCpu = cpuSince(cf)
  runs.push({
    engine: 'sqlite fts5, porter (extracted text → index)',
    'HTML pages indexed': docs.length,
    seconds: f.ms / 1000,
    'pages/s': Math.round(docs.length / (f.ms / 1000)),
    'CPU s (all threads)': ftsCpu,
    'MB/s (compressed WARC)': '',
    'index MB': mb(f.bytes),
    'peak RSS MB': ''
  })
  runs.push({
    engine: 'sqlite fts5 incl. reading + extraction (1 thread)',
    'HTML pages indexed': docs.length,
    seconds: (f.ms + extractMs) / 1000,
    'pages/s': Math.round(docs.length / ((f.ms + extractMs) / 1000)),
    'CPU s (all threads)': ftsCpu + extractCpu,
    'MB/s (compressed WARC)': mb(crawlBytes / ((f.ms + extractMs) / 1000)),
    'index MB': '',
    'peak RSS MB': ''
  })

  // Memory as the crawl grows: the same ingest on a quarter, half and all of the pages.
  const growth: Row[] = []
  for (const n of [N / 4, N / 2, N]) {
    const c = await largeCrawl(n)
    log(`memory: ${n} pages`)
    const r = n === N && two !== undefined ? two : await canopyRun(c, 2, `ingest-mem-${n}`)
    growth.push({ pages: n, 'crawl MB': mb((await stat(c)).size), 'peak RSS MB': mb(r.peak), 'index MB': mb(r.s.indexBytes) })
  }
  const cmd = `npm run bench -- ingest${quick ? ' --quick' : ''}`
  const canopy2 = runs[1]
  return [
    {
      title: `Ingest of a generated crawl (${N.toLocaleString('en-US')} pages, ${mb(crawlBytes)} MB gzip) on ${os.cpus().length} cores`,
      command: cmd,
      notes: [
        `Canopy index size / FTS5 index size: ${(two!.s.indexBytes / f.bytes).toFixed(2)} (floor: ≤ 1). ` +
          `Canopy stores, besides postings with positions for title, body and URL, every capture and the body text for snippets; FTS5 stores url, title and body as its content.`,
        `Canopy 2 workers: ${String(canopy2['pages/s'])} pages/s end to end (floor: ≥ 1,000 pages/s on 2 cores); ` +
          `${Math.round(two!.s.documents / two!.cpu)} pages per CPU-second, against ${Math.round(docs.length / (ftsCpu + extractCpu))} for FTS5 with reading and extraction.`,
        `Machine load (1-minute average, other work included) ${load0.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} after FTS5: on a shared machine, compare within a run.`
      ],
      rows: runs
    },
    {
      title: 'Peak memory of ingest as the crawl grows (2 workers)',
      command: cmd,
      rows: growth
    }
  ]
}
