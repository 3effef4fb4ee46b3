// MIME type handling: parse Content-Type leniently, map it to the three indexable types, and sniff the first
// bytes when the declared type is missing or generic (a simplified WHATWG MIME sniffing).

import type { IndexableMime } from './types.ts'

export interface ParsedContentType {
  /** 'type/subtype', lowercased, or '' when no valid type was found. */
  essence: string
  /** The charset parameter as written (unquoted, trimmed), or null. */
  charset: string | null
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/

/**
 * Parses a Content-Type header value. Captured values are messy: repeated headers joined with ',' (or warcio's
 * ',,,'), a missing ';' before 'charset=', stray quotes. Following the WHATWG "extract a MIME type" rule, the last
 * valid type wins, and its charset is the last charset given for that same type.
 */
export function parseContentType(value: string | null | undefined): ParsedContentType {
  if (!value) return { essence: '', charset: null }
  let essence = ''
  let charset: string | null = null
  for (const part of splitTopLevel(value)) {
    const semi = part.search(/[;\s]/)
    const type = (semi === -1 ? part : part.slice(0, semi)).trim().toLowerCase()
    if (!TOKEN.test(type) || type === '*/*') continue
    const cs = /charset\s*=\s*["']?\s*([^"';,\s]+)/i.exec(part)?.[1] ?? null
    if (type !== essence) {
      essence = type
      charset = cs
    } else if (cs !== null) {
      charset = cs
    }
  }
  return { essence, charset }
}

/** Splits a header value on commas that are not inside double quotes. */
function splitTopLevel(value: string): string[] {
  const out: string[] = []
  let start = 0
  let quoted = false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c === 0x22) quoted = !quoted
    else if (c === 0x2c && !quoted) {
      out.push(value.slice(start, i))
      start = i + 1
    }
  }
  out.push(value.slice(start))
  return out.map(s => s.trim()).filter(s => s.length > 0)
}

const HTML_TYPES = new Set(['text/html', 'text/x-html', 'application/html', 'application/x-html'])
const XHTML_TYPES = new Set(['application/xhtml+xml', 'application/vnd.wap.xhtml+xml', 'application/xhtml', 'text/xhtml'])
const TEXT_TYPES = new Set(['text/plain'])
/** Types that say nothing about the content, so the bytes must decide (as browsers do). */
const GENERIC_TYPES = new Set([
  '',
  'application/octet-stream',
  'binary/octet-stream',
  'application/binary',
  'application/unknown',
  'application/x-unknown',
  'application/x-unknown-content-type',
  'unknown/unknown',
  'content/unknown',
  'text/unknown',
  'application/force-download',
  'application/download'
])

/** The indexable MIME type for a declared essence; null when it is not indexable; 'generic' when bytes decide. */
export function classifyEssence(essence: string): IndexableMime | 'generic' | null {
  if (HTML_TYPES.has(essence)) return 'text/html'
  if (XHTML_TYPES.has(essence)) return 'application/xhtml+xml'
  if (TEXT_TYPES.has(essence)) return 'text/plain'
  if (GENERIC_TYPES.has(essence)) return 'generic'
  return null
}

/** URL path extensions that are never documents; used when the type is missing or generic. */
const NON_DOCUMENT_EXTENSIONS = new Set([
  'js',
  'mjs',
  'css',
  'json',
  'xml',
  'rss',
  'atom',
  'svg',
  'csv',
  'tsv',
  'map',
  'wasm',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'webp',
  'avif',
  'bmp',
  'ico',
  'tif',
  'tiff',
  'heic',
  'woff',
  'woff2',
  'ttf',
  'otf',
  'eot',
  'mp3',
  'mp4',
  'm4a',
  'm4v',
  'ogg',
  'oga',
  'ogv',
  'webm',
  'wav',
  'flac',
  'avi',
  'mov',
  'wmv',
  'flv',
  'swf',
  'm3u8',
  'ts',
  'pdf',
  'doc',
  'docx',
  'xls',
  'xlsx',
  'ppt',
  'pptx',
  'odt',
  'ods',
  'odp',
  'rtf',
  'epub',
  'zip',
  'gz',
  'tgz',
  'bz2',
  'xz',
  'zst',
  '7z',
  'rar',
  'tar',
  'jar',
  'apk',
  'exe',
  'dmg',
  'iso',
  'bin',
  'msi',
  'deb',
  'rpm'
])

/** Lowercased extension of the URL's last path segment ('' when none). Never throws. */
export function urlExtension(url: string): string {
  let end = url.length
  const q = url.indexOf('?')
  if (q !== -1) end = q
  const h = url.indexOf('#')
  if (h !== -1 && h < end) end = h
  const path = url.slice(0, end)
  const authority = path.indexOf('//')
  // 'http://example.com' has no path: the host's TLD is not an extension.
  if (authority !== -1 && path.indexOf('/', authority + 2) === -1) return ''
  const last = path.slice(path.lastIndexOf('/') + 1)
  const dot = last.lastIndexOf('.')
  if (dot <= 0) return ''
  return last.slice(dot + 1).toLowerCase()
}

/**
 * Cheap pre-check before reading a body: true when the record may be indexable. Declared HTML/XHTML/plain text is
 * accepted; a missing or generic type is accepted unless the URL names an obviously non-document file, because
 * only the bytes can tell (sniffing happens in extractDocument).
 */
export function isIndexableType(contentType: string | null, url: string): boolean {
  const kind = classifyEssence(parseContentType(contentType).essence)
  if (kind === null) return false
  if (kind !== 'generic') return true
  return !NON_DOCUMENT_EXTENSIONS.has(urlExtension(url))
}

// --- sniffing ---------------------------------------------------------------------------------------------

/** Tags that make the WHATWG sniffer say text/html when they open the document (after whitespace). */
const HTML_SIGNATURES = [
  '<!doctype html',
  '<html',
  '<head',
  '<script',
  '<iframe',
  '<h1',
  '<div',
  '<font',
  '<table',
  '<a',
  '<style',
  '<title',
  '<b',
  '<body',
  '<br',
  '<p',
  '<!--'
]

function isTagTerminator(c: number | undefined): boolean {
  return c === 0x20 || c === 0x3e || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d
}

/** Magic numbers of common binary formats, for rejecting mislabelled bodies. */
const BINARY_MAGIC: readonly (readonly number[])[] = [
  [0x25, 0x50, 0x44, 0x46, 0x2d], // %PDF-
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0x47, 0x49, 0x46, 0x38], // GIF8
  [0xff, 0xd8, 0xff], // JPEG
  [0x50, 0x4b, 0x03, 0x04], // ZIP, OOXML, ODF, EPUB
  [0x1f, 0x8b], // gzip
  [0x42, 0x5a, 0x68], // bzip2
  [0x28, 0xb5, 0x2f, 0xfd], // zstd
  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], // xz
  [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], // 7z
  [0x52, 0x61, 0x72, 0x21], // RAR
  [0x77, 0x4f, 0x46, 0x46], // wOFF
  [0x77, 0x4f, 0x46, 0x32], // wOF2
  [0x00, 0x61, 0x73, 0x6d], // wasm
  [0x7f, 0x45, 0x4c, 0x46], // ELF
  [0x4d, 0x5a], // MZ (exe)
  [0x46, 0x57, 0x53], // FWS (swf)
  [0x43, 0x57, 0x53], // CWS (swf)
  [0x49, 0x44, 0x33], // ID3 (mp3)
  [0x4f, 0x67, 0x67, 0x53], // OggS
  [0x52, 0x49, 0x46, 0x46], // RIFF (wav, avi, webp)
  [0x1a, 0x45, 0xdf, 0xa3], // EBML (webm, mkv)
  [0xd0, 0xcf, 0x11, 0xe0] // OLE2 (doc, xls)
]

function startsWithBytes(bytes: Uint8Array, at: number, sig: readonly number[]): boolean {
  if (bytes.length - at < sig.length) return false
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false
  return true
}

/** Offset just past a UTF-8/UTF-16 BOM, or 0. */
function bomLength(bytes: Uint8Array): number {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 3
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) return 2
  return 0
}

/** True when the body starts with the magic number of a known binary format. */
export function hasBinaryMagic(bytes: Uint8Array): boolean {
  // ISO BMFF (mp4, mov, heic, avif): 'ftyp' at offset 4.
  if (startsWithBytes(bytes, 4, [0x66, 0x74, 0x79, 0x70])) return true
  for (const sig of BINARY_MAGIC) if (startsWithBytes(bytes, 0, sig)) return true
  return false
}

/**
 * True when a body declared as text is really a binary file: a known magic number AND control bytes in the first
 * KB (the magic alone could be the start of a text, like 'MZ' or 'ID3').
 */
export function looksBinary(bytes: Uint8Array): boolean {
  if (!hasBinaryMagic(bytes)) return false
  const limit = Math.min(bytes.length, 1024)
  for (let i = 0; i < limit; i++) if (isBinaryByte(bytes[i])) return true
  return false
}

/** WHATWG "binary data byte": controls that never occur in text. */
function isBinaryByte(b: number): boolean {
  return b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)
}

/**
 * Sniffs the first bytes of a body whose declared type is missing or generic. Returns the indexable type the bytes
 * show, or null when they are something else. UTF-16 bodies are only recognised with a BOM.
 */
export function sniffMime(bytes: Uint8Array, url: string): IndexableMime | null {
  if (bytes.length === 0) return null
  if (hasBinaryMagic(bytes)) return null
  const bom = bomLength(bytes)
  const utf16 = bom === 2
  // Look at the head as ASCII; for UTF-16 take every other byte so the markup checks still work.
  const limit = Math.min(bytes.length, 1024)
  let head = ''
  if (utf16) {
    const le = bytes[0] === 0xff
    for (let i = 2; i + 1 < limit; i += 2) head += String.fromCharCode(le ? bytes[i] : bytes[i + 1])
  } else {
    for (let i = bom; i < limit; i++) head += String.fromCharCode(bytes[i])
  }
  let start = 0
  while (start < head.length && /[\t\n\f\r ]/.test(head[start])) start++
  const lower = head.slice(start, start + 256).toLowerCase()
  for (const sig of HTML_SIGNATURES) {
    if (lower.startsWith(sig) && (sig === '<!--' || isTagTerminator(lower.charCodeAt(sig.length)))) {
      return 'text/html'
    }
  }
  if (lower.startsWith('<?xml')) {
    // XML is indexable only when it is XHTML.
    return /<html[^>]*xmlns\s*=\s*["']http:\/\/www\.w3\.org\/1999\/xhtml/i.test(head) ? 'application/xhtml+xml' : null
  }
  if (!utf16) {
    for (let i = bom; i < limit; i++) if (isBinaryByte(bytes[i])) return null
  }
  // Text with no markup: plain text unless the URL says it is code or data served without a type.
  return NON_DOCUMENT_EXTENSIONS.has(urlExtension(url)) ? null : 'text/plain'
}
