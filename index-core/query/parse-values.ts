// Validation and normalisation of filter values (site:, type:, lang:, institution:) and date: ranges.
// Each function takes the value as typed (escapes removed) and `posAt`, which maps an index in the value to its
// position in the query, for error messages. All of them run in linear time.

import { QueryError, quote } from './parse-error.ts'

export type PosAt = (index: number) => number

// --- site: -------------------------------------------------------------------------------------------------------

const SCHEME = /^[a-z][a-z0-9+.-]*$/
/** A host name after IDNA: ASCII labels of letters, digits, '-' and '_', separated by single dots. */
const HOST_NAME = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/

/**
 * The host or domain to filter on, in the form ingest stores (index-core/index/url-keys.ts urlKeys: the WHATWG URL
 * parser's hostname, lower-cased, punycode for IDNs, IPv4 in dotted quad, IPv6 without brackets, no trailing
 * dot). Accepts a bare host (`bbc.co.uk`, `www.bbc.co.uk`, `BBC.co.uk.`) or a URL pasted whole
 * (`https://www.bbc.co.uk:443/news?x#y`): scheme, user info, port, path, query and fragment are dropped.
 */
export function normaliseSite(value: string, posAt: PosAt): string {
  const bad = (why: string): QueryError => new QueryError('bad-field-value', `Invalid site ${quote(value)} at position ${posAt(0)}: ${why}`, posAt(0))
  let v = value.trim()
  if (v === '') throw new QueryError('empty-field', `The site: filter at position ${posAt(0)} is empty`, posAt(0))
  if (v.includes('*')) throw bad('wildcards ("*") are not allowed; give a host or domain such as bbc.co.uk')
  v = v.toLowerCase()
  const sep = v.indexOf('://')
  if (sep >= 0) {
    if (!SCHEME.test(v.slice(0, sep))) throw bad('expected a host or domain such as bbc.co.uk, or a URL')
    v = v.slice(sep + 3)
  } else if (v.startsWith('//')) {
    v = v.slice(2)
  }
  let cut = v.length
  for (let i = 0; i < v.length; i++) {
    const c = v[i]
    if (c === '/' || c === '?' || c === '#' || c === '\\') {
      cut = i
      break
    }
  }
  v = v.slice(0, cut)
  const at = v.lastIndexOf('@')
  if (at >= 0) v = v.slice(at + 1)
  let host = v
  let port = ''
  if (v.startsWith('[')) {
    // IPv6 literal
    const close = v.indexOf(']')
    if (close < 0) throw bad('the IPv6 address has no closing "]"')
    host = v.slice(0, close + 1)
    const rest = v.slice(close + 1)
    if (rest !== '' && !rest.startsWith(':')) throw bad('unexpected text after the IPv6 address')
    port = rest.slice(1)
  } else {
    const colon = v.lastIndexOf(':')
    if (colon >= 0) {
      host = v.slice(0, colon)
      port = v.slice(colon + 1)
    }
  }
  for (let i = 0; i < port.length; i++) {
    const c = port.charCodeAt(i)
    if (c < 0x30 || c > 0x39) throw bad('a port must be a number')
  }
  if (host === '') throw bad('there is no host name in it')
  let hostname: string
  try {
    hostname = new URL(`http://${host}/`).hostname
  } catch {
    throw bad('it is not a valid host name')
  }
  const ipv6 = hostname.startsWith('[')
  if (ipv6) hostname = hostname.slice(1, -1)
  let end = hostname.length
  while (end > 0 && hostname.charCodeAt(end - 1) === 0x2e) end--
  hostname = hostname.slice(0, end)
  if (hostname === '') throw bad('there is no host name in it')
  if (!ipv6) {
    if (hostname.length > 253) throw bad('a host name has at most 253 characters')
    if (!HOST_NAME.test(hostname)) throw bad('a host name is made of letters, digits and hyphens between single dots')
    for (const label of hostname.split('.')) {
      if (label.length > 63) throw bad('a part of a host name between dots has at most 63 characters')
    }
  }
  return hostname
}

// --- type: -------------------------------------------------------------------------------------------------------

/** `type:` shortcuts. */
export const TYPE_SHORTCUTS: ReadonlyMap<string, string> = new Map([
  ['html', 'text/html'],
  ['text', 'text/plain'],
  ['pdf', 'application/pdf']
])

/** type/subtype with RFC 6838 restricted-name characters (the two character classes cannot overlap '/'). */
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/

/** Lower-cased MIME type without parameters (`Text/HTML; charset=utf-8` -> `text/html`), or a shortcut expanded. */
export function normaliseType(value: string, posAt: PosAt): string {
  let v = value.trim().toLowerCase()
  const semi = v.indexOf(';')
  if (semi >= 0) v = v.slice(0, semi).trim()
  if (v === '') throw new QueryError('empty-field', `The type: filter at position ${posAt(0)} is empty`, posAt(0))
  const shortcut = TYPE_SHORTCUTS.get(v)
  if (shortcut !== undefined) return shortcut
  if (MIME.test(v)) return v
  const why = v.includes('*') ? 'wildcards ("*") are not allowed' : `expected a MIME type such as text/html, or one of ${[...TYPE_SHORTCUTS.keys()].join(', ')}`
  throw new QueryError('bad-field-value', `Invalid type ${quote(value)} at position ${posAt(0)}: ${why}`, posAt(0))
}

// --- lang: -------------------------------------------------------------------------------------------------------

/** A 2-letter ISO 639-1 code, optionally followed by BCP 47 subtags, which are dropped (`en-GB` -> `en`). */
const LANG = /^([a-z]{2})(?:[-_][a-z0-9]{1,8})*$/i

export function normaliseLang(value: string, posAt: PosAt): string {
  const v = value.trim()
  if (v === '') throw new QueryError('empty-field', `The lang: filter at position ${posAt(0)} is empty`, posAt(0))
  const m = v.length > 64 ? null : LANG.exec(v)
  if (m === null) {
    throw new QueryError('bad-field-value', `Invalid language ${quote(value)} at position ${posAt(0)}: use a 2-letter code such as en, fr or de`, posAt(0))
  }
  return m[1].toLowerCase()
}

// --- institution: ------------------------------------------------------------------------------------------------

/** The name trimmed, with each whitespace run made one space; case and everything else kept. */
export function normaliseInstitution(value: string, posAt: PosAt): string {
  const v = value
    .split(/\s+/)
    .filter(w => w !== '')
    .join(' ')
  if (v === '') throw new QueryError('empty-field', `The institution: filter at position ${posAt(0)} is empty`, posAt(0))
  return v
}

// --- date: -------------------------------------------------------------------------------------------------------

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

export function isLeapYear(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31
}

const FORMS = 'use YYYY, YYYY-MM or YYYY-MM-DD, or a range such as 2008..2014, 2008-05..2009-01, ..2010 or 2010..'

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return false
  }
  return s.length > 0
}

/** First and last second of the period `s` (YYYY, YYYY-MM or YYYY-MM-DD) as 14-digit timestamps. */
function period(s: string, pos: number): { first: string; last: string } {
  const bad = (why: string): QueryError => new QueryError('bad-date', `Invalid date ${quote(s)} at position ${pos}: ${why}`, pos)
  const parts = s.split('-')
  if (parts.length > 3 || parts[0].length !== 4 || !parts.every(isDigits) || parts.slice(1).some(p => p.length !== 2)) {
    throw bad(FORMS)
  }
  const y = Number(parts[0])
  if (parts.length === 1) return { first: `${parts[0]}0101000000`, last: `${parts[0]}1231235959` }
  const m = Number(parts[1])
  if (m < 1 || m > 12) throw bad(`there is no month ${parts[1]} (months are 01 to 12)`)
  const dim = daysInMonth(y, m)
  if (parts.length === 2) return { first: `${parts[0]}${parts[1]}01000000`, last: `${parts[0]}${parts[1]}${dim}235959` }
  const d = Number(parts[2])
  if (d < 1 || d > dim) throw bad(`${MONTHS[m - 1]} ${parts[0]} has no day ${parts[2]} (it has ${dim} days)`)
  const ymd = `${parts[0]}${parts[1]}${parts[2]}`
  return { first: `${ymd}000000`, last: `${ymd}235959` }
}

/**
 * `date:` value -> inclusive bounds. A single period covers all of it (`2014` -> 20140101000000..20141231235959);
 * in a range the start is the first second of its period and the end the last second of its own
 * (`2008-05..2009-01` -> 20080501000000..20090131235959); either end of a range may be left open, not both.
 */
export function parseDateValue(value: string, posAt: PosAt): { from: string | null; to: string | null } {
  const v = value
  const dots = v.indexOf('..')
  if (dots < 0) {
    const { start, s } = trimmed(v, 0, v.length)
    if (s === '') throw new QueryError('empty-field', `The date: filter at position ${posAt(0)} is empty`, posAt(0))
    const p = period(s, posAt(start))
    return { from: p.first, to: p.last }
  }
  const a = trimmed(v, 0, dots)
  const b = trimmed(v, dots + 2, v.length)
  if (b.s.includes('.') || a.s.includes('.')) {
    throw new QueryError('bad-date', `Invalid date range ${quote(value)} at position ${posAt(0)}: ${FORMS}`, posAt(0))
  }
  if (a.s === '' && b.s === '') {
    throw new QueryError('bad-date', `Invalid date range ${quote(value)} at position ${posAt(0)}: give a start, an end or both, as in 2008..2014`, posAt(0))
  }
  const from = a.s === '' ? null : period(a.s, posAt(a.start)).first
  const to = b.s === '' ? null : period(b.s, posAt(b.start)).last
  if (from !== null && to !== null && from > to) {
    throw new QueryError('bad-date', `Invalid date range ${quote(value)} at position ${posAt(0)}: the start (${a.s}) is after the end (${b.s})`, posAt(0))
  }
  return { from, to }
}

function trimmed(v: string, start: number, end: number): { start: number; s: string } {
  const raw = v.slice(start, end)
  const s = raw.trimStart()
  return { start: start + raw.length - s.length, s: s.trimEnd() }
}
