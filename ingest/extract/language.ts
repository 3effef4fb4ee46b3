// Document language: a declared code when it is valid and fits the text, else detection.
//
// Declared codes are often wrong in bulk (CMS templates ship lang="en" on Japanese pages), so a declaration is
// checked against the writing system the text is actually in. CJK is decided from the script mix (kana means
// Japanese, hangul Korean, han alone Chinese), which is more reliable than n-gram models on short, mixed pages.
// Text in which English function words are common is English. Everything else goes to tinyld.
//
// Detection only runs when a page declares nothing usable, and only on a sample from the start of the text. The
// English test comes before the n-gram model because that model is not confident on English text of a
// particular kind: on SciFact's 5,183 English abstracts (no declaration) tinyld alone answered another language
// for 6.7% of them (Greek for the ones with α and β, Hungarian, Irish, Latin, Romanian, ...), and those would be
// stemmed and filtered as that language. Measure with `node bench/lang-detect.ts`. Any other answer of the model
// is kept only when the text confirms it (see confirmed()); otherwise the language is unknown (null), which is
// analysed as the default, English.

import { createRequire } from 'node:module'
import type { detectAll } from 'tinyld'
import { stopwordsFor } from '../../index-core/analysis/index.ts'

/**
 * tinyld, loaded on first use: building its n-gram tables at import costs a worker about half a second of CPU,
 * and most pages declare a language or are recognised as English without it. The same package and version
 * (its CommonJS build of the same bundle), so the same answers.
 */
let model: typeof detectAll | null = null
function tinyldDetectAll(text: string): ReturnType<typeof detectAll> {
  model ??= (createRequire(import.meta.url)('tinyld') as { detectAll: typeof detectAll }).detectAll
  return model(text)
}

/** Minimum text (title + body, collapsed) before detection is attempted. */
export const MIN_DETECT_CHARS = 40
/**
 * How much text detection reads, from the start (title first). Measured on the shared WARCs' pages that declare a
 * language: the first 3000 characters agreed with the declaration more often than 1000, or a window from the
 * middle of the page (which often lands in tables and link lists).
 */
const DETECT_SAMPLE_CHARS = 3000

/**
 * English function words that are rare as words in the other languages written in Latin script (so not 'in',
 * 'a', 'is', 'to', 'on', 'for', 'was', 'die', 'we', 'will', 'also': each is a common word of some other
 * European language).
 */
const ENGLISH_MARKERS = new Set([
  'the',
  'and',
  'of',
  'that',
  'with',
  'which',
  'this',
  'these',
  'those',
  'from',
  'are',
  'were',
  'been',
  'have',
  'has',
  'their',
  'its',
  'not',
  'but',
  'there',
  'they',
  'our',
  'than',
  'such',
  'would',
  'can',
  'into',
  'between'
])
/**
 * Share of a sample's words that must be English markers for it to be English. Running English has 15 to 25%
 * (SciFact abstracts: 5.9% at the lowest, 18.8% the median); pages that declare French or German in the shared
 * WARCs have at most 3.7%.
 */
const MIN_ENGLISH_MARKER_SHARE = 0.05
const WORD = /\p{L}+/gu

/** Words of a sample, lowercased (letters only). */
function wordsOf(sample: string): string[] {
  return sample.toLowerCase().match(WORD) ?? []
}

/** Share of `words` in `set`. */
function shareIn(words: readonly string[], set: ReadonlySet<string>): number {
  if (words.length === 0) return 0
  let n = 0
  for (const w of words) if (set.has(w)) n++
  return n / words.length
}

/** Share of the words of `sample` that are English markers. */
export function englishMarkerShare(sample: string): number {
  return shareIn(wordsOf(sample), ENGLISH_MARKERS)
}

/** Fewer words than this are too few for the n-gram model to name a language other than the default. */
export const MIN_MODEL_WORDS = 20
/**
 * A language the model names that has a stop-word list (index-core/analysis/stopwords.ts) is kept when at least
 * this share of the words are its stop words. Prose in those languages has 25 to 45% (the shared WARCs' French,
 * Dutch, Russian and Spanish pages: 0.23 to 0.46); the model's wrong answers on English lists of names and dates
 * had 0 to 0.06.
 */
const MIN_OWN_STOPWORD_SHARE = 0.15
/**
 * Otherwise (a language without a list, written in Latin script) the model's own score must be at least this:
 * its right answers on the shared WARCs' German pages scored 0.64 to 1, its wrong ones on English pages 0.03 to
 * 0.58.
 */
const MIN_MODEL_ACCURACY = 0.6

/** Whether the text bears out the model's answer `lang` (scored `accuracy`): see the constants above. */
function confirmed(lang: string, accuracy: number, words: readonly string[], p: ScriptProfile): boolean {
  if (lang === 'en') return true // the default: nothing to confirm
  if (words.length < MIN_MODEL_WORDS) return false
  const stops = stopwordsFor(lang)
  if (stops.size > 0) return shareIn(words, stops) >= MIN_OWN_STOPWORD_SHARE
  // A language of its own script (Greek, Arabic, Thai, ...) is borne out by the text being in that script.
  const scripts = LANG_SCRIPTS[lang]
  if (scripts !== undefined && !scripts.includes('latin')) return plausibleFor(lang, p)
  return accuracy >= MIN_MODEL_ACCURACY
}

/** ISO 639-1 codes (all 183 of them), for validating declarations. */
const ISO_639_1 = new Set(
  (
    'aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo ' +
    'es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka ' +
    'kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng ' +
    'nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su ' +
    'sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu'
  ).split(' ')
)

/** Withdrawn codes still seen in the wild. */
const DEPRECATED: Record<string, string> = { iw: 'he', in: 'id', ji: 'yi', jw: 'jv', mo: 'ro' }

/** Common ISO 639-2/3 codes that have a 639-1 equivalent. */
const THREE_LETTER: Record<string, string> = {
  eng: 'en',
  fra: 'fr',
  fre: 'fr',
  deu: 'de',
  ger: 'de',
  spa: 'es',
  ita: 'it',
  por: 'pt',
  nld: 'nl',
  dut: 'nl',
  jpn: 'ja',
  zho: 'zh',
  chi: 'zh',
  kor: 'ko',
  rus: 'ru',
  ara: 'ar',
  heb: 'he',
  pol: 'pl',
  ces: 'cs',
  cze: 'cs',
  swe: 'sv',
  dan: 'da',
  nor: 'no',
  nob: 'nb',
  nno: 'nn',
  fin: 'fi',
  ell: 'el',
  gre: 'el',
  tur: 'tr',
  ukr: 'uk',
  hun: 'hu',
  ron: 'ro',
  rum: 'ro',
  cat: 'ca',
  eus: 'eu',
  baq: 'eu',
  glg: 'gl',
  cym: 'cy',
  wel: 'cy',
  gle: 'ga',
  isl: 'is',
  ice: 'is',
  vie: 'vi',
  tha: 'th',
  ind: 'id',
  msa: 'ms',
  may: 'ms',
  hin: 'hi',
  fas: 'fa',
  per: 'fa',
  lat: 'la',
  est: 'et',
  lav: 'lv',
  lit: 'lt',
  slk: 'sk',
  slo: 'sk',
  slv: 'sl',
  hrv: 'hr',
  srp: 'sr',
  bul: 'bg',
  afr: 'af',
  swa: 'sw',
  tgl: 'tl',
  urd: 'ur',
  ben: 'bn',
  tam: 'ta',
  tel: 'te',
  mar: 'mr',
  epo: 'eo'
}

/**
 * Normalises a declared language tag ('en-US', 'EN_gb', 'zh-Hant-TW', 'jpn') to an ISO 639-1 code; null when the
 * tag is not a valid language ('x-default', 'Japanese', '*', '').
 */
export function normalizeLangTag(tag: string | null | undefined): string | null {
  if (!tag) return null
  // Content-Language may list several; the first is the primary audience.
  const first = tag.split(',')[0].trim().toLowerCase().replace(/_/g, '-')
  const m = /^([a-z]{2,3})(?:-[a-z0-9]{1,8})*$/.exec(first)
  if (!m) return null
  const primary = m[1]
  if (primary.length === 2) {
    const code = DEPRECATED[primary] ?? primary
    return ISO_639_1.has(code) ? code : null
  }
  return THREE_LETTER[primary] ?? null
}

// --- script profile -------------------------------------------------------------------------------------------

type Script = 'latin' | 'cyrillic' | 'greek' | 'arabic' | 'hebrew' | 'han' | 'kana' | 'hangul' | 'thai' | 'devanagari' | 'other'

interface ScriptProfile {
  letters: number
  counts: Record<Script, number>
}

function scriptOf(cp: number): Script | null {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) ? 'latin' : null
  if (cp >= 0xc0 && cp <= 0x24f && cp !== 0xd7 && cp !== 0xf7) return 'latin'
  if (cp >= 0x1e00 && cp <= 0x1eff) return 'latin'
  if (cp >= 0x370 && cp <= 0x3ff) return 'greek'
  if (cp >= 0x400 && cp <= 0x52f) return 'cyrillic'
  if (cp >= 0x590 && cp <= 0x5ff) return 'hebrew'
  if ((cp >= 0x600 && cp <= 0x6ff) || (cp >= 0x750 && cp <= 0x77f) || (cp >= 0xfb50 && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfeff)) return 'arabic'
  if (cp >= 0x900 && cp <= 0x97f) return 'devanagari'
  if (cp >= 0xe00 && cp <= 0xe7f) return 'thai'
  if ((cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x31f0 && cp <= 0x31ff) || (cp >= 0xff66 && cp <= 0xff9f)) return 'kana'
  if ((cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0x3130 && cp <= 0x318f) || (cp >= 0xac00 && cp <= 0xd7af)) return 'hangul'
  if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x2ffff)) return 'han'
  if (cp >= 0xff21 && cp <= 0xff5a) return 'latin' // fullwidth Latin
  // Other letters (Armenian, Georgian, Indic scripts, ...): counted, never matched to a declaration.
  return /\p{L}/u.test(String.fromCodePoint(cp)) ? 'other' : null
}

const SCRIPTS: readonly (Script | null)[] = [null, 'latin', 'cyrillic', 'greek', 'arabic', 'hebrew', 'han', 'kana', 'hangul', 'thai', 'devanagari', 'other']
/** scriptOf of each BMP code point, memoised as its index in SCRIPTS + 1 (0: not computed yet); non-Latin pages are mostly BMP. */
const bmpScripts = new Uint8Array(0x10000)

function bmpScriptOf(cp: number): Script | null {
  let v = bmpScripts[cp]
  if (v === 0) {
    v = SCRIPTS.indexOf(scriptOf(cp)) + 1
    bmpScripts[cp] = v
  }
  return SCRIPTS[v - 1]
}

function profile(text: string): ScriptProfile {
  const counts: Record<Script, number> = {
    latin: 0,
    cyrillic: 0,
    greek: 0,
    arabic: 0,
    hebrew: 0,
    han: 0,
    kana: 0,
    hangul: 0,
    thai: 0,
    devanagari: 0,
    other: 0
  }
  let letters = 0
  let latin = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) {
      // ASCII, most of most pages: letters are Latin, nothing else counts.
      if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) latin++
      continue
    }
    const cp = text.codePointAt(i) ?? c
    if (cp > 0xffff) i++
    const s = cp <= 0xffff ? bmpScriptOf(cp) : scriptOf(cp)
    if (s === null) continue
    counts[s]++
    letters++
  }
  counts.latin += latin
  return { letters: letters + latin, counts }
}

/** Scripts each non-Latin-script language is written in; languages not listed are written in Latin script. */
const LANG_SCRIPTS: Record<string, readonly Script[]> = {
  ja: ['kana', 'han'],
  zh: ['han'],
  ko: ['hangul', 'han'],
  ru: ['cyrillic'],
  uk: ['cyrillic'],
  be: ['cyrillic'],
  bg: ['cyrillic'],
  mk: ['cyrillic'],
  sr: ['cyrillic', 'latin'],
  kk: ['cyrillic'],
  ky: ['cyrillic'],
  mn: ['cyrillic'],
  tg: ['cyrillic'],
  tt: ['cyrillic'],
  ba: ['cyrillic'],
  cv: ['cyrillic'],
  ce: ['cyrillic'],
  os: ['cyrillic'],
  uz: ['latin', 'cyrillic'],
  az: ['latin', 'cyrillic'],
  el: ['greek'],
  he: ['hebrew'],
  yi: ['hebrew'],
  ar: ['arabic'],
  fa: ['arabic'],
  ur: ['arabic'],
  ps: ['arabic'],
  sd: ['arabic'],
  ug: ['arabic'],
  ku: ['latin', 'arabic'],
  th: ['thai'],
  hi: ['devanagari'],
  mr: ['devanagari'],
  ne: ['devanagari'],
  sa: ['devanagari']
}

const SPECIFIC_SCRIPTS: readonly Script[] = ['cyrillic', 'greek', 'arabic', 'hebrew', 'han', 'kana', 'hangul', 'thai', 'devanagari', 'other']

/**
 * Whether a declared language is plausible for a text of this script profile. With too little text there is
 * nothing to contradict it. Otherwise the text's dominant writing system must be one the language is written
 * in, and Japanese/Chinese must not be confused (kana present or absent).
 */
function plausibleFor(lang: string, p: ScriptProfile): boolean {
  if (p.letters < MIN_DETECT_CHARS) return true
  const scripts = LANG_SCRIPTS[lang] ?? ['latin']
  let dominant: Script = 'latin'
  for (const s of SPECIFIC_SCRIPTS) if (p.counts[s] > p.counts[dominant]) dominant = s
  if (lang === 'ja' || lang === 'zh') {
    const cjk = p.counts.kana + p.counts.han
    // Japanese and Chinese pages mix in plenty of Latin (product names, code), but not three letters in four.
    if (cjk * 4 < p.letters) return false
    const kanaShare = p.counts.kana / cjk
    return lang === 'ja' ? kanaShare >= 0.05 : kanaShare < 0.05
  }
  if (dominant === 'kana') return lang === 'ja'
  return scripts.includes(dominant)
}

/**
 * Detects the language of a text; null when there is too little text or no confident answer. CJK by script mix,
 * English by its function words, the rest by tinyld.
 */
export function detectLanguage(text: string): string | null {
  return text.length < MIN_DETECT_CHARS ? null : detectIn(sampleText(text), null)
}

/** detectLanguage on a sample, with its script profile when already known. */
function detectIn(sample: string, known: ScriptProfile | null): string | null {
  const p = known ?? profile(sample)
  if (p.letters < MIN_DETECT_CHARS / 2) return null
  const cjk = p.counts.kana + p.counts.han
  if (p.counts.hangul * 3 >= p.letters && p.counts.hangul >= p.counts.kana) return 'ko'
  if (cjk * 3 >= p.letters) return p.counts.kana >= cjk * 0.05 ? 'ja' : 'zh'
  const words = wordsOf(sample)
  if (shareIn(words, ENGLISH_MARKERS) >= MIN_ENGLISH_MARKER_SHARE) return 'en'
  let best: { lang: string; accuracy: number } | undefined
  try {
    best = tinyldDetectAll(sample)[0]
  } catch {
    best = undefined
  }
  const code = normalizeLangTag(best?.lang)
  return code !== null && confirmed(code, best?.accuracy ?? 0, words, p) ? code : null
}

function sampleText(text: string): string {
  return text.length <= DETECT_SAMPLE_CHARS ? text : text.slice(0, DETECT_SAMPLE_CHARS)
}

export interface LanguageCandidate {
  tag: string | null | undefined
  source: 'html-lang' | 'content-language' | 'meta-content-language'
}

/**
 * Picks the language: the first declared candidate that is a valid code and plausible for the text, else
 * detection. Both read only a sample: the title, then the start of the body text. Returns the code and where it
 * came from.
 */
export function chooseLanguage(
  candidates: readonly LanguageCandidate[],
  title: string,
  text: string
): { lang: string; source: LanguageCandidate['source'] | 'detected' } | null {
  // One profile of the sample serves every candidate and the detection.
  const sample = sampleText(title === '' ? text : title + ' ' + text.slice(0, DETECT_SAMPLE_CHARS))
  let p: ScriptProfile | null = null
  for (const c of candidates) {
    const code = normalizeLangTag(c.tag)
    if (code !== null && plausibleFor(code, (p ??= profile(sample)))) return { lang: code, source: c.source }
  }
  const detected = sample.length < MIN_DETECT_CHARS ? null : detectIn(sample, p)
  return detected === null ? null : { lang: detected, source: 'detected' }
}
