// The month of each document's first capture in one ingest, for cutting its postings into segments while the
// trees are built (index-core/index/segments.ts): collected while the doc values tree is built (the one pass
// that reads them), shared with the workers that build postings trees (SharedArrayBuffer: not copied per task,
// its lookup slots made once), and looked up per posting by the document id that ends its key.

import { decodeDocValues, DOC_ID_BYTES, monthOf, MonthTally } from '../index-core/index/index.ts'
import type { MonthCounts } from '../index-core/index/index.ts'
import type { Entry } from '../index-core/prolly/index.ts'

export interface DocMonthTable {
  /** Document ids, DOC_ID_BYTES each, in key order. */
  readonly ids: SharedArrayBuffer
  /** The month of each one's first capture (Int32). */
  readonly months: SharedArrayBuffer
  /** Open addressing over the ids' last four bytes (a hash of URL and content, doc-id.ts): index + 1, 0 empty. */
  readonly slots: SharedArrayBuffer
  readonly count: number
  /** Documents per month: the ingest's month counts, which fix the cut of its postings. */
  readonly counts: MonthCounts
}

/** Gathers the table from the doc values entries as a tree build meets them (merged, in key order). */
export class DocMonthCollector {
  #ids = new Uint8Array(1024 * DOC_ID_BYTES)
  #months = new Int32Array(1024)
  #n = 0
  readonly #tally = new MonthTally()

  add(e: Entry): void {
    if (this.#n === this.#months.length) {
      const ids = new Uint8Array(this.#ids.length * 2)
      ids.set(this.#ids)
      this.#ids = ids
      const months = new Int32Array(this.#months.length * 2)
      months.set(this.#months)
      this.#months = months
    }
    this.#ids.set(e.key.subarray(0, DOC_ID_BYTES), this.#n * DOC_ID_BYTES)
    const m = monthOf(decodeDocValues(e.value).first)
    this.#months[this.#n++] = m
    this.#tally.add(m)
  }

  finish(): DocMonthTable {
    const n = this.#n
    const ids = new SharedArrayBuffer(n * DOC_ID_BYTES)
    new Uint8Array(ids).set(this.#ids.subarray(0, n * DOC_ID_BYTES))
    const months = new SharedArrayBuffer(n * 4)
    new Int32Array(months).set(this.#months.subarray(0, n))
    let size = 1024
    while (size < n * 2) size *= 2
    const slots = new SharedArrayBuffer(size * 4)
    const s = new Int32Array(slots)
    const idBytes = new Uint8Array(ids)
    for (let i = 0; i < n; i++) {
      let at = slotOf(idBytes, (i + 1) * DOC_ID_BYTES, size - 1)
      while (s[at] !== 0) at = (at + 1) & (size - 1)
      s[at] = i + 1
    }
    return { ids, months, slots, count: n, counts: this.#tally.counts() }
  }
}

/** The slot of the id ending at `end` (exclusive) in `b`: its last four bytes. */
function slotOf(b: Uint8Array, end: number, mask: number): number {
  return ((b[end - 4] << 24) | (b[end - 3] << 16) | (b[end - 2] << 8) | b[end - 1]) & mask
}

/** Month lookup by document id over a table: a probe or two per posting rather than a search. */
export class DocMonths {
  readonly #ids: Uint8Array
  readonly #months: Int32Array
  readonly #slots: Int32Array
  readonly #mask: number

  constructor(t: DocMonthTable) {
    this.#ids = new Uint8Array(t.ids)
    this.#months = new Int32Array(t.months)
    this.#slots = new Int32Array(t.slots)
    this.#mask = this.#slots.length - 1
  }

  /** The month of the document whose id ends `key` (a posting key); 0 for a document the table lacks. */
  monthOfKey(key: Uint8Array): number {
    const at = key.length - DOC_ID_BYTES
    const ids = this.#ids
    for (let s = slotOf(key, key.length, this.#mask); ; s = (s + 1) & this.#mask) {
      const i = this.#slots[s] - 1
      if (i === -1) return 0
      const o = i * DOC_ID_BYTES
      let same = true
      for (let j = 0; j < DOC_ID_BYTES; j++) {
        if (ids[o + j] !== key[at + j]) {
          same = false
          break
        }
      }
      if (same) return this.#months[i]
    }
  }
}
