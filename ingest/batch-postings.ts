// The postings of one analyse batch, collected for bulk: a worker sees hundreds of postings per document and
// millions per crawl, so they are kept in flat typed arrays and one byte arena rather than as objects, and
// written to the run already sorted (terms ordered once per batch, postings grouped by a counting sort).
//
// Documents must be added in document-id order (a batch's items are sorted by id): sorting a term's postings by
// impact alone, stably, then puts them in key order, and the postings of an id analysed twice side by side.

import { utf8 } from '../index-core/bytes.ts'
import type { TermCollector } from '../index-core/index/index.ts'
import { impactOf, lengthNorms, encodePositionsInto, POSTING_SUFFIX_BYTES, DOC_ID_BYTES, TERM_SEPARATOR, termHash } from '../index-core/index/index.ts'
import { varintLength, writeVarint } from '../index-core/varint.ts'
import type { EncodedSection } from './run-file.ts'

const SURROGATE = /[\ud800-\udfff]/
/** Terms kept between batches; beyond this the table starts afresh. */
const MAX_TERMS = 200_000

/**
 * The terms this worker knows, by id, in flat arrays (a token costs one Map lookup and a few array reads, not a
 * walk through objects): an id keeps its slot until the table starts afresh.
 */
const ids = new Map<string, number>()
let termText: string[] = []
let termBytes: Uint8Array[] = []
let termHashes = new Uint32Array(1024)
/** 1 when the term has no surrogates: JavaScript string order is then UTF-8 byte order. */
let termPlain = new Uint8Array(1024)
/** The document (sequence number) whose counts termCount holds. */
let termDoc = new Int32Array(1024)
/** The batch whose term list holds the term, and its slot there. */
let termBatch = new Int32Array(1024)
let termSlot = new Int32Array(1024)
/** Per term and field (3 id + field): positions in the current document, the last of them, and a cursor. */
let termCount = new Int32Array(3 * 1024)
let termLast = new Int32Array(3 * 1024)
let termAt = new Int32Array(3 * 1024)
/** The analyzer's term number → id + 1 (0: not known yet), so most tokens skip the lookup by string. */
let idOfNumber = new Int32Array(1024)
let docSeq = 0
let batchSeq = 0
/** Int32s per posting in BatchPostings' records. */
const REC = 4

/** `a`, or a copy at least twice as long when it is shorter than `size`. */
function grow<T extends Int32Array | Uint32Array | Uint8Array>(a: T, size: number): T {
  if (a.length >= size) return a
  const b = new (a.constructor as new (n: number) => T)(Math.max(size, 2 * a.length))
  b.set(a)
  return b
}

function termId(term: string): number {
  const known = ids.get(term)
  if (known !== undefined) return known
  const id = termText.length
  const bytes = utf8(term)
  termText.push(term)
  termBytes.push(bytes)
  termHashes = grow(termHashes, id + 1)
  termPlain = grow(termPlain, id + 1)
  termDoc = grow(termDoc, id + 1)
  termBatch = grow(termBatch, id + 1)
  termSlot = grow(termSlot, id + 1)
  termCount = grow(termCount, 3 * id + 3)
  termLast = grow(termLast, 3 * id + 3)
  termAt = grow(termAt, 3 * id + 3)
  termHashes[id] = termHash(bytes)
  termPlain[id] = SURROGATE.test(term) ? 0 : 1
  termDoc[id] = -1
  termBatch[id] = -1
  ids.set(term, id)
  return id
}

function forgetTerms(): void {
  ids.clear()
  termText = []
  termBytes = []
  idOfNumber.fill(0)
}

function compareValues(a: Uint8Array, ao: number, ae: number, b: Uint8Array, bo: number, be: number): number {
  const n = Math.min(ae - ao, be - bo)
  for (let i = 0; i < n; i++) if (a[ao + i] !== b[bo + i]) return a[ao + i] - b[bo + i]
  return ae - ao - (be - bo)
}

export class BatchPostings implements TermCollector {
  readonly shards: number
  readonly #batch: number
  /** The batch's terms (ids) by slot, and each one's shard. */
  readonly #terms: number[] = []
  readonly #termShard: number[] = []
  /**
   * Per posting, side by side (sorting reads them in key order, not in the order they came, so one cache line
   * per posting matters): term slot, item, where its value starts in the arena (it ends where the next
   * starts), impact.
   */
  #rec: Int32Array = new Int32Array(REC * (1 << 16))
  #n = 0
  #arena: Uint8Array = new Uint8Array(1 << 20)
  #len = 0
  /** Document ids of the items, 10 bytes each, and per item a group number shared by equal ids. */
  #ids: Uint8Array = new Uint8Array(DOC_ID_BYTES * 256)
  #group: Int32Array = new Int32Array(256)
  #items = 0
  /** Terms (ids) of the current document, in first-seen order. */
  #touched: Int32Array = new Int32Array(1024)
  #nTouched = 0
  /** The current document's tokens (term id, field, position), grouped by term and field in endItem. */
  #tokTerm: Int32Array = new Int32Array(4096)
  #tokField: Uint8Array = new Uint8Array(4096)
  #tokPos: Int32Array = new Int32Array(4096)
  #nTok = 0
  #positions: Int32Array = new Int32Array(4096)
  readonly #counts = [0, 0, 0]
  readonly #starts = [0, 0, 0]
  #doc = -1

  constructor(shards: number) {
    this.shards = shards
    if (ids.size >= MAX_TERMS) forgetTerms()
    this.#batch = ++batchSeq
  }

  /** Starts the postings of an item (a document or a capture); ids must not decrease from item to item. */
  beginItem(docId: Uint8Array): void {
    const i = this.#items++
    this.#ids = grow(this.#ids, (i + 1) * DOC_ID_BYTES)
    this.#group = grow(this.#group, i + 1)
    this.#ids.set(docId, i * DOC_ID_BYTES)
    let same = i > 0
    for (let j = 0; j < DOC_ID_BYTES && same; j++) same = this.#ids[(i - 1) * DOC_ID_BYTES + j] === docId[j]
    this.#group[i] = i === 0 ? 0 : same ? this.#group[i - 1] : this.#group[i - 1] + 1
    this.#doc = ++docSeq
    this.#nTouched = 0
    this.#nTok = 0
  }

  add(field: number, term: string, p: number, termNo: number): void {
    let id: number
    if (termNo >= 0 && termNo < idOfNumber.length && idOfNumber[termNo] !== 0) id = idOfNumber[termNo] - 1
    else {
      id = termId(term)
      if (termNo >= 0) {
        idOfNumber = grow(idOfNumber, termNo + 1)
        idOfNumber[termNo] = id + 1
      }
    }
    const c = 3 * id
    if (termDoc[id] !== this.#doc) {
      termDoc[id] = this.#doc
      termCount[c] = 0
      termCount[c + 1] = 0
      termCount[c + 2] = 0
      if (this.#nTouched === this.#touched.length) this.#touched = grow(this.#touched, 2 * this.#nTouched)
      this.#touched[this.#nTouched++] = id
    }
    const cf = c + field
    const k = termCount[cf]
    // Bigrams and unigrams can share a position, which a posting lists once.
    if (k !== 0 && termLast[cf] >= p) return
    termLast[cf] = p
    termCount[cf] = k + 1
    const t = this.#nTok++
    if (t === this.#tokTerm.length) {
      this.#tokTerm = grow(this.#tokTerm, 2 * t)
      this.#tokField = grow(this.#tokField, 2 * t)
      this.#tokPos = grow(this.#tokPos, 2 * t)
    }
    this.#tokTerm[t] = id
    this.#tokField[t] = field
    this.#tokPos[t] = p
  }

  /** Ends the item's word postings: encodes one posting per term it holds, its impact from the item's field lengths. */
  endItem(lengths: readonly number[]): void {
    // Group the tokens by term and field: each term's fields get consecutive ranges, in first-seen term order.
    const touched = this.#touched
    const nt = this.#nTouched
    let at = 0
    for (let i = 0; i < nt; i++) {
      const c = 3 * touched[i]
      for (let f = 0; f < 3; f++) {
        termAt[c + f] = at
        at += termCount[c + f]
      }
    }
    if (at > this.#positions.length) this.#positions = grow(this.#positions, at)
    const positions = this.#positions
    const tokTerm = this.#tokTerm
    const tokField = this.#tokField
    const tokPos = this.#tokPos
    for (let t = 0; t < this.#nTok; t++) positions[termAt[3 * tokTerm[t] + tokField[t]]++] = tokPos[t]
    const counts = this.#counts
    const starts = this.#starts
    const norms = lengthNorms(lengths)
    for (let i = 0; i < nt; i++) {
      const id = touched[i]
      const c = 3 * id
      let total = 0
      for (let f = 0; f < 3; f++) {
        counts[f] = termCount[c + f]
        starts[f] = termAt[c + f] - counts[f]
        total += counts[f]
      }
      // Room for the largest encoding (varints of at most 5 bytes): positions come from add(), which keeps them
      // strictly increasing, so the exact sizing pass of postingSize is not needed.
      this.#room(7 + 5 * (2 + total))
      const at = this.#len
      this.#len = encodePositionsInto(this.#arena, at, counts, positions, starts, norms)
      this.#push(id, at, impactOf(counts, norms))
    }
    this.#nTouched = 0
    this.#nTok = 0
  }

  /** A filter posting (empty value) of the current item. */
  addFilter(term: string): void {
    this.#push(termId(term), this.#len, 0)
  }

  #room(bytes: number): void {
    this.#arena = grow(this.#arena, this.#len + bytes)
  }

  #push(id: number, valueAt: number, impact: number): void {
    if (termBatch[id] !== this.#batch) {
      termBatch[id] = this.#batch
      termSlot[id] = this.#terms.length
      this.#terms.push(id)
      this.#termShard.push(termHashes[id] % this.shards)
    }
    const n = this.#n++
    if (REC * n === this.#rec.length) this.#rec = grow(this.#rec, 2 * REC * n)
    const r = REC * n
    this.#rec[r] = termSlot[id]
    this.#rec[r + 1] = this.#items - 1
    this.#rec[r + 2] = valueAt
    this.#rec[r + 3] = impact
  }

  /**
   * One run section per shard: posting entries (term ‖ 0 ‖ 255 - impact ‖ docId → value) in key order, an id
   * analysed twice in the batch into one key keeping the bytewise larger value (as every merge does).
   */
  sections(): EncodedSection[] {
    const terms = this.#terms
    const n = this.#n
    const rec = this.#rec
    const group = this.#group
    const arena = this.#arena
    const ids = this.#ids
    const len = this.#len
    const shardOfSlot = this.#termShard
    // Slots in key order: by shard, then term.
    const order = terms
      .map((_, i) => i)
      .sort((a, b) => {
        if (shardOfSlot[a] !== shardOfSlot[b]) return shardOfSlot[a] - shardOfSlot[b]
        const x = terms[a]
        const y = terms[b]
        if (termPlain[x] === 1 && termPlain[y] === 1) return termText[x] < termText[y] ? -1 : termText[x] > termText[y] ? 1 : 0
        return Buffer.compare(termBytes[x], termBytes[y])
      })
    const rank = new Int32Array(terms.length)
    for (let i = 0; i < order.length; i++) rank[order[i]] = i
    // Postings in key order: two stable counting sorts, by impact (best first) and then by term rank, so a
    // term's postings of one impact keep their (document) order.
    const byImpact = new Int32Array(n)
    const at = new Int32Array(257)
    for (let i = 0; i < n; i++) at[256 - rec[REC * i + 3]]++
    for (let b = 0; b < 256; b++) at[b + 1] += at[b]
    for (let i = 0; i < n; i++) byImpact[at[255 - rec[REC * i + 3]]++] = i
    const start = new Int32Array(order.length + 1)
    for (let i = 0; i < n; i++) start[rank[rec[REC * i]] + 1]++
    for (let r = 0; r < order.length; r++) start[r + 1] += start[r]
    const fill = start.slice(0, order.length)
    const sorted = new Int32Array(n)
    for (let x = 0; x < n; x++) {
      const i = byImpact[x]
      sorted[fill[rank[rec[REC * i]]]++] = i
    }

    // One buffer for every section, sized for every posting (duplicates included) with 4-byte value lengths.
    let size = len + 4 * n
    for (let k = 0; k < order.length; k++) {
      const keyLen = termBytes[terms[order[k]]].length + POSTING_SUFFIX_BYTES
      size += (start[k + 1] - start[k]) * (varintLength(keyLen) + keyLen)
    }
    const bytes = new Uint8Array(size)
    let o = 0
    const out: EncodedSection[] = []
    let k = 0
    for (let shard = 0; shard < this.shards; shard++) {
      const from = o
      let entries = 0
      for (; k < order.length && shardOfSlot[order[k]] === shard; k++) {
        const tb = termBytes[terms[order[k]]]
        const tl = tb.length
        const keyLen = tl + POSTING_SUFFIX_BYTES
        const last = start[k + 1]
        for (let j = start[k]; j < last; j++) {
          let i = sorted[j]
          let vo = rec[REC * i + 2]
          let ve = i + 1 < n ? rec[REC * i + REC + 2] : len
          // An id analysed twice (same document under two URLs or headers) into one key: keep the larger value.
          while (j + 1 < last && group[rec[REC * sorted[j + 1] + 1]] === group[rec[REC * i + 1]] && rec[REC * sorted[j + 1] + 3] === rec[REC * i + 3]) {
            const c = sorted[++j]
            const co = rec[REC * c + 2]
            const ce = c + 1 < n ? rec[REC * c + REC + 2] : len
            if (compareValues(arena, co, ce, arena, vo, ve) > 0) {
              i = c
              vo = co
              ve = ce
            }
          }
          if (keyLen < 0x80) bytes[o++] = keyLen
          else o = writeVarint(bytes, o, keyLen)
          if (tl > 16) {
            bytes.set(tb, o)
            o += tl
          } else for (let b = 0; b < tl; b++) bytes[o++] = tb[b]
          bytes[o++] = TERM_SEPARATOR
          bytes[o++] = 255 - rec[REC * i + 3]
          const id = rec[REC * i + 1] * DOC_ID_BYTES
          for (let b = 0; b < DOC_ID_BYTES; b++) bytes[o++] = ids[id + b]
          const vl = ve - vo
          if (vl < 0x80) bytes[o++] = vl
          else o = writeVarint(bytes, o, vl)
          if (vl > 32) {
            bytes.set(arena.subarray(vo, ve), o)
            o += vl
          } else for (let b = vo; b < ve; b++) bytes[o++] = arena[b]
          entries++
        }
      }
      out.push({ bytes: bytes.subarray(from, o), entries })
    }
    return out
  }
}
