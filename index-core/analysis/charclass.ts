// Per-code-point character classes for the tokenizer and the bigrammer.
//
// Classes come only from Unicode properties (general category, script) via
// regex property escapes, evaluated once per code point and memoised in a
// table. The scanners that use them are hand-written linear loops: a regex
// with `\p{L}*` over a 10 MB word overflows V8's backtracking stack.

export const OTHER = 0
/** \p{L} outside the bigram scripts. */
export const LETTER = 1
/** \p{N} outside the bigram scripts. */
export const DIGIT = 2
/** \p{M}: attaches to the preceding base character. */
export const MARK = 3
/** Base character of a script written without spaces (see cjk.ts). */
export const BIGRAM = 4
/** ' ‘ ’ : joins two letters ("don't"). */
export const APOSTROPHE = 5
/** . , : joins two digits ("3.5", "1,000"). */
export const NUM_SEPARATOR = 6

export type CharClass = 0 | 1 | 2 | 3 | 4 | 5 | 6

// Han, Hiragana, Katakana, Hangul by Script_Extensions (so the prolonged sound
// mark ー and iteration marks count), letters and numbers only (not CJK
// punctuation); Thai, Lao, Khmer, Myanmar letters.
const BIGRAM_BASE_RE =
  /^[[[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]&&[\p{L}\p{N}]][[\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]&&\p{L}]]$/v
const MARK_RE = /^\p{M}$/u
const LETTER_RE = /^\p{L}$/u
const DIGIT_RE = /^\p{N}$/u

function compute(cp: number): CharClass {
  if (cp === 0x27 || cp === 0x2018 || cp === 0x2019) return APOSTROPHE
  if (cp === 0x2e || cp === 0x2c) return NUM_SEPARATOR
  if (cp >= 0xd800 && cp <= 0xdfff) return OTHER // lone surrogate (never after toWellFormed)
  const s = String.fromCodePoint(cp)
  if (BIGRAM_BASE_RE.test(s)) return BIGRAM
  if (MARK_RE.test(s)) return MARK
  if (LETTER_RE.test(s)) return LETTER
  if (DIGIT_RE.test(s)) return DIGIT
  return OTHER
}

// class + 1, 0 = not computed yet. 1.1 MB, filled lazily; the OS only commits
// the pages that are touched.
const table = new Uint8Array(0x110000)

// ASCII is precomputed so the common path never calls a regex.
for (let cp = 0; cp < 0x80; cp++) table[cp] = compute(cp) + 1

/** The class of a code point (memoised; a pure function of the code point). */
export function classOf(cp: number): CharClass {
  const v = table[cp]
  if (v !== 0) return (v - 1) as CharClass
  const c = compute(cp)
  table[cp] = c + 1
  return c
}

/** Code point at i in a well-formed string (surrogate pairs combined). */
export function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i)
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1)
    if (d >= 0xdc00 && d <= 0xdfff) return (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000
  }
  return c
}

/** UTF-16 length of a code point. */
export function cpLength(cp: number): number {
  return cp > 0xffff ? 2 : 1
}
