// The blocks of an index's DAG, each with its size and the tree it belongs to: what bench/updates.ts reports
// a mirror fetches after an update (the blocks of the new DAG the old one does not hold), and what
// test/update-blocks.test.ts checks against gc's reachability walk. A measuring tool, not part of the product.

import type { CID } from 'multiformats/cid'
import { linksOf, walkDag } from '../federation/blocks/index.ts'
import { loadIndexRoot, postingTrees } from '../index-core/index/index.ts'
import type { BlockAccess } from '../index-core/store/index.ts'

export const TREES = ['postings', 'docs', 'docvalues', 'files', 'withdrawn', 'months', 'root'] as const
export type TreeName = (typeof TREES)[number]

/** Every block of an index's DAG, with its size and the tree it belongs to (a block two trees share counts for the first). */
export type DagBlocks = Map<string, { tree: TreeName; bytes: number }>

/** Walks an index's DAG from its root block; subtrees whose root is in `known` are not entered (content addressing: all of it is known). */
export async function dagBlocks(blocks: BlockAccess, root: CID, known: ReadonlySet<string> = new Set()): Promise<DagBlocks> {
  const out: DagBlocks = new Map()
  const r = await loadIndexRoot(blocks, root)
  out.set(root.toString(), { tree: 'root', bytes: (await blocks.get(root))!.length })
  const skip = (c: CID): boolean => out.has(c.toString()) || known.has(c.toString())
  const walk = async (start: CID[], tree: TreeName): Promise<void> => {
    await walkDag(
      blocks,
      start.filter(c => !skip(c)),
      (cid, bytes) => {
        out.set(cid.toString(), { tree, bytes: bytes.length })
      },
      { follow: (cid, bytes) => linksOf(cid, bytes).filter(c => !skip(c)) }
    )
  }
  await walk(postingTrees(r), 'postings')
  for (const t of ['docs', 'docvalues', 'files', 'withdrawn', 'months'] as const) await walk([r[t]], t)
  return out
}

/** What a mirror holding the index at `before` fetches to hold the one at `after`, in bytes: all, and postings. */
export interface MirrorFetch {
  /** Bytes of the DAG at `after` (every block once), and of its postings trees. */
  readonly indexBytes: number
  readonly postingsBytes: number
  /** Blocks of the DAG at `after` that the DAG at `before` lacks: count, bytes, and the postings' bytes. */
  readonly blocks: number
  readonly bytes: number
  readonly postingsFetched: number
}

export async function mirrorFetch(blocks: BlockAccess, before: CID, after: CID): Promise<MirrorFetch> {
  const old = await dagBlocks(blocks, before)
  const index = [...(await dagBlocks(blocks, after)).values()]
  const fresh = [...(await dagBlocks(blocks, after, new Set(old.keys()))).values()]
  const bytes = (xs: ReadonlyArray<{ bytes: number }>): number => xs.reduce((a, b) => a + b.bytes, 0)
  const postings = (xs: ReadonlyArray<{ tree: TreeName; bytes: number }>): number => bytes(xs.filter(b => b.tree === 'postings'))
  return { indexBytes: bytes(index), postingsBytes: postings(index), blocks: fresh.length, bytes: bytes(fresh), postingsFetched: postings(fresh) }
}
