// Undo HTTP transfer and content codings left in a captured body. WARC readers differ: some hand over the bytes as
// sent (chunked, gzipped), some decode them, and some crawlers (Nutch/ClueWeb) stored decoded bodies but kept the
// 'Content-Encoding: gzip' header. So a coding is undone only when the headers name it AND the bytes carry it.

import * as zlib from 'node:zlib'
import { joinedHeaderValue } from './headers.ts'

/** Cap on an inflated body: enough for any real page, small enough that a zip bomb cannot exhaust a worker. */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024

export type BodyResult = { ok: true; body: Uint8Array; decoded: string[] } | { ok: false; reason: 'bad-content-encoding' | 'too-large' }

/**
 * Returns the entity body with chunked transfer coding and content codings (gzip, deflate, br, zstd) removed when
 * they are really present. `decoded` lists what was undone, for diagnostics.
 */
export function decodeBody(body: Uint8Array, headers: readonly (readonly [string, string])[]): BodyResult {
  const decoded: string[] = []
  let bytes = body
  const te = (joinedHeaderValue(headers, 'transfer-encoding') ?? '').toLowerCase()
  if (te.includes('chunked')) {
    const dechunked = dechunk(bytes)
    if (dechunked !== null) {
      bytes = dechunked
      decoded.push('chunked')
    }
  }
  // Codings apply in header order, so they are undone in reverse. 'identity' and unknown codings are skipped.
  const codings = (joinedHeaderValue(headers, 'content-encoding') ?? '')
    .toLowerCase()
    .split(',')
    .map(s => s.trim())
    .filter(s => s !== '' && s !== 'identity')
  for (let i = codings.length - 1; i >= 0; i--) {
    const r = undoCoding(bytes, codings[i])
    if (r === 'absent') continue
    if (r === 'too-large' || r === 'corrupt') return { ok: false, reason: r === 'corrupt' ? 'bad-content-encoding' : r }
    bytes = r
    decoded.push(codings[i])
  }
  return { ok: true, body: bytes, decoded }
}

/** Inflates one coding; 'absent' when the bytes do not carry it (already decoded by the reader). */
function undoCoding(bytes: Uint8Array, coding: string): Uint8Array | 'absent' | 'corrupt' | 'too-large' {
  // Z_SYNC_FLUSH: a body cut short by the crawler still yields everything before the cut.
  const opts = { maxOutputLength: MAX_INFLATED_BYTES, finishFlush: zlib.constants.Z_SYNC_FLUSH }
  try {
    switch (coding) {
      case 'gzip':
      case 'x-gzip':
        if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return 'absent'
        return zlib.gunzipSync(bytes, opts)
      case 'deflate':
        // RFC 'deflate' is zlib-wrapped (CMF byte 0x?8 with a valid FCHECK); many servers send raw deflate instead.
        if (looksLikePlainText(bytes)) return 'absent'
        if ((bytes[0] & 0x0f) === 8 && bytes.length > 1 && ((bytes[0] << 8) | bytes[1]) % 31 === 0) {
          return zlib.inflateSync(bytes, opts)
        }
        return zlib.inflateRawSync(bytes, opts)
      case 'br':
        // Brotli has no magic number: only try when the bytes do not already look like a text document.
        if (looksLikePlainText(bytes)) return 'absent'
        return zlib.brotliDecompressSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES })
      case 'zstd': {
        if (bytes[0] !== 0x28 || bytes[1] !== 0xb5 || bytes[2] !== 0x2f || bytes[3] !== 0xfd) return 'absent'
        const zstd = (zlib as { zstdDecompressSync?: (b: Uint8Array, o: object) => Uint8Array }).zstdDecompressSync
        if (zstd === undefined) return 'corrupt'
        return zstd(bytes, { maxOutputLength: MAX_INFLATED_BYTES })
      }
      default:
        return 'absent' // compress, unknown tokens: leave the bytes alone and let sniffing judge them
    }
  } catch (e) {
    return (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'too-large' : 'corrupt'
  }
}

/** True when the body starts like text (optional BOM/whitespace then '<' or a printable ASCII run). */
function looksLikePlainText(bytes: Uint8Array): boolean {
  let i = 0
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3
  const end = Math.min(bytes.length, i + 64)
  if (end === i) return true
  for (let j = i; j < end; j++) {
    const b = bytes[j]
    if (b === 0x09 || b === 0x0a || b === 0x0d) continue
    if (b < 0x20 || b === 0x7f) return false
  }
  return true
}

/**
 * Removes chunked transfer coding. Returns null when the bytes do not start with a valid chunk header (the reader
 * already de-chunked them). A truncated stream yields the chunks that were complete plus the partial last one.
 */
export function dechunk(bytes: Uint8Array): Uint8Array | null {
  const parts: Uint8Array[] = []
  let total = 0
  let pos = 0
  let first = true
  while (pos < bytes.length) {
    // Chunk-size line: hex digits, optional ';ext', CRLF (LF tolerated).
    let lineEnd = pos
    while (lineEnd < bytes.length && bytes[lineEnd] !== 0x0a && lineEnd - pos < 1024) lineEnd++
    if (lineEnd >= bytes.length || bytes[lineEnd] !== 0x0a) break
    let size = 0
    let digits = 0
    let i = pos
    while (i < lineEnd && (bytes[i] === 0x20 || bytes[i] === 0x09)) i++
    for (; i < lineEnd; i++) {
      const v = hexValue(bytes[i])
      if (v < 0) break
      size = size * 16 + v
      digits++
      if (digits > 8) break // > 4 GiB chunk: not a chunk header
    }
    const rest = i
    const okTail = rest === lineEnd || bytes[rest] === 0x3b || bytes[rest] === 0x0d || bytes[rest] === 0x20
    if (digits === 0 || digits > 8 || !okTail) {
      if (first) return null
      break
    }
    pos = lineEnd + 1
    if (first) {
      // A decoded text body can start with a line of hex letters ('cafe'); a real first chunk is followed by
      // CRLF right after its data whenever the data is complete.
      const after = pos + size
      if (size === 0) {
        // '0\r\n\r\n' is an empty chunked body; '0' followed by anything else is text.
        for (let j = pos; j < bytes.length; j++) if (bytes[j] !== 0x0d && bytes[j] !== 0x0a) return null
        return new Uint8Array(0)
      }
      if (after < bytes.length && bytes[after] !== 0x0d && bytes[after] !== 0x0a) return null
      first = false
    }
    if (size === 0) break // last chunk; trailers ignored
    const end = Math.min(pos + size, bytes.length)
    parts.push(bytes.subarray(pos, end))
    total += end - pos
    pos = end
    // Chunk data is followed by CRLF (or LF).
    if (bytes[pos] === 0x0d) pos++
    if (bytes[pos] === 0x0a) pos++
  }
  if (first) return null
  const out = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30
  if (b >= 0x61 && b <= 0x66) return b - 0x57
  if (b >= 0x41 && b <= 0x46) return b - 0x37
  return -1
}
