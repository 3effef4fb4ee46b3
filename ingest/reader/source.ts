// Byte sources the parsers pull from: a (slice of a) file, read by position so that gzip resynchronisation can seek
// back, or a one-way stream (a deflated WACZ entry) that can only go forward.

import type { FileHandle } from 'node:fs/promises'

export const READ_SIZE = 64 * 1024

export interface ByteSource {
  /** Total length when known. */
  readonly size: number | null
  /** Whether read() accepts positions before the furthest one already read. */
  readonly seekable: boolean
  /**
   * Between 1 and `len` bytes starting at `pos`, or an empty array at the end. Returned arrays are never reused, so
   * callers may keep them.
   */
  read(pos: number, len: number): Promise<Uint8Array>
  /** Furthest position read so far (for progress accounting). */
  readonly furthest: number
}

/** Bad data surfaced by a source (e.g. a corrupt deflated zip entry): reported as a skip, not thrown to the caller. */
export class SourceDataError extends Error {
  readonly reason: string
  constructor(reason: string, message: string) {
    super(message)
    this.reason = reason
  }
}

const CACHE_BLOCK = 1024 * 1024

/**
 * A source read through a 1 MiB block cache, so that the many small reads of the gzip layer cost one `load` per
 * block. `load(pos, len)` returns up to `len` bytes at `pos` (fewer only at the end); blocks are never written
 * after filling, so handing out subarrays of them is safe.
 */
export function cachedSource(load: (pos: number, len: number) => Promise<Uint8Array>, length: number | null): ByteSource {
  let furthest = 0
  let block: Uint8Array = new Uint8Array(0)
  let blockStart = 0
  const fill = async (pos: number): Promise<void> => {
    const len = length === null ? CACHE_BLOCK : Math.max(0, Math.min(CACHE_BLOCK, length - pos))
    block = len === 0 ? new Uint8Array(0) : await load(pos, len)
    blockStart = pos
    if (pos + block.length > furthest) furthest = pos + block.length
  }
  return {
    size: length,
    seekable: true,
    get furthest() {
      return furthest
    },
    async read(pos: number, len: number): Promise<Uint8Array> {
      if (len <= 0 || pos < 0) return new Uint8Array(0)
      const blockEnd = blockStart + block.length
      // Reload when pos is outside the block, or when the block ends short of what is asked and is not the
      // file's end (so callers get full-length reads across block boundaries).
      if (pos < blockStart || pos >= blockEnd || (blockEnd - pos < len && block.length === CACHE_BLOCK && pos > blockStart)) {
        await fill(pos)
        if (block.length === 0) return block
      }
      const from = pos - blockStart
      return block.subarray(from, Math.min(block.length, from + len))
    }
  }
}

/** A window [start, start+length) of an open file, addressed from 0. The caller owns (and closes) the handle. */
export function fileSource(fh: FileHandle, start = 0, length: number | null = null): ByteSource {
  return cachedSource(async (pos, len) => {
    const buf = Buffer.allocUnsafe(len)
    let got = 0
    // A short read only means "not yet": loop until the block is full or the file ends.
    while (got < len) {
      const { bytesRead } = await fh.read(buf, got, len - got, start + pos + got)
      if (bytesRead === 0) break
      got += bytesRead
    }
    return got === len ? buf : buf.subarray(0, got)
  }, length)
}

/**
 * A forward-only source over chunks. It keeps the previous chunk as well, so short look-backs (a gzip trailer just
 * behind the read position) work; reading further back fails with RangeError.
 */
export function streamSource(stream: AsyncIterable<Uint8Array>, size: number | null = null): ByteSource {
  const it = stream[Symbol.asyncIterator]()
  let prev: Uint8Array = new Uint8Array(0) // bytes [curStart - prev.length, curStart)
  let cur: Uint8Array = new Uint8Array(0) // bytes [curStart, curStart + cur.length)
  let curStart = 0
  let done = false
  return {
    size,
    seekable: false,
    get furthest() {
      return curStart + cur.length
    },
    async read(pos: number, len: number): Promise<Uint8Array> {
      if (pos < curStart) {
        const prevStart = curStart - prev.length
        if (pos < prevStart) throw new RangeError(`stream source cannot seek back to ${pos} (at ${curStart})`)
        const from = pos - prevStart
        return prev.subarray(from, Math.min(prev.length, from + len))
      }
      while (pos >= curStart + cur.length) {
        if (done) return new Uint8Array(0)
        let r: IteratorResult<Uint8Array>
        try {
          r = await it.next()
        } catch (e) {
          done = true
          throw new SourceDataError('unreadable-zip-entry', e instanceof Error ? e.message : String(e))
        }
        if (r.done) {
          done = true
          return new Uint8Array(0)
        }
        if (r.value.length === 0) continue
        curStart += cur.length
        prev = cur
        cur = r.value
      }
      const from = pos - curStart
      return cur.subarray(from, Math.min(cur.length, from + len))
    }
  }
}
