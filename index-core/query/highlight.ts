// Snippets: a window of the stored body text around the best match, with matched words marked. The text
// is segmented exactly as the analyzer segments it, and each word is analysed to decide if it matched, so
// highlights agree with what was searched (stems, CJK bigrams).

import { analyzeQuery } from '../analysis/index.ts'
import { scanSegments } from '../analysis/tokenizer.ts'
import { emitBigrams } from '../analysis/cjk.ts'

export function escapeHtml (s: string): string {
  return s.replace(/[&<>"']/g, c => c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;')
}

interface Seg { start: number, end: number, position: number, kind: 'word' | 'bigram-run', hit: boolean }

/** Segments of `text` with the stream position each starts at, counted as the analyzer counts (no analysis). */
function segmentsOf (text: string): Seg[] {
  const out: Seg[] = []
  let position = 0
  scanSegments(text, (start, end, kind) => {
    out.push({ start, end, position, kind, hit: false })
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
function windowOf (text: string, focus: number, width: number): { center: number, segs: Seg[] } {
  const seen: Seg[] = []
  let position = 0
  let center = -1
  scanSegments(text, (start, end, kind) => {
    if (center >= 0 && start >= center + width) return false
    if (center < 0 && position >= focus) center = start
    seen.push({ start, end, position, kind, hit: false })
    position += kind === 'word' ? 1 : emitBigrams(text, start, end, () => true)
    return true
  })
  if (center < 0) center = 0
  return { center, segs: seen.filter(s => s.end > center - width && s.start < center + width) }
}

/** Marks the segments whose analysed terms are query terms. */
function markHits (text: string, segs: Seg[], terms: ReadonlySet<string>, lang: string | null): void {
  for (const s of segs) {
    if (s.kind === 'word') {
      s.hit = analyzeQuery(text.slice(s.start, s.end), lang).some(x => terms.has(x.term))
    } else {
      emitBigrams(text, s.start, s.end, (a, b) => { if (terms.has(text.slice(a, b).toLowerCase())) s.hit = true; return !s.hit })
    }
  }
}

export interface Snippet { readonly html: string, readonly matches: number }

/**
 * A snippet of about `width` characters from `text` (a stored chunk), centred on chunk-relative body
 * position `focus` when given (only the words in the window are analysed), else on the densest run of
 * matches.
 */
export function makeSnippet (text: string, terms: ReadonlySet<string>, lang: string | null, width = 240, focus: number | null = null): Snippet {
  let center = 0
  let segs: Seg[]
  if (focus !== null) {
    ({ center, segs } = windowOf(text, focus, width))
    markHits(text, segs, terms, lang)
  } else {
    const all = segmentsOf(text)
    segs = all
    markHits(text, all, terms, lang)
    const hits = all.filter(s => s.hit)
    let best = -1
    for (const h of hits) {
      const n = hits.filter(o => Math.abs(o.start - h.start) < width / 2).length
      if (n > best) { best = n; center = h.start }
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
  for (const s of segs) {
    if (s.end <= from || s.start >= to || !s.hit) continue
    html += escapeHtml(text.slice(i, s.start)) + '<mark>' + escapeHtml(text.slice(s.start, s.end)) + '</mark>'
    i = s.end
    matches++
  }
  html += escapeHtml(text.slice(i, to)) + (to < text.length ? ' …' : '')
  return { html: html.replace(/\s+/g, ' ').trim(), matches }
}

/** The whole of a short text (a title) with matches marked. */
export function highlightAll (text: string, terms: ReadonlySet<string>, lang: string | null): string {
  return makeSnippet(text, terms, lang, Math.max(1, text.length)).html
}
