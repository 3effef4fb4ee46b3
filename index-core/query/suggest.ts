// "Did you mean": corrections of a query's words from the index's own term dictionary. A word is looked up
// as the analyzer indexes it (its stem); terms within edit distance 1-2 of that stem (Damerau: a swap of two
// neighbours counts once) are found by walking the sorted dictionary and skipping every run of terms whose
// shared beginning is already too far from the word, as Lucene's DirectSpellChecker does with an automaton.
// They are ranked by distance, then by how many documents hold them. Pure over the reader.

import { analyzeQuery } from '../analysis/index.ts'
import { prefixEnd, utf8 } from '../bytes.ts'
import { termPrefix } from '../index/index.ts'
import type { IndexReader } from './index-reader.ts'

export interface TermSuggestion {
  readonly term: string
  readonly df: number
  readonly distance: number
}

export interface WordCorrection {
  /** The word as typed. */
  readonly word: string
  /** What to type instead (a word whose stem is an indexed term). */
  readonly suggestion: string
  /** Documents holding the suggested term, and the typed one's. */
  readonly df: number
  readonly wordDf: number
}

export interface QuerySuggestion {
  /** The query with each corrected word replaced. */
  readonly q: string
  readonly corrections: WordCorrection[]
}

export interface SuggestOptions {
  /** Most edits (default: 1 for words of up to 4 letters, else 2). */
  readonly maxDistance?: number
  /** Suggestions kept per term (default 5). */
  readonly limit?: number
  /** Dictionary terms looked at before giving up (default 200,000): bounds the walk on a huge index. */
  readonly maxVisited?: number
}

/** Filter terms start with 0x01; the walk starts past them. */
const FIRST_TEXT_TERM = new Uint8Array([0x02])

/**
 * Distance from `target` to the candidate, row by row over the candidate's characters: the distance if at
 * most `max`, and where the candidate's beginning is already too far (every term starting with
 * candidate[0..prunedAt) is), or null when no prefix rules out the terms after it.
 */
export function editDistance(target: string, cand: string, max: number): { distance: number | null; prunedAt: number | null } {
  const n = target.length
  let prev2: number[] | null = null
  let prev: number[] = Array.from({ length: n + 1 }, (_, j) => j)
  let prevMin = 0
  for (let i = 1; i <= cand.length; i++) {
    const row = new Array<number>(n + 1)
    row[0] = i
    let min = row[0]
    for (let j = 1; j <= n; j++) {
      const cost = cand[i - 1] === target[j - 1] ? 0 : 1
      let v = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
      if (prev2 !== null && j > 1 && cand[i - 1] === target[j - 2] && cand[i - 2] === target[j - 1]) v = Math.min(v, prev2[j - 2] + 1)
      row[j] = v
      if (v < min) min = v
    }
    // Later rows come from this one (+0 or more) or, by a swap, from the one before (+1).
    if (min > max && prevMin + 1 > max) return { distance: null, prunedAt: i }
    prev2 = prev
    prev = row
    prevMin = min
  }
  return { distance: prev[n] <= max ? prev[n] : null, prunedAt: null }
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff
}

/** Indexed terms near `term` (itself excluded), closest first, then the most frequent. */
export async function suggestTerms(reader: IndexReader, term: string, opts: SuggestOptions = {}): Promise<TermSuggestion[]> {
  const chars = [...term].length
  const max = opts.maxDistance ?? (chars <= 4 ? 1 : 2)
  const limit = opts.limit ?? 5
  let budget = opts.maxVisited ?? 200_000
  const near: Array<{ term: string; distance: number }> = []
  await reader.walkTerms(FIRST_TEXT_TERM, t => {
    if (--budget < 0) return null
    const { distance, prunedAt } = editDistance(term, t, max)
    if (distance !== null && t !== term) near.push({ term: t, distance })
    // Skip every term sharing the too-distant beginning, else go to the next term. A beginning that would cut
    // a surrogate pair is no byte prefix of the term (a lone surrogate encodes as U+FFFD): go to the next term.
    const cut = prunedAt !== null && !isHighSurrogate(t.charCodeAt(prunedAt - 1))
    return prefixEnd(cut ? utf8(t.slice(0, prunedAt!)) : termPrefix(utf8(t)))
  })
  const counted = await Promise.all(near.map(async c => ({ ...c, df: await reader.docFrequency(c.term) })))
  return counted.sort((a, b) => a.distance - b.distance || b.df - a.df || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0)).slice(0, limit)
}

/** The term a typed word is indexed as (null: a stop word, or more than one term). */
function termOf(word: string, lang: string | null): string | null {
  const t = analyzeQuery(word, lang)
  return t.length === 1 ? t[0].term : null
}

/**
 * A word to show for the indexed term `to`, made from what was typed: the edits that turn the typed word's
 * term into `to` applied to the word itself (`libary` -> `libari` -> `librari` gives `library`), kept if
 * the analyzer agrees; else a plain spelling of the term that analyses to it; else the term.
 */
export function surfaceFor(word: string, from: string, to: string, lang: string | null): string {
  const w = word.normalize('NFKC').toLowerCase()
  const candidates: string[] = []
  // The typed word and its term share a beginning; edits inside it carry over to the word.
  let shared = 0
  while (shared < w.length && shared < from.length && w[shared] === from[shared]) shared++
  let a = 0
  while (a < from.length && a < to.length && from[a] === to[a]) a++
  let b = 0
  while (b < from.length - a && b < to.length - a && from[from.length - 1 - b] === to[to.length - 1 - b]) b++
  // from = p + x + s, to = p + y + s: replace x by y where it sits in the word.
  if (from.length - b <= shared) candidates.push(w.slice(0, a) + to.slice(a, to.length - b) + w.slice(from.length - b))
  candidates.push(to, to + 'e', to + 's')
  // Porter turns a final y into i: "history" is indexed as "histori".
  for (const c of candidates.flatMap(c => [c.replace(/i$/, 'y'), c])) if (termOf(c, lang) === to) return c
  return to
}

const OPERATORS = new Set(['AND', 'OR', 'NOT'])

/**
 * Corrections for the words of query `q` that the index holds rarely or not at all: null when no word has
 * a better-known neighbour. Field values (`site:`, `title:x`) and prefixes (`libr*`) are left as typed.
 */
export async function suggestQuery(reader: IndexReader, q: string, lang: string | null = null, opts: SuggestOptions = {}): Promise<QuerySuggestion | null> {
  const corrections: WordCorrection[] = []
  let out = ''
  let last = 0
  // Chunks: a quoted phrase (its words may be corrected) or a run without spaces.
  for (const chunk of q.matchAll(/"[^"]*"?|[^\s"]+/g)) {
    const text = chunk[0]
    if (!text.startsWith('"') && (text.includes(':') || text.endsWith('*'))) continue
    for (const m of text.matchAll(/[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu)) {
      const word = m[0]
      if (OPERATORS.has(word) || [...word].length < 3) continue
      const term = termOf(word, lang)
      if (term === null) continue
      const wordDf = await reader.docFrequency(term)
      const best = (await suggestTerms(reader, term, { ...opts, limit: 1 }))[0]
      // A known word is corrected only towards one far more common (a rare spelling, not a rare word).
      if (best === undefined || best.df < Math.max(1, wordDf * 4)) continue
      const at = (chunk.index ?? 0) + (m.index ?? 0)
      const suggestion = surfaceFor(word, term, best.term, lang)
      corrections.push({ word, suggestion, df: best.df, wordDf })
      out += q.slice(last, at) + suggestion
      last = at + word.length
    }
  }
  if (corrections.length === 0) return null
  return { q: out + q.slice(last), corrections }
}
