// Query latency on the large generated crawl: a fixed mix of one-term, two-term, phrase and filtered
// queries, with snippets and facets, warm and cold, against SQLite FTS5 (bm25 + snippet) and MiniSearch on
// the same extracted text, in the same run.
import { rm } from 'node:fs/promises'
import { DatabaseSync } from 'node:sqlite'
import path from 'node:path'
import MiniSearch from 'minisearch'
import { NodeStore } from '../index-core/prolly/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import { openIndexDir, CountingBlocks } from '../index-core/store/index.ts'
import { BENCH_DIR, benchIndex, extractAll, largeCrawl } from './ingest.ts'
import type { Row, Section } from './report.ts'

interface Q {
  kind: string
  canopy: string
  fts5: string
  mini: string
}

/** The fixed query mix; the filtered ones name a host read from the index itself. */
function mix(host: string): Q[] {
  const one = ['protein', 'mutation', 'insulin', 'macrophages', 'cholesterol', 'neurons']
  const two = [
    ['breast', 'cancer'],
    ['stem', 'cells'],
    ['immune', 'response'],
    ['blood', 'pressure'],
    ['vitamin', 'supplementation'],
    ['gene', 'therapy']
  ]
  const phrase = [
    ['gene', 'expression'],
    ['cell', 'proliferation'],
    ['randomized', 'trial'],
    ['risk', 'factors']
  ]
  const out: Q[] = []
  for (const w of one) out.push({ kind: 'one term', canopy: w, fts5: w, mini: w })
  for (const [a, b] of two) out.push({ kind: 'two terms', canopy: `${a} ${b}`, fts5: `${a} OR ${b}`, mini: `${a} ${b}` })
  for (const [a, b] of phrase) out.push({ kind: 'phrase', canopy: `"${a} ${b}"`, fts5: `"${a} ${b}"`, mini: `${a} ${b}` })
  out.push({ kind: 'filtered', canopy: `protein site:${host}`, fts5: `protein AND url:"${host}"`, mini: 'protein' })
  out.push({ kind: 'filtered', canopy: 'cells date:2010..2015', fts5: 'cells', mini: 'cells' })
  out.push({ kind: 'filtered', canopy: 'cancer lang:en type:html', fts5: 'cancer', mini: 'cancer' })
  return out
}

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}

async function time(f: () => unknown): Promise<number> {
  const t = performance.now()
  await f()
  return performance.now() - t
}

export async function run({ quick }: { quick: boolean }): Promise<Section[]> {
  const N = quick ? 2000 : 20000
  const crawl = await largeCrawl(N)
  const index = await benchIndex(N)
  const dir = await openIndexDir(index, { write: false })
  const head = (await dir.head())!
  const reader = await IndexReader.open(new NodeStore(dir.blocks.store, { cacheBytes: 512 * 1024 * 1024 }), head)
  const host = (await search(reader, { q: 'protein', pageSize: 1 })).hits[0].host
  const queries = mix(host)
  const reps = quick ? 3 : 10

  // Reference engines on the same extracted text.
  console.error('loading reference engines')
  const docs = (await extractAll(crawl)).map((d, id) => ({ id, ...d }))
  const ftsFile = path.join(BENCH_DIR, 'query-fts5.sqlite')
  await rm(ftsFile, { force: true })
  const db = new DatabaseSync(ftsFile)
  db.exec("CREATE VIRTUAL TABLE docs USING fts5(url, title, body, tokenize = 'porter unicode61')")
  const ins = db.prepare('INSERT INTO docs (rowid, url, title, body) VALUES (?, ?, ?, ?)')
  db.exec('BEGIN')
  for (const d of docs) ins.run(d.id, d.url, d.title, d.body)
  db.exec('COMMIT')
  const ftsQuery = db.prepare(
    "SELECT rowid, bm25(docs) AS s, snippet(docs, 2, '<mark>', '</mark>', '…', 24) AS snip FROM docs WHERE docs MATCH ? ORDER BY s LIMIT 10"
  )
  const mini = new MiniSearch({ fields: ['title', 'body', 'url'], storeFields: ['url', 'title'] })
  mini.addAll(docs)

  const rows: Row[] = []
  const kinds = [...new Set(queries.map(q => q.kind))]
  const byKind = (k: string): Q[] => queries.filter(q => q.kind === k)
  const cold: Record<string, { ms: number[]; blocks: number[]; bytes: number[] }> = {}
  const warm: Record<string, number[]> = {}
  const fts: Record<string, number[]> = {}
  const ms: Record<string, number[]> = {}
  for (const k of kinds) {
    cold[k] = { ms: [], blocks: [], bytes: [] }
    warm[k] = []
    fts[k] = []
    ms[k] = []
  }
  for (const q of queries) {
    // Cold: a new store and cache for each run (the OS page cache stays warm, as on a serving machine).
    for (let i = 0; i < Math.min(reps, 3); i++) {
      const io = new CountingBlocks(dir.blocks.store)
      const fresh = await IndexReader.open(new NodeStore(io), head)
      const t = await time(async () => await search(fresh, { q: q.canopy }))
      cold[q.kind].ms.push(t)
      cold[q.kind].blocks.push(io.blocksRead)
      cold[q.kind].bytes.push(io.bytesRead)
    }
    for (let i = 0; i < 3; i++) await search(reader, { q: q.canopy })
    for (let i = 0; i < reps; i++) warm[q.kind].push(await time(async () => await search(reader, { q: q.canopy })))
    for (let i = 0; i < 3; i++) ftsQuery.all(q.fts5)
    for (let i = 0; i < reps; i++) fts[q.kind].push(await time(() => ftsQuery.all(q.fts5)))
    for (let i = 0; i < 3; i++) mini.search(q.mini)
    for (let i = 0; i < reps; i++) ms[q.kind].push(await time(() => mini.search(q.mini).slice(0, 10)))
  }
  const all = (m: Record<string, number[]>): number[] => Object.values(m).flat()
  for (const k of [...kinds, 'all']) {
    const pick = (m: Record<string, number[]>): number[] => (k === 'all' ? all(m) : m[k])
    const c =
      k === 'all' ? { ms: kinds.flatMap(x => cold[x].ms), blocks: kinds.flatMap(x => cold[x].blocks), bytes: kinds.flatMap(x => cold[x].bytes) } : cold[k]
    rows.push({
      queries: k === 'all' ? `all (${queries.length})` : `${k} (${byKind(k).length})`,
      'canopy warm p50 ms': pct(pick(warm), 0.5),
      'canopy warm p99 ms': pct(pick(warm), 0.99),
      'canopy cold p50 ms': pct(c.ms, 0.5),
      'canopy cold p99 ms': pct(c.ms, 0.99),
      'cold blocks/query (p50)': pct(c.blocks, 0.5),
      'cold KB/query (p50)': Math.round(pct(c.bytes, 0.5) / 1024),
      'fts5 p50 ms': pct(pick(fts), 0.5),
      'fts5 p99 ms': pct(pick(fts), 0.99),
      'minisearch p50 ms': pct(pick(ms), 0.5),
      'minisearch p99 ms': pct(pick(ms), 0.99),
      'canopy / fts5 (p50)': pct(pick(warm), 0.5) / pct(pick(fts), 0.5)
    })
  }
  // Early termination against the full evaluation it replaces (both without facets), warm, on short and long
  // queries: reading lists best first must never cost more than reading them whole.
  const long = [
    'protein expression in breast cancer cells and the immune response to tumor growth',
    'randomized trial of vitamin supplementation and blood pressure in patients with diabetes and obesity risk factors',
    'gene therapy mutation kinase receptor signaling pathway cell proliferation insulin cholesterol macrophages neurons memory'
  ]
  const earlyRows: Row[] = []
  for (const [kind, qs] of [
    ['two terms', byKind('two terms').map(q => q.canopy)],
    ['one term', byKind('one term').map(q => q.canopy)],
    ['long (13-16 words)', long]
  ] as const) {
    // Two situations: the words' lists already decoded in memory (a warm server; top-k then leaves them to
    // the full evaluation), and lists still to be read (a fresh reader over the same cached tree nodes: the
    // decoding of whole lists is what reading best first saves).
    for (const lists of ['in memory', 'to be read'] as const) {
      const top: number[] = []
      const full: number[] = []
      const readerFor = async (): Promise<IndexReader> => (lists === 'in memory' ? reader : await IndexReader.open(reader.store, head))
      for (const q of qs) {
        for (let i = 0; i < 3; i++) {
          await search(await readerFor(), { q, facets: false })
          await search(await readerFor(), { q, facets: false, exactTotal: true })
        }
        for (let i = 0; i < reps; i++) {
          const [a, b] = [await readerFor(), await readerFor()]
          top.push(await time(async () => await search(a, { q, facets: false })))
          full.push(await time(async () => await search(b, { q, facets: false, exactTotal: true })))
        }
      }
      const words = qs.reduce((n, q) => n + q.split(/\s+/).length, 0) / qs.length
      earlyRows.push({
        queries: `${kind} (${qs.length})`,
        'posting lists': lists,
        'early termination p50 ms': pct(top, 0.5),
        'full evaluation p50 ms': pct(full, 0.5),
        'early / full (p50)': pct(top, 0.5) / pct(full, 0.5),
        'early / full (p99)': pct(top, 0.99) / pct(full, 0.99),
        'full p50 ms per word': pct(full, 0.5) / words
      })
    }
  }
  db.close()
  await dir.close()
  return [
    {
      title: 'Early termination against full evaluation (no facets, warm)',
      command: `npm run bench -- query${quick ? ' --quick' : ''}`,
      notes: [
        'Early: a relevance search without facets reads posting lists best first and stops once its page is decided (index-core/query/top-k.ts); when every list is already decoded in memory it is evaluated whole instead. Full: the same search with exactTotal, every match evaluated. "in memory": one reader, warmed by both kinds of search, so the lists are decoded in its cache; "to be read": a new reader for each search over the same cached tree nodes, so each search reads and decodes its lists. A ratio above 1 would mean early termination costs more than what it replaces.'
      ],
      rows: earlyRows
    },
    {
      title: `Query latency on the generated crawl (${reader.stats.documents.toLocaleString('en-US')} documents), single process`,
      command: `npm run bench -- query${quick ? ' --quick' : ''}`,
      notes: [
        'Canopy returns the top 10 with highlighted snippets, every capture date, and facet counts (site, year, type, language, institution) over the whole result set; FTS5 returns the top 10 by bm25 with snippet(); MiniSearch its ranked list (no phrases: its phrase queries are plain words, and it has no filters: filtered queries run without them).',
        'Warm: same process, caches and JIT filled by three earlier runs of the query (as on a running server), for every engine. Cold: a new block cache for every run (the OS page cache stays warm). Floor: warm p50 ≤ 10 ms and p99 ≤ 100 ms.'
      ],
      rows
    }
  ]
}
