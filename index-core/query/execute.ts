// Evaluates a parsed query against one index: every node becomes a map from document to score (0 for
// filters). Boolean clauses follow Lucene: must clauses intersect, should clauses add score (and are
// required, at least one, when there is no must), must_not clauses remove.

import { analyzeQuery } from '../analysis/index.ts'
import { decodeFieldPositions } from '../index/posting-codec.ts'
import { filterTerm, FIELD_COUNT, FIELDS } from '../index/schema.ts'
import { timestamp14 } from '../index/capture-codec.ts'
import type { QueryNode, TextField } from './ast.ts'
import { SearchError } from './search-error.ts'
import { Bm25Scorer, idf } from './bm25.ts'
import type { Bm25Params } from './bm25.ts'
import type { DocKey, IndexReader, PostingList } from './index-reader.ts'

export type Scores = Map<DocKey, number>

export interface ExecOptions {
  readonly lang: string | null
  readonly params: Bm25Params
  readonly maxPrefixExpansions: number
}

/** What a query asked for, kept for highlighting: the analysed terms of its positive clauses. */
export interface QueryTerms { readonly terms: Set<string> }

const S = 2 * FIELD_COUNT

function fieldIndex (f: TextField | null): number | null {
  return f === null ? null : FIELDS.indexOf(f)
}

function indexOf (docs: readonly DocKey[], k: DocKey): number {
  let lo = 0
  let hi = docs.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (docs[mid] < k) lo = mid + 1
    else hi = mid
  }
  return lo < docs.length && docs[lo] === k ? lo : -1
}

/** True for a node that only filters (site, type, lang, institution, date) and never scores. */
export function filterOnly (node: QueryNode): boolean {
  if (node.kind === 'filter' || node.kind === 'date') return true
  if (node.kind === 'bool') return node.clauses.every(c => c.occur === 'must_not' || filterOnly(c.node))
  return false
}

export class Executor {
  readonly reader: IndexReader
  readonly opts: ExecOptions
  readonly scorer: Bm25Scorer
  readonly highlight: QueryTerms = { terms: new Set() }
  readonly #N: number

  constructor (reader: IndexReader, opts: ExecOptions) {
    this.reader = reader
    this.opts = opts
    this.scorer = new Bm25Scorer(opts.params, reader.avgFieldLengths)
    this.#N = reader.stats.documents
  }

  /** Documents matching `node`, with scores; null when the node analyses to nothing (a stop word). */
  async run (node: QueryNode, negated = false): Promise<Scores | null> {
    switch (node.kind) {
      case 'term': return await this.#text(node.field, node.text, negated)
      case 'phrase': return await this.#text(node.field, node.text, negated, true)
      case 'prefix': return await this.#prefix(node.field, node.text, negated)
      case 'filter': return await this.#filter(node.field, node.value)
      case 'date': return await this.#date(node.from, node.to)
      case 'bool': return await this.#bool(node.clauses, negated)
    }
  }

  /** Adds a term's BM25 contributions into `out` (a new entry for a document not yet there). */
  #termScores (list: PostingList, field: number | null, out: Scores): void {
    const w = idf(this.#N, list.docs.length)
    const s = new Array<number>(S)
    for (let i = 0; i < list.docs.length; i++) {
      for (let j = 0; j < S; j++) s[j] = list.scoring[i * S + j]
      const sc = this.scorer.score(w, s, field)
      if (sc > 0) out.set(list.docs[i], (out.get(list.docs[i]) ?? 0) + sc)
    }
  }

  async #text (field: TextField | null, text: string, negated: boolean, phrase = false): Promise<Scores | null> {
    const tokens = analyzeQuery(text, this.opts.lang)
    if (tokens.length === 0) return null
    if (!negated) for (const t of tokens) this.highlight.terms.add(t.term)
    const f = fieldIndex(field)
    if (tokens.length === 1) {
      const out: Scores = new Map()
      this.#termScores(await this.reader.postings(tokens[0].term), f, out)
      return out
    }
    // Several tokens (a phrase, or a word the analyzer splits, like CJK bigrams or "covid-19"): all must
    // occur at the relative positions the query has them.
    const lists = await Promise.all(tokens.map(async t => await this.reader.postings(t.term)))
    const order = lists.map((_, i) => i).sort((a, b) => lists[a].docs.length - lists[b].docs.length)
    const out: Scores = new Map()
    const rarest = lists[order[0]]
    const s = new Array<number>(S)
    outer:
    for (const doc of rarest.docs) {
      const idx: number[] = new Array(lists.length)
      for (const i of order) {
        const j = indexOf(lists[i].docs, doc)
        if (j < 0) continue outer
        idx[i] = j
      }
      let matchedField = -1
      for (let fi = 0; fi < FIELD_COUNT && matchedField < 0; fi++) {
        if (f !== null && fi !== f) continue
        // Only a field where every token occurs can hold the phrase; decode just that field.
        let all = true
        for (let i = 0; i < lists.length && all; i++) all = lists[i].scoring[idx[i] * S + fi] > 0
        if (!all) continue
        const positions = lists.map((l, i) => decodeFieldPositions(l.values[idx[i]], fi))
        const sets = positions.map(p => p.length > 8 ? new Set(p) : null)
        for (const p0 of positions[0]) {
          const start = p0 - tokens[0].position
          let ok = true
          for (let t = 1; t < tokens.length && ok; t++) {
            const want = start + tokens[t].position
            ok = sets[t] !== null ? sets[t]!.has(want) : positions[t].includes(want)
          }
          if (ok) { matchedField = fi; break }
        }
      }
      if (matchedField < 0) continue
      let score = 0
      for (let i = 0; i < lists.length; i++) {
        for (let j = 0; j < S; j++) s[j] = lists[i].scoring[idx[i] * S + j]
        score += this.scorer.score(idf(this.#N, lists[i].docs.length), s, f)
      }
      out.set(doc, score)
    }
    return out
  }

  async #prefix (field: TextField | null, text: string, negated: boolean): Promise<Scores | null> {
    // The prefix is normalised like query text, but not stemmed (a stem of a word start means little).
    const prefix = text.normalize('NFKC').toLowerCase()
    const terms = await this.reader.expandPrefix(prefix, this.opts.maxPrefixExpansions)
    if (terms.length > this.opts.maxPrefixExpansions) {
      throw new SearchError('too-many-expansions', `"${text}*" matches more than ${this.opts.maxPrefixExpansions} terms: make the prefix longer`)
    }
    const f = fieldIndex(field)
    const out: Scores = new Map()
    for (const t of terms) {
      if (!negated) this.highlight.terms.add(t)
      const one: Scores = new Map()
      this.#termScores(await this.reader.postings(t), f, one)
      // A document matching several expansions counts its best one (they are alternatives, not evidence).
      for (const [d, sc] of one) out.set(d, Math.max(out.get(d) ?? 0, sc))
    }
    return out
  }

  async #docsOf (term: string): Promise<DocKey[]> { return (await this.reader.postings(term)).docs }

  async #filter (field: 'site' | 'type' | 'lang' | 'institution', value: string): Promise<Scores> {
    const out: Scores = new Map()
    const add = (docs: readonly DocKey[]): void => { for (const d of docs) out.set(d, 0) }
    if (field === 'site') {
      add(await this.#docsOf(filterTerm('host', value)))
      add(await this.#docsOf(filterTerm('domain', value)))
    } else {
      add(await this.#docsOf(filterTerm(field === 'institution' ? 'inst' : field, value)))
    }
    return out
  }

  /**
   * Capture date ranges (inclusive 14-digit bounds): whole years and months come from year and month
   * filter terms; a bound inside a month is checked against the documents' capture dates.
   */
  async #date (from: string | null, to: string | null): Promise<Scores> {
    const lo = from ?? '00000101000000'
    const hi = to ?? '99991231235959'
    const out: Scores = new Map()
    const y0 = Math.max(1990, Number(lo.slice(0, 4)))
    const y1 = Math.min(2100, Number(hi.slice(0, 4)))
    const exact: DocKey[] = []
    for (let y = y0; y <= y1; y++) {
      const whole = `${y}0101000000` >= lo && `${y}1231235959` <= hi
      if (whole) { for (const d of await this.#docsOf(filterTerm('year', String(y)))) out.set(d, 0); continue }
      for (let m = 1; m <= 12; m++) {
        const mm = String(m).padStart(2, '0')
        const start = `${y}${mm}01000000`
        const end = `${y}${mm}31235959`
        if (end < lo || start > hi) continue
        const docs = await this.#docsOf(filterTerm('month', `${y}-${mm}`))
        if (start >= lo && end <= hi) for (const d of docs) out.set(d, 0)
        else exact.push(...docs)
      }
    }
    for (const d of exact) {
      if (out.has(d)) continue
      for (const c of await this.reader.captures(d)) {
        const t = timestamp14(c.date)
        if (c.date !== null && t >= lo && t <= hi) { out.set(d, 0); break }
      }
    }
    return out
  }

  async #bool (clauses: ReadonlyArray<{ occur: 'must' | 'should' | 'must_not', node: QueryNode }>, negated: boolean): Promise<Scores | null> {
    // The common case, plain words in OR (`breast cancer`): score every term straight into one map.
    if (clauses.length > 1 && clauses.every(c => c.occur === 'should' && c.node.kind === 'term')) {
      const terms = clauses.map(c => {
        const node = c.node as Extract<QueryNode, { kind: 'term' }>
        const t = analyzeQuery(node.text, this.opts.lang)
        return t.length === 1 ? { term: t[0].term, field: fieldIndex(node.field) } : null
      })
      if (terms.every(t => t !== null)) {
        const out: Scores = new Map()
        for (const t of terms) {
          if (!negated) this.highlight.terms.add(t!.term)
          this.#termScores(await this.reader.postings(t!.term), t!.field, out)
        }
        return out
      }
    }
    const must: Scores[] = []
    const should: Scores[] = []
    const not: Scores[] = []
    // Filters restrict: beside words, an optional filter clause (`hubble site:nasa.gov`, the default OR
    // between them) is required, as people expect of site:, type: and date:. Filters alone still combine
    // as written (`site:a.org OR site:b.org`).
    const scoring = clauses.some(c => c.occur !== 'must_not' && !filterOnly(c.node))
    // With no must clause of its own, a bool needs at least one of its should clauses to match, even when
    // promoted filters made it a must (Lucene's rule would otherwise make the words optional).
    const needShould = !clauses.some(c => c.occur === 'must')
    for (const c of clauses) {
      const r = await this.run(c.node, negated !== (c.occur === 'must_not'))
      if (r === null) continue
      if (c.occur === 'must' || (c.occur === 'should' && scoring && filterOnly(c.node))) must.push(r)
      else if (c.occur === 'should') should.push(r)
      else not.push(r)
    }
    if (must.length === 0 && should.length === 0 && not.length === 0) return null
    let out: Scores
    if (must.length > 0) {
      must.sort((a, b) => a.size - b.size)
      out = new Map()
      outer:
      for (const [d, sc] of must[0]) {
        let total = sc
        for (let i = 1; i < must.length; i++) {
          const x = must[i].get(d)
          if (x === undefined) continue outer
          total += x
        }
        out.set(d, total)
      }
      if (needShould && should.length > 0) {
        const matched: Scores = new Map()
        for (const s of should) for (const [d, sc] of s) { const x = out.get(d); if (x !== undefined) matched.set(d, (matched.get(d) ?? x) + sc) }
        out = matched
      } else {
        for (const s of should) for (const [d, sc] of s) { const x = out.get(d); if (x !== undefined) out.set(d, x + sc) }
      }
    } else if (should.length > 0) {
      out = new Map()
      for (const s of should) for (const [d, sc] of s) out.set(d, (out.get(d) ?? 0) + sc)
    } else {
      out = new Map((await this.reader.allDocs()).map(d => [d, 0]))
    }
    for (const n of not) for (const d of n.keys()) out.delete(d)
    return out
  }
}
