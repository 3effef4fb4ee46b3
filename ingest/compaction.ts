// Which runs to merge before the tree builds, when there are more than one build reads at once (fanIn).
// Rewriting a run costs its size, so a round merges just enough of the smallest runs to bring the count down to
// fanIn, in up to `parallel` groups (one per worker); only a count beyond fanIn² needs a round over every run.
// The index does not depend on the plan: merging runs is associative and commutative.

/** Groups of run indexes to merge in one round (each of 2 to fanIn runs, disjoint); empty when none is needed. */
export function compactionRound(sizes: readonly number[], fanIn: number, parallel: number): number[][] {
  const n = sizes.length
  if (fanIn < 2) throw new RangeError('fanIn must be at least 2')
  if (n <= fanIn) return []
  const bySize = sizes.map((_, i) => i).sort((a, b) => sizes[a] - sizes[b] || a - b)
  if (n > fanIn * fanIn) {
    const groups: number[][] = []
    for (let i = 0; i < n; i += fanIn) groups.push(bySize.slice(i, i + fanIn))
    return groups.filter(g => g.length > 1)
  }
  // k groups merging m runs leave n - m + k: m = n - fanIn + k, with 2k <= m <= k * fanIn.
  let k = Math.max(1, parallel)
  for (;;) {
    const m = n - fanIn + k
    if (m > k * fanIn) k++
    else if (m < 2 * k && k > 1) k--
    else break
  }
  const m = n - fanIn + k
  const groups: number[][] = Array.from({ length: k }, () => [])
  // Dealt out like cards, so the groups (and the workers merging them) get similar sizes.
  for (let i = 0; i < m; i++) groups[i % k].push(bySize[i])
  return groups
}
