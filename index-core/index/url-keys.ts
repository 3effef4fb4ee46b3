// URL keys: SURT, host and registered domain. They are part of the index format, not of extraction: a
// document's identifier hashes its SURT (doc-id.ts) and the site and domain filters store the other two, so a
// second implementation needs exactly these rules to reach the same root.
//
// surt() is a port of the `surt` Python package (internetarchive/surt, used by pywb), itself a port of
// webarchive-commons' WaybackURLKeyMaker: handyurl.parse, then GoogleURLCanonicalizer, then IAURLCanonicalizer,
// then the SURT format with the default options (no scheme, no trailing comma). Like the original it works on the
// UTF-8 bytes of the URL; here bytes are held in "binary strings" (one char per byte, 0-255) so JS regexes can run
// on them, and ASCII-only case mapping is used so bytes >= 0x80 are never touched.

import { domainToASCII } from 'node:url'
import { parse as parseDomain } from 'tldts'

// --- byte-string helpers ----------------------------------------------------------------------------------------

function toBinary(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1')
}

function fromBinary(b: string): string {
  return Buffer.from(b, 'latin1').toString('utf8')
}

/** Python bytes.lower(): only A-Z change. */
function asciiLower(b: string): string {
  return b.replace(/[A-Z]+/g, m => m.toLowerCase())
}

function isAscii(b: string): boolean {
  return !/[\x80-\xff]/.test(b)
}

/** Bytes that Python's quote(safe='!"$&\'()*+,-./:;<=>?@[\\]^_`{|}~') leaves alone: printable ASCII but '#', '%'. */
const UNSAFE_BYTE = /[^!-"$&-~]/g

/** escapeOnce: percent-encode controls, space, '#', '%', DEL and non-ASCII bytes (uppercase hex, like Python). */
function escapeOnce(b: string): string {
  return b.replace(UNSAFE_BYTE, c => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'))
}

/** One pass of Python's unquote_to_bytes: valid %XX become the byte, anything else stays. */
function unquoteOnce(b: string): string {
  return b.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}

/**
 * unescapeRepeatedly: unquote until nothing changes. The original loops without bound; each pass removes at least
 * two bytes, so a hostile URL could make it quadratic. 64 passes covers any URL a crawler could have fetched.
 */
function unescapeRepeatedly(b: string): string {
  for (let i = 0; i < 64; i++) {
    const un = unquoteOnce(b)
    if (un === b) return b
    b = un
  }
  return b
}

function minimalEscape(b: string): string {
  return escapeOnce(unescapeRepeatedly(b))
}

// --- handyurl.parse (Python urlsplit semantics) -----------------------------------------------------------------

interface HandyUrl {
  scheme: string | null
  host: string | null
  port: number | null
  path: string | null
  query: string | null
  hash: string | null
  lastDelimiter: string | null
}

/** Python's urlsplit + handyurl.parse. Returns null where Python would raise (bad port, unbalanced brackets). */
function parseHandyUrl(input: string): HandyUrl | null {
  // bytes.strip() (ASCII whitespace), then drop every \n \r \t.
  let url = input.replace(/^[ \t\n\r\x0b\x0c]+|[ \t\n\r\x0b\x0c]+$/g, '').replace(/[\n\r\t]/g, '')
  if (url !== '' && !/^[a-zA-Z][a-zA-Z0-9+\-.]*:/.test(url)) url = 'http://' + url
  url = url.replace(/^(https?:\/\/)+/, '$1') // 'http://https://x' -> 'https://x'

  // urlsplit
  url = url.replace(/^[\x00-\x20]+/, '')
  let scheme = ''
  let rest = url
  const colon = url.indexOf(':')
  if (colon > 0 && /^[a-zA-Z][a-zA-Z0-9+\-.]*$/.test(url.slice(0, colon))) {
    scheme = asciiLower(url.slice(0, colon))
    rest = url.slice(colon + 1)
  }
  let netloc = ''
  if (rest.startsWith('//')) {
    let end = rest.length
    for (const d of ['/', '?', '#']) {
      const i = rest.indexOf(d, 2)
      if (i !== -1 && i < end) end = i
    }
    netloc = rest.slice(2, end)
    rest = rest.slice(end)
    if (netloc.includes('[') !== netloc.includes(']')) return null // "Invalid IPv6 URL"
  }
  let fragment = ''
  const hashAt = rest.indexOf('#')
  if (hashAt !== -1) {
    fragment = rest.slice(hashAt + 1)
    rest = rest.slice(0, hashAt)
  }
  let query = ''
  const qAt = rest.indexOf('?')
  if (qAt !== -1) {
    query = rest.slice(qAt + 1)
    rest = rest.slice(0, qAt)
  }
  const path = rest

  // handyurl: a host ending in ':' without a port is fine.
  netloc = netloc.replace(/:+$/, '')
  const hostinfo = netloc.slice(netloc.lastIndexOf('@') + 1)
  let hostname: string
  let portText: string
  const br = hostinfo.indexOf('[')
  if (br !== -1) {
    const bracketed = hostinfo.slice(br + 1)
    const close = bracketed.indexOf(']')
    hostname = close === -1 ? bracketed : bracketed.slice(0, close)
    const after = close === -1 ? '' : bracketed.slice(close + 1)
    const c = after.indexOf(':')
    portText = c === -1 ? '' : after.slice(c + 1)
  } else {
    const c = hostinfo.indexOf(':')
    hostname = c === -1 ? hostinfo : hostinfo.slice(0, c)
    portText = c === -1 ? '' : hostinfo.slice(c + 1)
  }
  let port: number | null = null
  if (portText !== '') {
    if (!/^[0-9]+$/.test(portText)) return null // Python: ValueError
    const n = Number(portText)
    if (n > 65535) return null
    port = n === 0 ? null : n
  }
  let host: string | null = hostname === '' ? null : asciiLower(hostname)
  let pathOut: string | null = path === '' ? null : path
  const schemeOut = scheme === '' ? null : scheme

  // 'http:////////www.vikings.com': the host ended up in the path.
  if (schemeOut?.startsWith('http') && host === null && pathOut !== null) {
    const stripped = pathOut.replace(/^\/+/, '')
    const slash = stripped.indexOf('/')
    host = slash === -1 ? stripped : stripped.slice(0, slash)
    pathOut = '/' + (slash === -1 ? '' : stripped.slice(slash + 1))
    if (host === '') host = null
  }
  return {
    scheme: schemeOut,
    host,
    port,
    path: pathOut,
    query: query === '' ? null : query,
    hash: fragment === '' ? null : fragment,
    lastDelimiter: url.endsWith('?') && query === '' ? '?' : null
  }
}

// --- GoogleURLCanonicalizer -------------------------------------------------------------------------------------

function normalizePath(path: string | null): string {
  if (!path) return '/'
  const kept: string[] = []
  const parts = path.split('/')
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]
    if (p === '.') continue
    if (p === '..') {
      if (kept.length > 0) kept.pop()
      else kept.push(p)
    } else {
      kept.push(p)
    }
  }
  let out = '/'
  for (let i = 0; i < kept.length - 1; i++) if (kept[i].length > 0) out += kept[i] + '/' // drops '//' runs
  if (kept.length > 0) out += kept[kept.length - 1]
  return out
}

/** glibc inet_aton for 1-4 parts (decimal, 0-octal, 0x-hex); null when invalid. */
function inetAton(host: string): string | null {
  const parts = host.split('.')
  if (parts.length < 1 || parts.length > 4) return null
  const nums: number[] = []
  for (const p of parts) {
    let n: number
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16)
    else if (/^0[0-7]*$/.test(p)) n = parseInt(p, 8)
    else if (/^[1-9][0-9]*$/.test(p)) n = parseInt(p, 10)
    else return null
    nums.push(n)
  }
  const last = nums[nums.length - 1]
  const lead = nums.slice(0, -1)
  if (lead.some(n => n > 255)) return null
  const lastMax = [0xffffffff, 0xffffff, 0xffff, 0xff][lead.length]
  if (last > lastMax) return null
  let value = 0
  for (let i = 0; i < lead.length; i++) value += lead[i] * 2 ** (8 * (3 - i))
  value += last
  return dotted(value)
}

function dotted(v: number): string {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.')
}

const DECIMAL_IP = /^([1-9][0-9]*)(\.[0-9]+)?(\.[0-9]+)?(\.[0-9]+)?$/
const OCTAL_IP = /^(0[0-7]*)(\.[0-7]+)?(\.[0-7]+)?(\.[0-7]+)?$/

/** attemptIPFormats: dotted-quad form of numeric hosts ('3279880203', '017.0.0.1', '10.0.258'), else null. */
function attemptIPFormats(host: string): string | null {
  if (/^[0-9]+$/.test(host)) {
    // Masked to 32 bits, as the original does for liveweb ARC files.
    return dotted(Number(BigInt(host) & 0xffffffffn))
  }
  if (DECIMAL_IP.test(host) || OCTAL_IP.test(host)) return inetAton(host)
  return null
}

function googleCanonicalize(u: HandyUrl): void {
  u.hash = null
  if (u.query) u.query = minimalEscape(u.query)
  if (u.host) {
    let host = unescapeRepeatedly(u.host)
    if (!isAscii(host)) {
      // Python: host.decode('utf-8', 'ignore').encode('idna'); on failure the raw bytes stay (escaped below).
      const unicode = Buffer.from(host, 'latin1')
        .toString('utf8')
        .replace(/\uFFFD/g, '')
      const ascii = domainToASCII(unicode)
      if (ascii !== '') host = ascii
    }
    host = host.replaceAll('..', '.').replace(/^\.+|\.+$/g, '')
    host = attemptIPFormats(host) ?? escapeOnce(asciiLower(host))
    u.host = host
  }
  let path = u.path === null ? null : unescapeRepeatedly(u.path)
  if (u.host) path = normalizePath(path)
  u.path = path === null ? null : escapeOnce(path)
}

// --- IAURLCanonicalizer -----------------------------------------------------------------------------------------

const PATH_SESSION_IDS = [/^(.*\/)(\((?:[a-z]\([0-9a-z]{24}\))+\)\/)([^?]+\.aspx.*)$/i, /^(.*\/)(\([0-9a-z]{24}\)\/)([^?]+\.aspx.*)$/i]

const QUERY_SESSION_IDS = [
  /^(.*)(?:jsessionid=[0-9a-zA-Z]{32})(?:&(.*))?$/i,
  /^(.*)(?:phpsessid=[0-9a-zA-Z]{32})(?:&(.*))?$/i,
  /^(.*)(?:sid=[0-9a-zA-Z]{32})(?:&(.*))?$/i,
  /^(.*)(?:aspsessionid[a-zA-Z]{8}=[a-zA-Z]{24})(?:&(.*))?$/i,
  /^(.*)(?:cfid=[^&]+&cftoken=[^&]+)(?:&(.*))?$/i
]

// The patterns above use '.' which must match every byte, as Python's bytes regexes do except newline; escaped
// input has no raw newlines, so JS '.' (no 's' flag) behaves the same.

function stripPathSessionID(path: string): string {
  for (const re of PATH_SESSION_IDS) {
    const m = re.exec(path)
    if (m) path = m[1] + m[3]
  }
  return path
}

function stripQuerySessionID(query: string): string {
  for (const re of QUERY_SESSION_IDS) {
    const m = re.exec(query)
    if (m) query = m[2] ? m[1] + m[2] : m[1]
  }
  return query
}

/** Sorts 'k=v' pairs like Python sorts (key, value) tuples: by key, a bare 'k' before any 'k=...'. */
function alphaReorderQuery(q: string): string {
  if (q.length <= 1) return q
  const pairs = q.split('&').map(arg => {
    const eq = arg.indexOf('=')
    return eq === -1 ? { k: arg, v: null as string | null } : { k: arg.slice(0, eq), v: arg.slice(eq + 1) }
  })
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
  pairs.sort((a, b) => cmp(a.k, b.k) || (a.v === null ? (b.v === null ? 0 : -1) : b.v === null ? 1 : cmp(a.v, b.v)))
  return pairs.map(p => (p.v === null ? p.k : p.k + '=' + p.v)).join('&')
}

function iaCanonicalize(u: HandyUrl): void {
  if (u.host) u.host = asciiLower(u.host)
  if (u.host && u.scheme !== 'dns') u.host = u.host.replace(/^www\d*\./, '')
  if (u.scheme) {
    const defaultPort = u.scheme === 'http' ? 80 : u.scheme === 'https' ? 443 : 0
    if (u.port === defaultPort) u.port = null
  }
  if (u.path) u.path = asciiLower(u.path)
  if (u.path) u.path = stripPathSessionID(u.path)
  if (u.path && u.path.length > 1 && u.path.endsWith('/')) u.path = u.path.slice(0, -1)
  if (u.query) u.query = stripQuerySessionID(u.query)
  if (u.query) u.query = asciiLower(u.query)
  if (u.query) u.query = alphaReorderQuery(u.query)
  if (u.query === null) u.lastDelimiter = null
  else if (u.query === '') u.query = null
}

// --- SURT format ------------------------------------------------------------------------------------------------

function formatSurt(u: HandyUrl): string {
  let s = ''
  if (!u.host) s += (u.scheme ?? '') + ':'
  if (u.host) {
    s += u.host.split('.').reverse().join(',')
    if (u.port !== null) s += ':' + String(u.port)
    s += ')'
  }
  if (u.path) s += u.path
  else if (u.query !== null || u.hash !== null) s += '/'
  if (u.query !== null) s += '?' + u.query
  if (u.hash !== null) s += '#' + u.hash
  if (u.lastDelimiter !== null) s += u.lastDelimiter
  return s
}

/**
 * The SURT key of a URL, as pywb's default `surt.surt(url)` computes it: 'http://www.Example.com:80/a/?b=2&a=1#x'
 * -> 'com,example)/a?a=1&b=2'. Returns null where the Python code would raise (invalid port, unbalanced IPv6
 * brackets); never throws.
 */
export function surt(url: string): string | null {
  if (!url) return '-'
  if (url.startsWith('filedesc')) return url
  try {
    const u = parseHandyUrl(toBinary(url))
    if (u === null) return null
    googleCanonicalize(u)
    iaCanonicalize(u)
    return fromBinary(formatSurt(u))
  } catch {
    return null
  }
}

// --- host and registered domain ---------------------------------------------------------------------------------

export interface UrlKeys {
  surt: string
  /** Lowercased hostname: punycode for IDNs, dotted quad for IPv4, no brackets for IPv6. */
  host: string
  /** Registered domain (ICANN public suffixes), or the host for IP addresses and unknown suffixes. */
  domain: string
}

/**
 * SURT, host and registered domain of a captured URL; null when no host can be found (garbage, 'about:blank',
 * 'urn:...'). The host comes from the WHATWG URL parser when it accepts the URL (what a browser would have
 * contacted), else from the SURT parser's view of the URL.
 */
export function urlKeys(url: string): UrlKeys | null {
  const key = surt(url)
  if (key === null || key === '-') return null
  let host = ''
  try {
    const parsed = new URL(url.trim())
    host = parsed.hostname
  } catch {
    host = ''
  }
  if (host === '') host = fallbackHost(url)
  host = host
    .replace(/^\[|\]$/g, '')
    .replace(/\.+$/, '')
    .toLowerCase()
  if (host === '') return null
  const info = parseDomain(host)
  const domain = info.isIp ? host : (info.domain ?? host)
  return { surt: key, host, domain }
}

/** Host as the SURT parser sees it (lowercased, IDNA, numeric forms normalised), before the 'www' strip. */
function fallbackHost(url: string): string {
  try {
    const u = parseHandyUrl(toBinary(url))
    if (u === null || !u.host) return ''
    googleCanonicalize(u)
    return u.host ? fromBinary(u.host) : ''
  } catch {
    return ''
  }
}
