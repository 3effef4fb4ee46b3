// A combined index from any number of indexes. mergeIndexes is commutative and associative, so the root
// does not depend on the order or grouping; merging in a fixed order (by CID) and in a balanced tree only
// keeps the work predictable.

import type { CID } from 'multiformats/cid'
import { mergeIndexes } from '../../index-core/index/index.ts'
import type { NodeStore } from '../../index-core/prolly/index.ts'

export async function combineIndexes(store: NodeStore, roots: readonly CID[]): Promise<CID> {
  let level = [...new Map(roots.map(r => [r.toString(), r])).entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(e => e[1])
  if (level.length === 0) throw new Error('nothing to merge')
  while (level.length > 1) {
    const next: CID[] = []
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? await mergeIndexes(store, level[i], level[i + 1]) : level[i])
    level = next
  }
  return level[0]
}
