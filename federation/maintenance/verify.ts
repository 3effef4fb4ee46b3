// `canopy verify`: checks an index folder and says in words what is damaged. Every pack's framing; every block
// reachable from HEAD and the refs (reachable.ts) against its CID; HEAD's index (and the published one when
// held whole) against the format: the root's schema (openIndex) and every node of every tree (verifyTree).

import type { CID } from 'multiformats/cid'
import { openIndex, segmentTreeName } from '../../index-core/index/index.ts'
import { NodeStore, verifyTree } from '../../index-core/prolly/index.ts'
import { openIndexDir, PACKS_DIR, isPackName } from '../../index-core/store/index.ts'
import { markReachable, namedRoots } from './reachable.ts'
import type { NamedRoot } from './reachable.ts'

export interface VerifyReport {
  /** Blocks read and checked against their CIDs, and their bytes. */
  readonly blocks: number
  readonly bytes: number
  /** Blocks of sparse partner or combined indexes (and unpublished crawl files) not held here: not damage. */
  readonly notHeld: number
  /** One line per problem found; empty when the index is sound. */
  readonly damage: string[]
}

/** At most this many lines per kind of damage (a lost pack can leave thousands of blocks missing). */
const MAX_LINES = 5

async function checkIndexFormat(store: NodeStore, label: string, cid: CID): Promise<string | null> {
  try {
    const root = await openIndex(store, cid)
    for (const [what, tree] of [
      ...root.segments.flatMap((seg, s) => seg.shards.map((c, i) => [segmentTreeName(root, s, i), c] as const)),
      ['docs', root.docs],
      ['docvalues', root.docvalues],
      ['files', root.files],
      ['withdrawn', root.withdrawn]
    ] as const) {
      try {
        await verifyTree(store, tree)
      } catch (err) {
        return `${label}: the ${what} tree is malformed: ${(err as Error).message}`
      }
    }
    return null
  } catch (err) {
    return `${label}: ${(err as Error).message}`
  }
}

export async function verifyIndexDir(path: string): Promise<VerifyReport> {
  const dir = await openIndexDir(path, { write: false })
  try {
    const damage: string[] = []
    const disk = dir.blocks.store.disk
    // A file in packs/ not named as Canopy names packs is someone else's, not damage.
    for (const [name, why] of disk.badPacks)
      if (isPackName(name)) damage.push(`${PACKS_DIR}/${name} cannot be read, so none of its blocks can: ${why.replace(/^.*?: /, '')}`)
    let head: CID | null = null
    try {
      head = await dir.head()
    } catch (err) {
      damage.push((err as Error).message)
    }
    const roots = await namedRoots(path, head)
    const reach = await markReachable(dir.blocks.store, roots, { check: true })
    for (const d of reach.damaged.slice(0, MAX_LINES)) damage.push(`block ${d.cid.toString()} is damaged: ${d.why}`)
    if (reach.damaged.length > MAX_LINES) damage.push(`... and ${reach.damaged.length - MAX_LINES} more damaged blocks`)
    if (reach.missing.length > 0) {
      const where = [...disk.badPacks.keys()].some(isPackName) ? ' (likely in the unreadable pack above)' : ''
      damage.push(
        `${reach.missing.length} blocks that HEAD or the published manifest need are missing${where}: ${reach.missing
          .slice(0, MAX_LINES)
          .map(c => c.toString())
          .join(', ')}${reach.missing.length > MAX_LINES ? ', ...' : ''}`
      )
    }
    // The format checks read whole trees: only where every block is present and sound, else they repeat the above.
    if (damage.length === 0) {
      const store = new NodeStore(dir.blocks.store)
      const indexes: NamedRoot[] = roots.filter(r => r.label === 'HEAD' || r.label === 'refs/published.json index')
      for (const r of indexes) {
        if (r.label !== 'HEAD' && reach.notHeld > 0) continue // a published combined index may be sparse
        const bad = await checkIndexFormat(store, r.label, r.cid)
        if (bad !== null) damage.push(bad)
      }
    }
    return { blocks: reach.blocks, bytes: reach.bytes, notHeld: reach.notHeld, damage }
  } finally {
    await dir.close()
  }
}
