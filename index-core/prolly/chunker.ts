// Where nodes end. A node is cut after an entry when
//   - its encoded entries have reached minBytes and xxh32(key, seed = level) < 2^32 / fanout (a natural
//     boundary: a function of the key alone, so a changed value never moves it), or, in the leaves of a tree
//     cut by bytes, xxh32(key, 0) < 2^32 · min(1, (|key| + |value|) / leafBytes) (a function of the entry
//     alone), or
//   - its encoded entries have reached the rail (maxBytes - overhead - maxEntryBytes), so that hostile or
//     low-entropy keys cannot grow a node past maxBytes.
// Every decision depends only on the entries of the node so far, never on what follows: that is what lets
// a merge reuse a whole subtree, and what makes the tree a function of its entries alone.

import type { CID } from 'multiformats/cid'
import { commonPrefixLength } from '../bytes.ts'
import { railBytes, TreeFormatError } from './config.ts'
import type { TreeConfig } from './config.ts'
import { branchEntrySize, leafEntrySize } from './node-codec.ts'
import type { ProllyNode } from './node-codec.ts'
import type { Agg } from './aggregate.ts'
import { xxh32 } from './xxhash.ts'

const TWO_32 = 0x100000000

/** `entryBytes`: the key's and value's lengths, for leaves cut by bytes (unused otherwise). */
export function isNaturalBoundary(key: Uint8Array, level: number, cfg: TreeConfig, entryBytes: number): boolean {
  if (level === 0 && cfg.leafBytes > 0) {
    // h · leafBytes < 2^32 · w, exactly, in doubles (both products are below 2^53).
    return xxh32(key, 0) * cfg.leafBytes < TWO_32 * Math.min(entryBytes, cfg.leafBytes)
  }
  const fanout = level === 0 ? cfg.leafFanout : cfg.branchFanout
  // h * fanout < 2^32  <=>  h < 2^32 / fanout, exactly, in doubles (both factors are below 2^32).
  return xxh32(key, level) * fanout < TWO_32
}

export function shouldCut(sizeSoFar: number, key: Uint8Array, level: number, cfg: TreeConfig, entryBytes: number): boolean {
  return sizeSoFar >= railBytes(cfg) || (sizeSoFar >= cfg.minBytes && isNaturalBoundary(key, level, cfg, entryBytes))
}

/** Encoded size of an entry given the previous key in the same node (null for a node's first entry). */
export function entrySize(prev: Uint8Array | null, key: Uint8Array, payload: Uint8Array | CID, agg: Agg | null): number {
  const p = prev === null ? 0 : commonPrefixLength(prev, key)
  if (payload instanceof Uint8Array) return leafEntrySize(p, key.length - p, payload.length)
  return branchEntrySize(p, key.length - p, payload.bytes.length, agg!)
}

/**
 * Checks that a decoded node is cut exactly where the rule says: no cut point inside it, and a cut at its
 * last entry unless it is the rightmost node of its level (closed by the end of the entries instead).
 * A tree chunked any other way would hold the right entries under the wrong root CID and break merges.
 */
export function checkChunking(node: ProllyNode, cfg: TreeConfig, rightmost: boolean): void {
  const n = node.keys.length
  let size = 0
  for (let i = 0; i < n; i++) {
    const key = node.keys[i]
    const prev = i === 0 ? null : node.keys[i - 1]
    size += node.kind === 'leaf' ? entrySize(prev, key, node.values[i], null) : entrySize(prev, key, node.children[i], node.aggs[i])
    const cut = shouldCut(size, key, node.level, cfg, node.kind === 'leaf' ? key.length + node.values[i].length : 0)
    if (i < n - 1 && cut) {
      throw new TreeFormatError(`malformed prolly node: level ${node.level} node should have been cut after entry ${i}`)
    }
    if (i === n - 1 && !cut && !rightmost) {
      throw new TreeFormatError(`malformed prolly node: level ${node.level} node ends where no boundary is`)
    }
  }
}
