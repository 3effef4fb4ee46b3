// Ingest of real pages, in one run: Canopy (the CLI, 2 workers, WARC → index ready to search), Pagefind
// (`pagefind --site` on the same pages written out as HTML files) and SQLite FTS5 (the text Canopy extracts from
// them), each a process of its own measured by the kernel (bench/child-usage.ts): wall time, CPU seconds of all
// its threads and children, peak RSS. The pages are the real-page corpus of bench/make-real-corpus.ts.
//
//   npm run bench -- ingest-real [--quick]     (--quick: two small files of two sites, to check the bench)
import { createWriteStream, existsSync, readFileSync } from 'node:fs'
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { spawnSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readCrawl } from '../ingest/reader/index.ts'
import { BENCH_DIR, extractAll } from './ingest.ts'
import { DEFAULT_OUT } from './make-real-corpus.ts'
import { runMeasured } from './child-usage.ts'
import type { ChildUsage } from './child-usage.ts'
import type { Row, Section } from './report.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CANOPY = path.join(ROOT, 'bin', 'canopy.mjs')
const FTS5_LOAD = path.join(ROOT, 'bench', 'fts5-load.ts')
/** The native binary the npm wrapper would start (measured directly, so its CPU and memory are the engine's). */
const PAGEFIND = path.join(ROOT, 'node_modules', '@pagefind', 'linux-x64', 'bin', 'pagefind_extended')
/** Two small files of two sites: enough to check the bench end to end in a minute. */
const QUICK_FILES = ['postgresql-000.warc.gz', 'python-000.warc.gz']

interface CorpusFile {
  file: string
  site: string
  pages: number
  htmlBytes: number
}

/** The corpus files (INDEX.tsv of make-real-corpus.ts), all or the quick pair. */
export function realCorpus(quick: boolean, dir = DEFAULT_OUT): CorpusFile[] {
  const index = path.join(dir, 'INDEX.tsv')
  if (!existsSync(index)) throw new Error(`no real-page corpus in ${dir}: build it with node bench/make-real-corpus.ts (see its header)`)
  const rows = readFileSync(index, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map(l => l.split('\t'))
    .map(([file, site, , , pages, htmlBytes]) => ({ file, site, pages: Number(pages), htmlBytes: Number(htmlBytes) }))
  if (!quick) return rows
  const picked = rows.filter(r => QUICK_FILES.includes(r.file))
  if (picked.length !== QUICK_FILES.length) throw new Error(`the quick run needs ${QUICK_FILES.join(' and ')} in ${dir}`)
  return picked
}

/**
 * The pages of the WARC files as a static site, `<site>/<path of the URL>`, for Pagefind: the same bytes Canopy
 * reads. Kept between runs (marked complete by a list of the files it was made from).
 */
async function htmlSite(files: readonly string[], out: string): Promise<number> {
  const marker = path.join(out, '.made-from')
  const want = files.map(f => path.basename(f)).join('\n')
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) return 0
  await rm(out, { recursive: true, force: true })
  let pages = 0
  const made = new Set<string>()
  for (const f of files) {
    const site = path.basename(f).replace(/-\d{3}\.warc\.gz$/, '')
    for await (const ev of readCrawl(f, { wantBody: () => true })) {
      if (ev.kind !== 'record' || ev.type !== 'response' || ev.body === null) continue
      let rel = decodeURIComponent(new URL(ev.url).pathname).replace(/^\/+/, '')
      if (rel === '' || rel.endsWith('/')) rel += 'index.html'
      const dst = path.join(out, site, rel)
      if (!dst.startsWith(out + path.sep)) continue
      if (!made.has(path.dirname(dst))) {
        await mkdir(path.dirname(dst), { recursive: true })
        made.add(path.dirname(dst))
      }
      await writeFile(dst, ev.body)
      pages++
    }
  }
  await writeFile(marker, want)
  return pages
}

/** Bytes of the files under a folder that `keep` accepts (by path relative to it). */
async function folderBytes(dir: string, keep: (rel: string) => boolean = () => true): Promise<number> {
  let n = 0
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue
    const full = path.join(e.parentPath, e.name)
    if (keep(path.relative(dir, full))) n += (await stat(full)).size
  }
  return n
}

/** Removes an earlier run's output and lets the disk finish deleting it (see clear() in ingest.ts). */
async function clear(p: string): Promise<void> {
  await rm(p, { recursive: true, force: true })
  spawnSync('sync')
}

const mb = (n: number): number => Math.round(n / 1e5) / 10

function row(engine: string, pages: number, htmlBytes: number | null, u: ChildUsage, indexBytes: number): Row {
  return {
    engine,
    pages,
    'wall s': u.wallS,
    'pages/s': Math.round(pages / u.wallS),
    'MB of HTML/s': htmlBytes === null ? '' : mb(htmlBytes / u.wallS),
    'CPU s': u.cpuS,
    'pages per CPU s': Math.round(pages / u.cpuS),
    'peak RSS MB': mb(u.peakRss),
    'index MB': mb(indexBytes)
  }
}

export async function run({ quick }: { quick: boolean }): Promise<Section[]> {
  const log = (s: string): void => {
    console.error(s)
  }
  const corpus = realCorpus(quick)
  const files = corpus.map(c => path.join(DEFAULT_OUT, c.file))
  const pages = corpus.reduce((n, c) => n + c.pages, 0)
  const htmlBytes = corpus.reduce((n, c) => n + c.htmlBytes, 0)
  const work = path.join(BENCH_DIR, quick ? 'real-quick' : 'real')
  await mkdir(work, { recursive: true })
  const site = path.join(work, 'site')
  log(`writing ${pages} pages as HTML files for Pagefind`)
  await htmlSite(files, site)
  log('extracting text for FTS5')
  const jsonl = path.join(work, 'text.jsonl')
  const text = createWriteStream(jsonl)
  for (const f of files) for (const d of await extractAll(f)) text.write(JSON.stringify(d) + '\n')
  await new Promise<void>((resolve, reject) => text.end((err?: Error | null) => (err ? reject(err) : resolve())))

  const load0 = os.loadavg()[0]
  log(`canopy: ${files.length} files, 2 workers`)
  const index = path.join(work, 'canopy-index')
  await clear(index)
  const c = await runMeasured(process.execPath, [CANOPY, 'ingest', ...files, '--index', index, '--workers', '2', '--json'])
  const summary = JSON.parse(c.stdout) as { documents: number; indexBytes: number; ms: number }

  log('pagefind --site')
  const bundle = path.join(work, 'pagefind')
  await clear(bundle)
  const p = await runMeasured(PAGEFIND, ['--site', site, '--output-path', bundle])
  const pfPages = Number(/Indexed (\d+) pages?/.exec(p.stdout)?.[1] ?? Number.NaN)
  // The index proper: its entry, metadata, index chunks, fragments and filters, not the search UI's scripts.
  const pfBytes = await folderBytes(bundle, rel => /^(index|fragment|filter)\//.test(rel) || rel.endsWith('.pf_meta') || rel === 'pagefind-entry.json')

  log('sqlite fts5')
  const db = path.join(work, 'fts5.sqlite')
  const f = await runMeasured(process.execPath, [FTS5_LOAD, jsonl, db])
  const ftsDocs = Number(f.stdout.trim())
  const ftsBytes = (await stat(db)).size
  const load1 = os.loadavg()[0]

  const canopyRow = row('canopy, 2 workers (CLI: WARC → index ready to search)', summary.documents, htmlBytes, c, summary.indexBytes)
  const pagefindRow = row('pagefind 1.6 (--site, HTML files on disk)', pfPages, htmlBytes, p, pfBytes)
  const ratio = (k: string): number => Number(canopyRow[k]) / Number(pagefindRow[k])
  const cmd = `npm run bench -- ingest-real${quick ? ' --quick' : ''}`
  const perFile = corpus.map(x => `${x.file} (${x.pages})`).join(', ')
  await clear(index)
  await clear(bundle)
  await rm(db, { force: true })
  return [
    {
      title: `Ingest of real pages (${pages.toLocaleString('en-US')} pages, ${mb(htmlBytes)} MB of HTML, ${files.length} WARC files) on ${os.cpus().length} cores, one run`,
      command: cmd,
      notes: [
        `Files: ${perFile}. Each engine runs as a process of its own, one after the other; wall time, CPU s (user + system, all threads and children) and peak RSS are the kernel's (wait4, via GNU time). Canopy's wall time includes its start-up and the end of the ingest (trees built, merged into HEAD, the folder's size read off its packs). Pagefind's index size counts its index, fragment, filter and metadata files, not its UI scripts; FTS5 indexes the title and text Canopy extracts (extraction not included: it is Canopy's work).`,
        `Canopy / Pagefind: ${ratio('pages/s').toFixed(2)}× pages/s (floor ≥ 2), ${ratio('pages per CPU s').toFixed(2)}× pages per CPU second (floor ≥ 1.5); Canopy ${String(canopyRow['pages/s'])} pages/s (floor ≥ 1,000 on 2 cores), peak RSS ${String(canopyRow['peak RSS MB'])} MB (ceiling 1,000). Canopy's own clock (ingest call only): ${(summary.ms / 1000).toFixed(1)} s.`,
        `Machine load (1-minute average, other work included) ${load0.toFixed(1)} before Canopy, ${load1.toFixed(1)} after FTS5: compare within a run.`
      ],
      rows: [canopyRow, pagefindRow, row('sqlite fts5, porter (extracted text → index, 1 thread)', ftsDocs, null, f, ftsBytes)]
    }
  ]
}
