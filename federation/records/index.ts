// Archived records read back from published crawl files: single records, record lists, the CDX table. What code
// outside the folder may use, by name.

export { CrawlFolders, fileRange, RecordUnavailableError } from './capture-records.ts'
export type { CrawlCopies } from './capture-records.ts'
export { crawlFileSource, fileCdxEntries, storedCdxEntry } from './cdx-export.ts'
export { openCdxTable, tableLines, tableRange } from './cdx-table.ts'
export type { CdxTable, CdxTableOptions } from './cdx-table.ts'
export { streamCrawlFile } from './crawl-bytes.ts'
export { indexCaptureLines } from './index-captures.ts'
export { readRecord } from './crawl-record.ts'
export { RecordLists, crawlFilesOf } from './record-lists.ts'
export type { RecordCdx } from './record-lists.ts'
