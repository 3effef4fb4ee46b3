// Garbage collection of an index folder: mark what HEAD and the refs reach (reachable.ts), sweep the rest
// (index-core/store/sweep.ts). A build killed by `kill -9` leaves packs nothing names; gc takes them back.
// Safe beside readers (a pack they hold open stays readable until they close it) and beside a server caching
// partner blocks without the lock (files changed since the mark began are kept); writers are excluded by LOCK.

import type { IndexDir, GcResult } from '../../index-core/store/index.ts'
import { isPackName, sweepBlocks } from '../../index-core/store/index.ts'
import type { StoreCare } from '../../ingest/index.ts'
import { markReachable, multihashKey, namedRoots } from './reachable.ts'
import { UserError } from '../../index-core/user-error.ts'

export class GcRefusedError extends UserError {
  override name = 'GcRefusedError'
}

export type { GcResult }

/** A file's ctime is set by the kernel's coarse clock, which may lag Date.now() by a tick (a few ms). */
const CLOCK_MARGIN_MS = 100

/** Collects the garbage of an index opened to write. Refuses (deleting nothing) when the mark cannot be trusted. */
export async function collectGarbage(dir: IndexDir): Promise<GcResult> {
  if (!dir.writable) throw new Error('gc needs the index opened to write (holding its lock)')
  const disk = dir.blocks.store.disk
  disk.scan()
  // Blocks in a pack that cannot be read cannot be followed: what they link to would look unreachable. (A file
  // not named as Canopy names packs holds none of its blocks.)
  for (const [name, why] of disk.badPacks)
    if (isPackName(name)) throw new GcRefusedError(`pack ${name} cannot be read (${why}); nothing deleted: run canopy verify`)
  const changedBefore = Date.now() - CLOCK_MARGIN_MS
  const roots = await namedRoots(dir.path, await dir.head())
  if (roots.length === 0) throw new GcRefusedError('neither HEAD nor any ref names a block; nothing deleted')
  const reach = await markReachable(dir.blocks.store, roots)
  if (reach.missing.length > 0) {
    throw new GcRefusedError(
      `${reach.missing.length} blocks under HEAD or the published manifest are missing (first ${reach.missing[0].toString()}); nothing deleted: run canopy verify`
    )
  }
  if (reach.damaged.length > 0)
    throw new GcRefusedError(`block ${reach.damaged[0].cid.toString()}: ${reach.damaged[0].why}; nothing deleted: run canopy verify`)
  const swept = sweepBlocks(dir.blocksDir, mh => reach.keys.has(multihashKey(mh)), { changedBefore })
  disk.scan() // let go of the packs deleted
  return { ...swept, reachableBlocks: reach.blocks, reachableBytes: reach.bytes }
}

/** One line for people: what gc freed. */
export function describeGc(r: GcResult): string {
  const mb = (n: number): string => (n / 1e6).toFixed(2)
  return (
    `gc: freed ${mb(r.bytesFreed)} MB (${r.packsDeleted} packs deleted, ${r.packsRewritten} rewritten, ${r.looseDeleted} loose blocks removed); ` +
    `the index holds ${r.reachableBlocks} reachable blocks, ${mb(r.reachableBytes)} MB`
  )
}

/**
 * Run by a writer that found a crashed or killed run's leftovers on taking the lock (dir.leftovers): that run's
 * packs are garbage. Never fails the writer: a refusal (a damaged index) comes back as its message.
 */
export async function collectAfterCrash(dir: IndexDir): Promise<GcResult | string | null> {
  if (!dir.leftovers) return null
  try {
    return await collectGarbage(dir)
  } catch (err) {
    if (err instanceof GcRefusedError) return err.message
    throw err
  }
}

/** What an ingest needs of gc: the data folder's named roots are federation's refs, which ingest does not know. */
export const storeCare: StoreCare = {
  afterCrash: collectAfterCrash,
  async afterFailure(dir) {
    await collectGarbage(dir)
  },
  async reachableBytes(dir, root) {
    return (await markReachable(dir.blocks.store, await namedRoots(dir.path, root))).bytes
  }
}
