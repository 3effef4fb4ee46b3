// Collectors: what a search gathers from the matching documents (top documents, facets, URL groups, matches),
// apart from the queries that find them. What code outside the folder may use, by name.

export { confirmUrls, urlRuns } from './grouping.ts'
export { ranked } from './matches.ts'
export type { Matches } from './matches.ts'
export { selectPage } from './top-docs.ts'
