// A whole copy of a partner's DAG (`merge --head`, `fetch --all`): read block by block through the fetching
// store, many at a time, or, when little of it is held here yet, first as one CAR stream (a trustless
// gateway's dag-scope=all), which is one request where the walk makes one per block. A streamed block is
// verified and kept only when it is reachable from the root through blocks already verified, so a source
// can add nothing but the DAG asked for; the walk afterwards checks that the copy is whole and fetches
// whatever the stream left out (a gateway may cut a large CAR short).

import type { CID } from 'multiformats/cid'
import { readCarStream } from './car.ts'
import { linksOf, walkDag } from './dag-walk.ts'
import type { FetchingBlocks } from './fetching-blocks.ts'
import { MAX_FETCHED_BLOCK_BYTES, verifyBlock } from './fetching-blocks.ts'

/** The CAR bytes of the DAG under a root, from one source. */
export type DagStream = (root: CID, signal: AbortSignal) => Promise<AsyncIterable<Uint8Array>>

export interface CopySummary {
  /** Blocks and bytes of the DAG (held before or copied now). */
  readonly blocks: number
  readonly bytes: number
  /** Blocks kept from a stream, and blocks a stream sent that were not asked for (not kept). */
  readonly streamed: number
  readonly unasked: number
  /** Why a stream was given up, if one was (the walk then fetched block by block). */
  readonly streamErrors: string[]
}

/** A level of the walk at least this wide decides whether to stream: narrower ones are the DAG's top. */
const DECIDING_LEVEL = 32
/** Stream when less than this share of the deciding level is held (a first copy, not an update). */
const HELD_TO_WALK = 0.25

export async function copyDag(
  store: FetchingBlocks,
  root: CID,
  streams: readonly DagStream[],
  opts: { concurrency?: number; signal?: AbortSignal } = {}
): Promise<CopySummary> {
  let decided = streams.length === 0
  // Counted as they come: a stream that fails part way has still kept what came before.
  const tally = { kept: 0, unasked: 0 }
  const streamErrors: string[] = []
  let whole: { blocks: number; bytes: number } | null = null
  /** The levels read block by block before deciding: the stream sends them again. */
  const above = new Set<string>()
  // True (the walk ends) when a stream held the whole DAG: every block is then held and verified.
  const onLevel = async (level: readonly CID[]): Promise<boolean> => {
    if (decided) return false
    if (level.length < DECIDING_LEVEL) {
      for (const c of level) above.add(c.toString())
      return false
    }
    decided = true
    let held = 0
    for (const c of level) if (await store.local.has(c)) held++
    if (held >= level.length * HELD_TO_WALK) return false
    for (const stream of streams) {
      try {
        const r = await streamInto(store, root, stream, above, tally, opts.signal ?? AbortSignal.timeout(3_600_000))
        if (r.whole) whole = r
        return r.whole
      } catch (err) {
        if (opts.signal?.aborted === true) throw err
        streamErrors.push((err as Error).message)
      }
    }
    return false
  }
  const walked = await walkDag(store, [root], () => {}, { concurrency: opts.concurrency ?? 32, onLevel, signal: opts.signal })
  return { ...(whole ?? walked), streamed: tally.kept, unasked: tally.unasked, streamErrors }
}

/** Keeps the blocks of one CAR stream that belong to the DAG under `root`; those in `held` (read already) are only verified. */
async function streamInto(
  store: FetchingBlocks,
  root: CID,
  stream: DagStream,
  held: ReadonlySet<string>,
  tally: { kept: number; unasked: number },
  signal: AbortSignal
): Promise<{ whole: boolean; blocks: number; bytes: number }> {
  const wanted = new Set([root.toString()])
  const received = new Set<string>()
  let dagBytes = 0
  await readCarStream(await stream(root, signal), MAX_FETCHED_BLOCK_BYTES + 64 * 1024, signal, async (cid, bytes) => {
    const key = cid.toString()
    if (!wanted.delete(key)) {
      tally.unasked++
      return
    }
    received.add(key)
    // Kept without asking the store whether it is held (little is, or the walk would not stream; the store
    // keeps one copy). Its links are followed only once its bytes are known to be the block's.
    if (held.has(key)) await verifyBlock(cid, bytes)
    else {
      await store.keep(cid, bytes.slice())
      tally.kept++
    }
    dagBytes += bytes.length
    for (const l of linksOf(cid, bytes)) {
      const k = l.toString()
      if (!received.has(k)) wanted.add(k)
    }
  })
  return { whole: wanted.size === 0, blocks: received.size, bytes: dagBytes }
}
