// Turns a byte source into a stream of data chunks annotated with gzip member boundaries. The WARC parser needs
// the boundaries because a record's offset/length in a .warc.gz are those of its gzip member(s). node:zlib's Gunzip
// hides them, so each member is parsed here: header by hand, deflate data with a raw inflater whose bytesWritten
// tells exactly where the member's deflate stream ended, then the 8-byte trailer (CRC32 + size) checked by hand.

import zlib from 'node:zlib'
import type { Transform } from 'node:stream'
import { READ_SIZE, type ByteSource } from './source.ts'
import { isWarcMagic } from './detect.ts'
import type { SkipReason } from './types.ts'

export type StreamEvent =
  | { kind: 'data'; data: Uint8Array }
  /** A member (or, for plain input, the whole file) starts at raw offset `offset`. */
  | { kind: 'member-start'; offset: number }
  /** The current member ended; `end` is the raw offset just past its trailer. ok=false: CRC or size mismatch. */
  | { kind: 'member-end'; end: number; ok: boolean; detail: string }
  /** The data stream is interrupted at raw `offset`. Later events (if any) resume at a later member. */
  | { kind: 'error'; reason: SkipReason; offset: number; detail: string }

/** Plain input: one pseudo-member spanning the file. */
export async function* plainEvents(src: ByteSource): AsyncGenerator<StreamEvent> {
  yield { kind: 'member-start', offset: 0 }
  let pos = 0
  for (;;) {
    const chunk = await src.read(pos, READ_SIZE)
    if (chunk.length === 0) break
    pos += chunk.length
    yield { kind: 'data', data: chunk }
  }
  yield { kind: 'member-end', end: pos, ok: true, detail: '' }
}

const FHCRC = 2
const FEXTRA = 4
const FNAME = 8
const FCOMMENT = 16
const MAX_HEADER = 64 * 1024
const FAST_INPUT = 128 * 1024
const FAST_OUTPUT = 4 * 1024 * 1024

type HeaderResult = { kind: 'ok'; length: number } | { kind: 'eof' } | { kind: 'not-gzip' } | { kind: 'truncated' }

function looksLikeGzipStart(b: Uint8Array, i: number): boolean {
  return b[i] === 0x1f && b[i + 1] === 0x8b && b[i + 2] === 8 && (i + 3 >= b.length || (b[i + 3] & 0xe0) === 0)
}

/** Parses the gzip member header at `pos` (RFC 1952 section 2.3). */
async function readHeader(src: ByteSource, pos: number): Promise<HeaderResult> {
  let buf = await src.read(pos, 4096)
  if (buf.length === 0) return { kind: 'eof' }
  // Get enough bytes for the variable-length fields (FEXTRA, zero-terminated FNAME/FCOMMENT).
  const need = async (n: number): Promise<boolean> => {
    while (buf.length < n && buf.length < MAX_HEADER) {
      const more = await src.read(pos + buf.length, Math.max(4096, n - buf.length))
      if (more.length === 0) return false
      const joined = new Uint8Array(buf.length + more.length)
      joined.set(buf)
      joined.set(more, buf.length)
      buf = joined
    }
    return buf.length >= n
  }
  if (!(await need(10))) {
    return buf[0] === 0x1f && (buf.length < 2 || buf[1] === 0x8b) ? { kind: 'truncated' } : { kind: 'not-gzip' }
  }
  if (buf[0] !== 0x1f || buf[1] !== 0x8b || buf[2] !== 8 || (buf[3] & 0xe0) !== 0) return { kind: 'not-gzip' }
  const flags = buf[3]
  let p = 10
  if (flags & FEXTRA) {
    if (!(await need(p + 2))) return { kind: 'truncated' }
    p += 2 + (buf[p] | (buf[p + 1] << 8))
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue
    for (;;) {
      if (!(await need(p + 1))) return buf.length >= MAX_HEADER ? { kind: 'not-gzip' } : { kind: 'truncated' }
      if (buf[p++] === 0) break
    }
  }
  if (flags & FHCRC) p += 2
  if (!(await need(p))) return { kind: 'truncated' }
  return { kind: 'ok', length: p }
}

/** Reads until at least `min` bytes (or the end) are available at `pos`. */
async function readAtLeast(src: ByteSource, pos: number, min: number, len: number): Promise<Uint8Array> {
  let buf = await src.read(pos, len)
  while (buf.length > 0 && buf.length < min) {
    const more = await src.read(pos + buf.length, len)
    if (more.length === 0) break
    const j = new Uint8Array(buf.length + more.length)
    j.set(buf)
    j.set(more, buf.length)
    buf = j
  }
  return buf
}

/** Raw offset of the next plausible gzip member header at or after `from`, or -1. */
async function scanForMember(src: ByteSource, from: number): Promise<number> {
  let pos = from
  for (;;) {
    const buf = await readAtLeast(src, pos, 4, READ_SIZE)
    if (buf.length < 3) return -1
    for (let i = buf.indexOf(0x1f); i >= 0 && i + 3 <= buf.length; i = buf.indexOf(0x1f, i + 1)) {
      if (looksLikeGzipStart(buf, i)) return pos + i
    }
    // Overlap by 3 bytes: a header may straddle the window boundary.
    pos += buf.length - 3
    if (buf.length === 3) return -1
  }
}

/** Resolves when the stream emits any of the events; never hangs on a destroyed stream because 'close' always fires. */
function onceAny(stream: Transform, events: string[]): Promise<string> {
  return new Promise(resolve => {
    const handlers: [string, () => void][] = []
    const done = (ev: string) => {
      for (const [e, h] of handlers) stream.off(e, h)
      resolve(ev)
    }
    for (const e of events) {
      const h = () => done(e)
      handlers.push([e, h])
      stream.once(e, h)
    }
  })
}

function writeAndWait(stream: Transform, chunk: Uint8Array): Promise<void> {
  return new Promise(resolve => {
    let settled = false
    const finish = () => {
      if (settled) return
      settled = true
      stream.off('error', finish)
      stream.off('close', finish)
      resolve()
    }
    stream.once('error', finish)
    stream.once('close', finish)
    stream.write(chunk, () => finish())
  })
}

type InflateOutcome =
  | { kind: 'ok'; deflateEnd: number; crc: number; size: number }
  | { kind: 'truncated'; detail: string }
  | { kind: 'corrupt'; detail: string; produced: number }

/**
 * Inflates the deflate stream starting at raw `start`, handing each output chunk to `emit`. The raw inflater stops
 * at the end of the deflate stream and ignores whatever follows, and bytesWritten then says how much it consumed.
 */
async function* inflateMember(src: ByteSource, start: number): AsyncGenerator<Uint8Array, InflateOutcome> {
  // Fast path: most members are small and already sit in the block read from disk; one synchronous call inflates
  // them and reports (bytesWritten) where the deflate data ended. Anything else takes the streaming path below.
  const avail = await src.read(start, FAST_INPUT)
  if (avail.length > 0) {
    try {
      const r = zlib.inflateRawSync(avail, { info: true, maxOutputLength: FAST_OUTPUT }) as unknown as {
        buffer: Buffer
        engine: { bytesWritten: number }
      }
      if (r.buffer.length > 0) yield r.buffer
      return { kind: 'ok', deflateEnd: start + r.engine.bytesWritten, crc: zlib.crc32(r.buffer) >>> 0, size: r.buffer.length }
    } catch {
      // Cut off within `avail`, too big, or damaged: the streaming path sorts out which.
    }
  }
  const inf = zlib.createInflateRaw({ chunkSize: READ_SIZE })
  const out: Buffer[] = []
  let error: Error | null = null
  let ended = false
  inf.on('data', (c: Buffer) => out.push(c))
  inf.on('error', (e: Error) => {
    error = e
  })
  inf.on('end', () => {
    ended = true
  })
  let fed = 0
  let crc = 0
  let size = 0
  let produced = 0
  const drain = function* (): Generator<Uint8Array> {
    while (out.length > 0) {
      const c = out.shift()!
      crc = zlib.crc32(c, crc)
      size += c.length
      produced += c.length
      yield c
    }
  }
  try {
    while (!ended && !error) {
      // Small writes bound the output one write can produce (a deflate bomb expands ~1000x).
      const chunk = await src.read(start + fed, 16 * 1024)
      if (chunk.length === 0) {
        const finished = onceAny(inf, ['end', 'error', 'close'])
        inf.end()
        await finished
        yield* drain()
        break
      }
      fed += chunk.length
      await writeAndWait(inf, chunk)
      yield* drain()
      if (!error && inf.bytesWritten < fed) {
        // The inflater refused input: its deflate stream is complete. Wait for 'end' so all output is delivered.
        if (!ended) await onceAny(inf, ['end', 'error', 'close'])
        yield* drain()
        break
      }
    }
    if (error) {
      const e = error as NodeJS.ErrnoException
      if (e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message)) {
        return { kind: 'truncated', detail: `gzip data ends inside the deflate stream (${e.message})` }
      }
      return { kind: 'corrupt', detail: `invalid deflate data: ${e.message}`, produced }
    }
    return { kind: 'ok', deflateEnd: start + inf.bytesWritten, crc: crc >>> 0, size: size >>> 0 }
  } finally {
    inf.removeAllListeners('data')
    inf.on('error', () => {})
    inf.destroy()
  }
}

/**
 * Gzip input: emits member-start, data..., member-end for each member. Damage is reported as an 'error' event and
 * the stream resumes at the next plausible member (seekable sources) or at the current read position.
 */
export async function* gzipEvents(src: ByteSource): AsyncGenerator<StreamEvent> {
  let pos = 0
  // Set when `pos` was found by scanning after damage: such a candidate must decompress to something that starts
  // like a WARC record before it is believed, or random 1f 8b 08 bytes inside compressed data would be "members".
  let scanned = false
  for (;;) {
    const hdr = await readHeader(src, pos)
    if (hdr.kind === 'eof') return
    if (hdr.kind === 'truncated') {
      yield { kind: 'error', reason: 'truncated-gzip', offset: pos, detail: 'gzip stream ends inside a member header' }
      return
    }
    if (hdr.kind === 'not-gzip') {
      const next = await scanForMember(src, pos + 1)
      const end = next >= 0 ? next : (src.size ?? src.furthest)
      if (!scanned) {
        yield {
          kind: 'error',
          reason: 'junk-between-records',
          offset: pos,
          detail: `${end - pos} bytes that are not a gzip member`
        }
      }
      if (next < 0) return
      pos = next
      scanned = true
      continue
    }

    const dataStart = pos + hdr.length
    const gen = inflateMember(src, dataStart)
    let outcome: InflateOutcome | null = null
    let started = false
    let pending: Uint8Array[] = []
    let pendingLen = 0
    try {
      for (;;) {
        const r = await gen.next()
        if (r.done) {
          outcome = r.value
          break
        }
        if (!started) {
          if (scanned) {
            // Hold output back until we can see whether it looks like a WARC record.
            pending.push(r.value)
            pendingLen += r.value.length
            if (pendingLen < 16) continue
            if (!plausibleWarcStart(pending)) {
              outcome = { kind: 'corrupt', detail: 'false gzip header', produced: 0 }
              break
            }
          }
          started = true
          yield { kind: 'member-start', offset: pos }
          for (const p of pending) yield { kind: 'data', data: p }
          pending = []
          if (!scanned) yield { kind: 'data', data: r.value }
          continue
        }
        yield { kind: 'data', data: r.value }
      }
    } finally {
      // Closes the inflater when we stop early or our consumer stops early.
      await gen.return({ kind: 'corrupt', detail: 'closed', produced: 0 })
    }

    if (outcome.kind === 'ok' && !started) {
      // Empty or tiny member: still a member.
      if (scanned && pendingLen > 0 && !plausibleWarcStart(pending)) {
        outcome = { kind: 'corrupt', detail: 'false gzip header', produced: 0 }
      } else {
        started = true
        yield { kind: 'member-start', offset: pos }
        for (const p of pending) yield { kind: 'data', data: p }
        pending = []
      }
    }

    if (outcome.kind === 'ok') {
      const t = await readAtLeast(src, outcome.deflateEnd, 8, 8)
      if (t.length < 8) {
        yield {
          kind: 'error',
          reason: 'truncated-gzip',
          offset: pos,
          detail: 'gzip member has no trailer (file ends after its deflate data)'
        }
        return
      }
      const crc = (t[0] | (t[1] << 8) | (t[2] << 16) | (t[3] << 24)) >>> 0
      const isize = (t[4] | (t[5] << 8) | (t[6] << 16) | (t[7] << 24)) >>> 0
      const ok = crc === outcome.crc && isize === outcome.size
      const detail = ok ? '' : `gzip member CRC/size mismatch (crc ${crc} vs ${outcome.crc}, size ${isize} vs ${outcome.size})`
      yield { kind: 'member-end', end: outcome.deflateEnd + 8, ok, detail }
      pos = outcome.deflateEnd + 8
      scanned = false
      continue
    }

    if (outcome.kind === 'truncated') {
      yield { kind: 'error', reason: 'truncated-gzip', offset: pos, detail: outcome.detail }
      return
    }

    // Corrupt member: report it (unless it was only a false candidate found while scanning) and look further on.
    if (started || !scanned) {
      yield { kind: 'error', reason: 'corrupt-gzip', offset: pos, detail: outcome.detail }
    }
    let from = pos + 1
    if (!src.seekable) from = Math.max(from, src.furthest)
    const next = await scanForMember(src, from)
    if (next < 0) return
    pos = next
    scanned = true
  }
}

function plausibleWarcStart(parts: Uint8Array[]): boolean {
  const all = parts.length === 1 ? parts[0] : Buffer.concat(parts)
  let i = 0
  while (i < all.length && (all[i] === 0x0d || all[i] === 0x0a)) i++
  return i >= all.length || isWarcMagic(all, i) || (all.length - i < 5 && all[i] === 0x57)
}
