// The top results of a query of words without reading whole posting lists. Postings are stored best impact
// first (index/impact.ts), so the lists are read from the top, a batch at a time, keeping for every document
// met the contributions known so far. A document not met yet in a list can still gain at most what that
// list's last posting read scores (the lists only get worse): the "no random access" algorithm of Fagin,
// Lotem and Naor. Reading stops once the documents whose scores are complete, and above anything any other
// document could still reach, hold the page asked for (one result per URL, after the cursor). That page is
// exactly the one a full evaluation gives, with the same scores to the last bit (words add in the order the
// executor adds them); the number of matches is then only known as a lower bound.
//
// Queries this applies to: words and phrases (each word analysed to one term or a compound of terms, each
// phrase to its terms, which must then sit at adjacent positions), optional or required, in any field, with
// filters and exclusions beside them, sorted by relevance without facets. Anything else (prefixes, nested
// boolean logic, date order, facets) needs every match and goes to the executor.

import { allInOrder } from './in-order.ts'
import { idf, keyImpact, postingFields, DOC_ID_BYTES, FIELDS } from '../index/index.ts'
import type { BoolClause, QueryNode } from './ast.ts'
import { filterOnly, filterTerms, isCompound } from './execute.ts'
import type { Executor } from './execute.ts'
import { docKey, urlKeyOfDoc } from './doc-key.ts'
import { giveDocTable, takeDocTable } from './doc-table.ts'
import type { DocKey } from './doc-key.ts'
import type { PostingStream } from './merged-postings.ts'
import { findDoc, postingValue } from './posting-list.ts'
import { holdsPhrase } from './phrase-match.ts'

/**
 * One word clause: the term lists it reads (several for a compound word: execute.ts isCompound, any of them
 * matches and their scores add), the field it is restricted to, whether it is required.
 */
interface Word {
  readonly lists: readonly number[]
  readonly field: number | null
  readonly required: boolean
  /** A phrase (quoted, or a word split into CJK bigrams): its lists must hold it at adjacent positions. */
  readonly phrase: boolean
  /** Its analysed tokens, highlighted as the full evaluation highlights the clause (a compound whole). */
  readonly tokens: ReadonlyArray<{ readonly term: string; readonly position: number }>
}

export interface TopKPlan {
  /** Distinct terms, one posting list each. */
  readonly terms: readonly string[]
  /** Word clauses in the order their scores add: required ones, then optional ones, each in clause order. */
  readonly words: readonly Word[]
  /** Filter clauses every result matches. */
  readonly filters: readonly QueryNode[]
  /** Clauses no result matches. */
  readonly exclusions: readonly QueryNode[]
}

/**
 * Most lists read best first; a query of more words goes to the full evaluation. The seen-set of a document
 * fits one integer up to 30, but the bookkeeping per candidate grows with the lists: measured warm on the
 * 20k-page crawl (npm run bench -- query, 2026-12-07), queries of 13-16 words took 70 times the full
 * evaluation's time read best first, one and two words 1.0 and 1.9 times.
 */
const MAX_LISTS = 4

/**
 * The plan of a query the top-k reader can answer exactly, or null: a word; a bool of words, filters and
 * exclusions; or either under filters given as parameters (a bool of that and filter clauses).
 */
export function planTopK(root: QueryNode, exec: Executor): TopKPlan | null {
  const terms: string[] = []
  type Clause = { terms: string[]; field: number | null; tokens: Word['tokens']; phrase: boolean }
  const required: Clause[] = []
  const optional: Clause[] = []
  const filters: QueryNode[] = []
  const exclusions: QueryNode[] = []
  /** A word clause: its terms, null when it is not a word, 'none' when it analyses to nothing. */
  const word = (node: QueryNode): Clause | 'none' | null => {
    if (node.kind !== 'term' && node.kind !== 'phrase') return null
    const tokens = exec.tokens(node)
    if (tokens.length === 0) return 'none'
    // A quoted phrase, or a word the analyzer splits into CJK bigrams, must match as a phrase.
    const phrase = tokens.length > 1 && !isCompound(node, tokens)
    return { terms: tokens.map(t => t.term), field: node.field === null ? null : FIELDS.indexOf(node.field), tokens, phrase }
  }
  const bool = (clauses: readonly BoolClause[], nested: boolean): boolean => {
    const scoring = clauses.some(c => c.occur !== 'must_not' && !filterOnly(c.node))
    if (!scoring) return false
    for (const c of clauses) {
      if (c.occur === 'must_not') {
        exclusions.push(c.node)
        continue
      }
      // Beside words, every filter clause is required (execute.ts promotes optional ones).
      if (filterOnly(c.node)) {
        filters.push(c.node)
        continue
      }
      if (c.node.kind === 'bool') {
        // Filters given as parameters wrap the query in a bool of it and them: the one nesting handled.
        if (nested || c.occur !== 'must' || clauses.some(o => o !== c && o.occur !== 'must_not' && !filterOnly(o.node))) return false
        if (!bool(c.node.clauses, true)) return false
        continue
      }
      const w = word(c.node)
      if (w === null) return false
      if (w === 'none') continue
      ;(c.occur === 'must' ? required : optional).push(w)
    }
    // A required filter written as such (`+site:x hubble`) makes the words optional (Lucene): documents
    // matching no word are results too, which reading word lists never meets.
    if (required.length === 0 && clauses.some(c => c.occur === 'must' && filterOnly(c.node))) return false
    return true
  }
  if (root.kind === 'bool') {
    if (!bool(root.clauses, false)) return null
  } else {
    const w = word(root)
    if (w === null || w === 'none') return null
    optional.push(w)
  }
  const words: Word[] = []
  for (const [ws, req] of [
    [required, true],
    [optional, false]
  ] as const) {
    for (const w of ws) {
      const lists = w.terms.map(term => {
        let list = terms.indexOf(term)
        if (list < 0) {
          list = terms.length
          terms.push(term)
        }
        return list
      })
      words.push({ lists, field: w.field, required: req, tokens: w.tokens, phrase: w.phrase })
    }
  }
  if (words.length === 0 || terms.length > MAX_LISTS) return null
  return { terms, words, filters, exclusions }
}

/** What the page needs: how many results after the cursor. */
export interface TopKRequest {
  readonly page: number
  readonly group: boolean
  /** Results at or before this (score, key) were on earlier pages. */
  readonly after: { readonly v: number; readonly k: DocKey } | null
}

export interface TopKResult {
  /** Documents whose scores are complete and above anything unread can reach, ascending by key. */
  readonly keys: DocKey[]
  readonly scores: number[]
  /** Documents known to match (a lower bound of the total unless `exact`). */
  readonly known: number
  /** A result beyond the page is known to exist, though not among `keys` (there is a next page). */
  readonly more: boolean
  /** Every list was read to its end: `keys` are all the matches. */
  readonly exact: boolean
  /** The posting of `term` in the document, if it was read. */
  posting(term: string, key: DocKey): Uint8Array | null
}

interface Candidate {
  readonly key: DocKey
  /** Bit i: list i holds a posting of the document that was read (or it has none, once list i ended). */
  seen: number
  /** Where its postings and weights start in the shared tables (L entries each, one per list). */
  readonly slot: number
  /** Every list seen and the document a match: its final score (it is then in `complete`, not rescored). */
  final?: number
}

type Scored = { readonly c: Candidate; readonly s: number }

const DEAD = Symbol('dead')

/** Best score first, then document key: the order results are chosen in. */
function byScore(a: Scored, b: Scored): number {
  return b.s - a.s || (a.c.key < b.c.key ? -1 : a.c.key > b.c.key ? 1 : 0)
}

/** Two lists sorted by byScore, merged. */
function mergeScored(a: readonly Scored[], b: readonly Scored[]): Scored[] {
  const out = new Array<Scored>(a.length + b.length)
  let i = 0
  let j = 0
  let k = 0
  while (i < a.length && j < b.length) out[k++] = byScore(a[i], b[j]) <= 0 ? a[i++] : b[j++]
  while (i < a.length) out[k++] = a[i++]
  while (j < b.length) out[k++] = b[j++]
  return out
}

interface Stream {
  readonly postings: PostingStream
  readonly idf: number
  /** Word clauses reading this list. */
  readonly uses: number
  done: boolean
  /** Impact of the last posting read (the next ones are no better). */
  last: number
  /** Postings the next read of this list takes at least. */
  batch: number
}

/**
 * Postings a list's first read takes at least (then the rest of the leaf it is in: no more bytes). Each further
 * read of the list takes twice as many, up to MAX_BATCH: the bookkeeping between reads (every candidate met so
 * far) then happens a logarithmic number of times, so a query that must read its lists to the end costs about
 * what a full evaluation does, while one decided early still stops after a leaf or two.
 */
const BATCH = 64
const MAX_BATCH = 8192

/**
 * Lists this short in total are cheaper to evaluate whole (execute.ts: typed arrays, one pass) than to read best
 * first with a candidate per document: topKMatches leaves them to the full evaluation.
 */
export const FULL_READ_POSTINGS = 512

/**
 * Lists already in memory this short in total are scored whole (see topKMatches). Measured warm on the
 * generated crawl (2026-12-07, ten one- and two-word queries, machine shared with a crawl being generated):
 * with 2,000-18,000 matches the two ways are even (median 8.5 against 7.5 ms), with 10,000-88,000 the
 * lookups take half the time (median 7 against 12 ms) and do not grow with the lists.
 */
export const FULL_IN_MEMORY = 16_384

/** A filter keeping fewer documents than the words' postings / SMALL_FILTER sends the query to the full evaluation. */
const SMALL_FILTER = 16

/** A list is read whole once the postings read best first reach this fraction of it (1/WHOLE_AFTER). */
const WHOLE_AFTER = 4

/**
 * Reads the plan's lists best first until the page is decided (see the top of this file); null when the lists
 * are short enough that a full evaluation is cheaper (FULL_READ_POSTINGS).
 */
export async function topKMatches(exec: Executor, plan: TopKPlan, req: TopKRequest): Promise<TopKResult | null> {
  const reader = exec.reader
  const view = exec.view
  // Reading best first saves reading and decoding whole lists. Lists already decoded in memory and short are
  // scored whole faster (typed arrays in one pass, no candidate bookkeeping): then the full evaluation
  // answers. Longer ones are still read best first, and each document met is looked up in them at once
  // (Fagin's threshold algorithm: random access completes it), so the page is decided after the best few
  // hundred postings however long the lists grow.
  const whole = reader.wholeInMemory ?? FULL_IN_MEMORY
  const held = plan.terms.map(t => view.cachedPostings(t))
  if (held.every(l => l !== undefined) && held.reduce((n, l) => n + l.docs.length, 0) <= whole) return null
  for (const w of plan.words) exec.highlight.addPhrase(w.tokens)
  // The words' lists are opened first: when they are short, the full evaluation answers and would run the
  // filters and exclusions again. Then those are run side by side (over the network each costs a few round
  // trips down its own tree, which need not wait for one another).
  const opened = await allInOrder(plan.terms.map(async t => await reader.postingStream(t)))
  if (opened.reduce((n, s) => n + s.df, 0) <= FULL_READ_POSTINGS) return null
  // A filter holding many documents (lang:en, type:html: most of the index) is asked of each document met,
  // by the key its posting would have, rather than read whole; a shorter one, or one in memory, is read.
  const sized = await allInOrder(
    plan.filters.map(async f => {
      if (f.kind !== 'filter') return { f, terms: null, df: Infinity }
      const terms = filterTerms(f.field, f.value)
      if (terms.every(t => view.hasPostings(t))) return { f, terms: null, df: Infinity }
      const df = (await allInOrder(terms.map(async t => await reader.docFrequency(t)))).reduce((a, b) => a + b, 0)
      return { f, terms: df >= whole ? terms : null, df }
    })
  )
  const probed = sized.flatMap(x => (x.terms === null ? [] : [x.terms]))
  const [must, not] = await Promise.all([
    allInOrder(sized.filter(x => x.terms === null).map(async x => new OrdSet(await exec.run(x.f)))),
    allInOrder(plan.exclusions.map(async x => new OrdSet(await exec.run(x, true))))
  ])
  // A filter that keeps few of the words' documents (one site among hundreds) decides the query: reading
  // the lists best first would meet mostly documents it drops, deep into the lists. The full evaluation
  // reads them whole once (then they are in memory) and keeps the filter's documents.
  const postings = opened.reduce((n, s) => n + s.df, 0)
  if (must.some(f => f.size * SMALL_FILTER < postings) || sized.some(x => x.df * SMALL_FILTER < postings)) return null
  const N = reader.stats.documents
  const streams: Stream[] = opened.map((s, i) => ({
    postings: s.postings,
    idf: idf(N, s.df),
    uses: plan.words.reduce((n, w) => n + w.lists.filter(l => l === i).length, 0),
    done: false,
    last: 255,
    batch: BATCH
  }))
  const L = streams.length
  const all = (1 << L) - 1
  // Documents met so far, by their entries in `table` (numbered as met): candidates, or DEAD once known not to
  // match (one lookup per posting, by the id bytes of its key).
  const table = takeDocTable()
  const cands: Array<Candidate | typeof DEAD> = []
  // Each candidate's posting and weight (before idf, index/impact.ts Scorer) per list, in two shared tables:
  // three allocations per document met cost more than the rest of its bookkeeping.
  const postingAt: Array<Uint8Array | undefined> = []
  const weightAt: number[] = []

  const part = (c: Candidate, w: Word, list: number): number => {
    const p = postingAt[c.slot + list]
    if (p === undefined) return 0
    if (w.field !== null && (postingFields(p) & (1 << w.field)) === 0) return 0
    return streams[list].idf * weightAt[c.slot + list]
  }
  /**
   * A phrase's score in a document: once every list has shown it, its parts added from 0 in token order if
   * the document holds the phrase (execute.ts adds them so), else 0.
   */
  const phraseScore = (c: Candidate, w: Word): number => {
    // Settled once every list has shown the document: asked again by matches() and score(), checked once.
    let memo = phraseMemo.get(w)
    if (memo === undefined) {
      memo = new Map()
      phraseMemo.set(w, memo)
    }
    const known = memo.get(c)
    if (known !== undefined) return known
    const fields: number[] = []
    for (const l of w.lists) {
      const p = postingAt[c.slot + l]
      if ((c.seen & (1 << l)) === 0 || p === undefined) return 0
      fields.push(postingFields(p))
    }
    let sum = 0
    if (holdsPhrase(fields, i => postingAt[c.slot + w.lists[i]]!, w.tokens, w.field)) for (const l of w.lists) sum += streams[l].idf * weightAt[c.slot + l]
    memo.set(c, sum)
    return sum
  }
  const phraseMemo = new Map<Word, Map<Candidate, number>>()
  /**
   * What a word can still score in a document beyond what unread lists add: a phrase's parts shown so far,
   * while none of its lists has shown the document lacks a part.
   */
  const potential = (c: Candidate, w: Word): number => {
    if (!w.phrase) return contribution(c, w)
    let sum = 0
    for (const l of w.lists) {
      if ((c.seen & (1 << l)) === 0) continue
      if (postingAt[c.slot + l] === undefined) return 0
      sum += streams[l].idf * weightAt[c.slot + l]
    }
    return sum
  }
  /** A word's score in a document; a compound's parts add from 0 in order, as execute.ts adds them. */
  const contribution = (c: Candidate, w: Word): number => {
    if (w.phrase) return phraseScore(c, w)
    if (w.lists.length === 1) return part(c, w, w.lists[0])
    let sum = 0
    for (const l of w.lists) {
      const x = part(c, w, l)
      if (x > 0) sum += x
    }
    return sum
  }
  /** The most list i can still add to a document it has not shown: its last impact's bound, for each word reading it. */
  const impactBound = reader.scorer.bound
  const gain = (i: number): number => (streams[i].done ? 0 : streams[i].uses * streams[i].idf * impactBound[streams[i].last])
  /** Whether the document matches (null: not known yet). */
  const matches = (c: Candidate): boolean | null => {
    let any = false
    let open = false
    for (const w of plan.words) {
      let known = true
      for (const l of w.lists) if ((c.seen & (1 << l)) === 0) known = false
      const hit = contribution(c, w) > 0
      if (w.required && known && !hit) return false
      if (w.required && !known && !hit) open = true
      if (hit) any = true
      else if (!known) open = true
    }
    if (open) return plan.words.some(w => w.required) ? null : any ? true : null
    return any
  }
  /** The exact score of a complete document, added as execute.ts adds it. */
  const score = (c: Candidate): number => {
    let total = 0
    for (const w of plan.words) total += contribution(c, w)
    return total
  }

  let result: { keys: DocKey[]; scores: number[]; known: number; more: boolean; exact: boolean } | null = null
  /** Postings read best first so far. */
  let read = 0
  // Complete matches best first. A document is complete once every list has shown it (or ended): its score
  // is then final, so it is scored and sorted once, and merged into this list, not re-sorted every round.
  let complete: Scored[] = []
  for (;;) {
    // Where things stand: complete matches, and the best any other document can still reach.
    let unseenBound = 0
    for (let i = 0; i < L; i++) unseenBound += gain(i)
    let bound = unseenBound
    const newlyComplete: Scored[] = []
    let known = 0
    const matching: Candidate[] = []
    const open: Array<{ c: Candidate; ub: number }> = []
    for (let ei = 0; ei < cands.length; ei++) {
      const c = cands[ei]
      if (c === DEAD || c.final !== undefined) continue
      let missing = 0
      for (let i = 0; i < L; i++)
        if ((c.seen & (1 << i)) === 0) {
          if (streams[i].done) c.seen |= 1 << i
          else missing += gain(i)
        }
      const m = matches(c)
      if (m === false) {
        cands[ei] = DEAD
        continue
      }
      if (c.seen === all) {
        c.final = score(c)
        newlyComplete.push({ c, s: c.final })
        continue
      }
      if (m === true) {
        known++
        matching.push(c)
      }
      let lb = 0
      for (const w of plan.words) lb += potential(c, w)
      const ub = lb + missing
      open.push({ c, ub })
      if (ub > bound) bound = ub
    }
    if (newlyComplete.length > 0) complete = mergeScored(complete, newlyComplete.sort(byScore))
    // A complete document is a match (one that is not was dropped above).
    known += complete.length
    const finished = streams.every(s => s.done)
    // Scores are sums of the same terms in other orders: a margin far above rounding keeps the cut safe.
    const cut = finished ? -Infinity : bound + 1e-9 * bound + 1e-12
    // Results after the cursor among complete documents (a URL counts at its best document), those above
    // the cut (decided), and the score of the last one the page needs (what the rest must beat). Every
    // document above the cut is complete, so a URL none of whose documents is above it has all of them
    // below: a known match of such a URL is a result after this page.
    const group = (k: DocKey): string => (req.group ? urlKeyOfDoc(k) : k)
    let groups = 0
    let decided = 0
    let theta = 0
    let final = 0
    const seenGroups = new Set<string>()
    for (const { c, s } of complete) {
      const above = s > cut
      if (above) final++
      const g = group(c.key)
      if (seenGroups.has(g)) continue
      seenGroups.add(g)
      if (req.after !== null && !(s < req.after.v || (s === req.after.v && c.key > req.after.k))) continue
      if (above) decided++
      if (++groups === req.page) theta = s
    }
    let more = false
    if (decided >= req.page && !finished) {
      const decidedGroups = new Set(complete.slice(0, final).map(x => group(x.c.key)))
      more = decided > req.page || matching.some(c => !decidedGroups.has(group(c.key))) || complete.some(x => !decidedGroups.has(group(x.c.key)))
    }
    if (finished || more) {
      const chosen = complete.slice(0, final).map(x => x.c.key)
      const order = chosen.map((_, i) => i).sort((a, b) => (chosen[a] < chosen[b] ? -1 : 1))
      result = { keys: order.map(i => chosen[i]), scores: order.map(i => complete[i].s), known, more: more && decided <= req.page, exact: finished }
      break
    }
    // A long list that keeps documents open (the common word of two) is read whole once reading best first
    // has cost a fraction of it (a short one costs little either way, and over the network reading whole
    // would fetch more): every document met so far, and every one met later, is then completed by a
    // lookup, and the page is decided as soon as its scores beat what the lists' next postings could add.
    // Like renting skis, this costs at most a constant times the cheaper of the two ways.
    for (let i = 0; i < L; i++) {
      if (held[i] !== undefined || streams[i].done || read * WHOLE_AFTER < opened[i].df || opened[i].df < whole) continue
      const list = await view.postings(plan.terms[i])
      held[i] = list
      for (const c of cands) {
        if (c === DEAD || (c.seen & (1 << i)) !== 0) continue
        c.seen |= 1 << i
        const at = findDoc(list, c.key)
        if (at < 0) continue
        postingAt[c.slot + i] = postingValue(list, at)
        weightAt[c.slot + i] = list.weights[at]
      }
    }
    // Read next where it settles most: the list most of the documents still in the running have not shown.
    const votes = new Array<number>(L).fill(0)
    if (unseenBound > theta) for (let i = 0; i < L; i++) if (!streams[i].done) votes[i]++
    for (const { c, ub } of open) {
      if (ub <= theta) continue
      for (let i = 0; i < L; i++) if ((c.seen & (1 << i)) === 0) votes[i]++
    }
    let pick = -1
    for (let i = 0; i < L; i++) {
      if (streams[i].done) continue
      if (pick < 0 || votes[i] > votes[pick] || (votes[i] === votes[pick] && gain(i) > gain(pick))) pick = i
    }
    const s = streams[pick]
    // Over the network the other lists' next batches are asked for now, beside this one's: the next reads
    // (whichever list they pick) then find them fetched.
    for (const o of streams) if (o !== s && !o.done) o.postings.prefetch(o.batch)
    const batch = await s.postings.take(s.batch, Math.min(2 * s.batch, MAX_BATCH))
    read += batch.length
    /** Documents first met in this batch (keys and entries), for the filters asked of each document. */
    const met: DocKey[] = []
    const metEntries: number[] = []
    s.batch = Math.min(2 * s.batch, MAX_BATCH)
    if (s.postings.done) s.done = true
    for (const e of batch) {
      const impact = keyImpact(e.key)
      s.last = impact
      const idAt = e.key.length - DOC_ID_BYTES
      const entry = table.find(e.key, idAt)
      let c = entry < 0 ? undefined : cands[entry]
      if (c === DEAD) continue
      if (c === undefined) {
        const key = docKey(e.key.subarray(idAt))
        table.add(e.key, idAt)
        // Filters and exclusions are sets of ordinals: only they need the document numbered here.
        if (must.length + not.length > 0) {
          const o = view.ord(key)
          if (must.some(f => !f.has(o)) || not.some(x => x.has(o))) {
            cands.push(DEAD)
            continue
          }
        }
        c = { key, seen: 0, slot: postingAt.length }
        for (let i = 0; i < L; i++) {
          // A list in memory says at once whether the document is in it, and with which posting (the best
          // of its two, as the stream meets it first).
          const list = held[i]
          const at = list === undefined || i === pick ? -1 : findDoc(list, key)
          if (list !== undefined && i !== pick) c.seen |= 1 << i
          postingAt.push(at < 0 ? undefined : postingValue(list!, at))
          weightAt.push(at < 0 ? 0 : list!.weights[at])
        }
        cands.push(c)
        if (probed.length > 0) {
          met.push(key)
          metEntries.push(cands.length - 1)
        }
      }
      // A second posting of a document (another variant of its URL) comes later, with a lower impact.
      if ((c.seen & (1 << pick)) !== 0) continue
      c.seen |= 1 << pick
      postingAt[c.slot + pick] = e.value
      weightAt[c.slot + pick] = reader.scorer.postingWeight(e.value)
    }
    // The filters asked of each document: all of this batch's at once (one walk down each filter's list).
    for (const terms of probed) {
      if (met.length === 0) break
      const admitted = new Set<DocKey>()
      for (const found of await allInOrder(terms.map(async t => await reader.filterHolds(t, met)))) for (const k of found) admitted.add(k)
      met.forEach((k, j) => {
        if (!admitted.has(k)) cands[metEntries[j]] = DEAD
      })
    }
  }
  giveDocTable(table)
  // The page's postings are asked for after this returns (snippets): those of the documents returned are kept.
  const kept = new Map<DocKey, Candidate>()
  for (const c of cands) if (c !== DEAD && c.final !== undefined) kept.set(c.key, c)
  return {
    ...result,
    posting(term: string, key: DocKey): Uint8Array | null {
      const i = plan.terms.indexOf(term)
      const c = kept.get(key)
      return i < 0 || c === undefined ? null : (postingAt[c.slot + i] ?? null)
    }
  }
}

/**
 * The documents of a filter or exclusion, as a bitmap over the view's ordinals: a filter such as lang:en holds
 * most of the index, and a Set of a million numbers costs more to build than the query it serves. A document
 * numbered after the bitmap was made is in none of them (their documents were all numbered first).
 */
class OrdSet {
  readonly size: number
  readonly #bits: Uint8Array
  constructor(s: { n: number; ords: Int32Array } | null) {
    let max = -1
    if (s !== null) for (let i = 0; i < s.n; i++) if (s.ords[i] > max) max = s.ords[i]
    this.#bits = new Uint8Array(max + 1)
    if (s !== null) for (let i = 0; i < s.n; i++) this.#bits[s.ords[i]] = 1
    this.size = s?.n ?? 0
  }
  has(o: number): boolean {
    return o < this.#bits.length && this.#bits[o] === 1
  }
}
