// Planning: a search request becomes one query tree (its text, parsed or taken as plain words, with the filters
// given as parameters ANDed to it) and an executor to evaluate it.

import type { QueryNode } from './ast.ts'
import { parseQuery } from './parser.ts'
import { QueryError } from './parse-error.ts'
import { QUERY_LIMITS } from './limits.ts'
import { scanSegments, analyzeQuery } from '../analysis/index.ts'
import { Executor } from './execute.ts'
import type { IndexReader } from './index-reader.ts'
import type { SearchRequest } from './search.ts'

function filterNodes(f: NonNullable<SearchRequest['filters']>): QueryNode[] {
  const out: QueryNode[] = []
  const add = (field: 'site' | 'type' | 'lang' | 'institution', raw: string | undefined): void => {
    if (raw !== undefined && raw !== '') {
      // Run the value through the parser so parameters are normalised and validated like query text.
      const p = parseQuery(`${field}:${JSON.stringify(raw)}`).root
      out.push(p)
    }
  }
  add('site', f.site)
  add('type', f.type)
  add('lang', f.lang)
  add('institution', f.institution)
  if ((f.from ?? '') !== '' || (f.to ?? '') !== '') out.push(parseQuery(`date:${f.from ?? ''}..${f.to ?? ''}`).root)
  return out
}

/**
 * The plain-syntax query: every word of the text an optional term. Words the analyzer drops (stop words) cost
 * nothing and do not count toward the limit on search terms.
 */
function plainQuery(text: string, lang: string | null): QueryNode {
  if (text.length > QUERY_LIMITS.maxLength) {
    throw new QueryError('too-long', `The query is too long: ${text.length} characters, at most ${QUERY_LIMITS.maxLength} are allowed`, QUERY_LIMITS.maxLength)
  }
  const words: string[] = []
  let counted = 0
  let over = -1
  scanSegments(text, (a, b) => {
    const w = text.slice(a, b)
    words.push(w)
    if (analyzeQuery(w, lang).length > 0 && ++counted > QUERY_LIMITS.maxClauses) {
      over = a
      return false
    }
    return true
  })
  if (over >= 0)
    throw new QueryError('too-many-clauses', `Too many search terms: at most ${QUERY_LIMITS.maxClauses} words besides stop words are allowed`, over)
  if (words.length === 0) throw new QueryError('empty', 'The query has no words to search for', null)
  return { kind: 'bool', clauses: words.map(w => ({ occur: 'should' as const, node: { kind: 'term' as const, field: null, text: w } })) }
}

/** The request's query (its text with the filters given as parameters), and an executor for it. */
export function prepare(reader: IndexReader, req: SearchRequest): { root: QueryNode; exec: Executor } {
  const lang = req.lang ?? null
  const parsedRoot = req.syntax === 'plain' ? plainQuery(req.q, lang) : parseQuery(req.q, { defaultOperator: req.defaultOperator ?? 'or', lang }).root
  const filters = filterNodes(req.filters ?? {})
  const root: QueryNode =
    filters.length === 0
      ? parsedRoot
      : { kind: 'bool', clauses: [{ occur: 'must', node: parsedRoot }, ...filters.map(node => ({ occur: 'must' as const, node }))] }
  return { root, exec: new Executor(reader, { lang: req.lang ?? null, maxPrefixExpansions: req.maxPrefixExpansions ?? 64 }) }
}
