// Public API of the crawl reader: stream captures out of .warc / .warc.gz / .wacz files.

export type { CaptureRecord, SkipEvent, SkipReason, ReadOptions, ReadStats } from './types.ts'
export { SKIP_REASONS, DEFAULT_MAX_BODY_BYTES, createStats } from './types.ts'
export { readCrawl } from './read-crawl.ts'
export type { ReadEvent } from './warc-file.ts'
export { readWaczPages, type WaczPage } from './wacz.ts'
export { detectFormat, type CrawlFormat } from './detect.ts'
export { normalizeWarcDate } from './warc-date.ts'
export { storedWarcEntries } from './wacz.ts'
export { gzipEvents } from './gzip-members.ts'
export type { StreamEvent } from './gzip-members.ts'
export { cachedSource } from './source.ts'
