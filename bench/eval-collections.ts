// The test collections of `npm run eval`, each as documents, queries and judgements. None is copied into the
// repository: SciFact is read from ../shared, CISI from a stored public git repository, by blob id (a blob id is
// the SHA-1 of the bytes: the same id is the same collection, wherever the copy came from).
//
// CISI (1,460 abstracts of information science, 112 queries of which 76 are judged; Cleverdon's group, 1982)
// is of a different kind from SciFact: library-science prose rather than biomedical claims, and queries that
// are whole paragraphs of natural language rather than one sentence.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Qrels } from './eval-measures.ts'

export interface Collection {
  readonly name: string
  readonly docs: ReadonlyArray<{ readonly id: string; readonly title: string; readonly text: string }>
  readonly queries: ReadonlyArray<{ readonly id: string; readonly text: string }>
  readonly qrels: Qrels
  /** A published BM25 figure for the collection, if there is one. */
  readonly published?: { readonly measure: 'nDCG@10'; readonly value: number; readonly by: string }
}

const SCIFACT = fileURLToPath(new URL('../../shared/data/ir/scifact/', import.meta.url))

function jsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(l => l.trim() !== '')
    .map(l => JSON.parse(l) as T)
}

/** BEIR SciFact, test split. */
export function scifact(): Collection {
  const docs = jsonl<{ _id: string; title: string; text: string }>(path.join(SCIFACT, 'corpus.jsonl')).map(d => ({ id: d._id, title: d.title, text: d.text }))
  const qrels: Qrels = new Map()
  for (const line of readFileSync(path.join(SCIFACT, 'qrels/test.tsv'), 'utf8').split('\n').slice(1)) {
    const [q, d, g] = line.trim().split('\t')
    if (q === undefined || d === undefined || g === undefined) continue
    if (!qrels.has(q)) qrels.set(q, new Map())
    qrels.get(q)!.set(d, Number(g))
  }
  const queries = jsonl<{ _id: string; text: string }>(path.join(SCIFACT, 'queries.jsonl'))
    .filter(q => qrels.has(q._id))
    .map(q => ({ id: q._id, text: q.text }))
  return { name: 'BEIR SciFact', docs, queries, qrels, published: { measure: 'nDCG@10', value: 0.679, by: 'Anserini BM25 flat, BEIR leaderboard' } }
}

/** Where the CISI files are: a clone of the public repository below (CANOPY_CISI_GIT names another). */
export const CISI_SOURCE = {
  repo: 'https://github.com/Shakiba-Alipour/Information-Retrieval-on-CISI',
  gitDir: process.env.CANOPY_CISI_GIT ?? '/work/.mirror/Shakiba-Alipour+Information-Retrieval-on-CISI/repo',
  blobs: {
    all: '7f9020e5a81371bf6a01eaddafd593fe64baecbf',
    qry: 'fea264e0b2af73f91d74b861cb41fb75fea46cd3',
    rel: '9c48d4c60bd3467e70a8397c1153f45ce15d6330'
  }
} as const

/** Records of the SMART format (.I id, then fields .T .A .W .X .B each followed by their lines). */
function smartRecords(text: string): Array<{ id: string; fields: Map<string, string> }> {
  const out: Array<{ id: string; fields: Map<string, string> }> = []
  let field = ''
  for (const line of text.replace(/\r/g, '').split('\n')) {
    const head = /^\.([A-Z])(?:\s+(\S+))?\s*$/.exec(line)
    if (head !== null) {
      if (head[1] === 'I') {
        out.push({ id: head[2] ?? '', fields: new Map() })
        field = ''
        continue
      }
      field = head[1]
      continue
    }
    const r = out[out.length - 1]
    if (r === undefined || field === '') continue
    r.fields.set(field, ((r.fields.get(field) ?? '') + ' ' + line.trim()).trim())
  }
  return out
}

/** CISI, or why it cannot be had here (then the evaluation reports it as skipped). */
export function cisi(): Collection | string {
  const src = CISI_SOURCE
  if (!existsSync(src.gitDir)) return `CISI skipped: no clone of ${src.repo} at ${src.gitDir} (set CANOPY_CISI_GIT)`
  const blob = (id: string): string => execFileSync('git', ['--git-dir', src.gitDir, 'cat-file', 'blob', id], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  let all: string, qry: string, rel: string
  try {
    all = blob(src.blobs.all)
    qry = blob(src.blobs.qry)
    rel = blob(src.blobs.rel)
  } catch (err) {
    return `CISI skipped: ${src.gitDir} lacks the pinned blobs (${(err as Error).message.split('\n')[0]})`
  }
  const docs = smartRecords(all).map(r => ({ id: r.id, title: r.fields.get('T') ?? '', text: r.fields.get('W') ?? '' }))
  const queries = smartRecords(qry).map(r => ({ id: r.id, text: [r.fields.get('T'), r.fields.get('W')].filter(x => x !== undefined).join(' ') }))
  const qrels: Qrels = new Map()
  for (const line of rel.split('\n')) {
    const [q, d] = line.trim().split(/\s+/)
    if (q === undefined || d === undefined || q === '') continue
    if (!qrels.has(q)) qrels.set(q, new Map())
    qrels.get(q)!.set(d, 1)
  }
  return { name: 'CISI', docs, queries, qrels }
}
