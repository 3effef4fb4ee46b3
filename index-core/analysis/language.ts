// Language tags -> analysis profile (stop words, stemmer, elision).
//
// Tags are taken loosely because they come from HTML lang attributes, HTTP
// headers and language detectors: "EN-us", "pt_BR", "zh-Hant", "fra", "nb" all
// work. Only the primary subtag matters. Unknown or missing languages are
// analysed as English (per the brief): on non-Latin scripts the Porter rules and
// English stop words simply never match, so that is harmless there.
//
// Chinese, Japanese and Korean get the English profile for the non-CJK words
// they contain (Latin loanwords, product names); their CJK runs are bigrammed
// whatever the declared language (see cjk.ts).

import { stemmerFor, type StemmerInfo } from './stemmer.ts'
import { stopwordsFor } from './stopwords.ts'

export interface LanguageProfile {
  /** Resolved code of the profile ('en' for unknown languages). */
  readonly code: string
  readonly stemmer: StemmerInfo | null
  readonly stopwords: ReadonlySet<string>
  /**
   * Elided articles stripped from the front of a word ("l'homme" -> "homme"),
   * as Lucene's French and Italian analyzers do; null if none.
   */
  readonly elisions: ReadonlySet<string> | null
}

// ISO 639-2/3 codes and legacy or macro-language codes mapped to our profiles.
const ALIASES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    eng: 'en',
    fra: 'fr',
    fre: 'fr',
    deu: 'de',
    ger: 'de',
    spa: 'es',
    ita: 'it',
    nld: 'nl',
    dut: 'nl',
    nor: 'no',
    nob: 'no',
    nno: 'no',
    nb: 'no',
    nn: 'no',
    por: 'pt',
    rus: 'ru',
    swe: 'sv',
    ukr: 'uk',
    ind: 'id',
    in: 'id',
    fas: 'fa',
    per: 'fa',
    pol: 'pl',
    jpn: 'ja',
    zho: 'zh',
    chi: 'zh',
    cmn: 'zh',
    yue: 'zh',
    kor: 'ko'
  })
)

// Lucene FrenchAnalyzer.DEFAULT_ARTICLES and ItalianAnalyzer.DEFAULT_ARTICLES.
const FRENCH_ELISIONS = new Set(['l', 'm', 't', 'qu', 'n', 's', 'j', 'd', 'c', 'jusqu', 'quoiqu', 'lorsqu', 'puisqu'])
const ITALIAN_ELISIONS = new Set([
  'c',
  'l',
  'all',
  'dall',
  'dell',
  'nell',
  'sull',
  'coll',
  'pell',
  'gl',
  'agl',
  'dagl',
  'degl',
  'negl',
  'sugl',
  'un',
  'm',
  't',
  's',
  'v',
  'd'
])

/** Languages whose non-CJK words are analysed with the English profile. */
const ENGLISH_LIKE = ['en', 'ja', 'ko', 'zh']
/** Languages with their own stop words and/or stemmer. */
const OWN_PROFILE = ['de', 'es', 'fa', 'fr', 'id', 'it', 'nl', 'no', 'pl', 'pt', 'ru', 'sv', 'uk']

function makeProfile(code: string): LanguageProfile {
  const base = ENGLISH_LIKE.includes(code) ? 'en' : code
  return Object.freeze({
    code,
    stemmer: stemmerFor(base),
    stopwords: stopwordsFor(base),
    elisions: code === 'fr' ? FRENCH_ELISIONS : code === 'it' ? ITALIAN_ELISIONS : null
  })
}

const SUPPORTED: ReadonlySet<string> = new Set([...ENGLISH_LIKE, ...OWN_PROFILE])
// Built on a language's first use: a profile loads its stemmer and stop list (stemmer.ts, stopwords.ts).
const PROFILES = new Map<string, LanguageProfile>()
const ENGLISH = makeProfile('en')
PROFILES.set('en', ENGLISH)

/** Resolve a language tag to a supported code; unknown or null gives 'en'. */
export function resolveLanguage(lang: string | null | undefined): string {
  return profileFor(lang).code
}

/** The analysis profile for a language tag. */
export function profileFor(lang: string | null | undefined): LanguageProfile {
  if (lang === null || lang === undefined) return ENGLISH
  const primary = lang.trim().toLowerCase().split(/[-_]/, 1)[0] ?? ''
  const code = ALIASES.get(primary) ?? primary
  const known = PROFILES.get(code)
  if (known !== undefined) return known
  if (!SUPPORTED.has(code)) return ENGLISH
  const profile = makeProfile(code)
  PROFILES.set(code, profile)
  return profile
}

/** Codes with a dedicated profile, sorted. */
export function supportedLanguages(): string[] {
  return [...SUPPORTED].sort()
}
