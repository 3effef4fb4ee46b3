// Pack files: many blocks in one file, for the bulk writes of an ingest. One file per block costs a file
// creation (inode, directory entries, journal) per block, and an ingest writes tens of thousands of blocks;
// a pack is one sequential append. The layout holds no CIDs' codecs: blocks are found by multihash, as in
// blockstore-fs, and readers verify every block against its CID above this layer (node-store.ts).
//
//   pack    = magic ‖ block bytes, back to back ‖ index ‖ trailer
//   index   = count × (multihash 34 bytes ‖ u64 offset ‖ u32 length), sorted by multihash
//   trailer = u32 count ‖ u64 index offset ‖ magic
//
// Only sha2-256 multihashes are packed (fixed-size index records); anything else is stored as a loose file.
// A pack is written under a temporary name, fsynced and linked to its own once whole (durable-file.ts), so a
// reader never sees part of one, nor a crash a pack that HEAD names but the disk never got.

import { createHash } from 'node:crypto'
import { closeSync, fstatSync, openSync, read, readSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { threadId } from 'node:worker_threads'
import type { CID } from 'multiformats/cid'
import { compareBytes } from '../bytes.ts'
import { finishSync, makeDirDurableSync, placeSync } from './durable-file.ts'
import { UserError } from '../user-error.ts'

export const PACK_SUFFIX = '.pack'
/** A pack being written (linked to its name when whole). */
export const PACK_TMP_SUFFIX = '.tmp'
const MAGIC = new TextEncoder().encode('CNPACK1\n')
const SHA2_256 = 0x12
const MH_BYTES = 34
const RECORD = MH_BYTES + 8 + 4
const TRAILER = 4 + 8 + MAGIC.length
const WRITE_BUFFER = 1024 * 1024
const readAsync = promisify(read)

export class PackFormatError extends UserError {
  override name = 'PackFormatError'
}

/** The multihash a pack files a block under, or null when the block cannot be packed. */
export function packKey(cid: CID): Uint8Array | null {
  const mh = cid.multihash
  return mh.code === SHA2_256 && mh.bytes.length === MH_BYTES ? mh.bytes : null
}

function compareAt(a: Uint8Array, at: number, key: Uint8Array): number {
  for (let i = 0; i < MH_BYTES; i++) {
    const d = a[at + i] - key[i]
    if (d !== 0) return d
  }
  return 0
}

/** One finished pack, open for reading: its index is held in memory, its blocks are read on demand. */
export class PackReader {
  readonly path: string
  readonly count: number
  readonly size: number
  readonly #fd: number
  readonly #index: Uint8Array
  readonly #view: DataView
  /** Reads under way, and whether close() was asked: the file closes when both say so. */
  #reading = 0
  #closing = false

  private constructor(path: string, fd: number, size: number, index: Uint8Array, count: number) {
    this.path = path
    this.#fd = fd
    this.size = size
    this.#index = index
    this.#view = new DataView(index.buffer, index.byteOffset, index.byteLength)
    this.count = count
  }

  /** Opens a pack, checking its framing (not its blocks: those are checked against their CIDs when read). */
  static open(path: string): PackReader {
    const fd = openSync(path, 'r')
    try {
      const size = fstatSync(fd).size
      if (size < MAGIC.length + TRAILER) throw new PackFormatError(`${path}: too short to be a pack`)
      const t = new Uint8Array(TRAILER)
      readFully(fd, t, size - TRAILER)
      const tv = new DataView(t.buffer)
      const count = tv.getUint32(0)
      const at = Number(tv.getBigUint64(4))
      if (compareBytes(t.subarray(12), MAGIC) !== 0) throw new PackFormatError(`${path}: not a pack (bad trailer)`)
      if (at < MAGIC.length || at + count * RECORD + TRAILER !== size) throw new PackFormatError(`${path}: index does not fit the file`)
      const index = new Uint8Array(count * RECORD)
      readFully(fd, index, at)
      const reader = new PackReader(path, fd, size, index, count)
      reader.#checkIndex(at)
      return reader
    } catch (err) {
      closeSync(fd)
      throw err
    }
  }

  #checkIndex(blocksEnd: number): void {
    for (let i = 0; i < this.count; i++) {
      const off = Number(this.#view.getBigUint64(i * RECORD + MH_BYTES))
      const len = this.#view.getUint32(i * RECORD + MH_BYTES + 8)
      if (off < MAGIC.length || off + len > blocksEnd) throw new PackFormatError(`${this.path}: block ${i} lies outside the pack`)
      if (i > 0 && compareAt(this.#index, i * RECORD, this.#index.subarray((i - 1) * RECORD, (i - 1) * RECORD + MH_BYTES)) <= 0) {
        throw new PackFormatError(`${this.path}: index not sorted`)
      }
    }
  }

  /** The index of the block filed under `key`, or -1. */
  find(key: Uint8Array): number {
    let lo = 0
    let hi = this.count - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const c = compareAt(this.#index, mid * RECORD, key)
      if (c === 0) return mid
      if (c < 0) lo = mid + 1
      else hi = mid - 1
    }
    return -1
  }

  has(key: Uint8Array): boolean {
    return this.find(key) >= 0
  }

  /** The bytes of block i (found by find), read off the event loop. */
  async readAt(i: number): Promise<Uint8Array> {
    if (this.#closing) throw new Error(`${this.path}: pack closed`)
    this.#reading++
    try {
      const out = new Uint8Array(this.#view.getUint32(i * RECORD + MH_BYTES + 8))
      const at = Number(this.#view.getBigUint64(i * RECORD + MH_BYTES))
      let done = 0
      while (done < out.length) {
        const { bytesRead } = await readAsync(this.#fd, out, done, out.length - done, at + done)
        if (bytesRead === 0) throw new PackFormatError(`${this.path}: pack truncated`)
        done += bytesRead
      }
      return out
    } finally {
      if (--this.#reading === 0 && this.#closing) closeSync(this.#fd)
    }
  }

  /** Every block's multihash, in order, without reading the blocks. */
  *multihashes(): Generator<Uint8Array> {
    for (let i = 0; i < this.count; i++) yield this.#index.subarray(i * RECORD, i * RECORD + MH_BYTES)
  }

  /** Every block's multihash and bytes, in multihash order. */
  *entries(): Generator<{ multihash: Uint8Array; bytes: Uint8Array }> {
    for (let i = 0; i < this.count; i++) {
      if (this.#closing) throw new Error(`${this.path}: pack closed`)
      const out = new Uint8Array(this.#view.getUint32(i * RECORD + MH_BYTES + 8))
      readFully(this.#fd, out, Number(this.#view.getBigUint64(i * RECORD + MH_BYTES)))
      yield { multihash: this.#index.slice(i * RECORD, i * RECORD + MH_BYTES), bytes: out }
    }
  }

  /** Closes the file, once reads under way have finished (a store can drop a pack while serving). */
  close(): void {
    if (this.#closing) return
    this.#closing = true
    if (this.#reading === 0) closeSync(this.#fd)
  }
}

function readFully(fd: number, out: Uint8Array, at: number): void {
  let done = 0
  while (done < out.length) {
    const n = readSync(fd, out, done, out.length - done, at + done)
    if (n === 0) throw new PackFormatError('pack truncated')
    done += n
  }
}

let tmpSeq = 0

/**
 * Appends blocks to a new pack in `dir` with synchronous writes (for a worker thread with nothing else to do
 * meanwhile). `commit` writes the index and links the pack into place, named by the hash of its blocks'
 * multihashes, so the same blocks make the same pack; `abort` removes it.
 */
export class PackWriter {
  readonly #dir: string
  readonly #tmp: string
  readonly #fd: number
  #buf = new Uint8Array(WRITE_BUFFER)
  #len = 0
  #pos = 0
  /** Multihash (as a binary string) → [offset, length]. */
  readonly #blocks = new Map<string, [number, number]>()
  #blockBytes = 0
  #done = false

  constructor(dir: string) {
    this.#dir = dir
    makeDirDurableSync(dir)
    this.#tmp = join(dir, `.${process.pid}-${threadId}-${tmpSeq++}${PACK_TMP_SUFFIX}`)
    this.#fd = openSync(this.#tmp, 'wx+')
    this.#append(MAGIC)
  }

  get count(): number {
    return this.#blocks.size
  }
  /** Bytes of block data added. */
  get blockBytes(): number {
    return this.#blockBytes
  }

  #flush(): void {
    let done = 0
    while (done < this.#len) done += writeSync(this.#fd, this.#buf, done, this.#len - done)
    this.#len = 0
  }

  #append(b: Uint8Array): void {
    if (this.#len + b.length > this.#buf.length) this.#flush()
    if (b.length > this.#buf.length) {
      let done = 0
      while (done < b.length) done += writeSync(this.#fd, b, done, b.length - done)
    } else {
      this.#buf.set(b, this.#len)
      this.#len += b.length
    }
    this.#pos += b.length
  }

  has(key: Uint8Array): boolean {
    return this.#blocks.has(keyString(key))
  }

  /** Adds a block under its multihash (packKey); false when this pack already holds it. */
  add(key: Uint8Array, bytes: Uint8Array): boolean {
    const k = keyString(key)
    if (this.#blocks.has(k)) return false
    this.#blocks.set(k, [this.#pos, bytes.length])
    this.#append(bytes)
    this.#blockBytes += bytes.length
    return true
  }

  /** A block appended to this pack, read back. */
  get(key: Uint8Array): Uint8Array | undefined {
    const at = this.#blocks.get(keyString(key))
    if (at === undefined) return undefined
    this.#flush()
    const out = new Uint8Array(at[1])
    readFully(this.#fd, out, at[0])
    return out
  }

  /** Writes the index and puts the pack in place; returns its path, its size, and whether it was new. */
  commit(): { path: string; size: number; added: boolean } {
    if (this.#done) throw new Error('pack already finished')
    this.#done = true
    const keys = [...this.#blocks.keys()].sort()
    const index = new Uint8Array(keys.length * RECORD + TRAILER)
    const view = new DataView(index.buffer)
    keys.forEach((k, i) => {
      for (let j = 0; j < MH_BYTES; j++) index[i * RECORD + j] = k.charCodeAt(j)
      const [off, len] = this.#blocks.get(k)!
      view.setBigUint64(i * RECORD + MH_BYTES, BigInt(off))
      view.setUint32(i * RECORD + MH_BYTES + 8, len)
    })
    const t = keys.length * RECORD
    view.setUint32(t, keys.length)
    view.setBigUint64(t + 4, BigInt(this.#pos))
    index.set(MAGIC, t + 12)
    this.#append(index)
    this.#flush()
    finishSync(this.#fd)
    // Named by the set of blocks it holds, whatever their order in the file.
    const name = createHash('sha256')
    for (const k of keys) name.update(k, 'latin1')
    const path = join(this.#dir, name.digest('hex').slice(0, 32) + PACK_SUFFIX)
    // Linked, not renamed: a pack of the same blocks already there (another tree's build can make one at the
    // same moment) is kept, and this one reported as not added.
    const added = placeSync(this.#tmp, path, 'keep')
    return { path, size: this.#pos, added }
  }

  abort(): void {
    if (this.#done) return
    this.#done = true
    closeSync(this.#fd)
    rmSync(this.#tmp, { force: true })
  }
}

/** A multihash as a binary string (one char per byte): a Map key, sorting as the bytes do. */
function keyString(key: Uint8Array): string {
  return String.fromCharCode(...key)
}
