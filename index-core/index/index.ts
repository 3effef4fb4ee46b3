// The Canopy index format over prolly trees: schema, codecs, per-document contributions, root, operations.
export { decodeCapture, timestamp14 } from './capture-codec.ts'
export type { Capture } from './capture-codec.ts'
export { importCrawlFile } from './crawl-file.ts'
export { decodeDoc, encodeDoc } from './doc-codec.ts'
export type { DocRecord } from './doc-codec.ts'
export { docIdOf, normalizeDigest, urlKeyOf } from './doc-id.ts'
export { KIND_CAPTURE, KIND_RECORD, KIND_TEXT, docKindKey, entriesOfKind, keyDocId, recordKey, urlKindPrefix } from './doc-keys.ts'
export { analyseDocument, captureRecord } from './document.ts'
export type { TermCollector } from './document.ts'
export { decodeDocValues, encodeDocValues, unionDocValues } from './docvalues-codec.ts'
export type { DocValues } from './docvalues-codec.ts'
export { decodeFile, encodeFile, fileKey, recordStart } from './file-codec.ts'
export type { CrawlFile } from './file-codec.ts'
export { NORM_LENGTH, SCORING, Scorer, idf, impactOf, lengthNorm, lengthNorms } from './impact.ts'
export {
  DEFAULT_ANALYZER,
  checkMonthCounts,
  checkPostingsTree,
  docStats,
  indexStats,
  mergeIndexes,
  openIndex,
  openIndexSides,
  postingCount,
  resolverFor,
  segmentTreeName
} from './index-ops.ts'
export type { DocStats, IndexStats } from './index-ops.ts'
export { decodeIndexRoot, loadIndexRoot, postingTrees, saveIndexRoot } from './index-root.ts'
export type { IndexRoot, PostingSegment } from './index-root.ts'
export {
  POSTING_SUFFIX_BYTES,
  decodeFieldPositions,
  decodePositions,
  decodeTfs,
  encodePositionsInto,
  encodePosting,
  keyImpact,
  keyTerm,
  postingFields,
  postingKey,
  termPrefix
} from './posting-codec.ts'
export { NO_REFUSALS, otherInstitutions, refusedTotal, restrictToInstitution } from './provenance.ts'
export type { Refusals } from './provenance.ts'
export {
  DEFAULT_SHARDS,
  DOC_ID_BYTES,
  FIELDS,
  FIELD_COUNT,
  INDEX_FORMAT,
  LIMITS,
  POSTINGS_TREE,
  SIDE_TREES,
  TERM_SEPARATOR,
  TREE_CONFIGS,
  URL_KEY_BYTES,
  filterTerm,
  shardOf,
  termHash
} from './schema.ts'
export type { SideTree, TreeKind } from './schema.ts'
export { byKey, consolidate, cutPostings, emptyPostingsTree, firstMonths, reshape, wholePostings } from './segments.ts'
export { overlap, recount, settle } from './placement.ts'
export type { Overlap, Placed } from './placement.ts'
export { NO_MONTHS, MonthTally, decodeMonthCounts, encodeMonthCounts, loadMonthCounts, saveMonthCounts } from './month-counts.ts'
export { BALANCE, MAX_MONTH, MAX_SEGMENTS, SPLIT_SHARE, TIER_BASE, blockAt, blockOf, cutOf, lastMonth, monthOf, tierBlocks } from './tiers.ts'
export type { MonthCounts } from './tiers.ts'
export { chunkText, decodeTextChunk, textKey, textKeyPosition } from './text-codec.ts'
export { surt, urlKeys } from './url-keys.ts'
export { addWithdrawals, decodeWithdrawal, findWithdrawals } from './withdraw.ts'
export type { WithdrawSelection } from './withdraw.ts'
