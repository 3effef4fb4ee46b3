// A term's postings as a query evaluates them: in document order, typed arrays, each posting's score weight
// computed once with the index's own statistics (index/impact.ts Scorer).

import { keyImpact, postingFields, DOC_ID_BYTES } from '../index/index.ts'
import type { Entry } from '../prolly/index.ts'
import { docKey } from './doc-key.ts'
import type { DocKey } from './doc-key.ts'
import type { ReaderView } from './index-reader.ts'

/**
 * A term's postings, ascending by document key, read within one ReaderView: per document its key, its
 * ordinal in the view, its impact and the fields that hold the term. A document indexed under two variants
 * of its URL can hold two postings of a term (their impacts differ): the list keeps the best, as a query
 * reading the list best first meets it.
 */
export interface PostingList {
  readonly term: string
  /** Postings of the term in the index (every entry, both of a document's two if it has two): idf's df. */
  readonly df: number
  readonly docs: DocKey[]
  /** Each document's ordinal in the view the list was read in (see ReaderView). */
  readonly ords: Int32Array
  /** What each document's posting scores before idf: (k1 + 1) · T / (T + k1) (index/impact.ts Scorer). */
  readonly weights: Float64Array
  /** Fields that hold the term in each document (bit f for field f; 0 for a filter posting). */
  readonly fields: Uint8Array
  /**
   * Raw posting values (for phrase checks and snippets), packed: document i's is bytes[offsets[i] ..
   * offsets[i + 1]]. One array rather than a view per posting: a view costs more than the bytes it shows,
   * and views would keep every tree node they were read from alive.
   */
  readonly bytes: Uint8Array
  readonly offsets: Uint32Array
}

/** The raw posting value of the list's i-th document. */
export function postingValue(l: PostingList, i: number): Uint8Array {
  return l.bytes.subarray(l.offsets[i], l.offsets[i + 1])
}

/** Index of `key` among the list's documents, or -1 (binary search: they ascend by key). */
export function findDoc(l: PostingList, key: DocKey): number {
  let lo = 0
  let hi = l.docs.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (l.docs[mid] < key) lo = mid + 1
    else hi = mid
  }
  return lo < l.docs.length && l.docs[lo] === key ? lo : -1
}

/**
 * Indexes of `read` ascending by document key, the earlier first among equal keys. Entries come best impact
 * first and, within one impact, by document: a few hundred sorted runs at most, merged pairwise in
 * log2(runs) passes. Keys compare as two numbers (their first six bytes, then the other four): comparing
 * the strings, or a comparator sort, costs several times as much.
 */
export function docOrder(read: readonly Entry[]): Int32Array {
  const n = read.length
  const hi = new Float64Array(n)
  const lo = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const k = read[i].key
    const at = k.length - DOC_ID_BYTES
    hi[i] = k[at] * 2 ** 40 + k[at + 1] * 2 ** 32 + k[at + 2] * 2 ** 24 + k[at + 3] * 2 ** 16 + k[at + 4] * 2 ** 8 + k[at + 5]
    lo[i] = k[at + 6] * 2 ** 24 + k[at + 7] * 2 ** 16 + k[at + 8] * 2 ** 8 + k[at + 9]
  }
  const less = (a: number, b: number): boolean => hi[a] < hi[b] || (hi[a] === hi[b] && lo[a] < lo[b])
  let runs: number[] = [0]
  for (let i = 1; i < n; i++) if (keyImpact(read[i].key) !== keyImpact(read[i - 1].key) || less(i, i - 1)) runs.push(i)
  runs.push(n)
  let from = Int32Array.from({ length: n }, (_, i) => i)
  let to = new Int32Array(n)
  while (runs.length > 2) {
    const next: number[] = [0]
    for (let r = 0; r + 1 < runs.length; r += 2) {
      const left = runs[r]
      const mid = runs[r + 1]
      const end = r + 2 < runs.length ? runs[r + 2] : mid
      let i = left
      let j = mid
      let k = left
      // Ties keep the left run's first: it is the earlier entry, the better posting.
      while (i < mid && j < end) to[k++] = less(from[j], from[i]) ? from[j++] : from[i++]
      while (i < mid) to[k++] = from[i++]
      while (j < end) to[k++] = from[j++]
      next.push(end)
    }
    if (next[next.length - 1] !== n) next.push(n)
    runs = next
    const t = from
    from = to
    to = t
  }
  return from
}

/**
 * The posting list of `read` (entries of one term, in key order: best first), ascending by document key, a
 * document with two postings keeping the first (the better). `df`: the term's postings in the index.
 */
export function postingList(view: ReaderView, term: string, df: number, read: readonly Entry[]): PostingList {
  const keys = read.map(e => docKey(e.key.subarray(e.key.length - DOC_ID_BYTES)))
  const order = docOrder(read)
  const docs: DocKey[] = []
  const ords = new Int32Array(order.length)
  const weights = new Float64Array(order.length)
  const scorer = view.reader.scorer
  const fields = new Uint8Array(order.length)
  const offsets = new Uint32Array(order.length + 1)
  let size = 0
  for (const e of read) size += e.value.length
  const bytes = new Uint8Array(size)
  let n = 0
  let used = 0
  for (const i of order) {
    if (n > 0 && docs[n - 1] === keys[i]) continue
    const e = read[i]
    const o = view.ord(keys[i])
    docs.push(view.keys[o])
    ords[n] = o
    weights[n] = scorer.postingWeight(e.value)
    fields[n] = postingFields(e.value)
    bytes.set(e.value, used)
    used += e.value.length
    offsets[++n] = used
  }
  // Exact-size copies when documents had two postings: the slack would otherwise stay in the cache.
  return n === order.length
    ? { term, df, docs, ords, weights, fields, bytes, offsets }
    : {
        term,
        df,
        docs,
        ords: ords.slice(0, n),
        weights: weights.slice(0, n),
        fields: fields.slice(0, n),
        bytes: bytes.slice(0, used),
        offsets: offsets.slice(0, n + 1)
      }
}
