// Overlapping character bigrams for scripts written without spaces.
//
// Without a dictionary we cannot find word boundaries in Chinese, Japanese,
// Korean (inside a space-separated word), Thai, Lao, Khmer or Myanmar text.
// Indexing overlapping bigrams (as Lucene's CJKBigramFilter does) makes such
// text searchable: a query is bigrammed the same way, and a phrase query over
// consecutive bigram positions matches the exact string.
//
//   "東京タワー" -> 東京 京タ タワ ワー   (positions p, p+1, p+2, p+3)
//   "駅"         -> 駅                     (a single-character run is a unigram)
//
// The unit is a "cluster": one base character plus any combining marks after
// it, so Thai vowel and tone marks stay attached to their consonant.

import { MARK, classOf, codePointAt, cpLength } from './charclass.ts'

/** Receives each gram as a [start, end) range of the string; return false to stop. */
export type GramSink = (start: number, end: number) => boolean

/** End of the cluster starting at i (base character plus following marks). */
function clusterEnd(s: string, i: number, end: number): number {
  let j = i + cpLength(codePointAt(s, i))
  while (j < end) {
    const cp = codePointAt(s, j)
    if (classOf(cp) !== MARK) break
    j += cpLength(cp)
  }
  return j
}

/**
 * Emit the bigrams of the run s[start, end) (or its single unigram if it has
 * one cluster). Returns the number of grams emitted, which is the number of
 * positions the run occupies. Lazy: a 10 MB run stops as soon as the sink
 * refuses more.
 */
export function emitBigrams(s: string, start: number, end: number, sink: GramSink): number {
  if (start >= end) return 0
  let prevStart = start
  let prevEnd = clusterEnd(s, start, end)
  let count = 0
  while (prevEnd < end) {
    const curEnd = clusterEnd(s, prevEnd, end)
    count++
    if (!sink(prevStart, curEnd)) return count
    prevStart = prevEnd
    prevEnd = curEnd
  }
  if (count === 0) {
    sink(start, prevEnd)
    count = 1
  }
  return count
}

/** Convenience for tests: all grams of a run. */
export function bigrams(run: string): string[] {
  const out: string[] = []
  emitBigrams(run, 0, run.length, (a, b) => {
    out.push(run.slice(a, b))
    return true
  })
  return out
}
