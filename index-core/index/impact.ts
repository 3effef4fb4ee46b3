// Scoring: BM25F with the index's own average field lengths, computed at query time, and the impact byte
// that orders a term's postings so that a query can stop reading a long list early (query/top-k.ts).
//
// A posting stores, besides its term frequencies, one length norm byte per field that holds the term: the
// field's length in tokens, encoded as Lucene encodes norms (SmallFloat.intToByte4: exact below 24, then
// four significant bits). A query scores a posting with the collection's average lengths, which the docs
// tree sums exactly (index-ops.ts docStats): so a merged index scores as if its documents had been indexed
// together, whatever the order or grouping of ingests and merges.
//
//   T(avg) = Σ over fields f of  weight_f · tf_f / (1 - b + b · norm_f / avg_f)    (BM25F pseudo-frequency)
//   score  = idf · (k1 + 1) · T / (T + k1)
//
// The impact byte in the posting key depends on the document alone (two institutions index a page into one
// key, and a merge never rewrites a posting): it is the same formula against fixed pivot lengths,
//   impact = min(255, floor(256 · T(pivots) / (T(pivots) + k1)))
// It only orders postings. Because T(avg) ≤ T(pivots) · max over f of max(1, avg_f / pivot_f) (each field's
// normaliser changes by at most that factor), a list whose next impact is q holds no posting that scores
// above bound(q): the bound early termination needs, exact for every collection.

import { FIELD_COUNT } from './schema.ts'
import { decodeTfs } from './posting-codec.ts'

export interface ScoringSettings {
  readonly k1: number
  /** Length normalisation per field (title, body, url). */
  readonly b: readonly number[]
  /** Weight per field (title, body, url). */
  readonly weights: readonly number[]
  /** Lengths the impact byte normalises by (title, body, url tokens): they order postings, never score them. */
  readonly pivots: readonly number[]
}

/**
 * Lucene's and Elasticsearch's default k1 and b (Robertson's 1.2 and 0.75, used unchanged across TREC and
 * BEIR), the title weighted as many Solr and Elasticsearch setups do. The pivots sit between short documents
 * (abstracts, ~100-200 tokens of body) and web pages (800-1,250), so the order of a list stays close to its
 * score order on both: changing one changes every impact, so they are part of the index format.
 */
export const SCORING: ScoringSettings = Object.freeze({
  k1: 1.2,
  b: Object.freeze([0.75, 0.75, 0.75]),
  weights: Object.freeze([2, 1, 0.5]),
  pivots: Object.freeze([10, 300, 12])
})

// ---- length norms (Lucene's SmallFloat.intToByte4 / byte4ToInt)

function longToInt4(i: number): number {
  const bits = 32 - Math.clz32(i)
  if (bits < 4) return i
  const shift = bits - 4
  return ((i >>> shift) & 0x07) | ((shift + 1) << 3)
}

function int4ToLong(i: number): number {
  const bits = i & 0x07
  const shift = (i >>> 3) - 1
  return shift === -1 ? bits : (bits | 0x08) * 2 ** shift
}

const FREE_NORMS = 255 - longToInt4(0x7fffffff)

/** A field length as one byte: exact below 24, then within 1/8 below it. */
export function lengthNorm(length: number): number {
  const n = Math.min(Math.max(0, Math.floor(length)), 0x7fffffff)
  return n < FREE_NORMS ? n : FREE_NORMS + longToInt4(n - FREE_NORMS)
}

/** A document's norm byte per field from its field lengths. */
export function lengthNorms(lengths: ArrayLike<number>): number[] {
  return [lengthNorm(lengths[0]), lengthNorm(lengths[1]), lengthNorm(lengths[2])]
}

/** The length a norm byte stands for. */
export const NORM_LENGTH: Float64Array = Float64Array.from({ length: 256 }, (_, b) => (b < FREE_NORMS ? b : FREE_NORMS + int4ToLong(b - FREE_NORMS)))

// ---- the impact byte (ingest)

/** BM25F pseudo-frequency of per-field tfs against per-field norm bytes, with the given average lengths. */
export function pseudoFrequency(tfs: ArrayLike<number>, norms: ArrayLike<number>, averages: ArrayLike<number>): number {
  let t = 0
  for (let f = 0; f < FIELD_COUNT; f++) {
    const tf = tfs[f]
    if (tf === 0) continue
    const b = SCORING.b[f]
    t += (SCORING.weights[f] * tf) / (1 - b + (b * NORM_LENGTH[norms[f]]) / averages[f])
  }
  return t
}

/**
 * Impact byte of a posting from its term frequencies per field and the document's length norms (lengthNorms of
 * its field lengths, computed once per document by the caller).
 */
export function impactOf(tfs: ArrayLike<number>, norms: ArrayLike<number>): number {
  const t = pseudoFrequency(tfs, norms, SCORING.pivots)
  const s = t / (t + SCORING.k1)
  return Math.min(255, Math.floor(256 * s))
}

// ---- scoring (queries)

/** Lucene's idf: never negative, even for a term in every document. */
export function idf(docCount: number, docFreq: number): number {
  return Math.log(1 + (docCount - docFreq + 0.5) / (docFreq + 0.5))
}

/** How one index scores: its average field lengths, and what a posting of each impact can score at most. */
export class Scorer {
  /** Average length per field (title, body, url) in tokens: the sums of the docs tree over its documents. */
  readonly averages: readonly number[]
  /** bound[q]: the most (k1 + 1) · T / (T + k1) of any posting of impact q or less. */
  readonly bound: Float64Array

  constructor(documents: number, lengthSums: readonly number[]) {
    // A field no document has any token in scores nothing; 1 keeps the arithmetic finite.
    this.averages = Object.freeze(lengthSums.map(s => (documents > 0 && s > 0 ? s / documents : 1)))
    let stretch = 1
    for (let f = 0; f < FIELD_COUNT; f++) stretch = Math.max(stretch, this.averages[f] / SCORING.pivots[f])
    const k1 = SCORING.k1
    this.bound = Float64Array.from({ length: 256 }, (_, q) => {
      if (q === 255) return k1 + 1
      // impact q means T(pivots) / (T(pivots) + k1) < (q + 1) / 256.
      const s = (q + 1) / 256
      const t = (stretch * k1 * s) / (1 - s)
      // A hair above, so rounding in the sums that use it never cuts a result.
      return Math.min(k1 + 1, (((k1 + 1) * t) / (t + k1)) * (1 + 1e-9))
    })
  }

  readonly #tfs = [0, 0, 0]
  readonly #norms = [0, 0, 0]

  /** The share of a term's idf a posting scores: (k1 + 1) · T / (T + k1); 0 for a filter posting. */
  weight(tfs: ArrayLike<number>, norms: ArrayLike<number>): number {
    const t = pseudoFrequency(tfs, norms, this.averages)
    return ((SCORING.k1 + 1) * t) / (t + SCORING.k1)
  }

  /** weight() of a posting's value. */
  postingWeight(value: Uint8Array): number {
    if (value.length === 0) return 0
    decodeTfs(value, this.#tfs, this.#norms)
    return this.weight(this.#tfs, this.#norms)
  }
}
