// The matches of a search as collectors see them: typed arrays over the executor's view, in document order.

import type { ReaderView, Ranked } from '../query/index.ts'

/**
 * Every matching document that has a record, in the executor's view: ordinal, score and sort value by
 * match index (ascending by document key, so one URL's documents are a run of equal URL keys).
 */
export interface Matches {
  readonly n: number
  readonly ords: Int32Array
  readonly scores: Float64Array
  readonly sortValues: Float64Array
}

/** The Ranked of match i. */
export function ranked(view: ReaderView, m: Matches, i: number): Ranked {
  return { key: view.keys[m.ords[i]], score: m.scores[i], sortValue: m.sortValues[i] }
}

/** Orders match indices like compareRanked (sort value descending, then document key). */
export function matchOrder(view: ReaderView, m: Matches): (a: number, b: number) => number {
  const keys = view.keys
  return (a, b) => {
    const va = m.sortValues[a]
    const vb = m.sortValues[b]
    if (va !== vb) return vb - va
    const ka = keys[m.ords[a]]
    const kb = keys[m.ords[b]]
    return ka < kb ? -1 : ka > kb ? 1 : 0
  }
}
