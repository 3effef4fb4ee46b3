// One search over one index: parse, evaluate, rank, group by URL, facet, page, and dress the page's hits
// with captures and snippets. Pure over a block store: the same index and request give the same result.

import { allInOrder } from './in-order.ts'
import { DOC_ID_BYTES } from '../index/schema.ts'
import { timestamp14 } from '../index/capture-codec.ts'
import type { Capture } from '../index/capture-codec.ts'
import { decodePositions } from '../index/posting-codec.ts'
import type { QueryNode } from './ast.ts'
import { parseQuery } from './parser.ts'
import { QueryError } from './parse-error.ts'
import { QUERY_LIMITS } from './limits.ts'
import { scanSegments } from '../analysis/tokenizer.ts'
import { analyzeQuery } from '../analysis/index.ts'
import { SearchError } from './search-error.ts'
import { Executor, filterOnly } from './execute.ts'
import { planTopK, topKMatches } from './top-k.ts'
import { highlightAll, makeSnippet } from './highlight.ts'
import { docKeyHex, postingValue, urlKeyOfDoc } from './index-reader.ts'
import type { DocKey, IndexReader, ReaderView } from './index-reader.ts'

export type SortOrder = 'relevance' | 'date-asc' | 'date-desc'

export interface SearchRequest {
  readonly q: string
  /**
   * 'query' (default): the query language (phrases, AND/OR/NOT, fields, filters). 'plain': the text is just
   * words, all optional, as a search box for natural-language questions or an evaluation wants.
   */
  readonly syntax?: 'query' | 'plain'
  readonly defaultOperator?: 'or' | 'and'
  /** Language to analyse the query in (null: English). */
  readonly lang?: string | null
  /** Filters given as parameters rather than in the query text; ANDed with it. */
  readonly filters?: { site?: string, type?: string, lang?: string, institution?: string, from?: string, to?: string }
  readonly sort?: SortOrder
  /** One result per URL (default), or every matching document. */
  readonly group?: boolean
  readonly pageSize?: number
  readonly cursor?: string | null
  readonly facets?: boolean
  /**
   * Count every match exactly. By default a relevance search without facets reads posting lists only as far
   * as its page needs (top-k.ts) and reports a lower bound when it stopped early, as Elasticsearch does.
   */
  readonly exactTotal?: boolean
  /** List every capture of each hit (with replay details), not only their dates. */
  readonly allCaptures?: boolean
  readonly maxPrefixExpansions?: number
}

export interface FacetValue { readonly value: string, readonly count: number }

export interface HitCapture {
  readonly date: string | null
  /** 14-digit wayback timestamp, for replay links. */
  readonly timestamp: string
  readonly url: string
  readonly institution: string
  readonly type: Capture['type']
  readonly file: string
  readonly offset: number
  readonly length: number
}

export interface SearchHit {
  readonly id: string
  readonly url: string
  readonly title: string
  /** Title with matches in <mark>, HTML-escaped. */
  readonly titleHtml: string
  /** Snippet of the body text with matches in <mark>, HTML-escaped. */
  readonly snippet: string
  readonly host: string
  readonly domain: string
  readonly mime: string
  readonly lang: string | null
  readonly status: number | null
  readonly score: number
  /** Captures of this URL across every version of the page. */
  readonly captureCount: number
  readonly captureDates: string[]
  readonly institutions: string[]
  /** Documents (distinct contents) of this URL. */
  readonly versions: number
  readonly captures?: HitCapture[]
}

export interface SearchResult {
  readonly total: number
  /** Distinct URLs among the matching documents. */
  readonly totalUrls: number
  /** 'eq': the totals are exact; 'gte': they are lower bounds (the search stopped once its page was decided). */
  readonly totalRelation: 'eq' | 'gte'
  readonly hits: SearchHit[]
  readonly facets: Record<string, FacetValue[]> | null
  readonly nextCursor: string | null
  readonly tookMs: number
  /** What the query read: blocks and bytes fetched from the store, and cache hits. */
  readonly io: { blocksRead: number, bytesRead: number, cacheHits: number }
}

export const MAX_PAGE_SIZE = 100
export const DEFAULT_PAGE_SIZE = 10
const FACET_LIMIT = 20

export interface Ranked { readonly key: DocKey, readonly score: number, readonly sortValue: number }

function filterNodes (f: NonNullable<SearchRequest['filters']>): QueryNode[] {
  const out: QueryNode[] = []
  const add = (field: 'site' | 'type' | 'lang' | 'institution', raw: string | undefined): void => {
    if (raw !== undefined && raw !== '') {
      // Run the value through the parser so parameters are normalised and validated like query text.
      const p = parseQuery(`${field}:${JSON.stringify(raw)}`).root
      out.push(p)
    }
  }
  add('site', f.site); add('type', f.type); add('lang', f.lang); add('institution', f.institution)
  if ((f.from ?? '') !== '' || (f.to ?? '') !== '') out.push(parseQuery(`date:${f.from ?? ''}..${f.to ?? ''}`).root)
  return out
}

function encodeCursor (r: Ranked, sort: SortOrder): string {
  return Buffer.from(JSON.stringify({ s: sort, v: r.sortValue, k: docKeyHex(r.key) })).toString('base64url')
}

function decodeCursor (c: string, sort: SortOrder): { v: number, k: DocKey } {
  try {
    const o = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as { s: string, v: number, k: string }
    if (o.s !== sort || typeof o.v !== 'number' || typeof o.k !== 'string' || o.k.length !== 2 * DOC_ID_BYTES || !/^[0-9a-f]+$/.test(o.k)) throw new Error('shape')
    let k = ''
    for (const b of Buffer.from(o.k, 'hex')) k += String.fromCharCode(b)
    return { v: o.v, k }
  } catch {
    throw new SearchError('bad-cursor', 'The page cursor is not valid for this search (it may belong to another sort order)')
  }
}

/** Orders by sortValue descending, then document key ascending: total, so pages never overlap. */
function compareRanked (a: { sortValue: number, key: DocKey }, b: { sortValue: number, key: DocKey }): number {
  if (a.sortValue !== b.sortValue) return b.sortValue - a.sortValue
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0
}


/**
 * The plain-syntax query: every word of the text an optional term. Words the analyzer drops (stop words) cost
 * nothing and do not count toward the limit on search terms.
 */
function plainQuery (text: string, lang: string | null): QueryNode {
  if (text.length > QUERY_LIMITS.maxLength) {
    throw new QueryError('too-long', `The query is too long: ${text.length} characters, at most ${QUERY_LIMITS.maxLength} are allowed`, QUERY_LIMITS.maxLength)
  }
  const words: string[] = []
  let counted = 0
  let over = -1
  scanSegments(text, (a, b) => {
    const w = text.slice(a, b)
    words.push(w)
    if (analyzeQuery(w, lang).length > 0 && ++counted > QUERY_LIMITS.maxClauses) { over = a; return false }
    return true
  })
  if (over >= 0) throw new QueryError('too-many-clauses', `Too many search terms: at most ${QUERY_LIMITS.maxClauses} words besides stop words are allowed`, over)
  if (words.length === 0) throw new QueryError('empty', 'The query has no words to search for', null)
  return { kind: 'bool', clauses: words.map(w => ({ occur: 'should' as const, node: { kind: 'term' as const, field: null, text: w } })) }
}

/**
 * Every matching document that has a record, in the executor's view: ordinal, score and sort value by
 * match index (ascending by document key, so one URL's documents are a run of equal URL keys).
 */
interface Matches {
  readonly n: number
  readonly ords: Int32Array
  readonly scores: Float64Array
  readonly sortValues: Float64Array
}

/** The request's query (its text with the filters given as parameters), and an executor for it. */
function prepare (reader: IndexReader, req: SearchRequest): { root: QueryNode, exec: Executor } {
  const lang = req.lang ?? null
  const parsedRoot = req.syntax === 'plain' ? plainQuery(req.q, lang) : parseQuery(req.q, { defaultOperator: req.defaultOperator ?? 'or', lang }).root
  const filters = filterNodes(req.filters ?? {})
  const root: QueryNode = filters.length === 0
    ? parsedRoot
    : { kind: 'bool', clauses: [{ occur: 'must', node: parsedRoot }, ...filters.map(node => ({ occur: 'must' as const, node }))] }
  return { root, exec: new Executor(reader, { lang: req.lang ?? null, maxPrefixExpansions: req.maxPrefixExpansions ?? 64 }) }
}

/** Every match of the request (with doc values when it needs them). */
async function matchQuery (reader: IndexReader, req: SearchRequest, prepared = prepare(reader, req)): Promise<{ matches: Matches, exec: Executor }> {
  const sort = req.sort ?? 'relevance'
  const { root, exec } = prepared
  const scores = (await exec.run(root)) ?? { n: 0, ords: new Int32Array(0), vals: new Float64Array(0) }
  // Doc values of every match, only when the whole result set needs them: facets, date order, and queries
  // of filters alone, whose capture-date postings may name documents the index holds no record of (a
  // revisit of a page it does not have). A query with words matches only documents with records, and
  // groups by the URL key its document keys start with, so a relevance search reads no doc values at all.
  const values = (req.facets ?? true) || sort !== 'relevance' || filterOnly(root)
  const view = exec.view
  if (!values) {
    return { matches: { n: scores.n, ords: scores.ords, scores: scores.vals, sortValues: scores.vals }, exec }
  }
  await view.loadDocValues(scores.ords, scores.n)
  const ords = new Int32Array(scores.n)
  const sc = new Float64Array(scores.n)
  const sortValues = new Float64Array(scores.n)
  let n = 0
  for (let i = 0; i < scores.n; i++) {
    const o = scores.ords[i]
    const entry = view.values[o]!
    if (!entry.record) continue
    const score = scores.vals[i]
    ords[n] = o
    sc[n] = score
    sortValues[n] = sort === 'relevance' ? score : sort === 'date-desc' ? entry.last : -entry.first
    n++
  }
  return { matches: { n, ords, scores: sc, sortValues }, exec }
}

/** The Ranked of match i. */
function ranked (view: ReaderView, m: Matches, i: number): Ranked {
  return { key: view.keys[m.ords[i]], score: m.scores[i], sortValue: m.sortValues[i] }
}

/** Evaluates and ranks a request: every matching document with a record, in result order. */
export async function rankQuery (reader: IndexReader, req: SearchRequest): Promise<{ ranked: Ranked[], exec: Executor }> {
  const { matches, exec } = await matchQuery(reader, req)
  const all: Ranked[] = []
  for (let i = 0; i < matches.n; i++) all.push(ranked(exec.view, matches, i))
  return { ranked: all.sort(compareRanked), exec }
}

/** Orders match indices like compareRanked (sort value descending, then document key). */
function matchOrder (view: ReaderView, m: Matches): (a: number, b: number) => number {
  const keys = view.keys
  return (a, b) => {
    const va = m.sortValues[a]
    const vb = m.sortValues[b]
    if (va !== vb) return vb - va
    const ka = keys[m.ords[a]]
    const kb = keys[m.ords[b]]
    return ka < kb ? -1 : ka > kb ? 1 : 0
  }
}

/** The first k of pool[0..n) in result order, without sorting all of it (a bounded max-heap of the best k). */
function topK (pool: Int32Array, n: number, k: number, cmp: (a: number, b: number) => number): number[] {
  const heap: number[] = [] // the worst of the kept k at the root
  for (let x = 0; x < n; x++) {
    const r = pool[x]
    if (heap.length < k) {
      heap.push(r)
      for (let i = heap.length - 1; i > 0;) { const p = (i - 1) >> 1; if (cmp(heap[i], heap[p]) <= 0) break; [heap[i], heap[p]] = [heap[p], heap[i]]; i = p }
    } else if (cmp(heap[0], r) > 0) {
      heap[0] = r
      for (let i = 0; ;) {
        const l = 2 * i + 1; const rr = l + 1; let m = i
        if (l < heap.length && cmp(heap[l], heap[m]) > 0) m = l
        if (rr < heap.length && cmp(heap[rr], heap[m]) > 0) m = rr
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]]; i = m
      }
    }
  }
  return heap.sort(cmp)
}

function counted (values: readonly string[], counts: Uint32Array): FacetValue[] {
  const out: FacetValue[] = []
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0) out.push({ value: values[i], count: counts[i] })
  return out
}

function facetsOf (view: ReaderView, m: Matches): Record<string, FacetValue[]> {
  const f = view.facets
  const site = new Uint32Array(f.site.values.length)
  const type = new Uint32Array(f.type.values.length)
  const langs = new Uint32Array(f.lang.values.length)
  const year = new Uint32Array(f.year.values.length)
  const inst = new Uint32Array(f.institution.values.length)
  const values = view.values
  for (let i = 0; i < m.n; i++) {
    const e = values[m.ords[i]]!
    site[e.site]++
    type[e.type]++
    if (e.lang >= 0) langs[e.lang]++
    for (const y of e.years) year[y]++
    for (const x of e.institutions) inst[x]++
  }
  const top = (v: FacetValue[]): FacetValue[] => v.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)).slice(0, FACET_LIMIT)
  return {
    site: top(counted(f.site.values, site)),
    year: counted(f.year.values, year).sort((a, b) => a.value < b.value ? -1 : 1),
    type: top(counted(f.type.values, type)),
    lang: top(counted(f.lang.values, langs)),
    institution: top(counted(f.institution.values, inst))
  }
}

/**
 * Matches grouped by URL: group of each match, and the number of groups. Matches ascend by document key and
 * a key starts with its URL key, so each run of equal URL keys starts as one group; a run found to hold two
 * URLs (their keys collide) is split by confirmUrls.
 */
interface Grouping {
  readonly of: Int32Array
  count: number
  /** Groups whose documents are known to share one URL. */
  readonly confirmed: Set<number>
}

function urlRuns (view: ReaderView, m: Matches): Grouping {
  const of = new Int32Array(m.n)
  let g = -1
  let prev = ''
  for (let i = 0; i < m.n; i++) {
    const u = urlKeyOfDoc(view.keys[m.ords[i]])
    if (i === 0 || u !== prev) { g++; prev = u }
    of[i] = g
  }
  return { of, count: g + 1, confirmed: new Set() }
}

/**
 * The whole-result-set part of a search, synchronous so that none of its arrays outlives it: facets, the
 * best match of each URL, the cursor, and the page (with one more to know if there is a next), as match
 * indices.
 */
function selectPage (view: ReaderView, m: Matches, req: SearchRequest, sort: SortOrder, groups: Grouping | null, pageSize: number):
{ facets: Record<string, FacetValue[]> | null, selected: number[] } {
  const facets = (req.facets ?? true) ? facetsOf(view, m) : null
  const cmp = matchOrder(view, m)
  let pool: Int32Array
  let n = 0
  if (groups !== null) {
    // One result per URL: the best-ranked document of each URL stands for it, whatever page it falls on.
    const best = new Int32Array(groups.count).fill(-1)
    for (let i = 0; i < m.n; i++) {
      const g = groups.of[i]
      const b = best[g]
      if (b < 0 || cmp(i, b) < 0) best[g] = i
    }
    pool = new Int32Array(groups.count)
    for (let g = 0; g < best.length; g++) if (best[g] >= 0) pool[n++] = best[g]
  } else {
    pool = new Int32Array(m.n)
    for (let i = 0; i < m.n; i++) pool[n++] = i
  }
  if (req.cursor !== undefined && req.cursor !== null && req.cursor !== '') {
    const after = decodeCursor(req.cursor, sort)
    let k = 0
    for (let x = 0; x < n; x++) {
      const i = pool[x]
      if (compareRanked({ sortValue: m.sortValues[i], key: view.keys[m.ords[i]] }, { sortValue: after.v, key: after.k }) > 0) pool[k++] = i
    }
    n = k
  }
  return { facets, selected: topK(pool, n, pageSize + 1, cmp) }
}

/**
 * Confirms that the groups of the selected matches each hold one URL, reading the records of groups with
 * several documents (versions of one URL sit side by side, so mostly in one block); a group holding two
 * URLs whose keys collide is split by URL. Returns whether any group was split (the page must be chosen
 * again).
 */
async function confirmUrls (reader: IndexReader, view: ReaderView, m: Matches, groups: Grouping, selected: readonly number[]): Promise<boolean> {
  let split = false
  for (const i of selected) {
    const g = groups.of[i]
    if (groups.confirmed.has(g)) continue
    groups.confirmed.add(g)
    const u = urlKeyOfDoc(view.keys[m.ords[i]])
    let lo = i
    while (lo > 0 && urlKeyOfDoc(view.keys[m.ords[lo - 1]]) === u) lo--
    let hi = i + 1
    while (hi < m.n && urlKeyOfDoc(view.keys[m.ords[hi]]) === u) hi++
    const members: number[] = []
    for (let j = lo; j < hi; j++) if (groups.of[j] === g) members.push(j)
    if (members.length < 2) continue
    const surts = await Promise.all(members.map(async j => (await reader.doc(view.keys[m.ords[j]]))?.surt ?? ''))
    const bySurt = new Map<string, number>()
    for (let x = 0; x < members.length; x++) {
      let id = bySurt.get(surts[x])
      if (id === undefined) {
        id = bySurt.size === 0 ? g : groups.count++
        bySurt.set(surts[x], id)
        groups.confirmed.add(id)
      }
      groups.of[members[x]] = id
    }
    split ||= bySurt.size > 1
  }
  return split
}

/** A document's posting of a term, as the search read it (null: it has none, or none was read). */
type PostingOf = (term: string, key: DocKey) => Promise<Uint8Array | null>

/**
 * The matches a page is chosen from. A relevance search without facets reads posting lists best first and
 * stops once its page is decided (top-k.ts): its matches are then the documents ranked above everything
 * unread, the total a lower bound (`known`), and `more` says a result beyond the page exists though it is not
 * among them. Everything else evaluates every match.
 */
async function pageMatches (reader: IndexReader, req: SearchRequest, pageSize: number, group: boolean):
Promise<{ matches: Matches, exec: Executor, exact: boolean, known: number, more: boolean, posting: PostingOf }> {
  const sort = req.sort ?? 'relevance'
  const prepared = prepare(reader, req)
  const { exec } = prepared
  const plan = sort === 'relevance' && !(req.facets ?? true) && req.exactTotal !== true ? planTopK(prepared.root, exec) : null
  const cursor = req.cursor !== undefined && req.cursor !== null && req.cursor !== '' ? decodeCursor(req.cursor, sort) : null
  // Lists too short to be worth reading best first come back null: evaluated whole instead.
  const top = plan === null ? null : await topKMatches(exec, plan, { page: pageSize, group, after: cursor })
  if (top === null) {
    const { matches } = await matchQuery(reader, req, prepared)
    const posting: PostingOf = async (term, key) => {
      const list = await exec.view.postings(term)
      let lo = 0
      let hi = list.docs.length
      while (lo < hi) { const mid = (lo + hi) >>> 1; if (list.docs[mid] < key) lo = mid + 1; else hi = mid }
      return lo < list.docs.length && list.docs[lo] === key ? postingValue(list, lo) : null
    }
    return { matches, exec, exact: true, known: matches.n, more: false, posting }
  }
  const n = top.keys.length
  const ords = new Int32Array(n)
  const scores = new Float64Array(n)
  for (let i = 0; i < n; i++) { ords[i] = exec.view.ord(top.keys[i]); scores[i] = top.scores[i] }
  return {
    matches: { n, ords, scores, sortValues: scores },
    exec,
    exact: top.exact,
    known: top.known,
    more: top.more,
    posting: async (term, key) => top.posting(term, key)
  }
}

export async function search (reader: IndexReader, req: SearchRequest): Promise<SearchResult> {
  const t0 = performance.now()
  const before = { ...reader.store.stats }
  const sort = req.sort ?? 'relevance'
  const group = req.group ?? true
  const pageSize = req.pageSize ?? DEFAULT_PAGE_SIZE
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new SearchError('bad-page-size', `Page size must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
  }
  const lang = req.lang ?? null
  const { matches, exec, exact, known, more, posting } = await pageMatches(reader, req, pageSize, group)
  const view = exec.view
  const urls = urlRuns(view, matches)
  const groups = group ? urls : null
  let page = selectPage(view, matches, req, sort, groups, pageSize)
  while (groups !== null && await confirmUrls(reader, view, matches, groups, page.selected)) {
    page = selectPage(view, matches, req, sort, groups, pageSize)
  }
  const selected = page.selected.map(i => ranked(view, matches, i))
  const shown = selected.slice(0, pageSize)
  const hits = await Promise.all(shown.map(async r => await dressHit(reader, exec, posting, r, lang, req.allCaptures ?? false)))
  const after = { ...reader.store.stats }
  return {
    total: exact ? matches.n : known,
    totalUrls: urls.count,
    totalRelation: exact ? 'eq' : 'gte',
    hits,
    facets: page.facets,
    nextCursor: selected.length > pageSize || (more && shown.length > 0) ? encodeCursor(shown[shown.length - 1], sort) : null,
    tookMs: performance.now() - t0,
    io: { blocksRead: after.nodesRead - before.nodesRead, bytesRead: after.bytesRead - before.bytesRead, cacheHits: after.cacheHits - before.cacheHits }
  }
}

/** Body position to centre the snippet on: where most query terms occur close together. */
async function snippetFocus (exec: Executor, posting: PostingOf, key: DocKey): Promise<number | null> {
  const positions: Array<{ p: number, t: number }> = []
  let t = 0
  for (const term of exec.highlight.terms) {
    const value = await posting(term, key)
    if (value !== null) for (const p of decodePositions(value)[1]) positions.push({ p, t })
    t++
  }
  if (positions.length === 0) return null
  positions.sort((a, b) => a.p - b.p)
  let best = positions[0].p
  let bestN = 0
  for (let i = 0; i < positions.length; i++) {
    const terms = new Set<number>()
    for (let j = i; j < positions.length && positions[j].p < positions[i].p + 30; j++) terms.add(positions[j].t)
    if (terms.size > bestN) { bestN = terms.size; best = positions[i].p }
  }
  return best
}

async function dressHit (reader: IndexReader, exec: Executor, posting: PostingOf, r: Ranked, lang: string | null, allCaptures: boolean): Promise<SearchHit> {
  // The record, the URL's captures and the snippet's position are independent reads: side by side, so a
  // partner's index costs one round of fetches per tree level, not three.
  const [doc, urlCaps, focus] = await allInOrder([reader.doc(r.key), reader.urlCaptures(r.key), snippetFocus(exec, posting, r.key)] as const)
  if (doc === null) throw new Error(`document ${docKeyHex(r.key)} matches but has no record`)
  // Every version (distinct content) of the URL, and every capture of each: the documents under its URL
  // key whose record names the same URL.
  const versions: DocKey[] = []
  const caps: Capture[] = []
  for (const [k, cs] of urlCaps) {
    if (k !== r.key && (await reader.doc(k))?.surt !== doc.surt) continue
    versions.push(k)
    caps.push(...cs)
  }
  caps.sort((a, b) => timestamp14(a.date) < timestamp14(b.date) ? -1 : timestamp14(a.date) > timestamp14(b.date) ? 1 : 0)
  const terms = exec.highlight.terms
  // No query word in the body (it matched the title or URL): the page's own description says more than
  // the start of its body, which is mostly navigation, and costs no text read.
  const chunk = focus === null && doc.description !== '' ? null : await reader.textAt(r.key, focus ?? 0)
  const snippet = chunk === null
    ? makeSnippet(doc.description, terms, doc.lang ?? lang, 240).html
    : makeSnippet(chunk.text, terms, doc.lang ?? lang, 240, focus === null ? null : focus - chunk.start).html
  return {
    id: docKeyHex(r.key),
    url: doc.url,
    title: doc.title,
    titleHtml: highlightAll(doc.title, terms, doc.lang ?? lang),
    snippet,
    host: doc.host,
    domain: doc.domain,
    mime: doc.mime,
    lang: doc.lang,
    status: doc.status,
    score: r.score,
    captureCount: caps.length,
    captureDates: caps.map(c => c.date).filter((d): d is string => d !== null),
    institutions: [...new Set(caps.map(c => c.institution))].sort(),
    versions: Math.max(1, versions.length),
    ...(allCaptures
      ? { captures: caps.map(c => ({ date: c.date, timestamp: timestamp14(c.date), url: c.url, institution: c.institution, type: c.type, file: c.file, offset: c.offset, length: c.length })) }
      : {})
  }
}

