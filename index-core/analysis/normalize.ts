// Character-level normalisation shared by indexing and query analysis.
//
// Policy (part of the analyzer output, so any change must bump ANALYZER_VERSION):
//  1. Lone surrogates become U+FFFD (String.prototype.toWellFormed), so hostile
//     input cannot make normalisation or regexes misbehave.
//  2. NFKC, so compatibility forms (full-width Latin, half-width katakana,
//     ligatures, superscripts, circled digits) index like their plain forms.
//  3. Locale-independent toLowerCase(); Greek final sigma is mapped to σ, so a
//     word matches whether or not it was written in capitals (as Lucene's
//     GreekLowerCaseFilter does).
//  4. Diacritic folding happens later, per term, after stemming (foldDiacritics),
//     because the Snowball-style stemmers need the accents to find suffixes.
//
// Everything here depends only on the Unicode tables built into the runtime
// (Node 24 pins them); no locale, no Intl, no environment.

/** NFKC + lowercase of a whole field; token boundaries are found afterwards. */
export function normalizeText(text: string): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed()
  let s = wellFormed.normalize('NFKC').toLowerCase()
  if (s.includes('ς')) s = s.replaceAll('ς', 'σ')
  return s
}

// Combining marks that follow a Latin or Greek base letter (possibly after other
// marks). Marks on other scripts are kept: in Cyrillic (й), Devanagari, Arabic,
// Hebrew or Thai they distinguish letters or vowels, and removing them would
// merge unrelated words.
const LATIN_GREEK_MARK = /(?<=[\p{Script=Latin}\p{Script=Greek}]\p{M}*)\p{M}/gu

// Latin letters that carry no decomposable diacritic but that users commonly
// type in plain ASCII (the same choices as Lucene's ASCIIFoldingFilter).
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ł: 'l',
  ı: 'i',
  ħ: 'h',
  ŧ: 't'
}
const SPECIAL_LETTER_RE = /[ßæœøđðþłıħŧ]/g
const NON_ASCII = /[^\u0000-\u007f]/

/**
 * Fold diacritics on Latin and Greek letters: `résumé` -> `resume`,
 * `straße` -> `strasse`, `ά` -> `α`.
 *
 * Why fold at all (Lucene's EnglishAnalyzer does not): a web archive mixes
 * languages, declared languages are often wrong, and people type queries
 * without accents ("zurich", "cafe", Vietnamese without tone marks). Folding
 * costs a few collisions (Spanish año/ano, German schön/schon, which natural's
 * German stemmer already merges) but makes accent-insensitive matching the
 * default across every language.
 */
export function foldDiacritics(term: string): string {
  if (!NON_ASCII.test(term)) return term
  let s = term.normalize('NFD').replace(LATIN_GREEK_MARK, '')
  s = s.replace(SPECIAL_LETTER_RE, c => SPECIAL_LETTERS[c] ?? c)
  // Recompose whatever is left (e.g. Cyrillic й, Hangul) so the term is NFC.
  return s.normalize('NFC')
}
