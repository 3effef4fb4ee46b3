// Stop-word sets per language.
//
// Stop words are removed from the token stream but still consume a position,
// so phrase queries keep their gaps (Lucene's position increments).
//
//  - en: exactly Lucene's default English set (EnglishAnalyzer /
//    EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, 33 words), so BM25 on SciFact can
//    match the Anserini baseline.
//  - es, fr, it, nl, no, pt, pl, id, fa, ru, uk, sv: the lists shipped with
//    `natural`, sanitised (see buildSet), with a few corrections because some
//    of natural's lists mix in content words, digits or a whole alphabet; a stop
//    word can never be found by search, so removing a real word there is a
//    recall bug, whereas leaving a function word in only costs index space
//    (BM25's IDF already discounts it).
//  - de: natural ships no German list (only the aggressive stopwords-iso one,
//    which removes content words), so none.
//  - ja, zh, ko: none. Their text is indexed as character bigrams, and natural's
//    ja/zh lists are word lists that do not line up with bigrams.
//
// All entries go through the same normalisation as text (NFKC, lowercase), and
// each set also contains the diacritic-folded form of its entries, so "ete"
// is stopped like "été" (consistent with the folding policy in normalize.ts).

import { createRequire } from 'node:module'
import { foldDiacritics, normalizeText } from './normalize.ts'

/** Lucene's EnglishAnalyzer default stop set (33 words). */
export const LUCENE_ENGLISH_STOP_WORDS: readonly string[] = Object.freeze([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'but',
  'by',
  'for',
  'if',
  'in',
  'into',
  'is',
  'it',
  'no',
  'not',
  'of',
  'on',
  'or',
  'such',
  'that',
  'the',
  'their',
  'then',
  'there',
  'these',
  'they',
  'this',
  'to',
  'was',
  'will',
  'with'
])

// The Snowball Swedish stop list. natural's Swedish list (from stopwords-iso)
// also holds many content words ("dag", "bra", "stor", "beslut", number words),
// so we keep only natural's entries that are in this function-word list.
const SNOWBALL_SWEDISH = new Set([
  'och',
  'det',
  'att',
  'i',
  'en',
  'jag',
  'hon',
  'som',
  'han',
  'på',
  'den',
  'med',
  'var',
  'sig',
  'för',
  'så',
  'till',
  'är',
  'men',
  'ett',
  'om',
  'hade',
  'de',
  'av',
  'icke',
  'mig',
  'du',
  'henne',
  'då',
  'sin',
  'nu',
  'har',
  'inte',
  'hans',
  'honom',
  'skulle',
  'hennes',
  'där',
  'min',
  'man',
  'ej',
  'vid',
  'kunde',
  'något',
  'från',
  'ut',
  'när',
  'efter',
  'upp',
  'vi',
  'dem',
  'vara',
  'vad',
  'över',
  'än',
  'dig',
  'kan',
  'sina',
  'här',
  'ha',
  'mot',
  'alla',
  'under',
  'någon',
  'eller',
  'allt',
  'mycket',
  'sedan',
  'ju',
  'denna',
  'själv',
  'detta',
  'åt',
  'utan',
  'varit',
  'hur',
  'ingen',
  'mitt',
  'ni',
  'bli',
  'blev',
  'oss',
  'din',
  'dessa',
  'några',
  'deras',
  'blir',
  'mina',
  'samma',
  'vilken',
  'er',
  'sådan',
  'vår',
  'blivit',
  'dess',
  'inom',
  'mellan',
  'sådant',
  'varför',
  'varje',
  'vilka',
  'ditt',
  'vem',
  'vilket',
  'sitta',
  'sådana',
  'vart',
  'dina',
  'vars',
  'vårt',
  'våra',
  'ert',
  'era',
  'vilkas'
])

// Content words found in natural's lists (nouns, full verbs, adjectives), which
// must stay searchable.
const CONTENT_WORDS: Readonly<Record<string, readonly string[]>> = {
  fr: ['faire'],
  pl: ['roku', 'lat', 'zł'],
  ru: ['конец', 'путь', 'хорошо', 'сказал', 'сказала', 'видел', 'делал', 'делаю', 'делать', 'иди', 'подойди', 'являюсь', 'иметь', 'имел', 'имеет'],
  uk: ['кінець', 'добре', 'сказав', 'сказала', 'бачив', 'робив', 'роблю', 'робити', 'іди', 'підійди', 'мав', 'має']
}

// nl, ru and uk append their whole alphabet to the list; keep only the single
// letters that are words (Dutch "u" = you; Russian/Ukrainian prepositions and
// conjunctions).
const SINGLE_LETTER_WORDS: Readonly<Record<string, readonly string[]>> = {
  nl: ['u'],
  ru: ['а', 'в', 'и', 'к', 'о', 'с', 'у', 'я'],
  uk: ['а', 'в', 'з', 'і', 'й', 'о', 'у', 'я', 'є']
}

const LETTERS_ONLY = /^\p{L}+$/u

/**
 * Normalise a raw list: trim, NFKC + lowercase, keep single words made only of
 * letters (drops natural's digits, '_', '$', '-' and multi-word entries, which
 * can never equal a token), apply per-language corrections, and add folded forms.
 */
function buildSet(lang: string, raw: readonly string[]): ReadonlySet<string> {
  const content = new Set(CONTENT_WORDS[lang] ?? [])
  const singles = SINGLE_LETTER_WORDS[lang]
  const out = new Set<string>()
  for (const entry of raw) {
    const w = normalizeText(entry.trim())
    if (!LETTERS_ONLY.test(w)) continue
    if (content.has(w)) continue
    if (singles !== undefined && [...w].length === 1 && !singles.includes(w)) continue
    if (lang === 'sv' && !SNOWBALL_SWEDISH.has(w)) continue
    out.add(w)
  }
  for (const w of [...out]) out.add(foldDiacritics(w))
  return out
}

const EMPTY: ReadonlySet<string> = new Set()

// natural's lists, read on a language's first use (most processes only ever meet English).
const NATURAL_LISTS: ReadonlySet<string> = new Set(['es', 'fa', 'fr', 'id', 'it', 'nl', 'no', 'pl', 'pt', 'ru', 'sv', 'uk'])

const requireNatural = createRequire(import.meta.url)

const SETS = new Map<string, ReadonlySet<string>>([['en', buildSet('en', LUCENE_ENGLISH_STOP_WORDS)]])

/** The stop set for a resolved language code (empty if the language has none). */
export function stopwordsFor(lang: string): ReadonlySet<string> {
  const known = SETS.get(lang)
  if (known !== undefined) return known
  if (!NATURAL_LISTS.has(lang)) return EMPTY
  const list = requireNatural(`natural/lib/natural/util/stopwords_${lang}.js`) as { words: readonly string[] }
  const set = buildSet(lang, list.words)
  SETS.set(lang, set)
  return set
}
