// Whole-index operations: empty index, open (with every tree checked against the schema), merge, statistics.

import type { CID } from 'multiformats/cid'
import { compareBytes } from '../bytes.ts'
import { diff, entries, sameConfig, merge, info } from '../prolly/index.ts'
import type { TreeConfig, NodeStore } from '../prolly/index.ts'
import { ANALYZER_VERSION, DEFAULT_MAX_FIELD_TOKENS } from '../analysis/index.ts'
import type { AnalyzerSettings } from './document.ts'
import { IndexFormatError, IndexVersionError, loadIndexRoot, saveIndexRoot } from './index-root.ts'
import type { IndexRoot } from './index-root.ts'
import { SIDE_TREES, TREE_CONFIGS } from './schema.ts'
import type { SideTree, TreeKind } from './schema.ts'
import type { MonthCounts } from './tiers.ts'
import { decodeDocValues, unionDocValues } from './docvalues-codec.ts'
import { applyWithdrawals } from './withdraw.ts'
import { overlap, settle } from './placement.ts'
import { loadMonthCounts, MonthTally, NO_MONTHS } from './month-counts.ts'
import { countedDocs, cutOf, followsCut, lastMonth, monthOf } from './tiers.ts'
/** A conflict rule that always keeps the key (index trees never drop an entry on merge). */
export type Combine = (key: Uint8Array, a: Uint8Array, b: Uint8Array) => Uint8Array

export const DEFAULT_ANALYZER: AnalyzerSettings = Object.freeze({ version: ANALYZER_VERSION, maxFieldTokens: DEFAULT_MAX_FIELD_TOKENS })

/**
 * The one conflict rule of every index tree: the bytewise larger value wins. Equal keys normally carry equal
 * values (they derive from the same bytes); the rule only has to be deterministic, commutative, associative
 * and idempotent, so that merging in any order or grouping gives one root.
 */
export function maxResolver(_key: Uint8Array, a: Uint8Array, b: Uint8Array): Uint8Array {
  return compareBytes(a, b) >= 0 ? a : b
}

/**
 * How equal keys combine, per tree: doc values by union (dates, years, institutions collected from every
 * capture), everything else by maxResolver.
 */
export function resolverFor(kind: TreeKind): Combine {
  return kind === 'docvalues' ? unionDocValues : maxResolver
}

async function checkTree(store: NodeStore, root: CID, want: TreeConfig, what: string): Promise<void> {
  const i = await info(store, root)
  if (!sameConfig(i.cfg, want)) throw new IndexFormatError(`index ${what} tree has an unexpected configuration`)
}

/**
 * Loads an index root and checks that every tree is of the shape this version of Canopy writes, and that the
 * segments are the cut of the month counts, which count every document (what writers rely on).
 */
export async function openIndex(store: NodeStore, cid: CID, analyzer: AnalyzerSettings = DEFAULT_ANALYZER): Promise<IndexRoot> {
  const root = await openIndexSides(store, cid, analyzer)
  await Promise.all(root.segments.flatMap((seg, s) => seg.shards.map(async (c, i) => await checkPostingsTree(store, c, segmentTreeName(root, s, i)))))
  const counts = await loadMonthCounts(store.blocks, root.months)
  const documents = (await info(store, root.docvalues)).count
  if (countedDocs(counts) !== documents) throw new IndexFormatError(`index month counts do not add up to its ${documents} documents`)
  if (lastMonth(counts) !== root.latest) throw new IndexFormatError(`index latest month ${root.latest} is not that of its month counts`)
  if (!followsCut(root.segments, cutOf(counts))) throw new IndexFormatError('index segments are not the cut of its month counts')
  return root
}

/**
 * Checks an index's month counts against its doc values, from those that changed since `since` (an earlier
 * root of the same publisher whose counts were checked), else from all of them. openIndex checks only their sum
 * and their cut; a partner's counts are checked so before anything of it is merged (federation's
 * checkPartnerIndex), since counts that do not count its documents would give a merge a cut that is not its
 * documents', and make later withdrawals fail.
 */
export async function checkMonthCounts(store: NodeStore, root: IndexRoot, since?: IndexRoot): Promise<void> {
  const month = (dv: Uint8Array): number => monthOf(decodeDocValues(dv).first)
  const tally = new MonthTally(since === undefined ? NO_MONTHS : await loadMonthCounts(store.blocks, since.months))
  if (since === undefined) for await (const e of entries(store, root.docvalues)) tally.add(month(e.value))
  else
    for await (const c of diff(store, since.docvalues, root.docvalues)) {
      if (c.before !== null) tally.add(month(c.before), -1)
      if (c.after !== null) tally.add(month(c.after), 1)
    }
  const held = tally.counts()
  const claimed = await loadMonthCounts(store.blocks, root.months)
  const of = (c: MonthCounts, m: number): number => c.docs[c.months.indexOf(m)] ?? 0
  const wrong = [...held.months, ...claimed.months].find(m => of(held, m) !== of(claimed, m))
  if (wrong !== undefined)
    throw new IndexFormatError(`index month counts do not count its documents: month ${wrong} holds ${of(held, wrong)}, the counts say ${of(claimed, wrong)}`)
}

/**
 * Loads an index root and checks its analyzer and side trees, leaving each postings tree to checkPostingsTree
 * before it is first read: a query on a partner's index then fetches the roots of the shards its words
 * live in, not of all of them.
 */
export async function openIndexSides(store: NodeStore, cid: CID, analyzer: AnalyzerSettings = DEFAULT_ANALYZER): Promise<IndexRoot> {
  const root = await loadIndexRoot(store.blocks, cid)
  if (root.analyzer.version !== analyzer.version || root.analyzer.maxFieldTokens !== analyzer.maxFieldTokens) {
    throw new IndexFormatError(
      `index built with analyzer ${root.analyzer.version} (max ${root.analyzer.maxFieldTokens} tokens); this Canopy uses ${analyzer.version} (max ${analyzer.maxFieldTokens})`
    )
  }
  await Promise.all(
    SIDE_TREES.map(async t => {
      await checkTree(store, root[t], TREE_CONFIGS[t], t)
    })
  )
  return root
}

/** How errors name a postings tree: by segment (its months) and shard. */
export function segmentTreeName(root: IndexRoot, segment: number, shard: number): string {
  const s = root.segments[segment]
  return `postings segment ${segment} (months ${s.from}-${s.to - 1}) shard ${shard}`
}

/** Checks that a postings tree (`what`: which, for the error) is of the shape this version of Canopy writes. */
export async function checkPostingsTree(store: NodeStore, cid: CID, what: string): Promise<void> {
  await checkTree(store, cid, TREE_CONFIGS.postings, what)
}

/**
 * Merges two indexes tree by tree, then applies the tombstones of both; the result depends only on the union
 * of their entries and tombstones. Both sides' segments are brought to the cut of the merged month counts and
 * merged block by block, and documents both hold whose first captures differ are settled into the segment of
 * the merged one (placement.ts).
 */
export async function mergeIndexes(store: NodeStore, a: CID, b: CID): Promise<CID> {
  if (a.equals(b)) return a
  const [ra, rb] = await Promise.all([openIndex(store, a), openIndex(store, b)])
  if (ra.extraction !== rb.extraction) {
    throw new IndexVersionError(
      `cannot merge index ${a.toString()} (extraction ${ra.extraction}) with ${String(b)} (extraction ${rb.extraction}): the same crawl would give different documents; re-ingest the older one's crawls with the same Canopy`
    )
  }
  if (ra.shardCount !== rb.shardCount) throw new IndexFormatError(`cannot merge indexes with ${ra.shardCount} and ${rb.shardCount} shards`)
  const side = {} as Record<SideTree, CID>
  for (const t of SIDE_TREES) side[t] = await merge(store, ra[t], rb[t], resolverFor(t))
  // After the side trees: the doc values' merge has just read the leaves the overlap scan reads again.
  const both = await overlap(store, ra, rb)
  const joined: IndexRoot = { ...ra, ...side, segments: [...ra.segments, ...rb.segments] }
  const settled = await settle(store, joined, both.placed, () => both.counts)
  // A tombstone from either side removes what the other side still holds of the withdrawn documents.
  return await saveIndexRoot(store.blocks, await applyWithdrawals(store, settled))
}

/** Statistics read off the docs tree's root (no postings shard is read). */
export interface DocStats {
  readonly documents: number
  readonly captures: number
  readonly shards: number
  /** Postings segments (blocks of first-capture months). */
  readonly segments: number
  /** Tokens of each field (title, body, url) over every document: average lengths for BM25. */
  readonly lengths: readonly number[]
}

export interface IndexStats extends DocStats {
  readonly postings: number
}

/** Collection statistics, read off the tree roots (no leaf is read). */
export async function indexStats(store: NodeStore, root: IndexRoot): Promise<IndexStats> {
  return { ...(await docStats(store, root)), postings: await postingCount(store, root) }
}

/** Postings in every shard of every segment, read off the trees' roots. */
export async function postingCount(store: NodeStore, root: IndexRoot): Promise<number> {
  let postings = 0
  for (const seg of root.segments) for (const s of seg.shards) postings += (await info(store, s)).count
  return postings
}

/** Collection statistics, from the sums of the docs tree's root (doc-keys.ts). */
export async function docStats(store: NodeStore, root: IndexRoot): Promise<DocStats> {
  const { sums } = await info(store, root.docs)
  return { documents: sums[0], captures: sums[1], shards: root.shardCount, segments: root.segments.length, lengths: [sums[2], sums[3], sums[4]] }
}
