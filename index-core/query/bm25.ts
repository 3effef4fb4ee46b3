// BM25F (Robertson & Zaragoza): term frequencies of the fields are length-normalised per field, weighted,
// summed into one pseudo-frequency, and saturated once, so a term repeated in title and body is not
// counted twice as plain per-field BM25 sums would. With one field it is exactly BM25.

import { FIELD_COUNT } from '../index/schema.ts'
import { NORM_TABLE } from '../index/norms.ts'

export interface Bm25Params {
  readonly k1: number
  /** Length normalisation per field (title, body, url). */
  readonly b: readonly number[]
  /** Weight per field (title, body, url). */
  readonly weights: readonly number[]
}

/** Lucene's defaults (k1 1.2, b 0.75), with the title weighted as many Solr/Elasticsearch setups do. */
export const DEFAULT_BM25: Bm25Params = Object.freeze({ k1: 1.2, b: [0.75, 0.75, 0.75], weights: [2, 1, 0.5] })

/** Lucene's idf: never negative, even for a term in every document. */
export function idf (docCount: number, docFreq: number): number {
  return Math.log(1 + (docCount - docFreq + 0.5) / (docFreq + 0.5))
}

/** Scores postings of one term against collection statistics. */
export class Bm25Scorer {
  readonly #k1: number
  readonly #w: Float64Array
  readonly #b: Float64Array
  readonly #avg: Float64Array

  constructor (params: Bm25Params, avgFieldLengths: readonly number[]) {
    this.#k1 = params.k1
    this.#w = Float64Array.from(params.weights)
    this.#b = Float64Array.from(params.b)
    this.#avg = Float64Array.from(avgFieldLengths, a => a > 0 ? a : 1)
  }

  /**
   * Score contribution of a term with weight `idfWeight` in a document, from scoring data as decodeScoring
   * fills it: s[0..2] term frequencies, s[3..5] norm bytes. `fields` restricts to one field (or null for all).
   */
  score (idfWeight: number, s: readonly number[], field: number | null): number {
    let tf = 0
    for (let f = 0; f < FIELD_COUNT; f++) {
      if (field !== null && f !== field) continue
      const t = s[f]
      if (t === 0) continue
      const len = NORM_TABLE[s[FIELD_COUNT + f]]
      tf += this.#w[f] * t / (1 - this.#b[f] + this.#b[f] * len / this.#avg[f])
    }
    if (tf === 0) return 0
    return idfWeight * tf * (this.#k1 + 1) / (tf + this.#k1)
  }
}
