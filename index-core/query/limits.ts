// Hard limits on a parsed query. parseQuery() enforces them; ParseOptions.limits may override any of them.

export interface QueryLimits {
  /**
   * Longest accepted input, in UTF-16 code units (checked before anything else is looked at): room for 1,024
   * words of plain text (12 characters a word), within a GET request's 16 KiB of headers.
   */
  maxLength: number
  /**
   * Most leaf clauses (terms, phrases, prefixes, filters, dates); words the analyzer drops (stop words) do not
   * count. Lucene's default maxClauseCount.
   */
  maxClauses: number
  /** Deepest nesting, both of parentheses as written and of bool nodes in the result. */
  maxDepth: number
  /** Most prefix (`word*`) clauses: each one expands to many terms at execution time. */
  maxPrefixes: number
  /** Fewest letters or digits before a prefix's '*'. */
  minPrefixChars: number
}

export const QUERY_LIMITS: Readonly<{
  maxLength: 12288
  maxClauses: 1024
  maxDepth: 12
  maxPrefixes: 8
  minPrefixChars: 2
}> = Object.freeze({ maxLength: 12288, maxClauses: 1024, maxDepth: 12, maxPrefixes: 8, minPrefixChars: 2 })

/** Ceiling on an overridden maxDepth, so that parsing can never exhaust the call stack. */
export const MAX_DEPTH_CEILING = 1000

/** QUERY_LIMITS with `overrides` applied; throws a RangeError for an override that is not a sensible integer. */
export function resolveLimits(overrides: Partial<QueryLimits> | undefined): QueryLimits {
  const limits: QueryLimits = { ...QUERY_LIMITS }
  if (overrides === undefined) return limits
  for (const key of Object.keys(QUERY_LIMITS) as Array<keyof QueryLimits>) {
    const v = overrides[key]
    if (v === undefined) continue
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`Query limit ${key} must be a positive integer, got ${String(v)}`)
    limits[key] = v
  }
  if (limits.maxDepth > MAX_DEPTH_CEILING) throw new RangeError(`Query limit maxDepth must be at most ${MAX_DEPTH_CEILING}, got ${limits.maxDepth}`)
  return limits
}
