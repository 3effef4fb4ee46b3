// Ranking quality (`npm run eval`): each test collection (eval-collections.ts) is written as a WARC of HTML pages
// (title and text), ingested through the real pipeline, and its queries run as plain words through Canopy's
// search; SQLite FTS5's bm25() runs on the same documents and queries in the same run (eval-fts5.ts). MAP,
// nDCG@10, P@10 and R@100 as trec_eval computes them, and a paired randomisation test of the difference.
import { createHash } from 'node:crypto'
import { mkdir, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { NodeStore } from '../index-core/prolly/index.ts'
import { decodeDoc, entriesOfKind, keyDocId, KIND_RECORD, SCORING } from '../index-core/index/index.ts'
import { docKey, IndexReader, rankQuery } from '../index-core/query/index.ts'
import type { DocKey } from '../index-core/query/index.ts'
import { openIndexDir } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'
import { WarcWriter } from '../tools/warc-writer.ts'
import { cisi, scifact } from './eval-collections.ts'
import type { Collection } from './eval-collections.ts'
import { fts5Run } from './eval-fts5.ts'
import { measure, randomisationTest, winsLosses } from './eval-measures.ts'
import type { Measures, Run } from './eval-measures.ts'
import type { Row, Section } from './report.ts'
import { escapeMarkup } from '../tools/sample/gen-util.ts'

const DIR = path.join(os.tmpdir(), 'canopy-eval')

const slug = (c: Collection): string => c.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')
const urlOf = (c: Collection, id: string): string => `http://${slug(c)}.eval.example/doc/${encodeURIComponent(id)}`

/** The collection as a crawl: one HTML page per document, title in <title>, text in the body (cached by content). */
async function corpusWarc(c: Collection): Promise<string> {
  const h = createHash('sha256').update(JSON.stringify(c.docs)).digest('hex').slice(0, 12)
  const out = path.join(DIR, `${slug(c)}-${h}.warc.gz`)
  if (
    await stat(out).then(
      () => true,
      () => false
    )
  )
    return out
  await mkdir(DIR, { recursive: true })
  const w = WarcWriter.toFile(out, { seed: slug(c) })
  for (const d of c.docs) {
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeMarkup(d.title)}</title></head><body><p>${escapeMarkup(d.text)}</p></body></html>`
    w.response({ url: urlOf(c, d.id), date: '2020-01-01T00:00:00Z', status: 200, headers: [['Content-Type', 'text/html; charset=utf-8']], body: html })
  }
  w.close()
  return out
}

async function canopyRun(c: Collection): Promise<{ run: Run; documents: number; averages: readonly number[]; msPerQuery: number }> {
  const index = path.join(DIR, `${slug(c)}-index`)
  await rm(index, { recursive: true, force: true })
  console.error(`ingesting ${c.name}`)
  const s = await ingest({ inputs: [await corpusWarc(c)], index, workers: os.availableParallelism() })
  const dir = await openIndexDir(index, { write: false })
  try {
    const store = new NodeStore(dir.blocks.store, { cacheBytes: 256 * 1024 * 1024 })
    const reader = await IndexReader.open(store, (await dir.head())!)
    const byKey = new Map<DocKey, string>()
    for await (const e of entriesOfKind(store, reader.root.docs, KIND_RECORD)) {
      byKey.set(docKey(keyDocId(e.key)), decodeURIComponent(decodeDoc(e.value).url.split('/doc/')[1]))
    }
    const run: Run = new Map()
    const t = performance.now()
    for (const q of c.queries) {
      const { ranked } = await rankQuery(reader, { q: q.text, syntax: 'plain', group: false, facets: false })
      run.set(
        q.id,
        ranked.slice(0, 1000).map(r => ({ doc: byKey.get(r.key)!, score: r.score }))
      )
    }
    return { run, documents: s.stats.documents, averages: reader.scorer.averages, msPerQuery: (performance.now() - t) / c.queries.length }
  } finally {
    await dir.close()
  }
}

const f4 = (x: number): string => x.toFixed(4)

function row(c: Collection, engine: string, m: Measures): Row {
  return { collection: c.name, engine, MAP: f4(m.map), 'nDCG@10': f4(m.ndcg10), 'P@10': f4(m.p10), 'R@100': f4(m.r100), queries: m.queries }
}

async function evaluate(c: Collection): Promise<{ rows: Row[]; notes: string[] }> {
  const canopy = await canopyRun(c)
  const a = measure(canopy.run, c.qrels)
  const b = measure(fts5Run(c), c.qrels)
  const qs = [...a.per.keys()]
  const pick = (m: Measures, f: 'ap' | 'ndcg10'): number[] => qs.map(q => m.per.get(q)![f])
  const pMap = randomisationTest(pick(a, 'ap'), pick(b, 'ap'))
  const pNdcg = randomisationTest(pick(a, 'ndcg10'), pick(b, 'ndcg10'))
  const wl = winsLosses(pick(a, 'ap'), pick(b, 'ap'))
  const rows = [row(c, 'Canopy', a), row(c, 'SQLite FTS5 bm25()', b)]
  if (c.published !== undefined)
    rows.push({
      collection: c.name,
      engine: `published BM25 (${c.published.by})`,
      MAP: '',
      'nDCG@10': f4(c.published.value),
      'P@10': '',
      'R@100': '',
      queries: a.queries
    })
  console.error(`${c.name}: Canopy MAP ${f4(a.map)} nDCG@10 ${f4(a.ndcg10)}; FTS5 MAP ${f4(b.map)} nDCG@10 ${f4(b.ndcg10)}; p(MAP) ${pMap.toFixed(4)}`)
  const notes = [
    `${c.name}: ${canopy.documents} documents, ${c.queries.length} queries (${a.queries} judged). Canopy − FTS5: MAP ${a.map - b.map >= 0 ? '+' : ''}${f4(a.map - b.map)} (paired randomisation test, 20,000 trials: p = ${pMap.toFixed(4)}; Canopy better on ${wl.wins} queries, worse on ${wl.losses}), nDCG@10 ${a.ndcg10 - b.ndcg10 >= 0 ? '+' : ''}${f4(a.ndcg10 - b.ndcg10)} (p = ${pNdcg.toFixed(4)}). Average lengths the index found (title, body, url tokens): ${canopy.averages.map(x => x.toFixed(1)).join(' / ')}; ${canopy.msPerQuery.toFixed(1)} ms a query (full evaluation from a cold cache on a shared machine: not a speed figure, see bench/query.ts).`
  ]
  return { rows, notes }
}

export async function run(): Promise<Section[]> {
  const rows: Row[] = []
  const notes: string[] = []
  for (const load of [scifact, cisi]) {
    const c = load()
    if (typeof c === 'string') {
      console.error(c)
      notes.push(c)
      continue
    }
    const r = await evaluate(c)
    rows.push(...r.rows)
    notes.push(...r.notes)
  }
  return [
    {
      title: 'Ranking quality: Canopy against SQLite FTS5 bm25() on the same documents and queries',
      command: 'npm run eval',
      notes: [
        `Canopy: BM25F, k1 ${SCORING.k1}, b ${SCORING.b[1]}, weights title ${SCORING.weights[0]} / body ${SCORING.weights[1]} / url ${SCORING.weights[2]}, the index's own average field lengths; documents written as a WARC of HTML pages and ingested through the real pipeline; queries as plain words (syntax 'plain'). FTS5: porter unicode61 tokenizer, title and body columns, bm25() with its fixed k1 1.2 and b 0.75, the query's words ORed. Measures as trec_eval -c computes them (MAP and R@100 over the top 1,000).`,
        ...notes
      ],
      rows
    }
  ]
}
