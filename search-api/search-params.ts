// The part of a search request that /api/v1/search and its export read from the same query parameters.

import type { SearchRequest, SortOrder } from '../index-core/query/index.ts'

type Params = Record<string, string | number | boolean | undefined>

/** The query, its default operator, filters and order, as the parameters give them (already validated). */
export function searchOf(p: Params): Pick<SearchRequest, 'q' | 'defaultOperator' | 'filters' | 'sort'> {
  return {
    q: p.q as string,
    defaultOperator: (p.op as 'or' | 'and' | undefined) ?? 'or',
    filters: {
      site: p.site as string,
      type: p.type as string,
      lang: p.lang as string,
      institution: p.institution as string,
      from: p.from as string,
      to: p.to as string
    },
    sort: (p.sort as SortOrder | undefined) ?? 'relevance'
  }
}
