// The documents a best-first read has met (top-k.ts), numbered in the order met, found by their id bytes as they
// stand in posting keys. A Map keyed by strings made one string per posting and grew its table anew for every
// query: at 100,000 pages a two-word query met ~10,000 documents, and the Map's inserts and lookups took half the
// reader's time. Here the table is open addressing over typed arrays, kept between queries (a pool: queries
// interleave at their awaits, so each holds its own while it runs).

import { randomBytes } from 'node:crypto'
import { DOC_ID_BYTES } from '../index/index.ts'

/** A per-process seed: documents made to collide in the table would have to be made for this process. */
const SEED = randomBytes(4).readInt32LE(0)

function hashId(b: Uint8Array, at: number): number {
  let h = SEED
  for (let i = 0; i < DOC_ID_BYTES; i++) h = Math.imul(h ^ b[at + i], 0x01000193)
  h ^= h >>> 15
  h = Math.imul(h, 0x2c1b3c6d)
  return (h ^ (h >>> 12)) >>> 0
}

export class DocTable {
  /** Per slot: entry + 1 when the slot holds one in this generation. */
  #slotEntry = new Int32Array(2048)
  #slotGen = new Int32Array(2048)
  /** Per entry, its id (DOC_ID_BYTES each). */
  #ids = new Uint8Array(1024 * DOC_ID_BYTES)
  #gen = 1
  #n = 0

  /** Documents added since the last reset. */
  get size(): number {
    return this.#n
  }

  /** Empties the table (its memory is kept). */
  reset(): void {
    this.#n = 0
    if (++this.#gen === 0x7fffffff) {
      this.#slotGen.fill(0)
      this.#gen = 1
    }
  }

  /** The entry of the document whose id is `b[at, at + DOC_ID_BYTES)`, or -1. */
  find(b: Uint8Array, at: number): number {
    const mask = this.#slotEntry.length - 1
    const ids = this.#ids
    for (let s = hashId(b, at) & mask; ; s = (s + 1) & mask) {
      if (this.#slotGen[s] !== this.#gen) return -1
      const e = this.#slotEntry[s] - 1
      const o = e * DOC_ID_BYTES
      let i = 0
      while (i < DOC_ID_BYTES && ids[o + i] === b[at + i]) i++
      if (i === DOC_ID_BYTES) return e
    }
  }

  /** Adds a document the table does not hold; returns its entry (the number of documents added before it). */
  add(b: Uint8Array, at: number): number {
    const e = this.#n++
    if (2 * this.#n > this.#slotEntry.length) this.#grow()
    if ((e + 1) * DOC_ID_BYTES > this.#ids.length) {
      const ids = new Uint8Array(2 * this.#ids.length)
      ids.set(this.#ids)
      this.#ids = ids
    }
    this.#ids.set(b.subarray(at, at + DOC_ID_BYTES), e * DOC_ID_BYTES)
    this.#place(e)
    return e
  }

  #place(e: number): void {
    const mask = this.#slotEntry.length - 1
    let s = hashId(this.#ids, e * DOC_ID_BYTES) & mask
    while (this.#slotGen[s] === this.#gen) s = (s + 1) & mask
    this.#slotGen[s] = this.#gen
    this.#slotEntry[s] = e + 1
  }

  #grow(): void {
    const size = 2 * this.#slotEntry.length
    this.#slotEntry = new Int32Array(size)
    this.#slotGen = new Int32Array(size)
    this.#gen = 1
    for (let e = 0; e < this.#n - 1; e++) this.#place(e)
  }
}

const pool: DocTable[] = []

/** An empty table, from the pool if one is free. */
export function takeDocTable(): DocTable {
  const t = pool.pop() ?? new DocTable()
  t.reset()
  return t
}

/** Gives a table back to the pool (a few are kept: as many as queries ran at once, at most). */
export function giveDocTable(t: DocTable): void {
  if (pool.length < 8) pool.push(t)
}
