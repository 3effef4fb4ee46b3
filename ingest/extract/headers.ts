// Case-insensitive access to captured HTTP headers. Captures keep header names in whatever case the server
// sent, and some headers are repeated, so callers need all values, not just the first.

/** All values of header `name` (case-insensitive), in capture order. */
export function headerValues(headers: readonly (readonly [string, string])[], name: string): string[] {
  const wanted = name.toLowerCase()
  const out: string[] = []
  for (const [k, v] of headers) {
    if (k.length === wanted.length && k.toLowerCase() === wanted) out.push(v)
  }
  return out
}

/** All values of header `name` joined with ', ' (RFC 9110 list semantics), or null when absent. */
export function joinedHeaderValue(headers: readonly (readonly [string, string])[], name: string): string | null {
  const values = headerValues(headers, name)
  return values.length === 0 ? null : values.join(', ')
}
