// Keeping every document's postings in the segment of its first capture's month (index-root.ts, tiers.ts).
// A document's first capture moves when a merge brings an earlier capture of it (another institution's, or a
// crawl ingested late) or a withdrawal removes its earliest ones; the month counts, and with them the cut, move
// with them. `settle` is given the documents whose first capture may have moved, with the month their postings
// were placed by, and the new counts, and returns the index as one build of its documents would cut it: the
// segments brought to the counts' cut, the documents' postings moved to their segment.

import type { CID } from 'multiformats/cid'
import { count, entries, get, getSorted, info, mutate, sortEdits } from '../prolly/index.ts'
import type { Edit, Entry, NodeStore } from '../prolly/index.ts'
import { compareBytes } from '../bytes.ts'
import { decodeCapture } from './capture-codec.ts'
import type { Capture } from './capture-codec.ts'
import { docKindKey, KIND_CAPTURE } from './doc-keys.ts'
import { documentPostings, storedDocument } from './doc-postings.ts'
import { decodeDocValues, unionDocValues } from './docvalues-codec.ts'
import { IndexFormatError } from './index-root.ts'
import type { IndexRoot, PostingSegment } from './index-root.ts'
import { loadMonthCounts, MonthTally, saveMonthCounts } from './month-counts.ts'
import { emptyPostingsTree, reshape } from './segments.ts'
import { blockOf, countedDocs, cutOf, followsCut, lastMonth, monthOf } from './tiers.ts'
import type { MonthCounts } from './tiers.ts'

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
 * The index as one build of its documents would cut it, given the documents whose first capture may have moved
 * (with the month their postings were placed by) and the month counts (given where those documents are now:
 * null when gone): the cut of those counts, segments brought to it, those documents' postings in their
 * segments. Counts that disagree with the postings (a forged or damaged index) are refused here, before a root
 * that could not be opened is made.
 */
export async function settle(
  store: NodeStore,
  root: IndexRoot,
  touched: readonly Placed[],
  countsNow: (now: ReadonlyArray<number | null>) => MonthCounts
): Promise<IndexRoot> {
  const now = await Promise.all(touched.map(async t => await currentMonth(store, root, t.id)))
  const counts = countsNow(now)
  const documents = (await info(store, root.docvalues)).count
  if (countedDocs(counts) !== documents) throw new IndexFormatError(`the month counts do not add up to the index's ${documents} documents`)
  const cut = cutOf(counts)
  const segments = await reshape(store, root.segments, cut, root.docvalues)
  const edits = await findMoves(store, root, segments, cut, touched, now)
  const settled = await applyMoves(store, root.shardCount, segments, cut, edits)
  if (!followsCut(settled, cut)) {
    throw new IndexFormatError(
      `the month counts and the postings disagree: the counts cut months ${cut.map(b => `${b[0]}-${b[1] - 1}`).join(', ')}, the postings fill ${settled.map(s => `${s.from}-${s.to - 1}`).join(', ')}`
    )
  }
  return { ...root, latest: lastMonth(counts), months: await saveMonthCounts(store.blocks, counts), segments: settled }
}

/** Counts with each touched document moved from the month it was placed by to its month now (null: gone). */
export function recount(counts: MonthCounts, touched: readonly Placed[], now: ReadonlyArray<number | null>): MonthCounts {
  const t = new MonthTally(counts)
  for (const [i, p] of touched.entries()) {
    t.add(p.month, -1)
    const m = now[i]
    if (m !== null) t.add(m, 1)
  }
  return t.counts()
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
  cut: ReadonlyArray<readonly [number, number]>,
  touched: readonly Placed[],
  now: ReadonlyArray<number | null>
): Promise<Moves> {
  // Per source segment and shard: candidate keys, each with the block it belongs in.
  const wanted = new Map<PostingSegment, Map<number, Array<{ key: Uint8Array; to: number }>>>()
  for (const [i, t] of touched.entries()) {
    const m = now[i]
    if (m === null) continue // removed with its postings (withdraw.ts)
    const target = cut[blockOf(cut, m)][0]
    // No segment holds the month it was placed by when the cut left that month out: its segment was then cut
    // by each posting's document (reshape), which put these postings in place.
    const src = segments.find(g => g.from <= t.month && t.month < g.to)
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

/** What a merge of two indexes must settle (overlap). */
export interface Overlap {
  /** Documents both hold whose first captures fall in different months, with the month each side placed them by. */
  readonly placed: Placed[]
  /** The merged month counts: both sides', each document both hold counted once, in its merged first month. */
  readonly counts: MonthCounts
}

/**
 * The documents `a` and `b` both hold, read from the side with fewer doc values and looked up in the other, so
 * that an update costs what it holds.
 */
export async function overlap(store: NodeStore, a: IndexRoot, b: IndexRoot): Promise<Overlap> {
  const [na, nb, ca, cb] = await Promise.all([
    count(store, a.docvalues),
    count(store, b.docvalues),
    loadMonthCounts(store.blocks, a.months),
    loadMonthCounts(store.blocks, b.months)
  ])
  const tally = new MonthTally(ca)
  for (const [i, m] of cb.months.entries()) tally.add(m, cb.docs[i])
  const [small, large] = na <= nb ? [a, b] : [b, a]
  const placed: Placed[] = []
  const batch: Entry[] = []
  const flush = async (): Promise<void> => {
    const mine = new Map(batch.map(x => [Buffer.from(x.key).toString('latin1'), x.value]))
    for await (const e of getSorted(
      store,
      large.docvalues,
      batch.map(x => x.key)
    )) {
      const dv = mine.get(Buffer.from(e.key).toString('latin1'))!
      const ms = monthOf(decodeDocValues(dv).first)
      const ml = monthOf(decodeDocValues(e.value).first)
      if (ms === ml) {
        tally.add(ms, -1)
        continue
      }
      // Counted on both sides: once, in the month of the merged first capture.
      tally
        .add(ms, -1)
        .add(ml, -1)
        .add(monthOf(decodeDocValues(unionDocValues(e.key, dv, e.value)).first), 1)
      placed.push({ id: e.key, month: ms }, { id: e.key, month: ml })
    }
    batch.length = 0
  }
  for await (const e of entries(store, small.docvalues)) {
    batch.push(e)
    if (batch.length >= 4096) await flush()
  }
  await flush()
  return { placed, counts: tally.counts() }
}
