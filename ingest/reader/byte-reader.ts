import { concatBytes } from '../../index-core/bytes.ts'
// A pull reader over the (decompressed) event stream: lines, blocks, look-ahead and push-back, plus the bookkeeping
// that maps uncompressed positions back to gzip members so records can be given raw offsets.

import type { StreamEvent } from './gzip-members.ts'
import { isWarcMagic } from './detect.ts'
import type { SkipReason } from './types.ts'

const EMPTY = new Uint8Array(0)
const LF = 0x0a
const CR = 0x0d
const KEEP_NEWLINES = 64 * 1024

/** A gzip member (or the single pseudo-member of a plain file) in uncompressed (u) and raw (c) coordinates. */
export interface MemberSpan {
  uStart: number
  cStart: number
  /** -1 while open. */
  uEnd: number
  cEnd: number
  closed: boolean
  /** False if the member failed its CRC/size check or was cut off by an error. */
  ok: boolean
  detail: string
}

export interface StreamError {
  reason: SkipReason
  offset: number
  detail: string
}

export class StreamReader {
  /** Uncompressed position of the next byte to be read. */
  pos = 0
  /** Members seen recently, oldest first; pruned by the parser once records no longer need them. */
  readonly members: MemberSpan[] = []
  /** Set when the event stream reported damage; reads act as end-of-data until resume(). */
  error: StreamError | null = null

  private readonly events: AsyncIterator<StreamEvent>
  private chunk: Uint8Array = EMPTY
  private off = 0
  private readonly pushed: Uint8Array[] = []
  /** Uncompressed bytes delivered by the event stream so far (where the next event happens). */
  private streamEnd = 0
  private finished = false

  constructor(events: AsyncIterator<StreamEvent>) {
    this.events = events
  }

  /** Makes at least one byte available. False at the end of data or when an error interrupts the stream. */
  async ensure(): Promise<boolean> {
    while (this.off >= this.chunk.length) {
      if (this.pushed.length > 0) {
        this.chunk = this.pushed.pop()!
        this.off = 0
        continue
      }
      if (this.error || this.finished) return false
      const r = await this.events.next()
      if (r.done) {
        this.finished = true
        return false
      }
      const ev = r.value
      switch (ev.kind) {
        case 'data':
          if (ev.data.length === 0) break
          this.chunk = ev.data
          this.off = 0
          this.streamEnd += ev.data.length
          break
        case 'member-start':
          this.members.push({
            uStart: this.streamEnd,
            cStart: ev.offset,
            uEnd: -1,
            cEnd: -1,
            closed: false,
            ok: true,
            detail: ''
          })
          break
        case 'member-end': {
          const m = this.openMember()
          if (m) {
            m.uEnd = this.streamEnd
            m.cEnd = ev.end
            m.closed = true
            m.ok = ev.ok
            m.detail = ev.detail
          }
          break
        }
        case 'error': {
          const m = this.openMember()
          if (m) {
            m.ok = false
            m.detail = ev.detail
            // Never closes: nothing after this point belongs to it.
            m.uEnd = this.streamEnd
            m.cEnd = ev.offset
          }
          this.error = { reason: ev.reason, offset: ev.offset, detail: ev.detail }
          return false
        }
      }
    }
    return true
  }

  /** Clears an error so reading continues with whatever the event stream delivers next. */
  resume(): void {
    this.error = null
  }

  private openMember(): MemberSpan | undefined {
    const m = this.members[this.members.length - 1]
    return m && !m.closed && m.uEnd < 0 ? m : undefined
  }

  /** Up to `n` bytes, consumed. Copies only when the bytes span chunks. */
  async read(n: number): Promise<Uint8Array> {
    if (!(await this.ensure())) return EMPTY
    const avail = this.chunk.length - this.off
    if (avail >= n) {
      const r = this.chunk.subarray(this.off, this.off + n)
      this.off += n
      this.pos += n
      return r
    }
    const parts: Uint8Array[] = []
    let got = 0
    while (got < n && (await this.ensure())) {
      const take = Math.min(n - got, this.chunk.length - this.off)
      parts.push(this.chunk.subarray(this.off, this.off + take))
      this.off += take
      this.pos += take
      got += take
    }
    return concat(parts, got)
  }

  /** Up to `n` bytes without consuming them. */
  async peek(n: number): Promise<Uint8Array> {
    const b = await this.read(n)
    this.unread(b)
    return b
  }

  /** Puts bytes that were just read back in front of the stream. */
  unread(b: Uint8Array): void {
    if (b.length === 0) return
    if (this.off < this.chunk.length) this.pushed.push(this.chunk.subarray(this.off))
    this.chunk = b
    this.off = 0
    this.pos -= b.length
  }

  /** The rest of the current chunk, at most `max` bytes, consumed; null at end/error. Zero-copy. */
  async readChunk(max: number): Promise<Uint8Array | null> {
    if (!(await this.ensure())) return null
    const take = Math.min(max, this.chunk.length - this.off)
    const r = this.chunk.subarray(this.off, this.off + take)
    this.off += take
    this.pos += take
    return r
  }

  /**
   * A line including its LF. `terminated` is false when `max` bytes came without an LF, or the data ended.
   */
  async readLine(max: number): Promise<{ bytes: Uint8Array; terminated: boolean }> {
    const parts: Uint8Array[] = []
    let got = 0
    while (got < max && (await this.ensure())) {
      const c = this.chunk
      const limit = Math.min(c.length, this.off + (max - got))
      const i = c.indexOf(LF, this.off)
      const end = i >= 0 && i < limit ? i + 1 : limit
      parts.push(c.subarray(this.off, end))
      got += end - this.off
      this.pos += end - this.off
      this.off = end
      if (i >= 0 && i < limit) return { bytes: concat(parts, got), terminated: true }
    }
    return { bytes: concat(parts, got), terminated: false }
  }

  /**
   * Consumes CR/LF bytes (and, if `blanks`, spaces and tabs; if `nulAfterLF`, NUL padding once a line has ended, as
   * some writers leave after a record). Returns how many, how many were LF, the last one, and the first 64 KiB of
   * them (enough to push back a separator; a longer run is never pushed back).
   */
  async skipNewlines(blanks = false, nulAfterLF = false): Promise<{ kept: Uint8Array; count: number; lfs: number; last: number }> {
    const parts: Uint8Array[] = []
    let kept = 0
    let count = 0
    let lfs = 0
    let last = -1
    while (await this.ensure()) {
      const c = this.chunk
      let i = this.off
      while (i < c.length) {
        const b = c[i]
        if (b === LF) lfs++
        else if (!(b === CR || (blanks && (b === 0x20 || b === 0x09)) || (nulAfterLF && b === 0 && lfs > 0))) break
        i++
      }
      if (i > this.off) {
        if (kept < KEEP_NEWLINES) {
          const part = c.subarray(this.off, Math.min(i, this.off + (KEEP_NEWLINES - kept)))
          parts.push(part)
          kept += part.length
        }
        last = c[i - 1]
        count += i - this.off
        this.pos += i - this.off
        this.off = i
      }
      if (i < c.length) break
    }
    return { kept: concat(parts, kept), count, lfs, last }
  }

  /** Consumes `n` bytes (or until end/error), handing them to `sink`. Returns the number consumed. */
  async pipe(n: number, sink: (chunk: Uint8Array) => void): Promise<number> {
    let left = n
    while (left > 0) {
      const c = await this.readChunk(Math.min(left, 1 << 20))
      if (c === null) break
      left -= c.length
      sink(c)
    }
    return n - left
  }

  /**
   * Skips ahead to the next place where a record can start: 'WARC/' at the start of a line or of a gzip member.
   * `prevByte` is the byte before the current position (LF if it is known to be a line start). Returns the count of
   * bytes skipped.
   */
  async scanToRecordStart(prevByte: number): Promise<number> {
    let skipped = 0
    let prev = prevByte
    outer: while (await this.ensure()) {
      const c = this.chunk
      for (let i = this.off; i < c.length; i++) {
        const b = c[i]
        if ((b === 0x57 || b === 0x77) && (prev === LF || this.memberStartsAt(this.pos + (i - this.off)))) {
          const n = i - this.off
          this.off = i
          this.pos += n
          skipped += n
          if (isWarcMagic(await this.peek(5))) return skipped
          await this.read(1)
          skipped += 1
          prev = b
          continue outer
        }
        prev = b
      }
      const n = c.length - this.off
      this.pos += n
      skipped += n
      this.off = c.length
      // A long scan can pass many gzip members; only the current one matters from here on.
      this.prune(this.pos)
    }
    return skipped
  }

  memberStartsAt(u: number): boolean {
    for (let i = this.members.length - 1; i >= 0; i--) {
      const m = this.members[i]
      if (m.uStart === u) return true
      if (m.uStart < u) return false
    }
    return false
  }

  /** The member containing uncompressed position u (the last one starting at or before it). */
  memberAt(u: number): MemberSpan | undefined {
    for (let i = this.members.length - 1; i >= 0; i--) {
      if (this.members[i].uStart <= u) return this.members[i]
    }
    return undefined
  }

  /** Index of the last member starting within [from, to], or -1. */
  memberStartIn(from: number, to: number): number {
    for (let i = this.members.length - 1; i >= 0; i--) {
      const m = this.members[i]
      if (m.uStart <= to && m.uStart >= from) return i
      if (m.uStart < from) break
    }
    return -1
  }

  /** Index of the first closed member ending within [from, to], or -1. */
  memberEndIn(from: number, to: number): number {
    for (let i = 0; i < this.members.length; i++) {
      const m = this.members[i]
      if (m.closed && m.uEnd >= from && m.uEnd <= to) return i
    }
    return -1
  }

  /** Forgets members that ended before `u` (keeping the newest). */
  prune(u: number): void {
    let k = 0
    while (k < this.members.length - 1 && this.members[k].uEnd >= 0 && this.members[k].uEnd < u) k++
    if (k > 0) this.members.splice(0, k)
  }
}

export function concat(parts: Uint8Array[], total?: number): Uint8Array {
  return parts.length === 0 ? EMPTY : concatBytes(parts, total)
}
