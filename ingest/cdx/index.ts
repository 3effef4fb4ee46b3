// CDX: the records of a crawl file listed with warcio and put in pywb's CDXJ form. What code outside the folder
// may use, by name.

export { FIELD_ALIASES, cdxjJson, compareUtf8, formatCdxj, parseCdxLine, pyJson, sortCdxLines } from './cdxj.ts'
export { lineKey, linesInRange, linesOf, mergeRuns, writeLines } from './sorted-file.ts'
export type { CdxEntry } from './cdxj.ts'
export { cdxKey, listRecords } from './record-list.ts'
export type { RangeSource, RecordCdx } from './record-list.ts'
