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

/** The latest first-capture month of any document (0 when there is none): reads every doc value. */
async function exactLatest(store: NodeStore, docvalues: CID): Promise<number> {
  let latest = 0
  for await (const e of entries(store, docvalues)) latest = Math.max(latest, monthOf(decodeDocValues(e.value).first))
  return latest
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

/** Segments brought to the cut of `latest`: consolidated forward, or, when it fell, the blocks it splits cut again. */
async function recut(store: NodeStore, root: IndexRoot, latest: number): Promise<PostingSegment[]> {
  const blocks = tierBlocks(latest)
  if (latest >= root.latest) return await consolidate(store, root.segments, blocks)
  // Rare (the documents of the latest months withdrawn or found earlier): a block of the old cut may straddle
  // the new one's, and is cut again by each posting's document (reads that block's postings whole).
  const fits = (s: PostingSegment): boolean => blocks.some(([f, t]) => f <= s.from && s.to <= t)
  const kept = root.segments.filter(fits)
  const split = root.segments.filter(s => !fits(s))
  if (split.length === 0) return await consolidate(store, kept, blocks)
  const months = await firstMonths(store, root.docvalues)
  const pieces: PostingSegment[] = []
  for (const s of split) pieces.push(...(await cutPostings(store, s.shards, months, blocks)))
  return await consolidate(store, [...kept, ...pieces], blocks)
}

/**
 * The index as one build of its documents would cut it, given the documents whose first capture may have moved
 * (with the month their postings were placed by): the exact latest month, its cut, those documents' postings
 * in their segments, no empty segment.
 */
export async function settle(store: NodeStore, root: IndexRoot, touched: readonly Placed[]): Promise<IndexRoot> {
  if (touched.length === 0) return root
  const now = await Promise.all(touched.map(async t => await currentMonth(store, root, t.id)))
  let latest = root.latest
  for (const m of now) if (m !== null) latest = Math.max(latest, m)
  // The latest month can fall only when a document of that month left it (moved earlier, or removed), and falls
  // when no other document holds it; then the doc values are read whole (rare: the newest months all gone).
  if (touched.some((t, i) => t.month >= root.latest && now[i] !== root.latest) && !(await holdsFirstMonth(store, root, root.latest))) {
    latest = await exactLatest(store, root.docvalues)
  }
  const blocks = tierBlocks(latest)
  const segments = await recut(store, root, latest)
  const moves = await findMoves(store, root, segments, blocks, touched, now)
  return { ...root, latest, segments: await nonEmpty(store, await applyMoves(store, root.shardCount, segments, blocks, moves)) }
}

/** Postings to move: deletions per (segment index, shard), insertions per (target block start, shard). */
interface Moves {
  readonly dels: Map<string, Edit[]>
  readonly puts: Map<string, Edit[]>
}

function push(m: Map<string, Edit[]>, k: string, e: Edit): void {
  let l = m.get(k)
  if (l === undefined) m.set(k, (l = []))
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
  // Per (segment index, shard): candidate keys, each with the block it belongs in.
  const wanted = new Map<string, Array<{ key: Uint8Array; to: number }>>()
  for (const [i, t] of touched.entries()) {
    const m = now[i]
    if (m === null) continue // removed with its postings (withdraw.ts)
    const target = blockOf(blocks, m)
    const src = blockOf(blocks, Math.min(t.month, latest))
    if (src === target) continue
    const s = segments.findIndex(g => g.from === blocks[src][0])
    if (s < 0) continue
    const caps: Capture[] = []
    for await (const e of entries(store, root.docs, { prefix: docKindKey(t.id, KIND_CAPTURE) })) caps.push(decodeCapture(e.value))
    const stored = await storedDocument(store, root.docs, t.id)
    for (const p of documentPostings(
      t.id,
      stored,
      caps.map(c => c.url),
      caps,
      root.shardCount,
      root.analyzer
    )) {
      let l = wanted.get(`${s}/${p.shard}`)
      if (l === undefined) wanted.set(`${s}/${p.shard}`, (l = []))
      l.push({ key: p.key, to: blocks[target][0] })
    }
  }
  const moves: Moves = { dels: new Map(), puts: new Map() }
  for (const [at, list] of wanted) {
    const [s, shard] = at.split('/').map(Number)
    list.sort((a, b) => compareBytes(a.key, b.key))
    const keys = list.filter((x, j) => j === 0 || compareBytes(list[j - 1].key, x.key) !== 0)
    let j = 0
    for await (const e of getSorted(
      store,
      segments[s].shards[shard],
      keys.map(x => x.key)
    )) {
      while (compareBytes(keys[j].key, e.key) < 0) j++
      push(moves.dels, `${s}/${shard}`, { key: e.key, value: null })
      push(moves.puts, `${keys[j].to}/${shard}`, { key: e.key, value: e.value })
    }
  }
  return moves
}

/** The segments with the moves applied: deletions first (by index), then insertions, adding a block's segment if need be. */
async function applyMoves(
  store: NodeStore,
  shards: number,
  before: readonly PostingSegment[],
  blocks: ReadonlyArray<readonly [number, number]>,
  moves: Moves
): Promise<PostingSegment[]> {
  const segments = [...before]
  if (moves.puts.size === 0) return segments
  const edited = async (seg: PostingSegment, key: (shard: number) => string, m: Map<string, Edit[]>): Promise<PostingSegment> => {
    const next = [...seg.shards]
    for (let j = 0; j < shards; j++) {
      const e = m.get(key(j))
      if (e !== undefined) next[j] = await mutate(store, next[j], sortEdits(e))
    }
    return { ...seg, shards: next }
  }
  for (let i = 0; i < segments.length; i++) segments[i] = await edited(segments[i], j => `${i}/${j}`, moves.dels)
  for (const [from, to] of blocks) {
    if (![...Array(shards).keys()].some(j => moves.puts.has(`${from}/${j}`))) continue
    let i = segments.findIndex(g => g.from === from)
    if (i < 0) {
      const empty = await emptyPostingsTree(store)
      segments.push({ from, to, shards: Array.from({ length: shards }, () => empty) })
      segments.sort((a, b) => a.from - b.from)
      i = segments.findIndex(g => g.from === from)
    }
    segments[i] = await edited(segments[i], j => `${from}/${j}`, moves.puts)
  }
  return segments
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
