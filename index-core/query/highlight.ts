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
  const all = segmentsOf(text)
  let center = 0
  let segs = all
  if (focus !== null) {
    center = all.find(s => s.position >= focus)?.start ?? 0
    segs = all.filter(s => s.end > center - width && s.start < center + width)
    markHits(text, segs, terms, lang)
  } else {
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
