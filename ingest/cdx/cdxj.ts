// CDXJ lines as pywb's indexer (`cdx-indexer --cdxj`) writes them: '<SURT key> <14-digit timestamp> <JSON>',
// the JSON's fields in pywb's order (url, mime, status, digest, length, offset, filename), every value a
// string, a field pywb would write as '-' left out. Lines sort as plain strings (by key, then timestamp), which
// is what a CDX server's binary search needs.

/** One CDX entry, with pywb's field names. Absent optional fields are unknown ('-' in CDX 11 text). */
export interface CdxEntry {
  readonly urlkey: string
  readonly timestamp: string
  readonly url: string
  readonly mime?: string
  /** pywb's WARC-Identified-Payload-Type field, when the record declares one. */
  readonly 'mime-detected'?: string
  readonly status?: string
  readonly digest?: string
  readonly length: string
  readonly offset: string
  readonly filename: string
  /** A request's method other than GET, and its body as a query (warcio's and cdxj-indexer's POST fields). */
  readonly method?: string
  readonly requestBody?: string
}

/** pywb's CDXJ field order after the key and timestamp. */
export const CDXJ_FIELDS = ['url', 'mime', 'mime-detected', 'status', 'digest', 'length', 'offset', 'filename', 'method', 'requestBody'] as const

/** The CDX 11 columns (`CDX N b a m s k r M S V g`), and pywb's one-letter and long aliases for `fl=`. */
export const CDX11_FIELDS = ['urlkey', 'timestamp', 'url', 'mime', 'status', 'digest', 'redirect', 'robotflags', 'length', 'offset', 'filename'] as const
export const FIELD_ALIASES: Readonly<Record<string, string>> = {
  u: 'url',
  original: 'url',
  statuscode: 'status',
  s: 'status',
  mimetype: 'mime',
  m: 'mime',
  l: 'length',
  o: 'offset',
  d: 'digest',
  t: 'timestamp',
  k: 'urlkey',
  f: 'filename'
}

export class CdxLineError extends Error {
  override name = 'CdxLineError'
}

/** The JSON part of a line: pywb's fields in its order, the absent left out. */
export function cdxjJson(e: CdxEntry): Record<string, string> {
  const out: Record<string, string> = {}
  for (const f of CDXJ_FIELDS) {
    const v = e[f]
    if (v !== undefined && v !== '' && v !== '-') out[f] = v
  }
  return out
}

/** A flat object of strings as Python's json.dumps writes it (', ' and ': ' separators), as pywb's lines are. */
export function pyJson(o: Readonly<Record<string, string>>): string {
  return `{${Object.entries(o)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(', ')}}`
}

/** One CDXJ line, without its newline: the one writer of Canopy's CDXJ (export, /cdx, replay). `extra` fields follow pywb's. */
export function formatCdxj(e: CdxEntry, extra: Readonly<Record<string, string>> = {}): string {
  return `${e.urlkey} ${e.timestamp} ${pyJson({ ...cdxjJson(e), ...extra })}`
}

/** A CDX 11 line (`CDX N b a m s k r M S V g`), '-' for what is unknown. */
export function formatCdx11(e: CdxEntry): string {
  return CDX11_FIELDS.map(f => (e as unknown as Record<string, string | undefined>)[f] ?? '-').join(' ')
}

/** Fields of a CDXJ line or a CDX text line (9, 10 or 11 columns, as pywb reads them), values as strings. */
export function parseCdxLine(line: string): Record<string, string> {
  const t = line.replace(/\r?\n$/, '')
  const sp1 = t.indexOf(' ')
  const sp2 = sp1 < 0 ? -1 : t.indexOf(' ', sp1 + 1)
  if (sp2 > 0 && t[sp2 + 1] === '{') {
    let json: unknown
    try {
      json = JSON.parse(t.slice(sp2 + 1))
    } catch (err) {
      throw new CdxLineError(`not a CDXJ line: ${(err as Error).message}`)
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new CdxLineError('not a CDXJ line: its JSON is not an object')
    const out: Record<string, string> = { urlkey: t.slice(0, sp1), timestamp: t.slice(sp1 + 1, sp2) }
    for (const [k, v] of Object.entries(json as Record<string, unknown>)) out[FIELD_ALIASES[k] ?? k] = typeof v === 'string' ? v : JSON.stringify(v)
    return out
  }
  const cols = t.split(' ')
  const formats: Record<number, readonly string[]> = {
    11: CDX11_FIELDS,
    10: ['urlkey', 'timestamp', 'url', 'mime', 'status', 'digest', 'redirect', 'robotflags', 'offset', 'filename'],
    9: ['urlkey', 'timestamp', 'url', 'mime', 'status', 'digest', 'redirect', 'offset', 'filename']
  }
  const names = formats[cols.length]
  if (names === undefined) throw new CdxLineError(`a CDX line of ${cols.length} fields is none of the 9, 10 or 11 field formats`)
  const out: Record<string, string> = {}
  names.forEach((n, i) => {
    out[n] = cols[i]
  })
  return out
}

/**
 * Orders two strings as their UTF-8 bytes do (pywb's and cdxj-indexer's sort), without encoding them: UTF-16
 * code units agree with UTF-8's byte order except that surrogates (characters above U+FFFF) sort below
 * U+E000–U+FFFF in UTF-16 and above them in UTF-8.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    if (x >= 0xd800) x += x < 0xe000 ? 0x2000 : -0x800
    if (y >= 0xd800) y += y < 0xe000 ? 0x2000 : -0x800
    return x - y
  }
  return a.length - b.length
}

/** Sorts lines as pywb's and cdxj-indexer's --sort do: by their UTF-8 bytes (key, then timestamp, then JSON). */
export function sortCdxLines(lines: readonly string[]): string[] {
  return [...lines].sort(compareUtf8)
}
