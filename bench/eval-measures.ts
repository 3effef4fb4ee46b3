// Retrieval measures as trec_eval computes them (-c: every judged query counts, a query with no run scores 0;
// ranked by score descending, then document id descending), per query and averaged, and the paired
// randomisation test (Smucker, Allan and Carterette 2007) that says whether two runs differ by more than chance.

export type Run = Map<string, Array<{ doc: string; score: number }>>
export type Qrels = Map<string, Map<string, number>>

export interface PerQuery {
  readonly ap: number
  readonly ndcg10: number
  readonly p10: number
  readonly r100: number
}
export interface Measures {
  readonly map: number
  readonly ndcg10: number
  readonly p10: number
  readonly r100: number
  readonly queries: number
  readonly per: Map<string, PerQuery>
}

/** Judged queries: those with at least one relevant document. */
export function judgedQueries(qrels: Qrels): string[] {
  return [...qrels]
    .filter(([, rel]) => [...rel.values()].some(g => g > 0))
    .map(([q]) => q)
    .sort()
}

export function measure(run: Run, qrels: Qrels, depth = 1000): Measures {
  const per = new Map<string, PerQuery>()
  for (const q of judgedQueries(qrels)) {
    const rel = qrels.get(q)!
    const relevant = [...rel.values()].filter(g => g > 0)
    const ranked = [...(run.get(q) ?? [])].sort((a, b) => b.score - a.score || (a.doc < b.doc ? 1 : a.doc > b.doc ? -1 : 0)).slice(0, depth)
    let hits = 0
    let sumPrec = 0
    let dcg = 0
    let p10 = 0
    let r100 = 0
    ranked.forEach((r, i) => {
      const g = rel.get(r.doc) ?? 0
      if (g > 0) {
        hits++
        sumPrec += hits / (i + 1)
      }
      if (i < 10) {
        dcg += g / Math.log2(i + 2)
        if (g > 0) p10++
      }
      if (i < 100 && g > 0) r100++
    })
    let idcg = 0
    ;[...relevant]
      .sort((a, b) => b - a)
      .slice(0, 10)
      .forEach((g, i) => {
        idcg += g / Math.log2(i + 2)
      })
    per.set(q, { ap: sumPrec / relevant.length, ndcg10: idcg > 0 ? dcg / idcg : 0, p10: p10 / 10, r100: r100 / relevant.length })
  }
  const mean = (f: (p: PerQuery) => number): number => {
    let s = 0
    for (const p of per.values()) s += f(p)
    return per.size === 0 ? 0 : s / per.size
  }
  return { map: mean(p => p.ap), ndcg10: mean(p => p.ndcg10), p10: mean(p => p.p10), r100: mean(p => p.r100), queries: per.size, per }
}

/** A small seeded generator (mulberry32): the test gives the same p every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Two-sided paired randomisation test of the mean difference of per-query values: under the null hypothesis
 * each query's two values are exchangeable, so the sign of each difference is flipped at random.
 */
export function randomisationTest(a: readonly number[], b: readonly number[], trials = 20_000, seed = 15): number {
  if (a.length !== b.length) throw new Error('paired values differ in number')
  const d = a.map((x, i) => x - b[i])
  const n = d.length
  if (n === 0) return 1
  const observed = Math.abs(d.reduce((s, x) => s + x, 0)) / n
  const rnd = mulberry32(seed)
  let extreme = 0
  for (let t = 0; t < trials; t++) {
    let s = 0
    for (let i = 0; i < n; i++) s += rnd() < 0.5 ? d[i] : -d[i]
    if (Math.abs(s) / n >= observed - 1e-12) extreme++
  }
  return (extreme + 1) / (trials + 1)
}

/** Queries where a is better, where b is, by a per-query value. */
export function winsLosses(a: readonly number[], b: readonly number[]): { wins: number; losses: number } {
  let wins = 0
  let losses = 0
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i] + 1e-12) wins++
    else if (b[i] > a[i] + 1e-12) losses++
  }
  return { wins, losses }
}
