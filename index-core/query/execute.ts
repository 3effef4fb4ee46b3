// Evaluates a parsed query against one index: every node becomes the set of documents it matches, with a
// score each (0 for filters). Boolean clauses follow Lucene: must clauses intersect, should clauses add
// score (and are required, at least one, when there is no must), must_not clauses remove.
//
// Two phases: everything the query needs is read first (posting lists, prefix expansions, date checks:
// the only waiting), then the query is evaluated synchronously over sorted typed arrays. A query in flight
// then never holds its result sets across a wait, and its short-lived arrays stay out of the GC's old
// generation (string-keyed Maps of whole result sets did neither).

import { analyzeQuery, BIGRAM, classOf } from '../analysis/index.ts'
import type { Token } from '../analysis/index.ts'
import { filterTerm, FIELDS, timestamp14, idf } from '../index/index.ts'
import type { BoolClause, DateNode, QueryNode, TextField } from './ast.ts'
import { SearchError } from './search-error.ts'
import { allInOrder } from './in-order.ts'
import { QueryHighlight } from './highlight.ts'
import type { DocKey } from './doc-key.ts'
import type { IndexReader, ReaderView } from './index-reader.ts'
import { postingValue } from './posting-list.ts'
import { holdsPhrase } from './phrase-match.ts'
import type { PostingList } from './posting-list.ts'

/**
 * Matching documents, ascending by document key: the first n of ords (ordinals in the executor's view),
 * each with its score in vals.
 */
export interface Scores {
  readonly n: number
  readonly ords: Int32Array
  readonly vals: Float64Array
}

export interface ExecOptions {
  readonly lang: string | null
  readonly maxPrefixExpansions: number
}

const EMPTY: Scores = { n: 0, ords: new Int32Array(0), vals: new Float64Array(0) }

/** Parts from which a 'sum' union adds by ordinal rather than merging pairwise (#sumMany). */
const MANY_PARTS = 8

function fieldIndex(f: TextField | null): number | null {
  return f === null ? null : FIELDS.indexOf(f)
}

/**
 * First index at or after `from` whose key is >= k: galloping (1, 2, 4... steps) then a binary search, so
 * walking a list in order costs about two comparisons per step when the next key is near.
 */
function lowerBound(docs: readonly DocKey[], k: DocKey, from: number): number {
  let lo = from
  let step = 1
  let hi = from
  while (hi < docs.length && docs[hi] < k) {
    lo = hi + 1
    hi += step
    step *= 2
  }
  if (hi > docs.length) hi = docs.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (docs[mid] < k) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** True for a node that only filters (site, type, lang, institution, date) and never scores. */
export function filterOnly(node: QueryNode): boolean {
  if (node.kind === 'filter' || node.kind === 'date') return true
  if (node.kind === 'bool') return node.clauses.every(c => c.occur === 'must_not' || filterOnly(c.node))
  return false
}

/**
 * Whether a word the analyzer splits into several terms counts as that many words: it does when the split is
 * at punctuation (`shock-sound`, `three-dimensional`, `t/nroff`, `covid-19`), which is how the documents
 * were tokenised (Lucene's query parser and Elasticsearch's match query do the same). Its terms then match
 * and score as words of their own: any of them matches, their scores add (a quoted phrase is still a
 * phrase). The bigrams of a CJK run stay a phrase: they stand for one unbroken piece of text.
 */
export function isCompound(node: QueryNode, tokens: readonly Token[]): boolean {
  if (node.kind !== 'term' || tokens.length < 2) return false
  for (const ch of node.text) if (classOf(ch.codePointAt(0)!) === BIGRAM) return false
  return true
}

/** Whether a node evaluates to nothing at all (only words the analyzer drops): static, from the text alone. */
type Nullness = (node: QueryNode) => boolean

export class Executor {
  readonly reader: IndexReader
  /** The numbering of documents every list of this query is read in. */
  readonly view: ReaderView
  readonly opts: ExecOptions
  readonly highlight = new QueryHighlight()
  readonly #N: number
  /** What the read phase gathered. */
  readonly #lists = new Map<string, PostingList>()
  /** Lists being read (side by side: each is a few round trips over the network). */
  readonly #reading = new Map<string, Promise<void>>()
  readonly #tokens = new Map<QueryNode, Token[]>()
  readonly #expansions = new Map<QueryNode, string[]>()
  readonly #dates = new Map<QueryNode, Scores>()
  #allDocs: Int32Array | null = null

  constructor(reader: IndexReader, opts: ExecOptions) {
    this.reader = reader
    this.view = reader.view()
    this.opts = opts
    this.#N = reader.stats.documents
  }

  /**
   * Documents matching `node`, with scores; null when the node analyses to nothing (a stop word). `negated`:
   * the node is a must_not clause of its query (its words are then not highlighted).
   */
  async run(node: QueryNode, negated = false): Promise<Scores | null> {
    await this.#read(node)
    return this.#eval(node, negated)
  }

  /** The words of a term or phrase node as the query analyses them. */
  tokens(node: QueryNode & { text: string }): Token[] {
    return this.#analyse(node)
  }

  // ---- read phase: in evaluation order, so the first error is the one evaluation would meet first

  async #list(term: string): Promise<void> {
    if (this.#lists.has(term)) return
    let p = this.#reading.get(term)
    if (p === undefined) {
      const cached = this.view.cachedPostings(term)
      if (cached !== undefined) {
        this.#lists.set(term, cached)
        return
      }
      p = this.view.postings(term).then(l => {
        this.#lists.set(term, l)
      })
      this.#reading.set(term, p)
    }
    await p
  }

  async #readLists(terms: Iterable<string>): Promise<void> {
    await allInOrder(
      [...terms].map(async t => {
        await this.#list(t)
      })
    )
  }

  #analyse(node: QueryNode & { text: string }): Token[] {
    let t = this.#tokens.get(node)
    if (t === undefined) {
      t = analyzeQuery(node.text, this.opts.lang)
      this.#tokens.set(node, t)
    }
    return t
  }

  readonly #isNull: Nullness = node => {
    if (node.kind === 'term' || node.kind === 'phrase') return this.#analyse(node).length === 0
    if (node.kind === 'bool') return node.clauses.every(c => this.#isNull(c.node))
    return false
  }

  async #read(node: QueryNode): Promise<void> {
    switch (node.kind) {
      case 'term':
      case 'phrase':
        await this.#readLists(this.#analyse(node).map(t => t.term))
        return
      case 'prefix': {
        // The prefix is normalised like query text, but not stemmed (a stem of a word start means little).
        const terms = await this.reader.expandPrefix(node.text.normalize('NFKC').toLowerCase(), this.opts.maxPrefixExpansions)
        if (terms.length > this.opts.maxPrefixExpansions) {
          throw new SearchError('too-many-expansions', `"${node.text}*" matches more than ${this.opts.maxPrefixExpansions} terms: make the prefix longer`)
        }
        this.#expansions.set(node, terms)
        await this.#readLists(terms)
        return
      }
      case 'filter':
        await this.#readLists(filterTerms(node.field, node.value))
        return
      case 'date':
        this.#dates.set(node, await this.#date(node))
        return
      case 'bool': {
        await allInOrder(
          node.clauses.map(async c => {
            await this.#read(c.node)
          })
        )
        // Only negative clauses left (the others analyse to nothing): "everything except".
        const some = node.clauses.some(c => !this.#isNull(c.node))
        if (some && this.#allDocs === null && node.clauses.every(c => c.occur === 'must_not' || this.#isNull(c.node))) {
          this.#allDocs = await this.view.allDocs()
        }
      }
    }
  }

  /**
   * Capture date ranges (inclusive 14-digit bounds): whole years and months come from year and month
   * filter terms; a bound inside a month is checked against the documents' capture dates.
   */
  async #date(node: DateNode): Promise<Scores> {
    const lo = node.from ?? '00000101000000'
    const hi = node.to ?? '99991231235959'
    const y0 = Math.max(1990, Number(lo.slice(0, 4)))
    const y1 = Math.min(2100, Number(hi.slice(0, 4)))
    const inside: Scores[] = []
    const partial: Scores[] = []
    for (let y = y0; y <= y1; y++) {
      const whole = `${y}0101000000` >= lo && `${y}1231235959` <= hi
      if (whole) {
        inside.push(this.#docs(await this.view.postings(filterTerm('year', String(y)))))
        continue
      }
      for (let m = 1; m <= 12; m++) {
        const mm = String(m).padStart(2, '0')
        const start = `${y}${mm}01000000`
        const end = `${y}${mm}31235959`
        if (end < lo || start > hi) continue
        const docs = this.#docs(await this.view.postings(filterTerm('month', `${y}-${mm}`)))
        if (start >= lo && end <= hi) inside.push(docs)
        else partial.push(docs)
      }
    }
    const out = this.#union(inside, 'sum')
    if (partial.length === 0) return out
    // Documents of the months a bound cuts: each checked against its capture dates.
    const maybe = this.#without(this.#union(partial, 'sum'), out)
    const ords = new Int32Array(maybe.n)
    let k = 0
    for (let i = 0; i < maybe.n; i++) {
      for (const c of await this.reader.captures(this.view.keys[maybe.ords[i]])) {
        const t = timestamp14(c.date)
        if (c.date !== null && t >= lo && t <= hi) {
          ords[k++] = maybe.ords[i]
          break
        }
      }
    }
    return this.#merge(out, { n: k, ords, vals: new Float64Array(k) }, 'sum')
  }

  // ---- evaluation: synchronous, over what the read phase gathered

  #eval(node: QueryNode, negated: boolean): Scores | null {
    switch (node.kind) {
      case 'term':
      case 'phrase':
        return this.#text(node, negated)
      case 'prefix':
        return this.#prefix(node, negated)
      case 'filter':
        return this.#union(
          filterTerms(node.field, node.value).map(t => this.#docs(this.#lists.get(t)!)),
          'sum'
        )
      case 'date':
        return this.#dates.get(node)!
      case 'bool':
        return this.#bool(node.clauses, negated)
    }
  }

  /** A list's documents with score 0 (a filter). */
  #docs(l: PostingList): Scores {
    return { n: l.ords.length, ords: l.ords, vals: new Float64Array(l.ords.length) }
  }

  /**
   * A term's contributions (idf times its posting's weight) for the documents where it occurs, in `field`
   * if one is given (the score is the posting's, whatever field matched). In list order: ascending.
   */
  #termScores(list: PostingList, field: number | null): Scores {
    const w = idf(this.#N, list.df)
    const n = list.docs.length
    const ords = new Int32Array(n)
    const vals = new Float64Array(n)
    let k = 0
    for (let i = 0; i < n; i++) {
      if (field !== null && (list.fields[i] & (1 << field)) === 0) continue
      ords[k] = list.ords[i]
      vals[k] = w * list.weights[i]
      k++
    }
    return { n: k, ords, vals }
  }

  #text(node: QueryNode & { field: TextField | null; text: string }, negated: boolean): Scores | null {
    const tokens = this.#analyse(node)
    if (tokens.length === 0) return null
    if (!negated) this.highlight.addPhrase(tokens)
    const f = fieldIndex(node.field)
    if (tokens.length === 1) return this.#termScores(this.#lists.get(tokens[0].term)!, f)
    // Its terms add from 0 in token order, as top-k.ts adds a compound's parts.
    if (isCompound(node, tokens))
      return this.#union(
        tokens.map(t => this.#termScores(this.#lists.get(t.term)!, f)),
        'sum'
      )
    // Several tokens (a phrase, or a word the analyzer splits, like CJK bigrams or "covid-19"): all must
    // occur at the relative positions the query has them.
    const lists = tokens.map(t => this.#lists.get(t.term)!)
    const order = lists.map((_, i) => i).sort((a, b) => lists[a].docs.length - lists[b].docs.length)
    const rarest = lists[order[0]]
    const ords = new Int32Array(rarest.docs.length)
    const vals = new Float64Array(rarest.docs.length)
    let k = 0
    const idx: number[] = new Array(lists.length)
    // Every list is ascending, and so are the rarest's documents: each search starts where the last ended.
    const from: number[] = new Array(lists.length).fill(0)
    const fields: number[] = new Array(lists.length)
    const posting = (i: number): Uint8Array => postingValue(lists[i], idx[i])
    outer: for (let r = 0; r < rarest.docs.length; r++) {
      const doc = rarest.docs[r]
      for (const i of order) {
        const j = lowerBound(lists[i].docs, doc, from[i])
        from[i] = j
        if (j >= lists[i].docs.length || lists[i].docs[j] !== doc) continue outer
        idx[i] = j
      }
      for (let i = 0; i < lists.length; i++) fields[i] = lists[i].fields[idx[i]]
      if (!holdsPhrase(fields, posting, tokens, f)) continue
      let score = 0
      for (let i = 0; i < lists.length; i++) score += idf(this.#N, lists[i].df) * lists[i].weights[idx[i]]
      ords[k] = rarest.ords[r]
      vals[k] = score
      k++
    }
    return { n: k, ords, vals }
  }

  #prefix(node: QueryNode & { field: TextField | null }, negated: boolean): Scores {
    const f = fieldIndex(node.field)
    const parts: Scores[] = []
    for (const t of this.#expansions.get(node)!) {
      if (!negated) this.highlight.addWord(t)
      parts.push(this.#termScores(this.#lists.get(t)!, f))
    }
    // A document matching several expansions counts its best one (they are alternatives, not evidence).
    return this.#union(parts, 'max')
  }

  /**
   * Union of sorted sets, combining the scores of a document in several, in the order given: 'sum' adds
   * them left to right starting from 0 (exactly as accumulating into a map did), 'max' keeps the largest.
   */
  #union(parts: Scores[], how: 'sum' | 'max'): Scores {
    if (parts.length === 0) return EMPTY
    if (how === 'sum' && parts.length >= MANY_PARTS) return this.#sumMany(parts)
    let acc = parts[0]
    for (let p = 1; p < parts.length; p++) acc = this.#merge(acc, parts[p], how)
    return acc
  }

  /**
   * The 'sum' union of many parts (a long query's words) in one pass over each: merging them pairwise costs
   * the size of the growing result once per part, quadratic in the words. Scores add into an array by
   * ordinal, part by part from 0, so every document's sum is the one pairwise merging gives, to the last bit.
   */
  #sumMany(parts: Scores[]): Scores {
    const keys = this.view.keys
    const acc = new Float64Array(keys.length)
    const seen = new Uint8Array(keys.length)
    const touched: number[] = []
    for (const p of parts) {
      for (let i = 0; i < p.n; i++) {
        const o = p.ords[i]
        if (seen[o] === 0) {
          seen[o] = 1
          touched.push(o)
        }
        acc[o] += p.vals[i]
      }
    }
    touched.sort((x, y) => (keys[x] < keys[y] ? -1 : keys[x] > keys[y] ? 1 : 0))
    const ords = Int32Array.from(touched)
    const vals = new Float64Array(ords.length)
    for (let i = 0; i < ords.length; i++) vals[i] = acc[ords[i]]
    return { n: ords.length, ords, vals }
  }

  #merge(a: Scores, b: Scores, how: 'sum' | 'max'): Scores {
    const keys = this.view.keys
    const ords = new Int32Array(a.n + b.n)
    const vals = new Float64Array(a.n + b.n)
    let i = 0
    let j = 0
    let k = 0
    while (i < a.n && j < b.n) {
      const oa = a.ords[i]
      const ob = b.ords[j]
      if (oa === ob) {
        ords[k] = oa
        vals[k++] = how === 'sum' ? a.vals[i] + b.vals[j] : Math.max(a.vals[i], b.vals[j])
        i++
        j++
      } else if (keys[oa] < keys[ob]) {
        ords[k] = oa
        vals[k++] = a.vals[i++]
      } else {
        // First seen in b: (0 + score) for a sum, max(0, score) for a max: the score itself either way.
        ords[k] = ob
        vals[k++] = how === 'sum' ? 0 + b.vals[j] : Math.max(0, b.vals[j])
        j++
      }
    }
    while (i < a.n) {
      ords[k] = a.ords[i]
      vals[k++] = a.vals[i++]
    }
    while (j < b.n) {
      ords[k] = b.ords[j]
      vals[k++] = how === 'sum' ? 0 + b.vals[j] : Math.max(0, b.vals[j])
      j++
    }
    return { n: k, ords, vals }
  }

  #bool(clauses: readonly BoolClause[], negated: boolean): Scores | null {
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
      const r = this.#eval(c.node, negated !== (c.occur === 'must_not'))
      if (r === null) continue
      if (c.occur === 'must' || (c.occur === 'should' && scoring && filterOnly(c.node))) must.push(r)
      else if (c.occur === 'should') should.push(r)
      else not.push(r)
    }
    if (must.length === 0 && should.length === 0 && not.length === 0) return null
    const keys = this.view.keys
    let out: Scores
    if (must.length > 0) {
      // Driven by the smallest clause (fewest steps), but scores add in clause order, from 0: the order a
      // reader meeting the terms in any other way (top-k.ts) adds them in too, to the last bit.
      const order = must.map((_, m) => m).sort((a, b) => must[a].n - must[b].n)
      const first = must[order[0]]
      const ords = new Int32Array(first.n)
      const vals = new Float64Array(first.n)
      const at = new Array<number>(must.length).fill(0)
      const v = new Float64Array(must.length)
      let k = 0
      outer: for (let i = 0; i < first.n; i++) {
        const o = first.ords[i]
        const key = keys[o]
        v[order[0]] = first.vals[i]
        for (let x = 1; x < order.length; x++) {
          const m = order[x]
          const other = must[m]
          let j = at[m]
          while (j < other.n && keys[other.ords[j]] < key) j++
          at[m] = j
          if (j >= other.n || other.ords[j] !== o) continue outer
          v[m] = other.vals[j]
        }
        let total = 0
        for (let m = 0; m < must.length; m++) total += v[m]
        ords[k] = o
        vals[k++] = total
      }
      out = { n: k, ords, vals }
      if (needShould && should.length > 0) {
        // Only documents at least one should clause matches, with those clauses' scores added in order.
        const acc = out.vals.slice(0, out.n)
        const hit = new Uint8Array(out.n)
        for (const s of should) this.#addInto(out, acc, hit, s)
        let m = 0
        const mo = new Int32Array(out.n)
        const mv = new Float64Array(out.n)
        for (let i = 0; i < out.n; i++)
          if (hit[i] === 1) {
            mo[m] = out.ords[i]
            mv[m++] = acc[i]
          }
        out = { n: m, ords: mo, vals: mv }
      } else if (should.length > 0) {
        const acc = out.vals.slice(0, out.n)
        for (const s of should) this.#addInto(out, acc, null, s)
        out = { n: out.n, ords: out.ords, vals: acc }
      }
    } else if (should.length > 0) {
      out = this.#union(should, 'sum')
    } else {
      const all = this.#allDocs!
      out = { n: all.length, ords: all, vals: new Float64Array(all.length) }
    }
    for (const n of not) out = this.#without(out, n)
    return out
  }

  /** Adds s's scores into acc for the documents of base it holds (marking them in hit). */
  #addInto(base: Scores, acc: Float64Array, hit: Uint8Array | null, s: Scores): void {
    const keys = this.view.keys
    let j = 0
    for (let i = 0; i < base.n && j < s.n; i++) {
      const o = base.ords[i]
      const key = keys[o]
      while (j < s.n && keys[s.ords[j]] < key) j++
      if (j < s.n && s.ords[j] === o) {
        acc[i] += s.vals[j]
        if (hit !== null) hit[i] = 1
        j++
      }
    }
  }

  #without(a: Scores, b: Scores): Scores {
    const keys = this.view.keys
    const ords = new Int32Array(a.n)
    const vals = new Float64Array(a.n)
    let j = 0
    let k = 0
    for (let i = 0; i < a.n; i++) {
      const o = a.ords[i]
      const key = keys[o]
      while (j < b.n && keys[b.ords[j]] < key) j++
      if (j < b.n && b.ords[j] === o) continue
      ords[k] = o
      vals[k++] = a.vals[i]
    }
    return { n: k, ords, vals }
  }
}

/** The filter terms a filter clause matches any of. */
export function filterTerms(field: 'site' | 'type' | 'lang' | 'institution', value: string): string[] {
  if (field === 'site') return [filterTerm('host', value), filterTerm('domain', value)]
  return [filterTerm(field === 'institution' ? 'inst' : field, value)]
}
