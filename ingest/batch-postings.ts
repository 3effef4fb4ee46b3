// The postings of one analyse batch, collected for bulk: a worker sees hundreds of postings per document and
// millions per crawl, so they are kept in flat typed arrays and one byte arena rather than as objects, and
// written to the run already sorted (terms ordered once per batch, postings grouped by a counting sort).
//
// Documents must be added in document-id order (a batch's items are sorted by id): sorting a term's postings by
// impact alone, stably, then puts them in key order, and the postings of an id analysed twice side by side.

import { utf8 } from '../index-core/bytes.ts'
import type { TermCollector } from '../index-core/index/document.ts'
import { impactOf } from '../index-core/index/impact.ts'
import { encodePostingInto, POSTING_SUFFIX_BYTES } from '../index-core/index/posting-codec.ts'
import { DOC_ID_BYTES, TERM_SEPARATOR, termHash } from '../index-core/index/schema.ts'
import { varintLength, writeVarint } from '../index-core/varint.ts'
import type { EncodedSection } from './run-file.ts'

/** A term as this worker knows it, with per-document scratch space for its positions. */
interface TermRec {
  readonly term: string
  readonly bytes: Uint8Array
  readonly hash: number
  /** No surrogates: JavaScript string order is then UTF-8 byte order. */
  readonly plain: boolean
  /** Positions per field in the current document: the first n[f] of pos[f] (arrays are reused, never shrunk). */
  readonly pos: number[][]
  readonly n: number[]
  /** The document (sequence number) the positions belong to. */
  doc: number
  /** Index in the current batch's term list, when `batch` is the current batch. */
  slot: number
  batch: number
  shard: number
}

const SURROGATE = /[\ud800-\udfff]/
/** Terms kept between batches (and their scratch arrays); beyond this the table starts afresh. */
const MAX_TERMS = 200_000

const table = new Map<string, TermRec>()
let docSeq = 0
let batchSeq = 0

function termRec (term: string): TermRec {
  let t = table.get(term)
  if (t === undefined) {
    const bytes = utf8(term)
    t = { term, bytes, hash: termHash(bytes), plain: !SURROGATE.test(term), pos: [[], [], []], n: [0, 0, 0], doc: -1, slot: -1, batch: -1, shard: 0 }
    table.set(term, t)
  }
  return t
}

function compareTerms (a: TermRec, b: TermRec): number {
  if (a.shard !== b.shard) return a.shard - b.shard
  if (a.plain && b.plain) return a.term < b.term ? -1 : a.term > b.term ? 1 : 0
  return Buffer.compare(a.bytes, b.bytes)
}

function compareValues (a: Uint8Array, ao: number, ae: number, b: Uint8Array, bo: number, be: number): number {
  const n = Math.min(ae - ao, be - bo)
  for (let i = 0; i < n; i++) if (a[ao + i] !== b[bo + i]) return a[ao + i] - b[bo + i]
  return (ae - ao) - (be - bo)
}

export class BatchPostings implements TermCollector {
  readonly shards: number
  readonly #batch: number
  /** The batch's terms, by slot. */
  readonly #terms: TermRec[] = []
  /** Per posting: term slot, item, impact, and where its value starts in the arena (it ends where the next starts). */
  #slot: Int32Array = new Int32Array(1 << 16)
  #impact: Uint8Array = new Uint8Array(1 << 16)
  #item: Int32Array = new Int32Array(1 << 16)
  #off: Int32Array = new Int32Array(1 << 16)
  #n = 0
  #arena: Uint8Array = new Uint8Array(1 << 20)
  #len = 0
  /** Document ids of the items, 10 bytes each, and per item a group number shared by equal ids. */
  #ids: Uint8Array = new Uint8Array(DOC_ID_BYTES * 256)
  #group: Int32Array = new Int32Array(256)
  #items = 0
  /** Terms of the current document. */
  readonly #touched: TermRec[] = []
  #doc = -1

  constructor (shards: number) {
    this.shards = shards
    if (table.size >= MAX_TERMS) table.clear()
    this.#batch = ++batchSeq
  }

  /** Starts the postings of an item (a document or a capture); ids must not decrease from item to item. */
  beginItem (docId: Uint8Array): void {
    const i = this.#items++
    if ((i + 1) * DOC_ID_BYTES > this.#ids.length) {
      const ids = new Uint8Array(this.#ids.length * 2); ids.set(this.#ids); this.#ids = ids
      const g = new Int32Array(this.#group.length * 2); g.set(this.#group); this.#group = g
    }
    this.#ids.set(docId, i * DOC_ID_BYTES)
    let same = i > 0
    for (let j = 0; j < DOC_ID_BYTES && same; j++) same = this.#ids[(i - 1) * DOC_ID_BYTES + j] === docId[j]
    this.#group[i] = i === 0 ? 0 : same ? this.#group[i - 1] : this.#group[i - 1] + 1
    this.#doc = ++docSeq
    this.#touched.length = 0
  }

  add (field: number, term: string, p: number): void {
    const t = termRec(term)
    const n = t.n
    if (t.doc !== this.#doc) {
      t.doc = this.#doc
      n[0] = 0; n[1] = 0; n[2] = 0
      this.#touched.push(t)
    }
    const ps = t.pos[field]
    const k = n[field]
    if (k === 0 || ps[k - 1] < p) { ps[k] = p; n[field] = k + 1 }
  }

  /** Ends the item's word postings: encodes one posting per term it holds, its impact from the item's field lengths. */
  endItem (lengths: readonly number[]): void {
    for (const t of this.#touched) {
      // Room for the largest encoding (varints of at most 5 bytes): positions come from add(), which keeps them
      // strictly increasing, so the exact sizing pass of postingSize is not needed.
      const n = t.n
      this.#room(4 + 5 * (2 + n[0] + n[1] + n[2]))
      const at = this.#len
      this.#len = encodePostingInto(t.pos, this.#arena, at, t.n)
      this.#push(t, at, impactOf(n, lengths))
    }
    this.#touched.length = 0
  }

  /** A filter posting (empty value) of the current item. */
  addFilter (term: string): void { this.#push(termRec(term), this.#len, 0) }

  #room (bytes: number): void {
    if (this.#len + bytes <= this.#arena.length) return
    let cap = this.#arena.length * 2
    while (cap < this.#len + bytes) cap *= 2
    const a = new Uint8Array(cap); a.set(this.#arena.subarray(0, this.#len)); this.#arena = a
  }

  #push (t: TermRec, valueAt: number, impact: number): void {
    if (t.batch !== this.#batch) {
      t.batch = this.#batch
      t.slot = this.#terms.length
      t.shard = t.hash % this.shards
      this.#terms.push(t)
    }
    const n = this.#n++
    if (n === this.#slot.length) {
      const grow = (a: Int32Array): Int32Array => { const b = new Int32Array(a.length * 2); b.set(a); return b }
      this.#slot = grow(this.#slot); this.#item = grow(this.#item); this.#off = grow(this.#off)
      const imp = new Uint8Array(this.#impact.length * 2); imp.set(this.#impact); this.#impact = imp
    }
    this.#impact[n] = impact
    this.#slot[n] = t.slot
    this.#item[n] = this.#items - 1
    this.#off[n] = valueAt
  }

  /**
   * One run section per shard: posting entries (term ‖ 0 ‖ 255 - impact ‖ docId → value) in key order, an id
   * analysed twice in the batch into one key keeping the bytewise larger value (as every merge does).
   */
  sections (): EncodedSection[] {
    const terms = this.#terms
    const n = this.#n
    const slot = this.#slot
    const item = this.#item
    const off = this.#off
    const group = this.#group
    const arena = this.#arena
    const ids = this.#ids
    const len = this.#len
    const order = terms.slice().sort(compareTerms)
    const rank = new Int32Array(terms.length)
    for (let i = 0; i < order.length; i++) rank[order[i].slot] = i
    // Postings in key order: two stable counting sorts, by impact (best first) and then by term rank, so a
    // term's postings of one impact keep their (document) order.
    const impact = this.#impact
    const byImpact = new Int32Array(n)
    const at = new Int32Array(257)
    for (let i = 0; i < n; i++) at[256 - impact[i]]++
    for (let b = 0; b < 256; b++) at[b + 1] += at[b]
    for (let i = 0; i < n; i++) byImpact[at[255 - impact[i]]++] = i
    const start = new Int32Array(order.length + 1)
    for (let i = 0; i < n; i++) start[rank[slot[i]] + 1]++
    for (let r = 0; r < order.length; r++) start[r + 1] += start[r]
    const fill = start.slice(0, order.length)
    const sorted = new Int32Array(n)
    for (let x = 0; x < n; x++) { const i = byImpact[x]; sorted[fill[rank[slot[i]]]++] = i }

    // One buffer for every section, sized for every posting (duplicates included) with 4-byte value lengths.
    let size = len + 4 * n
    for (let k = 0; k < order.length; k++) {
      const keyLen = order[k].bytes.length + POSTING_SUFFIX_BYTES
      size += (start[k + 1] - start[k]) * (varintLength(keyLen) + keyLen)
    }
    const bytes = new Uint8Array(size)
    let o = 0
    const out: EncodedSection[] = []
    let k = 0
    for (let shard = 0; shard < this.shards; shard++) {
      const from = o
      let entries = 0
      for (; k < order.length && order[k].shard === shard; k++) {
        const tb = order[k].bytes
        const tl = tb.length
        const keyLen = tl + POSTING_SUFFIX_BYTES
        const last = start[k + 1]
        for (let j = start[k]; j < last; j++) {
          let i = sorted[j]
          let vo = off[i]
          let ve = i + 1 < n ? off[i + 1] : len
          // An id analysed twice (same document under two URLs or headers) into one key: keep the larger value.
          while (j + 1 < last && group[item[sorted[j + 1]]] === group[item[i]] && impact[sorted[j + 1]] === impact[i]) {
            const c = sorted[++j]
            const co = off[c]
            const ce = c + 1 < n ? off[c + 1] : len
            if (compareValues(arena, co, ce, arena, vo, ve) > 0) { i = c; vo = co; ve = ce }
          }
          if (keyLen < 0x80) bytes[o++] = keyLen
          else o = writeVarint(bytes, o, keyLen)
          if (tl > 16) { bytes.set(tb, o); o += tl } else for (let b = 0; b < tl; b++) bytes[o++] = tb[b]
          bytes[o++] = TERM_SEPARATOR
          bytes[o++] = 255 - impact[i]
          const id = item[i] * DOC_ID_BYTES
          for (let b = 0; b < DOC_ID_BYTES; b++) bytes[o++] = ids[id + b]
          const vl = ve - vo
          if (vl < 0x80) bytes[o++] = vl
          else o = writeVarint(bytes, o, vl)
          if (vl > 32) { bytes.set(arena.subarray(vo, ve), o); o += vl } else for (let b = vo; b < ve; b++) bytes[o++] = arena[b]
          entries++
        }
      }
      out.push({ bytes: bytes.subarray(from, o), entries })
    }
    return out
  }
}
