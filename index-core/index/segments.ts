// Postings segments (docs/updates.md, issue 18): a document's postings belong to the segment whose block of
// months (tiers.ts cutOf) holds the month of its first capture. Here: bringing segments to another cut
// (reshape: merging those a block holds, consolidate; cutting those that hold more than a block by their
// documents' months, cutPostings, which benches and tests also use).

import type { CID } from 'multiformats/cid'
import { DOC_ID_BYTES, POSTINGS_TREE } from './schema.ts'
import { compareBytes, toHex } from '../bytes.ts'
import { decodeDocValues } from './docvalues-codec.ts'
import { resolverFor } from './index-ops.ts'
import type { IndexRoot, PostingSegment } from './index-root.ts'
import { IndexFormatError } from './index-root.ts'
import { blockAt, blockOf, monthOf } from './tiers.ts'
import { buildTree, entries, getSorted, info, mergeAll, TreeBuilder } from '../prolly/index.ts'
import type { Entry, NodeStore } from '../prolly/index.ts'

/** The month of each document's first capture, read off an index's doc values (key: the document id in hex). */
export async function firstMonths(store: NodeStore, docvalues: CID): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  for await (const e of entries(store, docvalues)) out.set(toHex(e.key), monthOf(decodeDocValues(e.value).first))
  return out
}

/**
 * Postings shards cut into segments: each shard's entries go to the block of their document's month (a
 * document the map does not know counts as month 0), and each (block, shard) is built as a postings tree;
 * blocks no document falls in are left out. Keys are unchanged, so the union of the segments holds exactly
 * the shards' entries, but for those of documents first captured after the last block, which are left out
 * (the postings of the index as it stood then). Reads every posting once, streamed into one tree builder per
 * block (memory bounded by the builders, not the shard): what a re-cut costs (reshape), and benches and tests.
 */
export async function cutPostings(
  store: NodeStore,
  shards: readonly CID[],
  months: ReadonlyMap<string, number>,
  blocks: ReadonlyArray<readonly [number, number]>
): Promise<PostingSegment[]> {
  const trees: Array<Array<CID | null>> = blocks.map(() => shards.map(() => null))
  const end = blocks.length === 0 ? 0 : blocks[blocks.length - 1][1]
  for (let s = 0; s < shards.length; s++) {
    const builders = new Map<number, TreeBuilder>()
    for await (const e of entries(store, shards[s])) {
      const m = months.get(toHex(e.key.subarray(e.key.length - DOC_ID_BYTES))) ?? 0
      if (m >= end) continue
      const b = blockOf(blocks, m)
      let builder = builders.get(b)
      if (builder === undefined) builders.set(b, (builder = new TreeBuilder(store, POSTINGS_TREE)))
      if (builder.addSync(e.key, e.value)) await builder.flush()
    }
    for (const [b, builder] of builders) trees[b][s] = await builder.finish()
  }
  const out: PostingSegment[] = []
  const empty = await emptyPostingsTree(store)
  for (let b = 0; b < blocks.length; b++) {
    if (trees[b].every(t => t === null)) continue
    out.push({ from: blocks[b][0], to: blocks[b][1], shards: trees[b].map(t => t ?? empty) })
  }
  return out
}

/**
 * An index's postings as one set of shards: its segments consolidated into one block of every month (the
 * layout of one segment, for benches and tests that compare against it or cut it other ways).
 */
export async function wholePostings(store: NodeStore, root: IndexRoot): Promise<readonly CID[]> {
  if (root.segments.length === 0) return new Array<CID>(root.shardCount).fill(await emptyPostingsTree(store))
  if (root.segments.length === 1) return root.segments[0].shards
  return (await consolidate(store, root.segments, [[0, root.latest + 1]]))[0].shards
}

/** The empty postings tree (a segment's shard that no posting of the segment falls in). */
export async function emptyPostingsTree(store: NodeStore): Promise<CID> {
  return await buildTree(store, [], POSTINGS_TREE)
}

/** Entries of several trees' ranges in one key order (each source already in order). */
export function byKey(a: Entry, b: Entry): number {
  return compareBytes(a.key, b.key)
}

/**
 * Segments brought to a cut (tiers.ts cutOf): those inside a block of it merged there (consolidate); those that
 * hold more than one of its blocks, or months it leaves out, cut by their documents' months read from
 * `docvalues` (a block whose halves became unbalanced, a latest month that fell: reads the segment whole).
 * Blocks of cuts nest or are disjoint, so every segment is one or the other.
 */
export async function reshape(
  store: NodeStore,
  segments: readonly PostingSegment[],
  cut: ReadonlyArray<readonly [number, number]>,
  docvalues: CID
): Promise<PostingSegment[]> {
  const inside = (s: PostingSegment): boolean => {
    const b = blockAt(cut, s.from)
    return b >= 0 && s.to <= cut[b][1]
  }
  const pieces: PostingSegment[] = []
  const postings = async (segs: readonly PostingSegment[]): Promise<number> =>
    (await Promise.all(segs.flatMap(g => g.shards.map(async c => (await info(store, c)).count)))).reduce((a, b) => a + b, 0)
  for (const s of segments) {
    if (inside(s)) continue
    const cutUp = await cutPostings(store, s.shards, await postingMonths(store, s.shards, docvalues), cut)
    // cutPostings leaves out documents past the cut's last month: here only counts that miss them can.
    if ((await postings(cutUp)) !== (await postings([s])))
      throw new IndexFormatError(`postings of months ${s.from}-${s.to - 1} fall outside the cut of the month counts`)
    pieces.push(...cutUp)
  }
  return await consolidate(store, [...segments.filter(inside), ...pieces], cut)
}

/** The first-capture month of every document with a posting in `shards`, from `docvalues`; all must be there. */
async function postingMonths(store: NodeStore, shards: readonly CID[], docvalues: CID): Promise<Map<string, number>> {
  const ids = new Map<string, Uint8Array>()
  for (const s of shards) {
    for await (const e of entries(store, s)) {
      const id = e.key.subarray(e.key.length - DOC_ID_BYTES)
      ids.set(toHex(id), id)
    }
  }
  const out = new Map<string, number>()
  for await (const e of getSorted(store, docvalues, [...ids.values()].sort(compareBytes))) out.set(toHex(e.key), monthOf(decodeDocValues(e.value).first))
  for (const id of ids.keys()) if (!out.has(id)) throw new IndexFormatError(`postings of document ${id}, which the index does not hold`)
  return out
}

/**
 * Segments brought to `blocks` (a cut that each segment lies inside one block of): the segments inside each
 * block merged shard by shard (prolly merge: keys unchanged, and the result is the tree of the union of their
 * entries whatever the order, as one build of them gives), a segment already cut as the block kept as it is.
 * This is where consolidation happens: a carried block's segments become one, and an update's new segments
 * join the old ones of their block. A segment that straddles a block is refused.
 */
export async function consolidate(
  store: NodeStore,
  segments: readonly PostingSegment[],
  blocks: ReadonlyArray<readonly [number, number]>
): Promise<PostingSegment[]> {
  const inside: PostingSegment[][] = blocks.map(() => [])
  for (const seg of segments) {
    const b = blockOf(blocks, seg.from)
    if (seg.to > blocks[b][1]) throw new RangeError(`segment of months [${seg.from}, ${seg.to}) straddles block [${blocks[b][0]}, ${blocks[b][1]})`)
    if (seg.shards.length !== (segments[0]?.shards.length ?? 0)) throw new RangeError('segments of different shard counts')
    inside[b].push(seg)
  }
  const resolve = resolverFor('postings')
  const out: PostingSegment[] = []
  for (let b = 0; b < blocks.length; b++) {
    const [from, to] = blocks[b]
    const parts = inside[b]
    if (parts.length === 0) continue
    if (parts.length === 1 && parts[0].from === from && parts[0].to === to) {
      out.push(parts[0])
      continue
    }
    const shards: CID[] = []
    for (let i = 0; i < parts[0].shards.length; i++)
      shards.push(
        await mergeAll(
          store,
          parts.map(p => p.shards[i]),
          resolve
        )
      )
    out.push({ from, to, shards })
  }
  return out
}
