// The OpenAPI document: what a client generator and a reader need beyond the routes' own schemas. Every
// documented route gets a tag and a summary from one table here (routes stay free of documentation), the
// admin routes their bearer security scheme and 401, the search and document routes the errors they can
// answer (404 for an unknown index or document, 502 for a partner that cannot be reached), and the docs page
// a Content-Security-Policy it works under (Swagger UI sets inline styles; its scripts stay 'self').

import type { FastifySchema } from 'fastify'
import { errorSchema } from './schemas.ts'

export const API_TAGS = [
  { name: 'search', description: 'Full-text search over the served indexes' },
  { name: 'documents', description: "One document: its metadata, every capture, its text, and each capture's raw WARC record" },
  { name: 'cdx', description: 'The CDX server API as pywb defines it, for replay tools and scripts' },
  { name: 'replay', description: 'What the replay viewer (wabac.js) reads: an index as a collection, its records as CDXJ, crawl files by range' },
  { name: 'indexes', description: 'The indexes served and their statistics' },
  { name: 'admin', description: 'Ingest, partners, fetch, merge, publish and withdraw; need the bearer token given at start' },
  { name: 'IPFS gateway', description: "The IPFS trustless gateway over the institution's blocks (raw blocks, CARs, its IPNS record)" },
  { name: 'Delegated routing', description: 'Delegated Routing V1: IPNS records and providers' }
] as const

export const BEARER_SCHEME = 'bearerAuth'

/** The OpenAPI base document given to @fastify/swagger. */
export const OPENAPI_BASE = {
  openapi: {
    info: {
      title: 'Canopy search API',
      version: '1.0.0',
      description: 'Full-text search over web archives, deterministic indexes that institutions publish and merge, and the CDX server API'
    },
    tags: [...API_TAGS],
    components: {
      securitySchemes: {
        [BEARER_SCHEME]: { type: 'http' as const, scheme: 'bearer', description: 'The admin token given to canopy serve (--admin-token or CANOPY_ADMIN_TOKEN)' }
      }
    }
  }
}

/** Summaries by 'METHOD path' (paths as registered, before any prefix is split off). */
const SUMMARIES: Readonly<Record<string, string>> = {
  'GET /api/v1/search': 'Search an index: ranked hits with snippets, captures and facets',
  'GET /api/v1/search/export': 'Every page a search matches, with every capture, as CSV or JSON',
  'GET /api/v1/documents/:id': 'One document: metadata, every capture and its text',
  'GET /api/v1/documents/:id/captures/:n/record': 'The raw WARC record of one capture',
  'GET /api/v1/indexes': 'The served indexes, their roots, statistics and provenance',
  'GET /api/v1/stats': 'Documents and captures across the served indexes',
  'GET /api/v1/health': 'Liveness',
  'POST /api/v1/admin/ingest': 'Ingest crawls from the crawl folder into a local index (a job)',
  'PUT /api/v1/admin/partners/:name': 'Follow a partner by public key, with the sources to fetch from',
  'GET /api/v1/admin/partners': 'The partners followed',
  'DELETE /api/v1/admin/partners/:name': 'Stop following a partner',
  'POST /api/v1/admin/fetch': "Fetch partners' newest signed indexes (a job)",
  'POST /api/v1/admin/merge': "Merge the local index with partners' and combined ones (a job)",
  'POST /api/v1/admin/publish': 'Sign and publish the index, or a combined one (a job)',
  'POST /api/v1/admin/withdraw': "Withdraw the institution's documents by URL or prefix (a job)",
  'GET /api/v1/admin/jobs/:id': 'The state, progress and summary of an admin job'
}

function tagOf(url: string): string | null {
  if (url.startsWith('/api/v1/admin')) return 'admin'
  if (url.startsWith('/api/v1/search')) return 'search'
  if (url.startsWith('/api/v1/documents')) return 'documents'
  if (url === '/api/v1/indexes' || url === '/api/v1/stats' || url === '/api/v1/health') return 'indexes'
  return null
}

const unknownIndex = { ...errorSchema, description: 'No index of that name is served (error "unknown-index"), or no such document or capture' }
const partnerDown = {
  ...errorSchema,
  description: 'Part of the index (or the crawl file) is held by a partner that could not be reached or sent a block that failed verification'
}

const jobAccepted = {
  description: 'The job started; poll its status URL',
  type: 'object',
  properties: { job: { type: 'string' }, status: { type: 'string', description: "GET this for the job's state" } }
}

/**
 * @fastify/swagger's transform: a route's schema as the OpenAPI document shows it, with its tag, summary,
 * error responses and security added. Only the document changes: validation and serialisation keep the
 * route's own schema.
 */
export function documentRoute({ schema: given, url, route }: { schema?: FastifySchema; url: string; route: { method: string | string[] } }): {
  schema: FastifySchema
  url: string
} {
  // A route registered without a schema is documented too.
  const schema = (given ?? {}) as Record<string, unknown>
  if (schema.hide === true) return { schema, url }
  const method = (Array.isArray(route.method) ? route.method[0] : route.method).toUpperCase()
  const tag = tagOf(url)
  const summary = SUMMARIES[`${method} ${url}`]
  const response = { ...(schema.response as Record<string, unknown> | undefined) }
  if (tag === 'search' || tag === 'documents') {
    response[200] ??= { description: 'The document', type: 'object', additionalProperties: true }
    response[400] ??= errorSchema
    response[404] ??= unknownIndex
    response[502] ??= partnerDown
  }
  if (tag === 'admin') {
    if (method === 'POST') response[202] ??= jobAccepted
    else response[200] ??= { description: 'Done', type: 'object', additionalProperties: true }
    response[400] ??= errorSchema
    response[401] ??= { ...errorSchema, description: 'No bearer token, or not the one configured at start' }
    if (url.includes(':')) response[404] ??= { ...errorSchema, description: 'No such partner or job' }
  }
  return {
    url,
    schema: {
      ...schema,
      ...(tag !== null && schema.tags === undefined ? { tags: [tag] } : {}),
      ...(summary !== undefined && schema.summary === undefined ? { summary } : {}),
      ...(tag === 'admin' ? { security: [{ [BEARER_SCHEME]: [] }] } : {}),
      ...(Object.keys(response).length > 0 ? { response } : {})
    }
  }
}

/** The options given to @fastify/swagger. */
export const SWAGGER_OPTIONS = { ...OPENAPI_BASE, transform: documentRoute }

/**
 * The docs page's Content-Security-Policy: Swagger UI's own, with inline styles allowed (it sets them, and
 * without them the browser logs a violation), no validator.swagger.io (the page asks nothing outside), and
 * no upgrade-insecure-requests (reading rooms serve plain HTTP on intranets, as for the web page).
 */
export const DOCS_CSP =
  "default-src 'self'; base-uri 'self'; font-src 'self' data:; frame-ancestors 'self'; img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'"
