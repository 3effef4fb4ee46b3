// JSON schemas of the API: validation of every request, and the OpenAPI document.

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' }, position: { type: ['integer', 'null'] } },
  required: ['error', 'message']
} as const

export const searchQuerySchema = {
  type: 'object',
  properties: {
    q: { type: 'string', minLength: 1, maxLength: 16384, description: 'Query (see the query language in README.md)' },
    index: { type: 'string', maxLength: 200, description: 'Index name (default: the first served)' },
    site: { type: 'string', maxLength: 300 },
    type: { type: 'string', maxLength: 100 },
    lang: { type: 'string', maxLength: 20 },
    institution: { type: 'string', maxLength: 200 },
    from: { type: 'string', maxLength: 10, description: 'YYYY, YYYY-MM or YYYY-MM-DD' },
    to: { type: 'string', maxLength: 10 },
    sort: { type: 'string', enum: ['relevance', 'date-desc', 'date-asc'] },
    size: { type: 'integer', minimum: 1, maximum: 100 },
    cursor: { type: 'string', maxLength: 500 },
    group: { type: 'boolean', description: 'One result per URL (default true)' },
    op: { type: 'string', enum: ['or', 'and'], description: 'Default operator between words' },
    facets: { type: 'boolean' },
    exactTotal: {
      type: 'boolean',
      description: 'Count every match exactly (by default a search without facets counts only what its page needs: see totalRelation)'
    },
    suggest: {
      type: 'boolean',
      description: "On an empty or poor result (fewer than 3 pages, first page), suggest corrections of the words from the index's own terms (default true)"
    }
  },
  required: ['q'],
  additionalProperties: false
} as const

const captureSchema = {
  type: 'object',
  properties: {
    date: { type: ['string', 'null'] },
    timestamp: { type: 'string' },
    url: { type: 'string' },
    institution: { type: 'string' },
    type: { type: 'string' },
    file: { type: 'string' },
    offset: { type: 'integer' },
    length: { type: 'integer' },
    replay: { type: ['string', 'null'], description: 'The capture in the replay tool given with --replay (null without one)' },
    doc: { type: 'string', description: 'The document (version of the page) the capture belongs to' },
    n: { type: 'integer', description: "The capture's place among its document's captures" },
    record: { type: 'string', description: "This server's route to the capture" }
  }
} as const

const facetSchema = { type: 'array', items: { type: 'object', properties: { value: { type: 'string' }, count: { type: 'integer' } } } } as const

export const searchResponseSchema = {
  type: 'object',
  properties: {
    index: { type: 'string' },
    total: { type: 'integer' },
    totalUrls: { type: 'integer' },
    totalRelation: { type: 'string', enum: ['eq', 'gte'], description: "'gte': total and totalUrls are lower bounds" },
    tookMs: { type: 'number' },
    nextCursor: { type: ['string', 'null'] },
    io: { type: 'object', properties: { blocksRead: { type: 'integer' }, bytesRead: { type: 'integer' }, cacheHits: { type: 'integer' } } },
    facets: { type: ['object', 'null'], additionalProperties: facetSchema },
    suggest: {
      type: ['object', 'null'],
      description:
        "Did you mean: the query with its rare or unknown words replaced by the index's nearest common terms (null when none, or the result was not poor)",
      properties: {
        q: { type: 'string' },
        corrections: {
          type: 'array',
          items: {
            type: 'object',
            properties: { word: { type: 'string' }, suggestion: { type: 'string' }, df: { type: 'integer' }, wordDf: { type: 'integer' } }
          }
        }
      }
    },
    hits: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          url: { type: 'string' },
          title: { type: 'string' },
          titleHtml: { type: 'string' },
          snippet: { type: 'string' },
          host: { type: 'string' },
          domain: { type: 'string' },
          mime: { type: 'string' },
          lang: { type: ['string', 'null'] },
          status: { type: ['integer', 'null'] },
          score: { type: 'number' },
          captureCount: { type: 'integer' },
          versions: { type: 'integer' },
          institutions: { type: 'array', items: { type: 'string' } },
          captures: { type: 'array', items: captureSchema }
        }
      }
    }
  }
} as const

export const documentParamsSchema = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[0-9a-f]{20}$' } },
  required: ['id']
} as const
