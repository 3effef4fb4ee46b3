// The analysis pipeline: text -> positioned terms.
//
//   normalizeText      NFKC, lowercase, final sigma          (normalize.ts)
//   scanSegments       words and bigram runs                 (tokenizer.ts)
//   words:  apostrophes ’‘ -> ', strip possessive 's, strip elided articles
//           (fr, it), drop stop words (position kept), stem, fold diacritics
//           (folded before stemming for Porter and unstemmed languages, after
//           for the accent-aware stemmers; see StemmerInfo.accentAware)
//   runs:   overlapping bigrams, one position each           (cjk.ts)
//
// Output is a pure function of (text, language, options). The per-language
// term cache memoises the word pipeline only; it never changes a result.

import { emitBigrams } from './cjk.ts'
import { profileFor, type LanguageProfile } from './language.ts'
import { foldDiacritics, normalizeText } from './normalize.ts'
import { safeStem } from './stemmer.ts'
import { scanSegments } from './tokenizer.ts'
import { WordCache } from './word-cache.ts'

/**
 * Identifies the analyzer's output; recorded in index roots. Any change to the
 * terms or positions produced for some input (rules, lists, stemmers, defaults
 * below, Unicode tables of the runtime) must bump it.
 */
export const ANALYZER_VERSION = 'canopy-analyzer/1'

export interface Token {
  term: string
  /**
   * Index of the token in the original token stream. Stop words and dropped
   * (over-long) tokens consume a position, so phrase queries keep their gaps,
   * like Lucene's position increments. Each CJK gram takes one position.
   */
  position: number
}

export interface AnalyzeOptions {
  /**
   * Stop after this many stream positions (emitted, stopped and dropped tokens
   * all count), so hostile input cannot blow up memory.
   * Defaults: DEFAULT_MAX_FIELD_TOKENS for analyze(), DEFAULT_MAX_QUERY_TOKENS
   * for analyzeQuery(). Non-default values change output: record them.
   */
  maxTokens?: number
  /**
   * Words longer than this (UTF-16 code units after normalisation) are dropped
   * rather than truncated: such strings are base64, hashes or garbage, and a
   * truncated prefix would only create false matches.
   */
  maxTokenLength?: number
}

/** Positions per field; a web page body rarely exceeds it (~600 kB of prose). */
export const DEFAULT_MAX_FIELD_TOKENS = 100_000
/** Positions per query. */
export const DEFAULT_MAX_QUERY_TOKENS = 1_000
/** Longest indexed word (Lucene's StandardTokenizer allows 255; real words are far shorter). */
export const DEFAULT_MAX_TOKEN_LENGTH = 64

/** Entries per language in the word -> term memo table. */
const TERM_CACHE_ENTRIES = 200_000

/** '' marks a stop word in the cache. */
const STOP = ''
const HAS_APOSTROPHE = /['\u2018\u2019]/
const CURLY_APOSTROPHES = /[\u2018\u2019]/g
const HAS_LETTER = /\p{L}/u

const termCaches = new Map<string, WordCache>()

/**
 * Terms numbered in the order this thread first meets them, so a bulk indexer can keep per-term state in arrays
 * instead of looking each token's term up by string (a word's number is memoised beside its term). Numbers
 * never change meaning and never reach an index; past the cap, new terms get none (-1).
 */
const termNumbers = new Map<string, number>()
const MAX_TERM_NUMBERS = 1 << 19

function termNumber(term: string): number {
  let n = termNumbers.get(term)
  if (n === undefined) {
    if (termNumbers.size >= MAX_TERM_NUMBERS) return -1
    n = termNumbers.size
    termNumbers.set(term, n)
  }
  return n
}

function cacheFor(code: string): WordCache {
  let c = termCaches.get(code)
  if (c === undefined) {
    c = new WordCache(TERM_CACHE_ENTRIES)
    termCaches.set(code, c)
  }
  return c
}

/** Empty the memo tables (tests use this to compare cold and warm output). */
export function clearAnalyzerCaches(): void {
  for (const c of termCaches.values()) c.clear()
}

/**
 * A copy of a slice that holds only its own characters. V8 keeps a slice of 13 or more characters as a view of
 * the whole string it came from, so a long word kept in the memo table (or its term, kept by a caller's term
 * table) would keep the whole normalised text alive. Prepending makes a rope; slicing a rope flattens it into a
 * new string of the word's length.
 */
function detach(s: string): string {
  return (' ' + s).slice(1)
}

/** The term for one normalised word, or STOP. */
function wordToTerm(word: string, profile: LanguageProfile): string {
  let w = word
  if (HAS_APOSTROPHE.test(w)) {
    w = w.replace(CURLY_APOSTROPHES, "'")
    // Possessive (Lucene's EnglishPossessiveFilter), for every language: a web
    // page's declared language is often wrong, and "'s" is English-only anyway
    // (apart from Dutch plurals like "auto's", which it usefully reduces).
    if (w.endsWith("'s")) w = w.slice(0, -2)
    if (profile.elisions !== null) {
      const i = w.indexOf("'")
      if (i > 0 && profile.elisions.has(w.slice(0, i))) w = w.slice(i + 1)
    }
  }
  const stemmer = profile.stemmer
  const foldFirst = stemmer === null || !stemmer.accentAware
  if (foldFirst) w = foldDiacritics(w)
  if (profile.stopwords.has(w)) return STOP
  let term = w
  // Numbers ("1990", "3.5") are never stemmed.
  if (stemmer !== null && HAS_LETTER.test(w)) term = safeStem(stemmer.stem, w)
  if (!foldFirst) term = foldDiacritics(term)
  return term.length > 0 ? term : w
}

function clampCount(value: number | undefined, fallback: number): number {
  if (value === undefined || Number.isNaN(value)) return fallback
  return Math.max(0, Math.floor(value))
}

/** Tokens of a text, and how many stream positions it consumed (stop words and dropped words included). */
export interface Analysis {
  tokens: Token[]
  positions: number
}

/**
 * Receives each emitted term with its stream position and its number in this thread (termNumber; -1 when it
 * has none), which names the same term for the life of the thread.
 */
export type TermSink = (term: string, position: number, termNo: number) => void

/** The pipeline itself: emits each term to `sink`; returns the positions consumed. */
function runInto(text: string, lang: string | null, options: AnalyzeOptions | undefined, defaultMax: number, sink: TermSink): number {
  const maxTokens = clampCount(options?.maxTokens, defaultMax)
  const maxLen = clampCount(options?.maxTokenLength, DEFAULT_MAX_TOKEN_LENGTH)
  if (maxTokens === 0 || text.length === 0) return 0

  const profile = profileFor(lang)
  const cache = cacheFor(profile.code)
  let position = 0

  const norm = normalizeText(text)
  const onGram = (start: number, end: number): boolean => {
    if (end - start <= maxLen) {
      const gram = norm.slice(start, end)
      sink(gram, position, termNumber(gram))
    }
    position++
    return position < maxTokens
  }
  scanSegments(norm, (start, end, kind, h) => {
    if (kind === 'word') {
      // Length is checked before slicing: an over-long word is never copied (nor a known one).
      if (end - start <= maxLen) {
        const slot = cache.lookup(norm, start, end, h)
        if (slot >= 0) {
          const term = cache.valueAt(slot)
          if (term !== STOP) sink(term, position, cache.numberAt(slot))
        } else {
          const word = detach(norm.slice(start, end))
          const term = wordToTerm(word, profile)
          const no = term === STOP ? -1 : termNumber(term)
          cache.set(word, h, term, no)
          if (term !== STOP) sink(term, position, no)
        }
      }
      position++
    } else {
      emitBigrams(norm, start, end, onGram)
    }
    return position < maxTokens
  })
  return Math.min(position, maxTokens)
}

function run(text: string, lang: string | null, options: AnalyzeOptions | undefined, defaultMax: number): Analysis {
  const tokens: Token[] = []
  const positions = runInto(text, lang, options, defaultMax, (term, position) => {
    tokens.push({ term, position })
  })
  return { tokens, positions }
}

/** Analyze a field's text for indexing. `lang` is a language tag or null (English). */
export function analyze(text: string, lang: string | null, options?: AnalyzeOptions): Token[] {
  return run(text, lang, options, DEFAULT_MAX_FIELD_TOKENS).tokens
}

/**
 * analyze(), also reporting the positions consumed, so that text analysed in consecutive pieces can be
 * given consecutive positions.
 */
export function analyzeField(text: string, lang: string | null, options?: AnalyzeOptions): Analysis {
  return run(text, lang, options, DEFAULT_MAX_FIELD_TOKENS)
}

/**
 * analyzeField() without the token list: each term goes to `sink` as it is found (bulk indexing analyses
 * millions of tokens). Returns the positions consumed.
 */
export function analyzeFieldInto(text: string, lang: string | null, sink: TermSink, options?: AnalyzeOptions): number {
  return runInto(text, lang, options, DEFAULT_MAX_FIELD_TOKENS, sink)
}

/**
 * Analyze query text. Same pipeline as analyze(), so the same words give the
 * same terms and positions; only the default token cap is smaller.
 */
export function analyzeQuery(text: string, lang: string | null, options?: AnalyzeOptions): Token[] {
  return run(text, lang, options, DEFAULT_MAX_QUERY_TOKENS).tokens
}
