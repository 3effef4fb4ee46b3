// Messages between the ingest coordinator and its worker threads.

import type { Capture, SideTree, TreeKind } from '../index-core/index/index.ts'
import { SIDE_TREES } from '../index-core/index/index.ts'
import type { DocMonthTable } from './doc-months.ts'
import { extractionKey } from './extract/index.ts'

/**
 * One capture to index: with a body for a new document variant, without one for a duplicate (sent once its
 * variant is known to be indexed) or a revisit.
 */
export interface TaskItem {
  /** Hex document id (computed by the coordinator from SURT and payload digest). */
  readonly docId: string
  readonly digest: string
  /** A response's variant (a fingerprint of its analysisKey); null for a revisit. */
  readonly variant: string | null
  readonly capture: Capture
  readonly body: Uint8Array | null
  readonly contentType: string | null
  readonly headers: [string, string][]
  readonly bodyTruncated: boolean
}

/**
 * Everything the analysis of an item reads but its body, whose payload digest is in the document id (worker.ts:
 * the capture's URL and status, whether the body was cut short, and what extraction reads of the headers). Items
 * whose keys are equal are analysed alike, so an ingest analyses one of them and lets the others share its fate.
 */
export function analysisKey(item: Pick<TaskItem, 'docId' | 'capture' | 'contentType' | 'headers' | 'bodyTruncated'>): string {
  return `${item.docId}\n${item.capture.url}\n${item.capture.status}\n${item.bodyTruncated}\n${extractionKey(item.contentType, item.headers)}`
}

export interface AnalyzeTask {
  readonly kind: 'analyze'
  readonly items: TaskItem[]
  readonly runPath: string
  readonly shards: number
}

export interface AnalyzeResult {
  /** Documents analysed (for progress: one analysed twice, or already indexed, counts each time). */
  readonly documents: number
  /** Variants analysed and not indexed, with the reason (from extraction: not-html, empty-body, ...). */
  readonly rejected: Array<[string, string]>
  readonly entries: number
  /** Variants indexed by this task (whose duplicates may then be recorded). */
  readonly indexed: string[]
  /** The buffer the task's bodies came in, handed back for the next batch (body-pack.ts); null if none. */
  readonly bodies: ArrayBuffer | null
}

export interface CompactTask {
  readonly kind: 'compact'
  readonly runs: string[]
  readonly out: string
  readonly shards: number
}

export interface BuildTask {
  readonly kind: 'build'
  readonly runs: string[]
  readonly section: number
  /** Which tree config and resolver to build with. */
  readonly tree: TreeKind
  readonly blocksDir: string
  /**
   * For a postings section: each posting goes to the tree of the block of months holding its document's first
   * capture (one tree per block, each given, empty or not).
   */
  readonly cut?: { readonly months: DocMonthTable; readonly blocks: ReadonlyArray<readonly [number, number]> }
  /** For the doc values section: also gather the month of each document's first capture (doc-months.ts). */
  readonly collectMonths?: boolean
}

export interface BuildResult {
  /** The tree's root; with a cut, the first block's ('' for a cut of no block: an ingest of no document). */
  readonly root: string
  /** With a cut: each block's tree, in the order of its blocks. */
  readonly roots: readonly string[]
  readonly entries: number
  readonly nodesWritten: number
  readonly bytesWritten: number
  /** Bytes of block files created (blocks already in the folder are not written again). */
  readonly bytesAdded: number
  /** With collectMonths. */
  readonly months?: DocMonthTable
}

/** The UnixFS CID of one crawl file (see crawl-file.ts). */
export interface FileTask {
  readonly kind: 'file'
  readonly path: string
}

export interface FileResult {
  readonly cid: string
  readonly size: number
  /** WARCs stored (not deflated) inside a WACZ package: entry name, where its bytes start, and its size. */
  readonly inner: ReadonlyArray<{ readonly name: string; readonly offset: number; readonly size: number }>
}

/** Bounds the number of packs in an index's block folder (packed-blockstore.ts compactPacks). */
export interface PacksTask {
  readonly kind: 'packs'
  readonly blocksDir: string
}

export type Task = AnalyzeTask | CompactTask | BuildTask | FileTask | PacksTask

export interface Sections {
  readonly count: number
  /** Section of each side tree; postings shard i is section i. */
  readonly side: Readonly<Record<SideTree, number>>
  /** The tree kind of each section. */
  readonly kinds: readonly TreeKind[]
}

/** Sections of a run: postings shards 0..shards-1, then the side trees in SIDE_TREES order. */
export function sectionsFor(shards: number): Sections {
  const side = {} as Record<SideTree, number>
  SIDE_TREES.forEach((t, i) => {
    side[t] = shards + i
  })
  const kinds: TreeKind[] = [...Array.from({ length: shards }, () => 'postings' as TreeKind), ...SIDE_TREES]
  return { count: shards + SIDE_TREES.length, side, kinds }
}
