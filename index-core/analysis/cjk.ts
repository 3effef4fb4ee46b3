// Overlapping character bigrams for scripts written without spaces.
//
// Without a dictionary we cannot find word boundaries in Chinese, Japanese,
// Korean (inside a space-separated eojeol), Thai, Lao, Khmer or Myanmar text.
// Indexing overlapping bigrams (as Lucene's CJKBigramFilter does) makes such
// text searchable: a query is bigrammed the same way, and a phrase query over
// consecutive bigram positions matches the exact string.
//
//   "東京タワー" -> 東京 京タ タワ ワー   (positions p, p+1, p+2, p+3)
//   "駅"         -> 駅                     (a single-character run is a unigram)
//
// The unit is a "cluster": one base character plus any combining marks after
// it, so Thai vowel and tone marks stay attached to their consonant.

/** One base character (any non-mark code point) followed by its marks. */
const CLUSTER_RE = /\P{M}\p{M}*/gu;

/** Receives each gram with its offset in the run; return false to stop. */
export type GramSink = (gram: string, index: number) => boolean;

/**
 * Emit the bigrams of a run (or the single unigram of a one-cluster run).
 * Returns the number of grams produced, which is also the number of positions
 * the run occupies. Lazy, so a hostile 10 MB run stops as soon as the sink
 * refuses more.
 */
export function emitBigrams(run: string, sink: GramSink): number {
  const re = new RegExp(CLUSTER_RE);
  const first = re.exec(run);
  if (first === null) return 0;
  let prev = first[0];
  let count = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(run)) !== null) {
    const cur = m[0];
    const keepGoing = sink(prev + cur, count);
    count++;
    if (!keepGoing) return count;
    prev = cur;
  }
  if (count === 0) {
    sink(prev, 0);
    count = 1;
  }
  return count;
}

/** Convenience for tests: all grams of a run. */
export function bigrams(run: string): string[] {
  const out: string[] = [];
  emitBigrams(run, (g) => {
    out.push(g);
    return true;
  });
  return out;
}
