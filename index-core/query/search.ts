// One search over one index: parse, evaluate, rank, group by URL, facet, page, and dress the page's hits
// with captures and snippets. Pure over a block store: the same index and request give the same result.

import { allInOrder } from './in-order.ts'
import { timestamp14, decodePositions } from '../index/index.ts'
import type { Capture } from '../index/index.ts'
import { SearchError } from './search-error.ts'
import { filterOnly } from './execute.ts'
import type { Executor } from './execute.ts'
import { prepare } from './plan.ts'
import { compareRanked, decodeCursor, encodeCursor } from './cursor.ts'
import type { Ranked } from './cursor.ts'
import { ranked, confirmUrls, urlRuns, selectPage } from '../collector/index.ts'
import type { Matches } from '../collector/index.ts'
import { planTopK, topKMatches } from './top-k.ts'
import { highlightAll, makeSnippet } from './highlight.ts'
import { docKeyHex } from './doc-key.ts'
import type { DocKey } from './doc-key.ts'
import type { IndexReader } from './index-reader.ts'
import { findDoc, postingValue } from './posting-list.ts'

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
  readonly filters?: { site?: string; type?: string; lang?: string; institution?: string; from?: string; to?: string }
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

export interface FacetValue {
  readonly value: string
  readonly count: number
}

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
  /** The document (version) the capture belongs to, and its place among that document's captures. */
  readonly doc: string
  readonly n: number
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
  readonly io: { blocksRead: number; bytesRead: number; cacheHits: number }
}

export const MAX_PAGE_SIZE = 100
export const DEFAULT_PAGE_SIZE = 10
/** Every match of the request (with doc values when it needs them). */
async function matchQuery(reader: IndexReader, req: SearchRequest, prepared = prepare(reader, req)): Promise<{ matches: Matches; exec: Executor }> {
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

/** Evaluates and ranks a request: every matching document with a record, in result order. */
export async function rankQuery(reader: IndexReader, req: SearchRequest): Promise<{ ranked: Ranked[]; exec: Executor }> {
  const { matches, exec } = await matchQuery(reader, req)
  const all: Ranked[] = []
  for (let i = 0; i < matches.n; i++) all.push(ranked(exec.view, matches, i))
  return { ranked: all.sort(compareRanked), exec }
}

/** A document's posting of a term, as the search read it (null: it has none, or none was read). */
type PostingOf = (term: string, key: DocKey) => Promise<Uint8Array | null>

/**
 * The matches a page is chosen from. A relevance search without facets reads posting lists best first and
 * stops once its page is decided (top-k.ts): its matches are then the documents ranked above everything
 * unread, the total a lower bound (`known`), and `more` says a result beyond the page exists though it is not
 * among them. Everything else evaluates every match.
 */
async function pageMatches(
  reader: IndexReader,
  req: SearchRequest,
  pageSize: number,
  group: boolean
): Promise<{ matches: Matches; exec: Executor; exact: boolean; known: number; more: boolean; posting: PostingOf }> {
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
      const at = findDoc(list, key)
      return at < 0 ? null : postingValue(list, at)
    }
    return { matches, exec, exact: true, known: matches.n, more: false, posting }
  }
  const n = top.keys.length
  const ords = new Int32Array(n)
  const scores = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    ords[i] = exec.view.ord(top.keys[i])
    scores[i] = top.scores[i]
  }
  return {
    matches: { n, ords, scores, sortValues: scores },
    exec,
    exact: top.exact,
    known: top.known,
    more: top.more,
    posting: async (term, key) => top.posting(term, key)
  }
}

export async function search(reader: IndexReader, req: SearchRequest): Promise<SearchResult> {
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
  while (groups !== null && (await confirmUrls(reader, view, matches, groups, page.selected))) {
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
async function snippetFocus(exec: Executor, posting: PostingOf, key: DocKey): Promise<number | null> {
  const positions: Array<{ p: number; t: number }> = []
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
    if (terms.size > bestN) {
      bestN = terms.size
      best = positions[i].p
    }
  }
  return best
}

async function dressHit(reader: IndexReader, exec: Executor, posting: PostingOf, r: Ranked, lang: string | null, allCaptures: boolean): Promise<SearchHit> {
  // The record, the URL's captures and the snippet's position are independent reads: side by side, so a
  // partner's index costs one round of fetches per tree level, not three.
  // The text at the snippet's focus is read as soon as the focus is known, beside the record.
  const focusing = snippetFocus(exec, posting, r.key)
  const atFocus = focusing.then(async f => (f === null ? null : await reader.textAt(r.key, f)))
  const [doc, urlCaps, focus, focused] = await allInOrder([reader.doc(r.key), reader.urlCaptures(r.key), focusing, atFocus] as const)
  if (doc === null) throw new Error(`document ${docKeyHex(r.key)} matches but has no record`)
  // Every version (distinct content) of the URL, and every capture of each: the documents under its URL
  // key whose record names the same URL.
  const versions: DocKey[] = []
  const caps: Array<Capture & { doc: DocKey; n: number }> = []
  const others = [...urlCaps.keys()].filter(k => k !== r.key)
  const surts = new Map(await allInOrder(others.map(async k => [k, (await reader.doc(k))?.surt] as const)))
  for (const [k, cs] of urlCaps) {
    if (k !== r.key && surts.get(k) !== doc.surt) continue
    versions.push(k)
    caps.push(...cs.map((c, n) => ({ ...c, doc: k, n })))
  }
  caps.sort((a, b) => (timestamp14(a.date) < timestamp14(b.date) ? -1 : timestamp14(a.date) > timestamp14(b.date) ? 1 : 0))
  const terms = exec.highlight
  // No query word in the body (it matched the title or URL): the page's own description says more than
  // the start of its body, which is mostly navigation, and costs no text read.
  const chunk = focus !== null ? focused : doc.description !== '' ? null : await reader.textAt(r.key, 0)
  const snippet =
    chunk === null
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
      ? {
          captures: caps.map(c => ({
            date: c.date,
            timestamp: timestamp14(c.date),
            url: c.url,
            institution: c.institution,
            type: c.type,
            file: c.file,
            offset: c.offset,
            length: c.length,
            doc: docKeyHex(c.doc),
            n: c.n
          }))
        }
      : {})
  }
}
