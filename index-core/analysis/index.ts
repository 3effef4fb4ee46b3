// Public surface of the analyzer. Pure: no I/O, no locale, no environment.

export {
  ANALYZER_VERSION,
  DEFAULT_MAX_FIELD_TOKENS,
  DEFAULT_MAX_QUERY_TOKENS,
  DEFAULT_MAX_TOKEN_LENGTH,
  analyze,
  analyzeField,
  analyzeFieldInto,
  analyzeQuery,
  clearAnalyzerCaches
} from './analyzer.ts'
export type { Analysis, AnalyzeOptions, TermSink, Token } from './analyzer.ts'
export { profileFor, resolveLanguage, supportedLanguages } from './language.ts'
export type { LanguageProfile } from './language.ts'
export { foldDiacritics, normalizeText } from './normalize.ts'
export { porterStem } from './porter.ts'
export { LUCENE_ENGLISH_STOP_WORDS, stopwordsFor } from './stopwords.ts'
export { stemmerFor, safeStem } from './stemmer.ts'
export type { StemFn, StemmerInfo } from './stemmer.ts'
export { bigrams } from './cjk.ts'
export { segments } from './tokenizer.ts'
export type { SegmentKind } from './tokenizer.ts'
export { BIGRAM, classOf } from './charclass.ts'
export { emitBigrams } from './cjk.ts'
export { scanSegments } from './tokenizer.ts'
