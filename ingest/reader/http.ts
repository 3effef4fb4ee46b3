// HTTP message parsing for response/revisit blocks: status line and headers, chunked transfer-encoding, and
// content-encoding. Lenient in the ways archived traffic needs (LF-only lines, missing reason phrases, bodies that
// were stored already dechunked/decoded while the headers still say otherwise), strict about real damage.

import zlib from 'node:zlib'
import { createHash, type Hash } from 'node:crypto'

const utf8 = new TextDecoder('utf-8', { fatal: true })
const latin1 = new TextDecoder('latin1')

/** Header bytes as text: UTF-8 when valid, else Latin-1 (lossless byte-for-char). */
export function decodeHeaderText(b: Uint8Array): { text: string; nonUtf8: boolean } {
  try {
    return { text: utf8.decode(b), nonUtf8: false }
  } catch {
    return { text: latin1.decode(b), nonUtf8: true }
  }
}

/** Splits header-block text into [name, value] pairs: names lower-cased, values trimmed, folded lines joined. */
export function parseHeaderLines(lines: string[]): { fields: [string, string][]; malformed: string[] } {
  const fields: [string, string][] = []
  const malformed: string[] = []
  for (const line of lines) {
    if (line === '') continue
    if ((line[0] === ' ' || line[0] === '\t') && fields.length > 0) {
      const last = fields[fields.length - 1]
      last[1] = (last[1] + ' ' + line.trim()).trim()
      continue
    }
    const colon = line.indexOf(':')
    const name = colon > 0 ? line.slice(0, colon).trim() : ''
    if (!name) {
      malformed.push(line)
      continue
    }
    fields.push([name.toLowerCase(), line.slice(colon + 1).trim()])
  }
  return { fields, malformed }
}

/** Splits text into lines on LF, dropping any trailing CRs (some writers emit '\r\r\n'). */
export function splitLines(text: string): string[] {
  return text.split('\n').map(l => l.replace(/\r+$/, ''))
}

export interface HttpHead {
  /** null when the block starts straight with header lines (some writers drop the status line). */
  status: number | null
  headers: [string, string][]
  nonUtf8: boolean
}

const STATUS_LINE = /^HTTP\/\d+(?:\.\d+)?\s+(\d{1,3})(?:\s|$)/i
const HEADER_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*:/

/**
 * Parses an HTTP response head (status line + headers, without the blank line). A head that starts directly with
 * a header line gets status null; anything else (no status line, no header) is null.
 */
export function parseHttpHead(bytes: Uint8Array): HttpHead | null {
  const { text, nonUtf8 } = decodeHeaderText(bytes)
  const lines = splitLines(text)
  const first = lines[0]?.trim() ?? ''
  const m = STATUS_LINE.exec(first)
  if (m) return { status: Number(m[1]), headers: parseHeaderLines(lines.slice(1)).fields, nonUtf8 }
  if (HEADER_LINE.test(first)) return { status: null, headers: parseHeaderLines(lines).fields, nonUtf8 }
  return null
}

/** The first value of header `name`, given in lower case as parseHeaderLines keeps names (extract/headers.ts joins repeats). */
export function firstHeaderValue(headers: [string, string][], name: string): string | null {
  for (const [k, v] of headers) if (k === name) return v
  return null
}

// ---------------------------------------------------------------------------------------------------------------

type ChunkState = 'size' | 'data' | 'data-end' | 'trailer' | 'done' | 'raw' | 'error'
const MAX_SIZE_LINE = 4096

/**
 * Push-based decoder for Transfer-Encoding: chunked. If the very first size line is not hex the body was stored
 * already dechunked (common in archives), so it passes the bytes through unchanged.
 */
export class Dechunker {
  state: ChunkState = 'size'
  error: string | null = null
  private line: number[] = []
  private left = 0
  private sawChunk = false
  private sawCR = false
  private readonly out: (b: Uint8Array) => void

  constructor(out: (b: Uint8Array) => void) {
    this.out = out
  }

  write(c: Uint8Array): void {
    let i = 0
    while (i < c.length) {
      switch (this.state) {
        case 'raw':
          this.out(i === 0 ? c : c.subarray(i))
          return
        case 'done':
        case 'error':
          return
        case 'data': {
          const n = Math.min(this.left, c.length - i)
          this.out(c.subarray(i, i + n))
          i += n
          this.left -= n
          if (this.left === 0) {
            this.state = 'data-end'
            this.sawCR = false
          }
          break
        }
        case 'data-end': {
          const b = c[i++]
          if (b === 0x0d && !this.sawCR) this.sawCR = true
          else if (b === 0x0a) this.state = 'size'
          else this.fail(`expected CRLF after chunk data, got byte 0x${b.toString(16)}`)
          break
        }
        case 'size':
        case 'trailer': {
          const b = c[i++]
          if (b !== 0x0a) {
            if (this.line.length >= MAX_SIZE_LINE) {
              if (this.state === 'size' && !this.sawChunk) {
                this.line.push(b)
                return this.toRaw(c, i)
              }
              this.fail('chunk size line too long')
              break
            }
            this.line.push(b)
            break
          }
          const text = String.fromCharCode(...this.line).replace(/\r$/, '')
          if (this.state === 'trailer') {
            this.line = []
            if (text === '') this.state = 'done'
            break
          }
          const m = /^\s*([0-9a-fA-F]{1,12})\s*(?:;.*)?$/.exec(text)
          if (!m) {
            if (!this.sawChunk) {
              this.line.push(b)
              return this.toRaw(c, i)
            }
            this.fail(`bad chunk size line ${JSON.stringify(text.slice(0, 40))}`)
            break
          }
          this.line = []
          this.sawChunk = true
          this.left = parseInt(m[1], 16)
          this.state = this.left === 0 ? 'trailer' : 'data'
          break
        }
      }
    }
  }

  /** Complete when the last chunk (and any trailer lines) arrived; incomplete when the data stopped early. */
  finish(): 'complete' | 'incomplete' | 'error' {
    if (this.state === 'error') return 'error'
    if (this.state === 'done' || this.state === 'raw') return 'complete'
    if (this.state === 'trailer') return 'complete' // missing final blank line after the 0 chunk: nothing lost
    if (this.state === 'size' && !this.sawChunk) {
      // Whole body was shorter than a size line: it was not chunked at all.
      if (this.line.length > 0) this.out(Uint8Array.from(this.line))
      this.state = 'raw'
      return 'complete'
    }
    return 'incomplete'
  }

  private toRaw(c: Uint8Array, i: number): void {
    // Replay the bytes held for the size line (including the byte that decided it), then pass everything through.
    this.state = 'raw'
    const held = Uint8Array.from(this.line)
    this.line = []
    if (held.length > 0) this.out(held)
    if (i < c.length) this.out(c.subarray(i))
  }

  private fail(msg: string): void {
    this.state = 'error'
    this.error = msg
  }
}

// ---------------------------------------------------------------------------------------------------------------

export function sha1(): Hash {
  return createHash('sha1')
}

// ---------------------------------------------------------------------------------------------------------------

export interface DecodeResult {
  body: Uint8Array
  /** Output was cut at the cap, or the input ended early. */
  truncated: boolean
  /** Set when the encoding could not be undone. */
  error: string | null
}

type Coding = 'gzip' | 'deflate' | 'deflate-raw' | 'br' | 'zstd'

function makeDecoder(c: Coding): NodeJS.ReadWriteStream & { destroy(): void } {
  switch (c) {
    case 'gzip':
      return zlib.createGunzip()
    case 'deflate':
      return zlib.createInflate()
    case 'deflate-raw':
      return zlib.createInflateRaw()
    case 'br':
      return zlib.createBrotliDecompress()
    case 'zstd':
      return (zlib as unknown as { createZstdDecompress(): NodeJS.ReadWriteStream & { destroy(): void } }).createZstdDecompress()
  }
}

function decodeSync(c: Coding, input: Uint8Array, cap: number): Buffer {
  const opts = { maxOutputLength: cap }
  switch (c) {
    case 'gzip':
      return zlib.gunzipSync(input, opts)
    case 'deflate':
      return zlib.inflateSync(input, opts)
    case 'deflate-raw':
      return zlib.inflateRawSync(input, opts)
    case 'br':
      return zlib.brotliDecompressSync(input, opts)
    case 'zstd':
      return (zlib as unknown as { zstdDecompressSync(b: Uint8Array, o: object): Buffer }).zstdDecompressSync(input, opts)
  }
}

/**
 * Decodes `input` with one coding, keeping at most `cap` output bytes. The common case (a complete body that fits)
 * is one synchronous call; cut, oversized or damaged input goes through a stream, which keeps partial output.
 */
async function decodeOne(c: Coding, input: Uint8Array, cap: number): Promise<DecodeResult & { produced: number }> {
  try {
    const body = decodeSync(c, input, cap)
    return { body, truncated: false, error: null, produced: body.length }
  } catch {
    return decodeStream(c, input, cap)
  }
}

function decodeStream(c: Coding, input: Uint8Array, cap: number): Promise<DecodeResult & { produced: number }> {
  return new Promise(resolve => {
    const z = makeDecoder(c)
    const parts: Uint8Array[] = []
    let size = 0
    let settled = false
    const settle = (truncated: boolean, error: string | null) => {
      if (settled) return
      settled = true
      resolve({ body: Buffer.concat(parts, size), truncated, error, produced: size })
      z.destroy()
    }
    z.on('data', (d: Buffer) => {
      if (settled) return
      const room = cap - size
      if (d.length > room) {
        parts.push(d.subarray(0, room))
        size += room
        settle(true, null)
        return
      }
      parts.push(d)
      size += d.length
    })
    z.on('end', () => settle(false, null))
    z.on('error', (e: NodeJS.ErrnoException) => {
      // A stream that just stops is a truncated body, which the caller may know about already.
      if (e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message)) settle(true, 'truncated')
      else settle(false, e.message)
    })
    z.on('close', () => settle(false, 'decoder closed'))
    z.end(input)
  })
}

function isZlibHeader(b: Uint8Array): boolean {
  return b.length >= 2 && (b[0] & 0x0f) === 8 && ((b[0] << 8) | b[1]) % 31 === 0
}

/**
 * Undoes a Content-Encoding header value (possibly a list, applied in order, so undone in reverse). A body that
 * does not start like the declared coding is taken to be stored decoded already and is returned as is.
 */
export async function decodeContent(encoding: string | null, input: Uint8Array, cap: number): Promise<DecodeResult> {
  const codings = (encoding ?? '')
    .toLowerCase()
    .split(',')
    .map(s => s.trim())
    .filter(s => s !== '' && s !== 'identity' && s !== 'none')
  let body = input
  let truncated = false
  for (let k = codings.length - 1; k >= 0; k--) {
    const name = codings[k]
    let coding: Coding
    if (name === 'gzip' || name === 'x-gzip') {
      if (!(body[0] === 0x1f && body[1] === 0x8b)) break
      coding = 'gzip'
    } else if (name === 'deflate') {
      coding = isZlibHeader(body) ? 'deflate' : 'deflate-raw'
    } else if (name === 'br') {
      coding = 'br'
    } else if (name === 'zstd') {
      if (!(body[0] === 0x28 && body[1] === 0xb5 && body[2] === 0x2f && body[3] === 0xfd)) break
      if (typeof (zlib as unknown as Record<string, unknown>).createZstdDecompress !== 'function') {
        return { body, truncated, error: 'zstd content-encoding not supported by this Node' }
      }
      coding = 'zstd'
    } else {
      return { body, truncated, error: `unsupported content-encoding ${JSON.stringify(name)}` }
    }
    if (body.length === 0) break
    const r = await decodeOne(coding, body, cap)
    if (r.error && r.error !== 'truncated') {
      // Nothing decodable at all: the body was stored decoded (deflate/br have no reliable magic to check first).
      if (r.produced === 0 && (coding === 'deflate-raw' || coding === 'deflate' || coding === 'br')) break
      return { body: r.body, truncated: true, error: `${name}: ${r.error}` }
    }
    if (r.error === 'truncated' && r.produced === 0 && coding === 'br') break
    body = r.body
    truncated = truncated || r.truncated
    if (r.error === 'truncated') return { body, truncated: true, error: 'truncated' }
  }
  return { body, truncated, error: null }
}
