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

/**
 * The headers extraction reads (document.ts, body.ts), besides the content type the reader found. The ingest
 * hands workers these alone, so this list is what extraction can see: two captures of one payload and URL
 * whose values of them are equal are extracted alike, and are analysed once.
 */
export const EXTRACTION_HEADERS: readonly string[] = ['content-type', 'content-encoding', 'transfer-encoding', 'content-language', 'x-robots-tag']

/** The headers extraction reads, in capture order (names as captured). */
export function extractionHeaders(headers: readonly (readonly [string, string])[]): [string, string][] {
  return headers.filter(([k]) => EXTRACTION_HEADERS.includes(k.toLowerCase())).map(([k, v]) => [k, v])
}

/** Every input of extraction but the body and URL, as one string: equal for captures extracted alike. */
export function extractionKey(contentType: string | null, headers: readonly (readonly [string, string])[]): string {
  return JSON.stringify([contentType, EXTRACTION_HEADERS.map(n => headerValues(headers, n))])
}
