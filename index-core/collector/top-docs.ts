// The page: the best-ranked matches after the cursor (the best document of each URL when grouping), chosen
// with a bounded heap, beside the facets of the whole result set.

import type { ReaderView, FacetValue, SearchRequest, SortOrder } from '../query/index.ts'
import { compareRanked, decodeCursor } from '../query/index.ts'
import { facetsOf } from './facets.ts'
import type { Grouping } from './grouping.ts'
import { matchOrder } from './matches.ts'
import type { Matches } from './matches.ts'

/** The first k of pool[0..n) in result order, without sorting all of it (a bounded max-heap of the best k). */
function selectFirstK(pool: Int32Array, n: number, k: number, cmp: (a: number, b: number) => number): number[] {
  const heap: number[] = [] // the worst of the kept k at the root
  for (let x = 0; x < n; x++) {
    const r = pool[x]
    if (heap.length < k) {
      heap.push(r)
      for (let i = heap.length - 1; i > 0; ) {
        const p = (i - 1) >> 1
        if (cmp(heap[i], heap[p]) <= 0) break
        ;[heap[i], heap[p]] = [heap[p], heap[i]]
        i = p
      }
    } else if (cmp(heap[0], r) > 0) {
      heap[0] = r
      for (let i = 0; ; ) {
        const l = 2 * i + 1
        const rr = l + 1
        let m = i
        if (l < heap.length && cmp(heap[l], heap[m]) > 0) m = l
        if (rr < heap.length && cmp(heap[rr], heap[m]) > 0) m = rr
        if (m === i) break
        ;[heap[i], heap[m]] = [heap[m], heap[i]]
        i = m
      }
    }
  }
  return heap.sort(cmp)
}

/**
 * The whole-result-set part of a search, synchronous so that none of its arrays outlives it: facets, the
 * best match of each URL, the cursor, and the page (with one more to know if there is a next), as match
 * indices.
 */
export function selectPage(
  view: ReaderView,
  m: Matches,
  req: SearchRequest,
  sort: SortOrder,
  groups: Grouping | null,
  pageSize: number
): { facets: Record<string, FacetValue[]> | null; selected: number[] } {
  const facets = (req.facets ?? true) ? facetsOf(view, m) : null
  const cmp = matchOrder(view, m)
  let pool: Int32Array
  let n = 0
  if (groups !== null) {
    // One result per URL: the best-ranked document of each URL stands for it, whatever page it falls on.
    const best = new Int32Array(groups.count).fill(-1)
    for (let i = 0; i < m.n; i++) {
      const g = groups.of[i]
      const b = best[g]
      if (b < 0 || cmp(i, b) < 0) best[g] = i
    }
    pool = new Int32Array(groups.count)
    for (let g = 0; g < best.length; g++) if (best[g] >= 0) pool[n++] = best[g]
  } else {
    pool = new Int32Array(m.n)
    for (let i = 0; i < m.n; i++) pool[n++] = i
  }
  if (req.cursor !== undefined && req.cursor !== null && req.cursor !== '') {
    const after = decodeCursor(req.cursor, sort)
    let k = 0
    for (let x = 0; x < n; x++) {
      const i = pool[x]
      if (compareRanked({ sortValue: m.sortValues[i], key: view.keys[m.ords[i]] }, { sortValue: after.v, key: after.k }) > 0) pool[k++] = i
    }
    n = k
  }
  return { facets, selected: selectFirstK(pool, n, pageSize + 1, cmp) }
}
