// Language -> stemmer.
//
//  en                                 Porter (porter.ts, identical to Lucene's)
//  de es fr it nl no pt ru sv uk      natural's Snowball-style "porter_stemmer_xx"
//  id                                 natural's Indonesian (Sastrawi-style, dictionary based)
//  others                             no stemmer
//
// Every natural stemmer used here was checked to be a pure function of the
// word (no state kept between calls; the Indonesian one resets its module-level
// scratch variables on every call) and not to throw on digits, single letters,
// apostrophes, empty strings or other scripts (test/analysis.test.ts repeats the
// check). They are still wrapped: on an exception, a non-string or an empty
// result, the token is indexed unstemmed, so bad input can never fail indexing.
// natural's Persian stemmer is the identity and its Japanese one only strips a
// katakana length mark (irrelevant to bigrams), so neither is used.

import deStemmer from 'natural/lib/natural/stemmers/porter_stemmer_de.js';
import esStemmer from 'natural/lib/natural/stemmers/porter_stemmer_es.js';
import frStemmer from 'natural/lib/natural/stemmers/porter_stemmer_fr.js';
import itStemmer from 'natural/lib/natural/stemmers/porter_stemmer_it.js';
import nlStemmer from 'natural/lib/natural/stemmers/porter_stemmer_nl.js';
import noStemmer from 'natural/lib/natural/stemmers/porter_stemmer_no.js';
import ptStemmer from 'natural/lib/natural/stemmers/porter_stemmer_pt.js';
import ruStemmer from 'natural/lib/natural/stemmers/porter_stemmer_ru.js';
import svStemmer from 'natural/lib/natural/stemmers/porter_stemmer_sv.js';
import ukStemmer from 'natural/lib/natural/stemmers/porter_stemmer_uk.js';
import idStemmer from 'natural/lib/natural/stemmers/indonesian/stemmer_id.js';
import { porterStem } from './porter.ts';

export type StemFn = (word: string) => string;

export interface StemmerInfo {
  /** Human-readable name, recorded for debugging and reports. */
  readonly name: string;
  /** Unsafe stem function; use safeStem() to call it. */
  readonly stem: StemFn;
  /**
   * True if the stemmer's rules use accented letters (Snowball-style French,
   * Spanish...): diacritics are then folded after stemming. Porter treats any
   * non-ASCII letter as a consonant, so for it we fold first, which makes
   * "résumé" stem like "resume".
   */
  readonly accentAware: boolean;
}

// Methods are called on their module object: some natural stemmers are classes
// whose stem() uses `this`.
const STEMMERS: ReadonlyMap<string, StemmerInfo> = new Map<string, StemmerInfo>([
  ['en', { name: 'porter (Lucene reference)', stem: porterStem, accentAware: false }],
  ['de', { name: 'natural porter_stemmer_de', stem: (w) => deStemmer.stem(w), accentAware: true }],
  ['es', { name: 'natural porter_stemmer_es', stem: (w) => esStemmer.stem(w), accentAware: true }],
  ['fr', { name: 'natural porter_stemmer_fr', stem: (w) => frStemmer.stem(w), accentAware: true }],
  ['it', { name: 'natural porter_stemmer_it', stem: (w) => itStemmer.stem(w), accentAware: true }],
  ['nl', { name: 'natural porter_stemmer_nl', stem: (w) => nlStemmer.stem(w), accentAware: true }],
  ['no', { name: 'natural porter_stemmer_no', stem: (w) => noStemmer.stem(w), accentAware: true }],
  ['pt', { name: 'natural porter_stemmer_pt', stem: (w) => ptStemmer.stem(w), accentAware: true }],
  ['ru', { name: 'natural porter_stemmer_ru', stem: (w) => ruStemmer.stem(w), accentAware: true }],
  ['sv', { name: 'natural porter_stemmer_sv', stem: (w) => svStemmer.stem(w), accentAware: true }],
  ['uk', { name: 'natural porter_stemmer_uk', stem: (w) => ukStemmer.stem(w), accentAware: true }],
  ['id', { name: 'natural stemmer_id', stem: (w) => idStemmer.stem(w), accentAware: true }],
]);

/** The stemmer for a resolved language code, or null if it has none. */
export function stemmerFor(lang: string): StemmerInfo | null {
  return STEMMERS.get(lang) ?? null;
}

/** Call a stemmer, falling back to the unstemmed word on any failure. */
export function safeStem(stem: StemFn, word: string): string {
  try {
    const out: unknown = stem(word);
    return typeof out === 'string' && out.length > 0 ? out : word;
  } catch {
    return word;
  }
}
