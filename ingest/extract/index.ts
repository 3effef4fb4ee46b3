// Public surface of ingest/extract: the entry point plus the building blocks other stages may reuse
// (MIME pre-checks before reading a body, charset and language helpers). URL keys (SURT, host, domain)
// define a document's identity and live in index-core/index/url-keys.ts.

export { MAX_TEXT_CHARS, extractDocument } from './document.ts'
export { extractionHeaders, extractionKey } from './headers.ts'
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
export { parseContentType, sniffMime } from './mime.ts'
export { decodeToText, detectCharset, normalizeCharset } from './charset.ts'
export { normalizeLangTag, detectLanguage } from './language.ts'
export { EXTRACTION_VERSION } from './version.ts'
export { chooseLanguage } from './language.ts'
