// Keeping every document's postings in the segment of its first capture's month (index-root.ts, tiers.ts).
// A document's first capture moves when a merge brings an earlier capture of it (another institution's, or a
// crawl ingested late) or a withdrawal removes its earliest ones; the latest month, and with it the cut, moves
// with them. `settle` is given the documents whose first capture may have moved, with the month their postings
// were placed by, and returns the index as one build of its documents would cut it: the documents' postings
// moved to their segment, the cut brought to the exact latest month, empty segments left out.

import type { CID } from 'multiformats/cid'
import { count, entries, get, getSorted, info, mutate, sortEdits } from '../prolly/index.ts'
import type { Edit, NodeStore } from '../prolly/index.ts'
import { compareBytes, utf8 } from '../bytes.ts'
import { termPrefix } from './posting-codec.ts'
import { DOC_ID_BYTES, filterTerm, shardOf } from './schema.ts'
import { decodeCapture } from './capture-codec.ts'
import type { Capture } from './capture-codec.ts'
import { docKindKey, KIND_CAPTURE } from './doc-keys.ts'
import { documentPostings, storedDocument } from './doc-postings.ts'
import { decodeDocValues } from './docvalues-codec.ts'
import type { IndexRoot, PostingSegment } from './index-root.ts'
import { consolidate, cutPostings, emptyPostingsTree, firstMonths } from './segments.ts'
import { blockOf, monthOf, tierBlocks } from './tiers.ts'

/** A document whose first capture may have moved, and the month its postings (some of them) were placed by. */
export interface Placed {
  readonly id: Uint8Array
  readonly month: number
}

/** The month of a document's first capture, from the index's doc values; null when it holds none. */
async function currentMonth(store: NodeStore, root: IndexRoot, id: Uint8Array): Promise<number | null> {
  const dv = await get(store, root.docvalues, id)
  return dv === undefined ? null : monthOf(decodeDocValues(dv).first)
}

/**
 * Whether a document of the index is first captured in `month`, found from the `month:` filter postings (every
 * document first captured then has a capture then), checking each one's doc values until one is: in an update,
 * the first one looked at usually is.
 */
async function holdsFirstMonth(store: NodeStore, root: IndexRoot, month: number): Promise<boolean> {
  const name = `${String(1970 + Math.floor(month / 12)).padStart(4, '0')}-${String((month % 12) + 1).padStart(2, '0')}`
  const term = utf8(filterTerm('month', name))
  for (const seg of root.segments) {
    for await (const e of entries(store, seg.shards[shardOf(term, root.shardCount)], { prefix: termPrefix(term) })) {
      if ((await currentMonth(store, root, e.key.subarray(e.key.length - DOC_ID_BYTES))) === month) return true
    }
  }
  return false
}

/**
 * Segments brought to the cut of `latest`: consolidated forward, or, when it fell, the blocks of the old cut that
 * straddle the new one's cut again by each posting's document (`months`: every document's, read to find the
 * fallen latest month; reads those blocks' postings whole, which only the withdrawal of the newest months asks).
 */
async function recut(store: NodeStore, root: IndexRoot, latest: number, months: ReadonlyMap<string, number> | null): Promise<PostingSegment[]> {
  const blocks = tierBlocks(latest)
  const fits = (s: PostingSegment): boolean => blocks.some(([f, t]) => f <= s.from && s.to <= t)
  const split = root.segments.filter(s => !fits(s))
  if (split.length === 0) return await consolidate(store, root.segments, blocks)
  if (months === null) throw new RangeError(`segments straddle the cut of month ${latest}, which is not earlier than ${root.latest}`)
  const pieces: PostingSegment[] = []
  for (const s of split) pieces.push(...(await cutPostings(store, s.shards, months, blocks)))
  return await consolidate(store, [...root.segments.filter(fits), ...pieces], blocks)
}

/**
 * The index as one build of its documents would cut it, given the documents whose first capture may have moved
 * (with the month their postings were placed by): the exact latest month, its cut, those documents' postings
 * in their segments, no empty segment.
 */
export async function settle(store: NodeStore, root: IndexRoot, touched: readonly Placed[]): Promise<IndexRoot> {
  if (touched.length === 0) return { ...root, segments: await nonEmpty(store, root.segments) }
  const now = await Promise.all(touched.map(async t => await currentMonth(store, root, t.id)))
  let latest = root.latest
  for (const m of now) if (m !== null) latest = Math.max(latest, m)
  // The latest month can fall only when a document of that month left it (moved earlier, or removed), and falls
  // when no other document holds it; then the doc values are read whole (rare: the newest months all gone).
  let months: Map<string, number> | null = null
  if (touched.some((t, i) => t.month >= root.latest && now[i] !== root.latest) && !(await holdsFirstMonth(store, root, root.latest))) {
    months = await firstMonths(store, root.docvalues)
    latest = Math.max(0, ...months.values())
  }
  const blocks = tierBlocks(latest)
  const segments = await recut(store, root, latest, months)
  const edits = await findMoves(store, root, segments, blocks, touched, now)
  return { ...root, latest, segments: await nonEmpty(store, await applyMoves(store, root.shardCount, segments, blocks, edits)) }
}

/** Edits that move postings between segments, per block (its first month) and shard: deletions and insertions. */
type Moves = Map<number, Map<number, Edit[]>>

function push(m: Moves, block: number, shard: number, e: Edit): void {
  let b = m.get(block)
  if (b === undefined) m.set(block, (b = new Map()))
  let l = b.get(shard)
  if (l === undefined) b.set(shard, (l = []))
  l.push(e)
}

/**
 * The touched documents' postings that lie outside the block of their first capture (`now`), where they are.
 * Candidates are gathered for every document first, then looked up once per (segment, shard) in key order.
 */
async function findMoves(
  store: NodeStore,
  root: IndexRoot,
  segments: readonly PostingSegment[],
  blocks: ReadonlyArray<readonly [number, number]>,
  touched: readonly Placed[],
  now: ReadonlyArray<number | null>
): Promise<Moves> {
  const latest = blocks[blocks.length - 1][1] - 1
  // Per source segment and shard: candidate keys, each with the block it belongs in.
  const wanted = new Map<PostingSegment, Map<number, Array<{ key: Uint8Array; to: number }>>>()
  for (const [i, t] of touched.entries()) {
    const m = now[i]
    if (m === null) continue // removed with its postings (withdraw.ts)
    const target = blocks[blockOf(blocks, m)][0]
    const src = segments.find(g => g.from === blocks[blockOf(blocks, Math.min(t.month, latest))][0])
    if (src === undefined || src.from === target) continue
    const caps: Capture[] = []
    for await (const e of entries(store, root.docs, { prefix: docKindKey(t.id, KIND_CAPTURE) })) caps.push(decodeCapture(e.value))
    const stored = await storedDocument(store, root.docs, t.id)
    let bySrc = wanted.get(src)
    if (bySrc === undefined) wanted.set(src, (bySrc = new Map()))
    for (const p of documentPostings(
      t.id,
      stored,
      caps.map(c => c.url),
      caps,
      root.shardCount,
      root.analyzer
    )) {
      let l = bySrc.get(p.shard)
      if (l === undefined) bySrc.set(p.shard, (l = []))
      l.push({ key: p.key, to: target })
    }
  }
  const moves: Moves = new Map()
  for (const [src, byShard] of wanted) {
    for (const [shard, list] of byShard) {
      list.sort((a, b) => compareBytes(a.key, b.key))
      const keys = list.filter((x, j) => j === 0 || compareBytes(list[j - 1].key, x.key) !== 0)
      let j = 0
      for await (const e of getSorted(
        store,
        src.shards[shard],
        keys.map(x => x.key)
      )) {
        while (compareBytes(keys[j].key, e.key) < 0) j++
        push(moves, src.from, shard, { key: e.key, value: null })
        push(moves, keys[j].to, shard, { key: e.key, value: e.value })
      }
    }
  }
  return moves
}

/** The segments with the moves applied, one edit of each (block, shard) tree, adding a block's segment if need be. */
async function applyMoves(
  store: NodeStore,
  shards: number,
  before: readonly PostingSegment[],
  blocks: ReadonlyArray<readonly [number, number]>,
  moves: Moves
): Promise<PostingSegment[]> {
  if (moves.size === 0) return [...before]
  const out: PostingSegment[] = []
  for (const [from, to] of blocks) {
    const have = before.find(g => g.from === from)
    const edits = moves.get(from)
    if (edits === undefined) {
      if (have !== undefined) out.push(have)
      continue
    }
    const next = have === undefined ? new Array<CID>(shards).fill(await emptyPostingsTree(store)) : [...have.shards]
    for (const [j, e] of edits) next[j] = await mutate(store, next[j], sortEdits(e))
    out.push({ from, to, shards: next })
  }
  return out
}

/** Segments with at least one posting (a build of the same documents has no others). */
export async function nonEmpty(store: NodeStore, segments: readonly PostingSegment[]): Promise<PostingSegment[]> {
  const keep = await Promise.all(segments.map(async s => (await Promise.all(s.shards.map(async c => (await info(store, c)).count))).some(n => n > 0)))
  return segments.filter((_, i) => keep[i])
}

/**
 * The documents of both `a` and `b` whose first captures fall in different months, with the month each side
 * placed them by: what a merge of the two must settle. Read from the side with fewer doc values, looked up in
 * the other, so that an update costs what it holds.
 */
export async function firstMonthDisagreements(store: NodeStore, a: IndexRoot, b: IndexRoot): Promise<Placed[]> {
  const [na, nb] = await Promise.all([count(store, a.docvalues), count(store, b.docvalues)])
  const [small, large] = na <= nb ? [a, b] : [b, a]
  const out: Placed[] = []
  const batch: Array<{ key: Uint8Array; month: number }> = []
  const flush = async (): Promise<void> => {
    const want = new Map(batch.map(x => [Buffer.from(x.key).toString('latin1'), x.month]))
    for await (const e of getSorted(
      store,
      large.docvalues,
      batch.map(x => x.key)
    )) {
      const mine = want.get(Buffer.from(e.key).toString('latin1'))!
      const theirs = monthOf(decodeDocValues(e.value).first)
      if (mine !== theirs) out.push({ id: e.key, month: mine }, { id: e.key, month: theirs })
    }
    batch.length = 0
  }
  for await (const e of entries(store, small.docvalues)) {
    batch.push({ key: e.key, month: monthOf(decodeDocValues(e.value).first) })
    if (batch.length >= 4096) await flush()
  }
  await flush()
  return out
}
