// Walks every block reachable from a root: what `--all` fetches and pins, and what a CAR export holds.
// Links are read generically by codec (dag-cbor CIDs anywhere in the value, dag-pb links, raw has none),
// so the walk covers index trees, manifests and UnixFS crawl files alike.

import * as dagCbor from '@ipld/dag-cbor'
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import type { BlockAccess } from '../../index-core/store/index.ts'
import { UserError } from '../../index-core/user-error.ts'

export class DagWalkError extends UserError {
  override name = 'DagWalkError'
}

/** The CIDs a block links to, in the order they appear. */
export function linksOf(cid: CID, bytes: Uint8Array): CID[] {
  switch (cid.code) {
    case raw.code:
      return []
    case dagPb.code:
      return dagPb.decode(bytes).Links.map(l => l.Hash)
    case dagCbor.code: {
      const out: CID[] = []
      const visit = (x: unknown): void => {
        if (x === null || typeof x !== 'object' || x instanceof Uint8Array) return
        const c = CID.asCID(x)
        if (c !== null) {
          out.push(c)
          return
        }
        if (Array.isArray(x)) {
          for (const v of x) visit(v)
          return
        }
        for (const v of Object.values(x)) visit(v)
      }
      visit(dagCbor.decode(bytes))
      return out
    }
    default:
      throw new DagWalkError(`block ${cid.toString()} has codec 0x${cid.code.toString(16)}, which Canopy does not read`)
  }
}

export interface WalkOptions {
  /** Blocks fetched at once (a remote store answers faster when asked in parallel). */
  readonly concurrency?: number
  /** Refuse a DAG with more blocks than this (a hostile partner's endless graph). */
  readonly maxBlocks?: number
  /** Which links of a block to follow; by default all. A manifest's `previous` is usually left out. */
  readonly follow?: (cid: CID, bytes: Uint8Array) => CID[]
  /** Called for a block the store lacks, and the walk goes on (a sparse partner index); by default an error. */
  readonly onMissing?: (cid: CID) => void
  /**
   * Called with each level of the walk (breadth first) before its blocks are read; true ends the walk there
   * (the caller knows the rest another way: a copy streamed whole).
   */
  readonly onLevel?: (level: readonly CID[]) => Promise<boolean>
  readonly signal?: AbortSignal
}

/**
 * Visits each block reachable from `roots` once (breadth first, `concurrency` reads at a time) and calls
 * `onBlock` with it. A block missing from the store is an error (the walk is for complete copies) unless
 * `onMissing` takes it.
 */
export async function walkDag(
  store: BlockAccess,
  roots: readonly CID[],
  onBlock: (cid: CID, bytes: Uint8Array) => void | Promise<void>,
  opts: WalkOptions = {}
): Promise<{ blocks: number; bytes: number }> {
  const concurrency = opts.concurrency ?? 16
  const maxBlocks = opts.maxBlocks ?? 50_000_000
  const follow = opts.follow ?? linksOf
  const seen = new Set<string>()
  let queue: CID[] = []
  const enqueue = (c: CID): void => {
    const k = c.toString()
    if (seen.has(k)) return
    seen.add(k)
    if (seen.size > maxBlocks) throw new DagWalkError(`more than ${maxBlocks} blocks reachable; refusing to walk further`)
    queue.push(c)
  }
  for (const r of roots) enqueue(r)
  let blocks = 0
  let bytes = 0
  while (queue.length > 0) {
    const level = queue
    queue = []
    if ((await opts.onLevel?.(level)) === true) break
    for (let i = 0; i < level.length; i += concurrency) {
      opts.signal?.throwIfAborted()
      const batch = level.slice(i, i + concurrency)
      const got = await Promise.all(batch.map(async c => await store.get(c)))
      for (let j = 0; j < batch.length; j++) {
        const b = got[j]
        if (b === undefined) {
          if (opts.onMissing === undefined) throw new DagWalkError(`block ${batch[j].toString()} is missing`)
          opts.onMissing(batch[j])
          continue
        }
        blocks++
        bytes += b.length
        await onBlock(batch[j], b)
        for (const l of follow(batch[j], b)) enqueue(l)
      }
    }
  }
  return { blocks, bytes }
}
