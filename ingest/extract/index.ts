// Public surface of ingest/extract: the entry point plus the building blocks other stages may reuse
// (SURT keys for CDX lookups, MIME pre-checks before reading a body).

export { MAX_TEXT_CHARS, extractDocument } from './document.ts'
export { isIndexableType } from './mime.ts'
export type {
  CharsetSource,
  ExtractFailure,
  ExtractInput,
  ExtractResult,
  ExtractedDoc,
  IndexableMime,
  LangSource
} from './types.ts'
export { surt, urlKeys } from './url.ts'
export type { UrlKeys } from './url.ts'
export { parseContentType, sniffMime } from './mime.ts'
export { decodeToText, detectCharset, normalizeCharset } from './charset.ts'
export { normalizeLangTag, detectLanguage } from './language.ts'
export { EXTRACTION_VERSION } from './version.ts'
