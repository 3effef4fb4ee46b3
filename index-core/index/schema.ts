// The index schema: fields, filter terms, tree configurations and the format version.
// Any change here that alters a root CID must bump INDEX_FORMAT and the index golden vectors.

import { xxh32, makeConfig } from '../prolly/index.ts'
import type { TreeConfig } from '../prolly/index.ts'

export const INDEX_FORMAT = 11

/** Full-text fields, in the order their term frequencies and lengths are stored. */
export const FIELDS = ['title', 'body', 'url'] as const
export type Field = (typeof FIELDS)[number]
export const FIELD_COUNT = FIELDS.length

/**
 * Bytes of a document identifier: 80 bits, while every posting stays two bytes smaller than with 96. The
 * first URL_KEY_BYTES are a hash of the URL (SURT) alone and the rest a hash of URL and content, so every
 * version of one URL sits side by side in every tree keyed by document, and a query groups results by URL
 * from the keys alone. Two versions of one URL collide with chance about v^2/2^41 (v versions); two URLs
 * sharing a URL key (about one pair per 1.5 million URLs) only share key ranges: readers that group or
 * list versions confirm the URL with the document record.
 */
export const DOC_ID_BYTES = 10
export const URL_KEY_BYTES = 5

/** Postings are split over this many trees by a hash of the term, so they build and merge in parallel. */
export const DEFAULT_SHARDS = 16
export const MAX_SHARDS = 256

/**
 * Filter terms live in the postings beside words, so filters and facets are posting-list operations.
 * They start with 0x01, which the analyzer never emits, then the field name and a colon.
 */
export const FILTER_FIELDS = ['host', 'domain', 'type', 'lang', 'year', 'month', 'inst', 'surt'] as const
export type FilterField = (typeof FILTER_FIELDS)[number]
const FILTER_MARK = '\u0001'

export function filterTerm(field: FilterField, value: string): string {
  // NUL separates term and document id in posting keys, so it can never appear in a term.
  return `${FILTER_MARK}${field}:${value.replaceAll('\u0000', '')}`
}

/** The hash that places a term in a shard. */
export function termHash(term: Uint8Array): number {
  return xxh32(term, 0x5eed)
}

/** The shard holding a term's postings. */
export function shardOf(term: Uint8Array, shards: number): number {
  return termHash(term) % shards
}

/**
 * Postings: key term ‖ 0x00 ‖ 255 - impact ‖ docId (posting-codec.ts); 5 to 100-byte entries, the best of a
 * term (many positions) the largest. Leaves end by bytes (about 6 KiB), not by entries: a query reading a
 * list best first then pays for the postings it needs, not for leaves of hundreds of long ones. An entry may
 * be as large as a body of maxFieldTokens repetitions of one word (about 100 KB of positions), so a page that
 * repeats a word cannot fail an ingest.
 */
export const POSTINGS_TREE: TreeConfig = makeConfig({
  leafFanout: 256,
  leafBytes: 4096,
  branchFanout: 48,
  minBytes: 2048,
  maxBytes: 263168,
  maxEntryBytes: 131072
})
/**
 * Documents: each document's record, captures and stored text (doc-keys.ts). Leaves end by bytes (prolly
 * leafBytes 2 KiB): a text chunk (3.4 KB deflated on average) almost always ends one, a record or a capture
 * seldom, so a document's record, captures and text mostly share one leaf, and a page of ten hits from a
 * partner's index fetches, per hit, about one leaf and a path of branch nodes of 4 (~250 bytes each: the
 * bytes a path costs grow with fan-out / ln(fan-out), least near 3 or 4). Values start with five summed varints
 * (documents, captures, then title, body and url tokens), so collection statistics, the average field lengths
 * BM25 normalises by among them, are read off the root and stay exact through any merge. A record can reach ~26 KB (a 4 KB
 * URL whose SURT percent-encodes to 12 KB, 1,024 CJK title and 2,048 CJK description characters); a text
 * chunk holds up to 16,000 bytes, deflated.
 */
export const DOCS_TREE: TreeConfig = makeConfig({
  leafFanout: 1,
  leafBytes: 2048,
  branchFanout: 4,
  minBytes: 0,
  maxBytes: 98304,
  maxEntryBytes: 32768,
  sums: 5
})
/** Doc values (facets, grouping, date sort): key docId; ~60-byte entries. */
export const DOCVALUES_TREE: TreeConfig = makeConfig({ leafFanout: 48, branchFanout: 48, maxBytes: 32768, maxEntryBytes: 8192 })

/** Crawl files: key institution ‖ 0 ‖ file name; value their UnixFS CID and size (captures name their file). */
export const FILES_TREE: TreeConfig = makeConfig({ leafFanout: 24, branchFanout: 48, maxBytes: 32768, maxEntryBytes: 8192 })
/** Withdrawals (tombstones): key docId ‖ institution; they survive merges and remove that institution's captures. */
export const WITHDRAWN_TREE: TreeConfig = makeConfig({ leafFanout: 24, branchFanout: 48, maxBytes: 32768, maxEntryBytes: 8192 })

/** The trees of an index besides the postings shards, in the order they are listed everywhere. */
export const SIDE_TREES = ['docs', 'docvalues', 'files', 'withdrawn'] as const
export type SideTree = (typeof SIDE_TREES)[number]
export type TreeKind = 'postings' | SideTree

export const TREE_CONFIGS: Readonly<Record<TreeKind, TreeConfig>> = Object.freeze({
  postings: POSTINGS_TREE,
  docs: DOCS_TREE,
  docvalues: DOCVALUES_TREE,
  files: FILES_TREE,
  withdrawn: WITHDRAWN_TREE
})

/** Caps that keep any one document's entries within the trees' entry limits. */
export const LIMITS = Object.freeze({
  urlBytes: 4096,
  titleChars: 1024,
  descriptionChars: 2048,
  fileNameBytes: 1024,
  institutionChars: 128,
  /** A longer WARC-Record-ID is not an id any tool issues: the capture records none. */
  recordIdChars: 512,
  /** UTF-8 bytes of a stored text chunk: deflated (stored at worst, +5 bytes), it fits DOCS_TREE's entries. */
  textChunkBytes: 16000
})

export const TERM_SEPARATOR = 0
