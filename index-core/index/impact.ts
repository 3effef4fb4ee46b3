// The impact of a term in a document: its BM25F term-frequency part, computed when the document is analysed
// and stored as one byte in the posting's key, so that a term's postings sort best first and a query can stop
// reading a long list once the rest cannot reach its top results (query/top-k.ts).
//
// The impact must depend on the document alone: two institutions index the same page into the same key,
// and a merge never rewrites a posting. So length normalisation divides by fixed pivot lengths (typical
// field lengths, part of the index format) rather than by the collection's average lengths,
// which change with every merge. The collection still weighs terms, through idf, at query time.
//
//   T      = Σ over fields f of  weight_f · tf_f / (1 - b + b · length_f / pivot_f)     (BM25F pseudo-frequency)
//   s      = T / (T + k1)                                                                    (saturation, 0 ≤ s < 1)
//   impact = min(255, floor(256 · s))
//   score  = idf · (k1 + 1) · (impact + 0.5) / 256
//
// A byte loses at most 1/512 of the largest contribution a term can make: below what separates results.

import { FIELD_COUNT } from './schema.ts'

export interface ScoringSettings {
  readonly k1: number
  /** Length normalisation per field (title, body, url). */
  readonly b: readonly number[]
  /** Weight per field (title, body, url). */
  readonly weights: readonly number[]
  /** The length of each field that counts as average (title, body, url tokens). */
  readonly pivots: readonly number[]
}

/**
 * Lucene's k1 and b, the title weighted as many Solr and Elasticsearch setups do. The body pivot sits between
 * short documents (abstracts, ~200 tokens) and web pages (800-1,250 tokens once analysed, as the shared WARC
 * samples and the generated crawl have them), so neither is normalised far from what its own average would
 * give. Changing a pivot changes every impact: it is part of the index format.
 */
export const SCORING: ScoringSettings = Object.freeze({
  k1: 1.2,
  b: Object.freeze([0.75, 0.75, 0.75]),
  weights: Object.freeze([2, 1, 0.5]),
  pivots: Object.freeze([10, 300, 12])
})

/** Impact byte of a posting from its term frequencies per field and the document's field lengths. */
export function impactOf (tfs: ArrayLike<number>, lengths: ArrayLike<number>): number {
  let t = 0
  for (let f = 0; f < FIELD_COUNT; f++) {
    const tf = tfs[f]
    if (tf === 0) continue
    const b = SCORING.b[f]
    t += SCORING.weights[f] * tf / (1 - b + b * lengths[f] / SCORING.pivots[f])
  }
  const s = t / (t + SCORING.k1)
  return Math.min(255, Math.floor(256 * s))
}

/** The share of a term's idf a posting of this impact scores: (k1 + 1) · (impact + 0.5) / 256, by table. */
export const IMPACT_WEIGHT: Float64Array = Float64Array.from({ length: 256 }, (_, q) => (SCORING.k1 + 1) * (q + 0.5) / 256)

/** Lucene's idf: never negative, even for a term in every document. */
export function idf (docCount: number, docFreq: number): number {
  return Math.log(1 + (docCount - docFreq + 0.5) / (docFreq + 0.5))
}
