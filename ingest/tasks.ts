// Messages between the ingest coordinator and its worker threads.

import type { Capture } from '../index-core/index/capture-codec.ts'

/** One capture to index: with a body for a new document, without one for a duplicate or a revisit. */
export interface TaskItem {
  /** Hex document id (computed by the coordinator from SURT and payload digest). */
  readonly docId: string
  readonly digest: string
  readonly capture: Capture
  readonly body: Uint8Array | null
  readonly contentType: string | null
  readonly headers: [string, string][]
  readonly bodyTruncated: boolean
}

export interface AnalyzeTask {
  readonly kind: 'analyze'
  readonly items: TaskItem[]
  readonly runPath: string
  readonly shards: number
}

export interface AnalyzeResult {
  readonly documents: number
  readonly captures: number
  /** Documents not indexed, by reason (from extraction: not-html, empty-body, ...). */
  readonly failed: Record<string, number>
  readonly entries: number
  /** Hex ids of documents indexed by this task (for the coordinator's duplicate accounting). */
  readonly indexed: string[]
}

export interface CompactTask {
  readonly kind: 'compact'
  readonly runs: string[]
  readonly out: string
  readonly sections: number
}

export interface BuildTask {
  readonly kind: 'build'
  readonly runs: string[]
  readonly section: number
  /** 'postings' | 'docs' | 'captures' | 'text': which tree config to build with. */
  readonly tree: TreeKind
  readonly blocksDir: string
}

export type TreeKind = 'postings' | 'docs' | 'captures' | 'text'

export interface BuildResult {
  readonly root: string
  readonly entries: number
  readonly nodesWritten: number
  readonly bytesWritten: number
}

export type Task = AnalyzeTask | CompactTask | BuildTask

/** Sections of a run: postings shards 0..shards-1, then docs, captures, text. */
export function sectionsFor (shards: number): { count: number, docs: number, captures: number, text: number } {
  return { count: shards + 3, docs: shards, captures: shards + 1, text: shards + 2 }
}
