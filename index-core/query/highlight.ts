// Snippets: a window of the stored body text around the best match, with matched words and phrases marked.
// The text is segmented exactly as the analyzer segments it, and each word is analysed to decide if it
// matched, so highlights agree with what was searched (stems, CJK bigrams, phrases with stop words inside).

import { analyzeQuery, scanSegments, emitBigrams } from '../analysis/index.ts'

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, c => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'))
}

interface Seg {
  start: number
  end: number
  position: number
  kind: 'word' | 'bigram-run'
}

/** One analysed term of a phrase, at its position relative to the phrase's first term. */
export interface PhraseToken {
  readonly term: string
  readonly position: number
}

/** What a query asks to highlight. */
export interface HighlightQuery {
  /** Terms marked wherever they occur (the query's single words and prefix expansions). */
  readonly words: ReadonlySet<string>
  /** Runs of terms marked, as one, where they occur together at these relative positions (phrase queries). */
  readonly phrases: ReadonlyArray<readonly PhraseToken[]>
}

/**
 * What a query asked for, gathered while it runs: its words, its phrases, and every term of both (the
 * snippet's focus looks them all up). Only positive clauses are added: excluded words are not highlighted.
 */
export class QueryHighlight implements HighlightQuery {
  readonly terms = new Set<string>()
  readonly words = new Set<string>()
  readonly phrases: PhraseToken[][] = []

  addWord(term: string): void {
    this.terms.add(term)
    this.words.add(term)
  }

  /**
   * A clause of several analysed terms: a phrase, or a word the analyzer splits (CJK bigrams, 'covid-19'), which
   * also matches only whole. One term is a word.
   */
  addPhrase(tokens: ReadonlyArray<{ readonly term: string; readonly position: number }>): void {
    if (tokens.length === 0) return
    if (tokens.length === 1) {
      this.addWord(tokens[0].term)
      return
    }
    for (const t of tokens) this.terms.add(t.term)
    this.phrases.push(tokens.map(t => ({ term: t.term, position: t.position - tokens[0].position })))
  }
}

/** A highlight query of words only. */
export function wordsQuery(words: Iterable<string>): HighlightQuery {
  return { words: new Set(words), phrases: [] }
}

/** Segments of `text` with the stream position each starts at, counted as the analyzer counts (no analysis). */
function segmentsOf(text: string): Seg[] {
  const out: Seg[] = []
  let position = 0
  scanSegments(text, (start, end, kind) => {
    out.push({ start, end, position, kind })
    position += kind === 'word' ? 1 : emitBigrams(text, start, end, () => true)
    return true
  })
  return out
}

/**
 * The segments around body position `focus` (chunk-relative): `center` is where the first segment at or
 * after it starts (0 if none), and `segs` those within `width` characters of it. The scan stops once past
 * the window: a chunk can be 16,000 bytes for a window of a few hundred.
 */
function windowOf(text: string, focus: number, width: number): { center: number; segs: Seg[] } {
  const seen: Seg[] = []
  let position = 0
  let center = -1
  scanSegments(text, (start, end, kind) => {
    if (center >= 0 && start >= center + width) return false
    if (center < 0 && position >= focus) center = start
    seen.push({ start, end, position, kind })
    position += kind === 'word' ? 1 : emitBigrams(text, start, end, () => true)
    return true
  })
  if (center < 0) center = 0
  return { center, segs: seen.filter(s => s.end > center - width && s.start < center + width) }
}

/** A stretch of text to mark: [start, end) in characters. */
interface Span {
  start: number
  end: number
}

/**
 * The spans to mark in `segs`: each word (or CJK bigram) that is one of the query's words, and each place where
 * one of its phrases occurs whole (one span from the phrase's first word to its last, the words between
 * included: 'war of the worlds' is one mark, 'of' and 'the' being stop words the phrase skips). Sorted by
 * start, overlapping spans merged (overlapping bigrams make one mark).
 */
function hitSpans(text: string, segs: readonly Seg[], query: HighlightQuery, lang: string | null): Span[] {
  // The analysed terms of the window by stream position, each with the characters it came from: a word's
  // segment, or a bigram's two characters (so CJK text is marked bigram by bigram, not run by run).
  const byPosition = new Map<number, Array<{ term: string; start: number; end: number }>>()
  const spans: Span[] = []
  const at = (position: number, term: string, start: number, end: number): void => {
    const list = byPosition.get(position)
    if (list === undefined) byPosition.set(position, [{ term, start, end }])
    else list.push({ term, start, end })
    if (query.words.has(term)) spans.push({ start, end })
  }
  for (const s of segs) {
    if (s.kind === 'word') {
      for (const t of analyzeQuery(text.slice(s.start, s.end), lang)) at(s.position + t.position, t.term, s.start, s.end)
    } else {
      let p = s.position
      emitBigrams(text, s.start, s.end, (a, b) => {
        at(p++, text.slice(a, b).toLowerCase(), a, b)
        return true
      })
    }
  }
  for (const phrase of query.phrases) {
    const first = phrase[0]
    const last = phrase[phrase.length - 1]
    for (const [p0, list] of byPosition) {
      for (const head of list) {
        if (head.term !== first.term) continue
        if (!phrase.every(t => byPosition.get(p0 + t.position)?.some(x => x.term === t.term) === true)) continue
        const tail = byPosition.get(p0 + last.position)!.find(x => x.term === last.term)!
        spans.push({ start: head.start, end: tail.end })
      }
    }
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end)
  const merged: Span[] = []
  for (const sp of spans) {
    const prev = merged[merged.length - 1]
    if (prev !== undefined && sp.start < prev.end) prev.end = Math.max(prev.end, sp.end)
    else merged.push({ ...sp })
  }
  return merged
}

export interface Snippet {
  readonly html: string
  readonly matches: number
}

/**
 * A snippet of about `width` characters from `text` (a stored chunk), centred on chunk-relative body
 * position `focus` when given (only the words in the window are analysed), else on the densest run of
 * matches.
 */
export function makeSnippet(text: string, query: HighlightQuery, lang: string | null, width = 240, focus: number | null = null): Snippet {
  let center = 0
  let segs: Seg[]
  let spans: Span[]
  if (focus !== null) {
    ;({ center, segs } = windowOf(text, focus, width))
    spans = hitSpans(text, segs, query, lang)
  } else {
    segs = segmentsOf(text)
    spans = hitSpans(text, segs, query, lang)
    let best = -1
    for (const h of spans) {
      const n = spans.filter(o => Math.abs(o.start - h.start) < width / 2).length
      if (n > best) {
        best = n
        center = h.start
      }
    }
  }
  let from = Math.max(0, center - Math.floor(width / 3))
  let to = Math.min(text.length, from + width)
  from = Math.max(0, to - width)
  // Snap to segment boundaries so no word is cut.
  const first = segs.find(s => s.end > from)
  if (first !== undefined && first.start < from) from = first.start
  const last = [...segs].reverse().find(s => s.start < to)
  if (last !== undefined && last.end > to) to = last.end
  let html = from > 0 ? '… ' : ''
  let i = from
  let matches = 0
  for (const sp of spans) {
    if (sp.end <= from || sp.start >= to) continue
    const a = Math.max(sp.start, i)
    const b = Math.min(sp.end, to)
    html += escapeHtml(text.slice(i, a)) + '<mark>' + escapeHtml(text.slice(a, b)) + '</mark>'
    i = b
    matches++
  }
  html += escapeHtml(text.slice(i, to)) + (to < text.length ? ' …' : '')
  return { html: html.replace(/\s+/g, ' ').trim(), matches }
}

/** The whole of a short text (a title) with matches marked. */
export function highlightAll(text: string, query: HighlightQuery, lang: string | null): string {
  return makeSnippet(text, query, lang, Math.max(1, text.length)).html
}
