// Replay: archived pages served to wabac.js from URL lookups in the index's CDX table and range reads of crawl
// files. What code outside the folder may use, by name.

export { CrawlFolder } from './crawl-root.ts'
export { replayRoutes } from './routes.ts'
