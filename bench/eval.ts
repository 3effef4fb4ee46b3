// Ranking quality on BEIR SciFact (`npm run eval`): the corpus goes through the real pipeline (written as a
// WARC of HTML pages, title and text, then ingested), its 300 test queries run as plain word queries, and
// nDCG@10, R@100 and R@1000 are computed as trec_eval computes them (-c -m ndcg_cut.10 / recall.100,1000):
// every judged query counts, ties are broken by document id descending, gains are the judged grades.
import { readFileSync } from 'node:fs'
import { mkdir, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { NodeStore } from '../index-core/prolly/index.ts'
import { decodeDoc, entriesOfKind, keyDocId, KIND_RECORD } from '../index-core/index/index.ts'
import { SCORING } from '../index-core/index/impact.ts'
import { docKey, IndexReader } from '../index-core/query/index-reader.ts'
import type { DocKey } from '../index-core/query/index-reader.ts'
import { rankQuery } from '../index-core/query/search.ts'
import { openIndexDir } from '../index-core/store/index-dir.ts'
import { ingest } from '../ingest/pipeline.ts'
import { WarcWriter } from '../ingest/warc-writer.ts'
import type { Row, Section } from './report.ts'

const SCIFACT = fileURLToPath(new URL('../../shared/data/ir/scifact/', import.meta.url))
const DIR = path.join(os.tmpdir(), 'canopy-eval')
const BASELINE_NDCG10 = 0.679

function jsonl<T> (file: string): T[] {
  return readFileSync(path.join(SCIFACT, file), 'utf8').split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as T)
}

function escapeHtml (s: string): string {
  return s.replace(/[&<>"]/g, c => c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;')
}

const urlOf = (id: string): string => `http://scifact.beir.example/doc/${encodeURIComponent(id)}`

/** The corpus as a crawl: one HTML page per document, title in <title>, text in the body. */
async function corpusWarc (): Promise<string> {
  const out = path.join(DIR, 'scifact.warc.gz')
  if (await stat(out).then(() => true, () => false)) return out
  await mkdir(DIR, { recursive: true })
  const w = WarcWriter.toFile(out, { seed: 'scifact' })
  for (const d of jsonl<{ _id: string, title: string, text: string }>('corpus.jsonl')) {
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(d.title)}</title></head><body><p>${escapeHtml(d.text)}</p></body></html>`
    w.response({ url: urlOf(d._id), date: '2020-01-01T00:00:00Z', status: 200, headers: [['Content-Type', 'text/html; charset=utf-8']], body: html })
  }
  w.close()
  return out
}

export interface Metrics { ndcg10: number, recall100: number, recall1000: number, queries: number }

/** trec_eval's measures over ranked lists (docno, score), averaged over every judged query. */
export function trecEval (runs: Map<string, Array<{ doc: string, score: number }>>, qrels: Map<string, Map<string, number>>): Metrics {
  let ndcg = 0; let r100 = 0; let r1000 = 0
  for (const [q, rel] of qrels) {
    const relevant = [...rel.values()].filter(g => g > 0)
    if (relevant.length === 0) continue
    // trec_eval orders by score descending, then document id descending.
    const run = [...(runs.get(q) ?? [])].sort((a, b) => b.score - a.score || (a.doc < b.doc ? 1 : a.doc > b.doc ? -1 : 0))
    let dcg = 0
    run.slice(0, 10).forEach((r, i) => { dcg += (rel.get(r.doc) ?? 0) / Math.log2(i + 2) })
    const ideal = [...relevant].sort((a, b) => b - a).slice(0, 10)
    let idcg = 0
    ideal.forEach((g, i) => { idcg += g / Math.log2(i + 2) })
    ndcg += idcg > 0 ? dcg / idcg : 0
    const hit = (k: number): number => run.slice(0, k).filter(r => (rel.get(r.doc) ?? 0) > 0).length
    r100 += hit(100) / relevant.length
    r1000 += hit(1000) / relevant.length
  }
  const n = qrels.size
  return { ndcg10: ndcg / n, recall100: r100 / n, recall1000: r1000 / n, queries: n }
}

async function runQueries (reader: IndexReader, byKey: Map<DocKey, string>): Promise<Map<string, Array<{ doc: string, score: number }>>> {
  const runs = new Map<string, Array<{ doc: string, score: number }>>()
  for (const q of jsonl<{ _id: string, text: string }>('queries.jsonl')) {
    const { ranked } = await rankQuery(reader, { q: q.text, syntax: 'plain', group: false })
    runs.set(q._id, ranked.slice(0, 1000).map(r => ({ doc: byKey.get(r.key)!, score: r.score })))
  }
  return runs
}

export async function run (): Promise<Section[]> {
  const warc = await corpusWarc()
  const index = path.join(DIR, 'index')
  await rm(index, { recursive: true, force: true })
  console.error('ingesting SciFact')
  const s = await ingest({ inputs: [warc], index, workers: os.availableParallelism() })
  const qrels = new Map<string, Map<string, number>>()
  for (const line of readFileSync(path.join(SCIFACT, 'qrels/test.tsv'), 'utf8').split('\n').slice(1)) {
    const [q, d, g] = line.trim().split('\t')
    if (q === undefined || d === undefined || g === undefined) continue
    if (!qrels.has(q)) qrels.set(q, new Map())
    qrels.get(q)!.set(d, Number(g))
  }
  const dir = await openIndexDir(index, { write: false })
  try {
    const store = new NodeStore(dir.blocks.store, { cacheBytes: 256 * 1024 * 1024 })
    const reader = await IndexReader.open(store, (await dir.head())!)
    const byKey = new Map<DocKey, string>()
    for await (const e of entriesOfKind(store, reader.root.docs, KIND_RECORD)) {
      byKey.set(docKey(keyDocId(e.key)), decodeURIComponent(decodeDoc(e.value).url.split('/doc/')[1]))
    }
    const rows: Row[] = []
    const t = performance.now()
    const m = trecEval(await runQueries(reader, byKey), qrels)
    const name = `canopy: BM25F impacts, k1 ${SCORING.k1} b ${SCORING.b[1]}, title ×${SCORING.weights[0]}, pivot lengths ${SCORING.pivots.join('/')}`
    rows.push({ ranking: name, 'nDCG@10': m.ndcg10.toFixed(4), 'R@100': m.recall100.toFixed(4), 'R@1000': m.recall1000.toFixed(4), queries: m.queries, 'ms/query': (performance.now() - t) / m.queries })
    console.error(`${name}: nDCG@10 ${m.ndcg10.toFixed(4)}`)
    rows.push({ ranking: 'published BM25 baseline (Anserini, title+text in one field)', 'nDCG@10': BASELINE_NDCG10.toFixed(4), 'R@100': '', 'R@1000': '', queries: 300, 'ms/query': '' })
    return [{
      title: `Ranking quality on BEIR SciFact (${s.stats.documents} documents, ${qrels.size} queries)`,
      command: 'npm run eval',
      notes: ['Measures as trec_eval -c -m ndcg_cut.10 -m recall.100,1000 computes them; the corpus is ingested through the WARC pipeline and queries run as plain words.'],
      rows
    }]
  } finally {
    await dir.close()
  }
}
