// Sorted runs on disk: what a worker spills after analysing a batch, and what tree builds read back.
// A run holds one section per index tree; each section is a strictly ascending sequence of entries.
//   file   = 'CNRUN2\n' ‖ section data ‖ footer ‖ u32 sections ‖ u64 footer offset
//   footer = sections × (u64 offset, u64 bytes, u32 entries)
//   entry  = varint keyLength ‖ key ‖ varint valueLength ‖ value
// The footer comes last so runs can be written streaming, in memory that does not grow with their size.

import { open, writeFile } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { compareBytes } from '../index-core/bytes.ts'
import type { Entry } from '../index-core/prolly/index.ts'
import { varintLength, writeVarint } from '../index-core/varint.ts'

const MAGIC = Buffer.from('CNRUN2\n')
const FOOTER_ENTRY = 20
const TRAILER = 12
const CHUNK = 256 * 1024
const YIELD_ENTRIES = 256

export class RunFormatError extends Error {
  override name = 'RunFormatError'
}

export interface SectionInfo {
  offset: number
  bytes: number
  entries: number
}

/** Streams sections into a run file; entries of a section must come in strictly ascending key order. */
export class RunWriter {
  readonly #fh: FileHandle
  #buf = Buffer.alloc(CHUNK)
  #len = 0
  #pos = 0
  readonly #sections: SectionInfo[] = []
  #current: SectionInfo | null = null
  #last: Uint8Array | null = null

  private constructor(fh: FileHandle) {
    this.#fh = fh
  }

  static async create(path: string): Promise<RunWriter> {
    const w = new RunWriter(await open(path, 'w'))
    await w.#write(MAGIC)
    return w
  }

  async #flush(): Promise<void> {
    if (this.#len === 0) return
    await this.#fh.write(this.#buf, 0, this.#len)
    this.#len = 0
  }

  async #write(b: Uint8Array): Promise<void> {
    if (this.#len + b.length > this.#buf.length) await this.#flush()
    if (b.length > this.#buf.length) {
      await this.#fh.write(b)
      this.#pos += b.length
      return
    }
    this.#buf.set(b, this.#len)
    this.#len += b.length
    this.#pos += b.length
  }

  beginSection(): void {
    if (this.#current !== null) throw new Error('section already open')
    this.#current = { offset: this.#pos, bytes: 0, entries: 0 }
    this.#last = null
  }

  async add(e: Entry): Promise<void> {
    const s = this.#current
    if (s === null) throw new Error('no open section')
    if (this.#last !== null && compareBytes(this.#last, e.key) >= 0) throw new RangeError('run entries must be strictly ascending')
    this.#last = e.key
    const n = varintLength(e.key.length) + e.key.length + varintLength(e.value.length) + e.value.length
    if (this.#len + n > this.#buf.length) await this.#flush()
    if (n > this.#buf.length) {
      const tmp = new Uint8Array(n)
      let o = writeVarint(tmp, 0, e.key.length)
      tmp.set(e.key, o)
      o += e.key.length
      o = writeVarint(tmp, o, e.value.length)
      tmp.set(e.value, o)
      await this.#fh.write(tmp)
    } else {
      let o = writeVarint(this.#buf, this.#len, e.key.length)
      this.#buf.set(e.key, o)
      o += e.key.length
      o = writeVarint(this.#buf, o, e.value.length)
      this.#buf.set(e.value, o)
      this.#len += n
    }
    this.#pos += n
    s.bytes += n
    s.entries++
  }

  endSection(): void {
    if (this.#current === null) throw new Error('no open section')
    this.#sections.push(this.#current)
    this.#current = null
  }

  async close(): Promise<void> {
    const footerAt = this.#pos
    const f = Buffer.alloc(this.#sections.length * FOOTER_ENTRY + TRAILER)
    this.#sections.forEach((s, i) => {
      f.writeBigUInt64BE(BigInt(s.offset), i * FOOTER_ENTRY)
      f.writeBigUInt64BE(BigInt(s.bytes), i * FOOTER_ENTRY + 8)
      f.writeUInt32BE(s.entries, i * FOOTER_ENTRY + 16)
    })
    f.writeUInt32BE(this.#sections.length, f.length - TRAILER)
    f.writeBigUInt64BE(BigInt(footerAt), f.length - 8)
    await this.#write(f)
    await this.#flush()
    await this.#fh.close()
  }
}

/** Copies src into out at o; a loop beats TypedArray.set for the short keys and values of postings. */
function copyInto(out: Uint8Array, o: number, src: Uint8Array): number {
  if (src.length > 32) {
    out.set(src, o)
    return o + src.length
  }
  for (let i = 0; i < src.length; i++) out[o + i] = src[i]
  return o + src.length
}

/** A section already encoded as run entries (strictly ascending keys, the encoder's responsibility). */
export interface EncodedSection {
  readonly bytes: Uint8Array
  readonly entries: number
}

/** Encodes sorted, unique entries as a run section, checking their order. */
export function encodeSection(sec: readonly Entry[]): EncodedSection {
  let n = 0
  let last: Uint8Array | null = null
  for (const e of sec) {
    if (last !== null && compareBytes(last, e.key) >= 0) throw new RangeError('run entries must be strictly ascending')
    last = e.key
    n += varintLength(e.key.length) + e.key.length + varintLength(e.value.length) + e.value.length
  }
  const out = new Uint8Array(n)
  let o = 0
  for (const e of sec) {
    o = copyInto(out, writeVarint(out, o, e.key.length), e.key)
    o = copyInto(out, writeVarint(out, o, e.value.length), e.value)
  }
  return { bytes: out, entries: sec.length }
}

/** Writes a run from in-memory sections (entries sorted and unique, or already encoded) in one write. */
export async function writeRun(path: string, sections: ReadonlyArray<readonly Entry[] | EncodedSection>): Promise<void> {
  const encoded = sections.map(s => ('bytes' in s ? s : encodeSection(s)))
  let size = MAGIC.length + encoded.length * FOOTER_ENTRY + TRAILER
  for (const s of encoded) size += s.bytes.length
  const out = Buffer.allocUnsafe(size)
  out.set(MAGIC)
  let o = MAGIC.length
  const infos: SectionInfo[] = []
  for (const s of encoded) {
    infos.push({ offset: o, bytes: s.bytes.length, entries: s.entries })
    out.set(s.bytes, o)
    o += s.bytes.length
  }
  const footerAt = o
  infos.forEach((s, i) => {
    out.writeBigUInt64BE(BigInt(s.offset), o + i * FOOTER_ENTRY)
    out.writeBigUInt64BE(BigInt(s.bytes), o + i * FOOTER_ENTRY + 8)
    out.writeUInt32BE(s.entries, o + i * FOOTER_ENTRY + 16)
  })
  o += infos.length * FOOTER_ENTRY
  out.writeUInt32BE(infos.length, o)
  out.writeBigUInt64BE(BigInt(footerAt), o + 4)
  await writeFile(path, out)
}

/** Sorts entries by key and keeps one entry per key, chosen by `resolve`. */
export function sortUnique(entries: Entry[], resolve: (k: Uint8Array, a: Uint8Array, b: Uint8Array) => Uint8Array): Entry[] {
  // Buffer.compare is native memcmp: several times faster than a byte loop for the many sorts of ingest.
  entries.sort((a, b) => Buffer.compare(a.key, b.key))
  const out: Entry[] = []
  for (const e of entries) {
    const last = out.at(-1)
    if (last !== undefined && compareBytes(last.key, e.key) === 0) out[out.length - 1] = { key: e.key, value: resolve(e.key, last.value, e.value) }
    else out.push(e)
  }
  return out
}

export async function readRunHeader(fh: FileHandle): Promise<SectionInfo[]> {
  const { size } = await fh.stat()
  const magic = Buffer.alloc(MAGIC.length)
  await fh.read(magic, 0, magic.length, 0)
  if (size < MAGIC.length + TRAILER || !magic.equals(MAGIC)) throw new RunFormatError('not a run file')
  const t = Buffer.alloc(TRAILER)
  await fh.read(t, 0, TRAILER, size - TRAILER)
  const n = t.readUInt32BE(0)
  const at = Number(t.readBigUInt64BE(4))
  if (at + n * FOOTER_ENTRY + TRAILER !== size) throw new RunFormatError('run footer malformed')
  const table = Buffer.alloc(n * FOOTER_ENTRY)
  await fh.read(table, 0, table.length, at)
  return Array.from({ length: n }, (_, i) => ({
    offset: Number(table.readBigUInt64BE(i * FOOTER_ENTRY)),
    bytes: Number(table.readBigUInt64BE(i * FOOTER_ENTRY + 8)),
    entries: table.readUInt32BE(i * FOOTER_ENTRY + 16)
  }))
}

/** Streams one section of a run in batches of entries, reading the file in chunks. */
export async function* readSection(path: string, section: number): AsyncGenerator<Entry[]> {
  const fh = await open(path, 'r')
  try {
    const info = (await readRunHeader(fh))[section]
    if (info === undefined) throw new RunFormatError(`run has no section ${section}`)
    let carry = new Uint8Array(0)
    let fileOff = info.offset
    const end = info.offset + info.bytes
    let left = info.entries
    while (left > 0) {
      const take = Math.min(CHUNK, end - fileOff)
      if (take <= 0) throw new RunFormatError('run file truncated')
      const buf = new Uint8Array(carry.length + take)
      buf.set(carry)
      const { bytesRead } = await fh.read(buf, carry.length, take, fileOff)
      if (bytesRead !== take) throw new RunFormatError('run file truncated')
      fileOff += take
      // Decode every whole entry in the buffer, handing them out a few at a time (a merge holds the current
      // batch of every run: small batches die young instead of filling the old generation); keep the partial
      // tail for the next chunk.
      let batch: Entry[] = []
      let pos = 0
      while (left > 0) {
        if (batch.length === YIELD_ENTRIES) {
          yield batch
          batch = []
        }
        const start = pos
        let kl = 0
        let mul = 1
        let b = 0x80
        while ((b & 0x80) !== 0 && pos < buf.length) {
          b = buf[pos++]
          kl += (b & 0x7f) * mul
          mul *= 128
        }
        if ((b & 0x80) !== 0 || pos + kl > buf.length) {
          pos = start
          break
        }
        const key = buf.subarray(pos, pos + kl)
        pos += kl
        let vl = 0
        mul = 1
        b = 0x80
        while ((b & 0x80) !== 0 && pos < buf.length) {
          b = buf[pos++]
          vl += (b & 0x7f) * mul
          mul *= 128
        }
        if ((b & 0x80) !== 0 || pos + vl > buf.length) {
          pos = start
          break
        }
        batch.push({ key, value: buf.subarray(pos, pos + vl) })
        pos += vl
        left--
      }
      carry = buf.slice(pos)
      if (batch.length > 0) yield batch
      else if (fileOff >= end) throw new RunFormatError('run file truncated')
    }
  } finally {
    await fh.close()
  }
}
