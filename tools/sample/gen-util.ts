// Small deterministic helpers shared by the sample crawl generator and tools/make-crawl.ts: a seeded PRNG, tiny
// valid PNGs built without a compressor (so their bytes never depend on the zlib build), slugs and HTML escaping.

import zlib from 'node:zlib'

/** 32-bit FNV-1a of a string (UTF-16 code units), for deriving PRNG seeds from names. */
export function hash32(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** sfc32: a small fast PRNG with a 128-bit state; same seed, same sequence, on every platform. */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: string | number) {
    const s = String(seed)
    this.a = hash32('a:' + s)
    this.b = hash32('b:' + s)
    this.c = hash32('c:' + s)
    this.d = 1
    for (let i = 0; i < 12; i++) this.u32()
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296
  }

  /** Integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from empty list')
    return xs[Math.floor(this.next() * xs.length)]
  }

  /** k distinct elements in random order (all of them if k >= length). */
  sample<T>(xs: readonly T[], k: number): T[] {
    const a = xs.slice()
    const n = Math.min(k, a.length)
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (a.length - i))
      const t = a[i]
      a[i] = a[j]
      a[j] = t
    }
    return a.slice(0, n)
  }
}

/** ASCII slug of a title: lower case, words joined by '-', at most maxWords words. */
export function slugify(s: string, maxWords = 8): string {
  const words = s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
  return words.slice(0, maxWords).join('-') || 'page'
}

/**
 * Escapes & < > " for generated pages (not ' : the committed sample's bytes depend on it). The search page's
 * escaping is index-core/query/highlight.ts's escapeHtml.
 */
export function escapeMarkup(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length)
  const dv = new DataView(out.buffer)
  dv.setUint32(0, data.length)
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i)
  out.set(data, 8)
  dv.setUint32(8 + data.length, zlib.crc32(out.subarray(4, 8 + data.length)) >>> 0)
  return out
}

function adler32(data: Uint8Array): number {
  let a = 1
  let b = 0
  for (const x of data) {
    a = (a + x) % 65521
    b = (b + a) % 65521
  }
  return ((b << 16) | a) >>> 0
}

/**
 * A valid w x h RGB PNG whose pixels come from `pixel(x, y)` (returns [r, g, b]). The image data is written as
 * stored (uncompressed) deflate blocks, so the bytes are the same with any zlib; keep images tiny (w*h*3 < 65 KB).
 */
export function makePng(w: number, h: number, pixel: (x: number, y: number) => [number, number, number]): Uint8Array {
  const raw = new Uint8Array(h * (1 + w * 3))
  let o = 0
  for (let y = 0; y < h; y++) {
    raw[o++] = 0 // filter: none
    for (let x = 0; x < w; x++) {
      const [r, g, b] = pixel(x, y)
      raw[o++] = r
      raw[o++] = g
      raw[o++] = b
    }
  }
  if (raw.length > 0xffff) throw new Error('makePng: image too large for one stored block')
  const z = new Uint8Array(2 + 5 + raw.length + 4)
  z.set([0x78, 0x01, 0x01, raw.length & 0xff, raw.length >> 8, ~raw.length & 0xff, (~raw.length >> 8) & 0xff], 0)
  z.set(raw, 7)
  new DataView(z.buffer).setUint32(7 + raw.length, adler32(raw))
  const ihdr = new Uint8Array(13)
  const dv = new DataView(ihdr.buffer)
  dv.setUint32(0, w)
  dv.setUint32(4, h)
  ihdr.set([8, 2, 0, 0, 0], 8) // 8-bit, truecolour, deflate, adaptive filtering, no interlace
  const sig = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  const parts = [sig, chunk('IHDR', ihdr), chunk('IDAT', z), chunk('IEND', new Uint8Array(0))]
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let p = 0
  for (const part of parts) {
    out.set(part, p)
    p += part.length
  }
  return out
}

/** A Date at `ms` since the epoch, rounded down to the second. */
export function dateAt(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000)
}

/** Milliseconds since the epoch of a UTC calendar date. */
export function utc(y: number, m = 1, d = 1, hh = 0, mm = 0, ss = 0): number {
  return Date.UTC(y, m - 1, d, hh, mm, ss)
}
