// Replay: archived pages served to wabac.js from a CDXJ and range reads of crawl files. What code outside the
// folder may use, by name.

export { replayRoutes } from './routes.ts'
