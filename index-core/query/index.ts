// Queries: the query language, the reader of an index, planning, execution, ranking and suggestions. What code
// outside the folder may use, by name.

export { compareRanked, decodeCursor } from './cursor.ts'
export type { Ranked } from './cursor.ts'
export { docKey, docKeyHex, urlKeyOfDoc } from './doc-key.ts'
export type { DocKey } from './doc-key.ts'
export { allInOrder } from './in-order.ts'
export { IndexReader, ReaderView } from './index-reader.ts'
export { ReaderCaches, defaultCacheBytes, splitBudget } from './reader-caches.ts'
export { MAX_PAGE_SIZE, rankQuery, search } from './search.ts'
export type { FacetValue, SearchRequest, SearchResult, SortOrder } from './search.ts'
export { suggestQuery } from './suggest.ts'
export { parseQuery } from './parser.ts'
export type { BoolClause, ParseOptions, QueryNode, TextField } from './ast.ts'
export { QUERY_LIMITS } from './limits.ts'
export type { QueryLimits } from './limits.ts'
export { QueryError } from './parse-error.ts'
export type { QueryErrorCode } from './parse-error.ts'
