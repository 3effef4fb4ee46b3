// Choosing the charset of a body and decoding it to a string.
//
// Order (first that yields a known charset wins):
//   1. byte order mark - it is unambiguous, and browsers let it override everything (WHATWG "decode")
//   2. the HTTP Content-Type charset parameter
//   3. <meta charset> / <meta http-equiv=Content-Type> in the first META_PRESCAN_BYTES (HTML only)
//   4. <?xml ... encoding="..."?> at the very start
//   5. detection: valid UTF-8 is UTF-8; otherwise chardet's best guess
// A declared label is mapped the way browsers map it (WHATWG Encoding labels: 'iso-8859-1', 'latin1' and 'ascii'
// mean windows-1252, 'gb2312' means GBK, ...). An unknown label is skipped, never an error.
// One departure from browsers: when a declared charset is demonstrably wrong (most non-ASCII characters come out
// as U+FFFD, e.g. EUC-JP bytes labelled UTF-8), detection is tried and used if it decodes cleaner. A browser
// shows mojibake there; an index is better served by the text.

import { isUtf8 } from 'node:buffer'
import { createRequire } from 'node:module'
import iconv from 'iconv-lite'
import type { analyse } from 'chardet'
import type { CharsetSource } from './types.ts'

/** How far to look for a <meta> charset declaration. */
export const META_PRESCAN_BYTES = 2048
/** How much of the body chardet looks at; its cost grows with input and the head is representative. */
const DETECT_SAMPLE_BYTES = 64 * 1024

/**
 * The iconv-lite codec for WHATWG names whose iconv-lite codec of the same name is narrower than what browsers
 * decode (browsers decode 'gbk' with the GB18030 decoder, 'euc-kr' as windows-949, 'big5' with HKSCS,
 * 'shift_jis' as windows-31j).
 */
const ICONV_CODEC: Record<string, string> = {
  gbk: 'gb18030',
  'euc-kr': 'cp949',
  big5: 'big5hkscs',
  shift_jis: 'cp932',
  'x-mac-cyrillic': 'maccyrillic',
  'iso-8859-8-i': 'iso-8859-8'
}

/**
 * Maps a charset label to the canonical (WHATWG) name, or null when unknown. Uses the platform TextDecoder's label
 * table (Node ships full ICU), then iconv-lite's own aliases for labels outside the WHATWG set (e.g. 'cp850').
 */
export function normalizeCharset(label: string | null | undefined): string | null {
  if (!label) return null
  const cleaned = label
    .trim()
    .replace(/^["']+|["']+$/g, '')
    .trim()
    .toLowerCase()
  if (cleaned === '' || cleaned.length > 64) return null
  try {
    return new TextDecoder(cleaned).encoding
  } catch {
    // Not a WHATWG label (or the 'replacement' encoding, which has nothing to decode with).
  }
  try {
    if (iconv.encodingExists(cleaned)) return cleaned
  } catch {
    // iconv-lite may throw on odd labels; unknown is the answer either way.
  }
  return null
}

/** Charset named by a byte order mark, and the BOM length. */
export function sniffBom(bytes: Uint8Array): { charset: string; length: number } | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { charset: 'utf-8', length: 3 }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { charset: 'utf-16be', length: 2 }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { charset: 'utf-16le', length: 2 }
  return null
}

/** Reads the first `limit` bytes as Latin-1 so ASCII markup can be matched with regexes. */
function asciiHead(bytes: Uint8Array, limit: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, limit)).toString('latin1')
}

const META_TAG = /<meta(?=[\s/])[^>]*>/gi
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g

/**
 * The charset label declared by a <meta> element in the first META_PRESCAN_BYTES, as the WHATWG prescan finds it:
 * <meta charset=...>, or <meta http-equiv=content-type content="...; charset=...">. Comments are skipped so a
 * commented-out declaration does not count. Returns the raw label (not validated).
 */
export function prescanMetaCharset(bytes: Uint8Array, limit = META_PRESCAN_BYTES): string | null {
  const head = asciiHead(bytes, limit).replace(/<!--[\s\S]*?(?:-->|$)/g, '')
  for (const m of head.matchAll(META_TAG)) {
    const attrs = new Map<string, string>()
    for (const a of m[0].slice(5).matchAll(ATTR)) {
      const name = a[1].toLowerCase()
      if (!attrs.has(name)) attrs.set(name, a[2] ?? a[3] ?? a[4] ?? '')
    }
    const direct = attrs.get('charset')
    if (direct !== undefined && direct.trim() !== '') return direct.trim()
    const equiv = attrs.get('http-equiv')
    const content = attrs.get('content')
    if (equiv !== undefined && equiv.trim().toLowerCase() === 'content-type' && content !== undefined) {
      const c = /charset\s*=\s*["']?\s*([^"';\s]+)/i.exec(content)
      if (c) return c[1]
    }
  }
  return null
}

/** The encoding named by an XML declaration at the start of the body, if any. */
export function xmlDeclarationCharset(bytes: Uint8Array): string | null {
  const head = asciiHead(bytes, 256)
  const m = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']/.exec(head)
  return m ? m[1] : null
}

/** UTF-8 validity that forgives a multi-byte sequence cut off at the very end (truncated captures). */
function isUtf8Lenient(bytes: Uint8Array): boolean {
  if (isUtf8(bytes)) return true
  // Drop up to 3 trailing bytes that could be an incomplete multi-byte sequence.
  let end = bytes.length
  for (let k = 0; k < 3 && end > 0; k++) {
    const b = bytes[end - 1]
    if (b < 0x80) break
    end--
    if (b >= 0xc0) break // lead byte: everything from it on is the partial sequence
  }
  return end < bytes.length && isUtf8(bytes.subarray(0, end))
}

/** True when the bytes contain an ISO-2022 escape (ESC $ or ESC ( ), the only way a 7-bit body is not ASCII. */
function hasIso2022Escape(bytes: Uint8Array, limit: number): boolean {
  const end = Math.min(bytes.length - 1, limit)
  for (let i = 0; i < end; i++) {
    if (bytes[i] === 0x1b && (bytes[i + 1] === 0x24 || bytes[i + 1] === 0x28)) return true
  }
  return false
}

/** chardet, loaded on first use: only bodies that declare nothing and are not UTF-8 need it. */
let chardetAnalyse: typeof analyse | null = null

/**
 * Guesses the charset of undeclared bytes. Valid UTF-8 (which includes pure ASCII) is taken as UTF-8: legacy
 * multi-byte text is practically never valid UTF-8, and chardet is weakest exactly there. Otherwise chardet's
 * best-scoring guess that we can decode; windows-1252 when it has none (every byte decodes).
 */
export function detectCharset(bytes: Uint8Array): string {
  if (!hasIso2022Escape(bytes, DETECT_SAMPLE_BYTES) && isUtf8Lenient(bytes)) return 'utf-8'
  const sample = bytes.length > DETECT_SAMPLE_BYTES ? bytes.subarray(0, DETECT_SAMPLE_BYTES) : bytes
  let matches: { name: string; confidence: number }[] = []
  chardetAnalyse ??= (createRequire(import.meta.url)('chardet') as { analyse: typeof analyse }).analyse
  try {
    matches = chardetAnalyse(sample)
  } catch {
    matches = []
  }
  for (const m of matches) {
    const name = normalizeCharset(m.name)
    if (name !== null && name !== 'utf-8') return name
  }
  return 'windows-1252'
}

/** Decodes bytes with a canonical charset name; iconv-lite first, the platform decoder for what it lacks. */
export function decodeWith(bytes: Uint8Array, charset: string): string {
  // Valid UTF-8 (most of the web) straight to a string: iconv-lite would copy a body that is not a Buffer and
  // go through a StringDecoder. Same text, including iconv-lite's removal of a leading U+FEFF. Invalid bytes
  // keep iconv-lite's decoding, whose replacement characters are what the index holds.
  if (charset === 'utf-8' && isUtf8(bytes)) {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  }
  const codec = ICONV_CODEC[charset] ?? charset
  if (iconv.encodingExists(codec)) return iconv.decode(bytes, codec)
  try {
    // iso-2022-jp and x-user-defined: WHATWG encodings iconv-lite does not implement.
    return new TextDecoder(charset).decode(bytes)
  } catch {
    return iconv.decode(bytes, 'windows-1252')
  }
}

export interface DecodedText {
  text: string
  charset: string
  source: CharsetSource
}

/**
 * Decodes a body to text, choosing the charset as described at the top of this file. `html` enables the <meta>
 * prescan (a text/plain body has no markup to trust). Never throws.
 */
export function decodeToText(bytes: Uint8Array, httpCharset: string | null, html: boolean): DecodedText {
  const bom = sniffBom(bytes)
  if (bom !== null) {
    return { text: decodeWith(bytes.subarray(bom.length), bom.charset), charset: bom.charset, source: 'bom' }
  }
  let charset = normalizeCharset(httpCharset)
  let source: CharsetSource = 'http'
  if (charset === null && html) {
    charset = normalizeCharset(prescanMetaCharset(bytes))
    source = 'meta'
    // A <meta> that could be read as ASCII cannot be telling the truth about UTF-16 (WHATWG says: use UTF-8).
    if (charset === 'utf-16le' || charset === 'utf-16be') charset = 'utf-8'
  }
  if (charset === null) {
    charset = normalizeCharset(xmlDeclarationCharset(bytes))
    source = 'xml-declaration'
    if (charset === 'utf-16le' || charset === 'utf-16be') charset = 'utf-8'
  }
  if (charset === null) {
    charset = detectCharset(bytes)
    return { text: decodeWith(bytes, charset), charset, source: 'detected' }
  }
  const text = decodeWith(bytes, charset)
  if (isMostlyReplaced(text)) {
    const detected = detectCharset(bytes)
    if (detected !== charset) {
      const retry = decodeWith(bytes, detected)
      if (countReplacements(retry) * 4 < countReplacements(text)) return { text: retry, charset: detected, source: 'detected' }
    }
  }
  return { text, charset, source }
}

/** Replacement characters (U+FFFD) in the first 64K characters. */
function countReplacements(text: string): number {
  let n = 0
  const end = Math.min(text.length, 65536)
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 0xfffd) n++
  return n
}

/** True when at least 16 characters and over a third of the non-ASCII ones in the sample are U+FFFD. */
function isMostlyReplaced(text: string): boolean {
  if (!text.includes('\ufffd')) return false // a native search: most pages have none
  let replaced = 0
  let nonAscii = 0
  const end = Math.min(text.length, 65536)
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) continue
    nonAscii++
    if (c === 0xfffd) replaced++
  }
  return replaced >= 16 && replaced * 3 > nonAscii
}
