// Updates on real pages (issue 18): the real-page corpus (bench/make-real-corpus.ts) is dated January 2026,
// every page. An index of most of it gets the rest (about 1% or 10% of its documents) as the next months'
// crawl: its pages captured again
// (bench/crawl-parts.ts redatedCopy) in February 2026 (a month whose calendar tiers carry: January and February
// share a block, kept split while their documents are unbalanced) and in March 2026 (no carry), by `canopy ingest` into a copy of the index. Reported:
// what the folder grows by and what a mirror of the index before fetches (blocks of the new DAG the old lacks).
import { cp, readdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { CID } from 'multiformats/cid'
import { openIndex } from '../index-core/index/index.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { openIndexDir, storeUsage } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'
import { redatedCopy } from './crawl-parts.ts'
import { BENCH_DIR, INDEX_SHAPE } from './ingest.ts'
import { pct, kb } from './report.ts'
import type { Row } from './report.ts'
import { mirrorFetch } from '../tools/dag-blocks.ts'

const REAL_CORPUS = path.join(BENCH_DIR, 'real-corpus')

/** Rows per (update, month); null when the corpus is not there. */
export async function realUpdates(ingestParts: (name: string, files: string[]) => Promise<string>): Promise<Row[] | null> {
  const files = (await readdir(REAL_CORPUS).catch(() => [] as string[]))
    .filter(f => f.endsWith('.warc.gz'))
    .sort()
    .map(f => path.join(REAL_CORPUS, f))
  const named = (...names: string[]): string[] => files.filter(f => names.includes(path.basename(f)))
  const small = named('python-001.warc.gz')
  const large = named('rust-005.warc.gz', 'rust-006.warc.gz', 'rust-007.warc.gz', 'rust-008.warc.gz', 'rust-009.warc.gz')
  if (small.length !== 1 || large.length !== 5) return null
  // About 1% and 10% of the corpus's documents: a file of the Python documentation, the last five of Rust's.
  const cases = [
    { label: 'python-001', base: files.filter(f => !small.includes(f)), update: small },
    { label: 'rust-005 to rust-009', base: files.filter(f => !large.includes(f)), update: large }
  ]
  // Real pages differ in size: the update's share of the corpus's HTML says how much it brings besides its count.
  const html = new Map(
    (await readFile(path.join(REAL_CORPUS, 'INDEX.tsv'), 'utf8'))
      .split('\n')
      .slice(1)
      .map(l => l.split('\t'))
      .filter(f => f.length > 5)
      .map(f => [f[0], Number(f[5])] as const)
  )
  const htmlOf = (fs: readonly string[]): number => fs.reduce((n, f) => n + (html.get(path.basename(f)) ?? 0), 0)
  const rows: Row[] = []
  for (const c of cases) {
    const baseDir = await ingestParts(`real-without-${c.label.replaceAll(' ', '-')}`, c.base)
    for (const date of ['2026-02-15T12:00:00Z', '2026-03-15T12:00:00Z']) {
      const update = await Promise.all(
        c.update.map(async f => await redatedCopy(f, path.join(BENCH_DIR, 'real-redated', `${date.slice(0, 7)}-${path.basename(f)}`), date))
      )
      const copy = path.join(BENCH_DIR, `upd-real-copy-${INDEX_SHAPE}`)
      await rm(copy, { recursive: true, force: true })
      await cp(baseDir, copy, { recursive: true })
      const before = await storeUsage(path.join(copy, 'blocks'))
      console.error(`real pages: ${c.label}, ${date.slice(0, 7)}`)
      const s = await ingest({ inputs: update, index: copy, workers: 2, institution: 'bench' })
      const after = await storeUsage(path.join(copy, 'blocks'))
      const d = await openIndexDir(copy, { write: false })
      try {
        const store = new NodeStore(d.blocks.store)
        const [was, head] = [CID.parse(s.previousRoot!), (await d.head())!]
        const prev = await openIndex(store, was)
        const now = await openIndex(store, head)
        const f = await mirrorFetch(d.blocks.store, was, head)
        rows.push({
          update: `${c.label}: +${s.documents.toLocaleString('en-US')} documents to ${(s.stats.documents - s.documents).toLocaleString('en-US')} (${pct(s.documents, s.stats.documents - s.documents)})`,
          'captured in': date.slice(0, 7),
          'its HTML / all HTML': pct(htmlOf(c.update), htmlOf([...c.base, ...c.update])),
          segments: `${prev.segments.map(g => `${g.from}-${g.to - 1}`).join(', ')} → ${now.segments.map(g => `${g.from}-${g.to - 1}`).join(', ')}`,
          'index after: kB': kb(f.indexBytes),
          'ingest: written / index': pct(after.bytes - before.bytes, f.indexBytes),
          'mirror: kB fetched (blocks)': `${kb(f.bytes)} (${f.blocks})`,
          'mirror: fetched / index': pct(f.bytes, f.indexBytes),
          'postings fetched / postings': pct(f.postingsFetched, f.postingsBytes)
        })
      } finally {
        await d.close()
      }
      await rm(copy, { recursive: true, force: true })
    }
  }
  return rows
}
