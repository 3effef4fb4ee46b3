// Walks every node of a tree, validating each one (hash, encoding, chunking, counts, key ranges), and
// reports the tree's shape. Used to check a tree received from elsewhere before relying on it.

import type { CID } from 'multiformats/cid'
import { TreeCursor } from './cursor.ts'
import { encodeNode, nodeCount } from './node-codec.ts'
import type { NodeStore } from './node-store.ts'

export interface TreeStats {
  readonly entries: number
  readonly depth: number
  readonly nodes: number
  readonly leaves: number
  readonly bytes: number
  /** Encoded size of every node, leaves first in key order then branches. */
  readonly leafSizes: number[]
  readonly branchSizes: number[]
}

export async function verifyTree(store: NodeStore, root: CID): Promise<TreeStats> {
  const cur = await TreeCursor.open(store, root)
  const leafSizes: number[] = []
  const branchSizes: number[] = []
  const rootSize = encodeNode(cur.root).length
  if (cur.root.kind === 'leaf') leafSizes.push(rootSize)
  else branchSizes.push(rootSize)
  let entries = 0
  for (let item = cur.current(); item !== null; item = cur.current()) {
    if (item.kind === 'entry') {
      entries++
      cur.advance()
      continue
    }
    await cur.descend() // validates the child against its parent
    const node = await store.load(item.cid, cur.cfg, item.level, item.upper === null)
    const size = encodeNode(node).length
    if (node.kind === 'leaf') {
      leafSizes.push(size)
      entries += node.keys.length
      // The leaf's entries were checked on load; skip over them.
      cur.advance()
      for (let i = 1; i < node.keys.length; i++) cur.advance()
    } else {
      branchSizes.push(size)
    }
  }
  if (entries !== nodeCount(cur.root)) throw new Error(`tree holds ${entries} entries, its root says ${nodeCount(cur.root)}`)
  const bytes = leafSizes.reduce((a, b) => a + b, 0) + branchSizes.reduce((a, b) => a + b, 0)
  return {
    entries,
    depth: cur.root.level + 1,
    nodes: leafSizes.length + branchSizes.length,
    leaves: leafSizes.length,
    bytes,
    leafSizes,
    branchSizes
  }
}
