// Word segmentation over normalised (NFKC, lowercased) text.
//
// Why not Intl.Segmenter: its word boundaries come from the ICU version bundled
// with the runtime and change between releases (notably its dictionary-based
// CJK/Thai segmentation). Index blocks must be byte-identical for the same
// documents, so we use a small rule set we control, modelled on the common
// cases of UAX #29 (Lucene's StandardTokenizer), that depends only on Unicode
// general categories and scripts (charclass.ts).
//
// Rules:
//  - A word is a run of letters, digits and combining marks that starts with a
//    letter or digit (a string of bare combining marks yields nothing).
//  - Inside a word, an apostrophe (' ‘ ’) between two letters is kept, so
//    "don't" and "o'neill" stay whole and the possessive "'s" can be stripped
//    later; '.' or ',' between two digits is kept, so "3.5" and "1,000" stay
//    whole (as in UAX #29).
//  - Everything else separates words: hyphens ("covid-19" -> covid, 19),
//    underscores, ':' and '.' between letters ("example.com" -> example, com;
//    UAX #29 keeps "example.com" whole, splitting finds more on web pages).
//  - Runs of scripts written without spaces (Han, Hiragana, Katakana, Hangul,
//    Thai, Lao, Khmer, Myanmar) plus their combining marks are returned as
//    "bigram runs" for cjk.ts. A run ends at any other character, so mixed text
//    ("iPhoneを買った") gives the Latin word and the Japanese run separately.
//
// The scanner is a single linear pass (no regex backtracking), so a 10 MB word
// costs 10 M table look-ups and no stack.

import { APOSTROPHE, BIGRAM, DIGIT, LETTER, MARK, NUM_SEPARATOR, classOf, codePointAt, cpLength } from './charclass.ts'

export type SegmentKind = 'word' | 'bigram-run'

/**
 * Receives each segment as a [start, end) range of the scanned string, so
 * callers can reject an over-long word without copying it. For a word, `hash`
 * is WordCache.hash of the range, computed during the scan (the analyzer looks
 * every word up in its memo table; hashing there would be a second pass). For a
 * bigram run it is 0. Return false to stop scanning.
 */
export type SegmentSink = (start: number, end: number, kind: SegmentKind, hash: number) => boolean

// FNV-1a, as WordCache.hash.
const FNV_OFFSET = 0x811c9dc5 | 0
const FNV_PRIME = 0x01000193

/** Scan normalised text and pass each word / bigram run to `sink`, in order. */
export function scanSegments(s: string, sink: SegmentSink): void {
  const n = s.length
  let i = 0
  while (i < n) {
    // Below the surrogates a code unit is its code point: most text never needs codePointAt.
    const u = s.charCodeAt(i)
    const cp = u < 0xd800 ? u : codePointAt(s, i)
    const cls = classOf(cp)
    if (cls === LETTER || cls === DIGIT) {
      const start = i
      let lastBase = cls // class of the last letter/digit, marks skipped
      let h = Math.imul(FNV_OFFSET ^ u, FNV_PRIME)
      if (cp > 0xffff) h = Math.imul(h ^ s.charCodeAt(i + 1), FNV_PRIME)
      i += cpLength(cp)
      while (i < n) {
        const u2 = s.charCodeAt(i)
        const cp2 = u2 < 0xd800 ? u2 : codePointAt(s, i)
        const c2 = classOf(cp2)
        if (c2 === LETTER || c2 === DIGIT || c2 === MARK) {
          if (c2 !== MARK) lastBase = c2
          h = Math.imul(h ^ u2, FNV_PRIME)
          if (cp2 > 0xffff) {
            h = Math.imul(h ^ s.charCodeAt(i + 1), FNV_PRIME)
            i += 2
          } else {
            i += 1
          }
        } else if ((c2 === APOSTROPHE && lastBase === LETTER) || (c2 === NUM_SEPARATOR && lastBase === DIGIT)) {
          // Joiners are single code units; keep one only if the same kind of
          // character follows.
          if (i + 1 < n && classOf(codePointAt(s, i + 1)) === lastBase) {
            h = Math.imul(h ^ u2, FNV_PRIME)
            i += 1
          } else {
            break
          }
        } else {
          break
        }
      }
      if (!sink(start, i, 'word', h)) return
    } else if (cls === BIGRAM) {
      const start = i
      i += cpLength(cp)
      while (i < n) {
        const cp2 = codePointAt(s, i)
        const c2 = classOf(cp2)
        if (c2 !== BIGRAM && c2 !== MARK) break
        i += cpLength(cp2)
      }
      if (!sink(start, i, 'bigram-run', 0)) return
    } else {
      i += cpLength(cp)
    }
  }
}

/** Convenience for tests and debugging: all segments of normalised text. */
export function segments(normalized: string): Array<{ text: string; kind: SegmentKind }> {
  const out: Array<{ text: string; kind: SegmentKind }> = []
  scanSegments(normalized, (start, end, kind) => {
    out.push({ text: normalized.slice(start, end), kind })
    return true
  })
  return out
}
