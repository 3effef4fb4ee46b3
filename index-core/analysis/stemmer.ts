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

import { createRequire } from 'node:module'
import { porterStem } from './porter.ts'

export type StemFn = (word: string) => string

export interface StemmerInfo {
  /** Human-readable name, recorded for debugging and reports. */
  readonly name: string
  /** Unsafe stem function; use safeStem() to call it. */
  readonly stem: StemFn
  /**
   * True if the stemmer's rules use accented letters (Snowball-style French,
   * Spanish...): diacritics are then folded after stemming. Porter treats any
   * non-ASCII letter as a consonant, so for it we fold first, which makes
   * "résumé" stem like "resume".
   */
  readonly accentAware: boolean
}

// natural's stemmer modules, loaded on a language's first use: loading all of them (the Indonesian one reads
// a dictionary) cost every process that analyses text, most of which only ever meet English.
const NATURAL_STEMMERS: Readonly<Record<string, string>> = {
  de: 'porter_stemmer_de',
  es: 'porter_stemmer_es',
  fr: 'porter_stemmer_fr',
  it: 'porter_stemmer_it',
  nl: 'porter_stemmer_nl',
  no: 'porter_stemmer_no',
  pt: 'porter_stemmer_pt',
  ru: 'porter_stemmer_ru',
  sv: 'porter_stemmer_sv',
  uk: 'porter_stemmer_uk',
  id: 'indonesian/stemmer_id'
}

const requireNatural = createRequire(import.meta.url)

const STEMMERS = new Map<string, StemmerInfo>([['en', { name: 'porter (Lucene reference)', stem: porterStem, accentAware: false }]])

// Methods are called on their module object: some natural stemmers are classes
// whose stem() uses `this`.
function naturalStemmer(file: string): StemmerInfo {
  const mod = requireNatural(`natural/lib/natural/stemmers/${file}.js`) as { stem: StemFn }
  return { name: `natural ${file.replace('indonesian/', '')}`, stem: w => mod.stem(w), accentAware: true }
}

/** The stemmer for a resolved language code, or null if it has none. */
export function stemmerFor(lang: string): StemmerInfo | null {
  const known = STEMMERS.get(lang)
  if (known !== undefined) return known
  if (!Object.hasOwn(NATURAL_STEMMERS, lang)) return null
  const info = naturalStemmer(NATURAL_STEMMERS[lang])
  STEMMERS.set(lang, info)
  return info
}

/** Call a stemmer, falling back to the unstemmed word on any failure. */
export function safeStem(stem: StemFn, word: string): string {
  try {
    const out: unknown = stem(word)
    return typeof out === 'string' && out.length > 0 ? out : word
  } catch {
    return word
  }
}
