// The month of each document's first capture in one ingest's runs, for cutting its postings into segments
// while the trees are built (index-core/index/segments.ts): read once from the runs' doc values, shared with
// the workers that build postings trees (SharedArrayBuffer: not copied per task), and looked up per posting by
// the document id that ends its key.

import { decodeDocValues, DOC_ID_BYTES, monthOf, resolverFor } from '../index-core/index/index.ts'
import { mergeSorted } from './kway.ts'
import { readSection } from './run-file.ts'

export interface DocMonthTable {
  /** Document ids, DOC_ID_BYTES each, in key order. */
  readonly ids: SharedArrayBuffer
  /** The month of each one's first capture (Int32). */
  readonly months: SharedArrayBuffer
  readonly count: number
  /** The latest of them (0 when there is none). */
  readonly latest: number
}

/** Reads the doc values section of `runs` (merged as the tree build merges them) into a table. */
export async function readDocMonths(runs: readonly string[], section: number): Promise<DocMonthTable> {
  let ids = new Uint8Array(1024 * DOC_ID_BYTES)
  let months = new Int32Array(1024)
  let n = 0
  let latest = 0
  for await (const batch of mergeSorted(
    runs.map(r => readSection(r, section)),
    resolverFor('docvalues')
  )) {
    for (const e of batch) {
      if (n === months.length) {
        const i2 = new Uint8Array(ids.length * 2)
        i2.set(ids)
        ids = i2
        const m2 = new Int32Array(months.length * 2)
        m2.set(months)
        months = m2
      }
      ids.set(e.key.subarray(0, DOC_ID_BYTES), n * DOC_ID_BYTES)
      const m = monthOf(decodeDocValues(e.value).first)
      months[n++] = m
      if (m > latest) latest = m
    }
  }
  const sIds = new SharedArrayBuffer(n * DOC_ID_BYTES)
  new Uint8Array(sIds).set(ids.subarray(0, n * DOC_ID_BYTES))
  const sMonths = new SharedArrayBuffer(n * 4)
  new Int32Array(sMonths).set(months.subarray(0, n))
  return { ids: sIds, months: sMonths, count: n, latest }
}

/**
 * Month lookup by document id: open addressing over the ids' last four bytes (a hash of URL and content,
 * doc-id.ts), so each posting costs a probe or two rather than a search.
 */
export class DocMonths {
  readonly #ids: Uint8Array
  readonly #months: Int32Array
  readonly #slots: Int32Array
  readonly #mask: number

  constructor(t: DocMonthTable) {
    this.#ids = new Uint8Array(t.ids)
    this.#months = new Int32Array(t.months)
    let size = 1024
    while (size < t.count * 2) size *= 2
    this.#slots = new Int32Array(size).fill(-1)
    this.#mask = size - 1
    for (let i = 0; i < t.count; i++) {
      let s = this.#hash(this.#ids, i * DOC_ID_BYTES)
      while (this.#slots[s] !== -1) s = (s + 1) & this.#mask
      this.#slots[s] = i
    }
  }

  #hash(b: Uint8Array, at: number): number {
    const e = at + DOC_ID_BYTES
    return ((b[e - 4] << 24) | (b[e - 3] << 16) | (b[e - 2] << 8) | b[e - 1]) & this.#mask
  }

  /** The month of the document whose id ends `key` (a posting key); 0 for a document the table lacks. */
  monthOfKey(key: Uint8Array): number {
    const at = key.length - DOC_ID_BYTES
    const ids = this.#ids
    for (let s = this.#hash(key, at); ; s = (s + 1) & this.#mask) {
      const i = this.#slots[s]
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
