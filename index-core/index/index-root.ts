// The index root: one small dag-cbor block naming everything else.
//   { canopy: 'index', format, analyzer: { version, maxFieldTokens }, extraction, shards: n, latest: month,
//     months, segments: [{ from, to, shards: [n postings tree roots] }], docs, docvalues, files, withdrawn }
// Postings are cut into segments by the month of each document's first capture (segments.ts): `latest` is the
// latest such month of any document, `months` links the documents per month (month-counts.ts), and the
// segments are the blocks that cutOf gives for those counts (tiers.ts), in order.
// `extraction` names the extraction that made the documents (its rules and the exact versions of the packages
// whose output becomes index text); index-core treats it as an opaque label that merges must agree on.
// Collection statistics are not stored here: they are read off the trees (counts and sums), so they cannot
// disagree with them after a merge.

import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { equalBytes } from '../bytes.ts'
import type { BlockAccess } from '../store/index.ts'
import type { AnalyzerSettings } from './document.ts'
import { INDEX_FORMAT, MAX_SHARDS } from './schema.ts'
import { MAX_MONTH, MAX_SEGMENTS, blockAt, tierBlocks } from './tiers.ts'
import { UserError } from '../user-error.ts'
import { getVerified, putDagCbor } from './dag-block.ts'

/** The postings of the documents first captured in months [from, to): one tree per shard. */
export interface PostingSegment {
  readonly from: number
  readonly to: number
  readonly shards: readonly CID[]
}

export interface IndexRoot {
  readonly format: number
  readonly analyzer: AnalyzerSettings
  /** The extraction that made the documents (opaque here; ingest names it). */
  readonly extraction: string
  /** Postings shards per segment (terms are spread over them by hash). */
  readonly shardCount: number
  /** The month (since 1970-01) of the latest first capture of any document: it fixes the segments' blocks. */
  readonly latest: number
  /** Documents per month of first capture (month-counts.ts): what the cut weighs. */
  readonly months: CID
  /** The postings, by blocks of first-capture months: the blocks cutOf gives for the month counts, in order. */
  readonly segments: readonly PostingSegment[]
  /** Records, captures and stored text of the documents (doc-keys.ts). */
  readonly docs: CID
  readonly docvalues: CID
  readonly files: CID
  readonly withdrawn: CID
}

export class IndexFormatError extends UserError {
  override name = 'IndexFormatError'
}

/** Two indexes made by different extractions or analyzers, which must not be mixed. */
export class IndexVersionError extends UserError {
  override name = 'IndexVersionError'
}

/** Enough for MAX_SEGMENTS segments of 64 shards; a root past it is refused when saved, before anything names it. */
const MAX_ROOT_BYTES = 1024 * 1024
const MAX_EXTRACTION_CHARS = 1024

/** Every postings tree of the index: each segment's shards, segment by segment. */
export function postingTrees(r: IndexRoot): CID[] {
  return r.segments.flatMap(s => s.shards)
}

export function encodeIndexRoot(r: IndexRoot): Uint8Array {
  return dagCbor.encode({
    canopy: 'index',
    format: r.format,
    analyzer: { version: r.analyzer.version, maxFieldTokens: r.analyzer.maxFieldTokens },
    extraction: r.extraction,
    shards: r.shardCount,
    latest: r.latest,
    months: r.months,
    segments: r.segments.map(g => ({ from: g.from, to: g.to, shards: g.shards })),
    docs: r.docs,
    docvalues: r.docvalues,
    files: r.files,
    withdrawn: r.withdrawn
  })
}

function link(x: unknown, what: string): CID {
  const c = CID.asCID(x)
  if (c === null || c.version !== 1 || c.code !== dagCbor.code) throw new IndexFormatError(`index root: ${what} is not a dag-cbor link`)
  return c
}

export function decodeIndexRoot(bytes: Uint8Array): IndexRoot {
  if (bytes.length > MAX_ROOT_BYTES) throw new IndexFormatError(`index root of ${bytes.length} bytes is larger than ${MAX_ROOT_BYTES}`)
  let m: Record<string, unknown>
  try {
    m = dagCbor.decode(bytes) as Record<string, unknown>
  } catch (err) {
    throw new IndexFormatError(`index root: not dag-cbor (${(err as Error).message})`)
  }
  if (m === null || typeof m !== 'object' || m.canopy !== 'index') throw new IndexFormatError('not a Canopy index root')
  if (m.format !== INDEX_FORMAT) throw new IndexFormatError(`index format ${String(m.format)} is not supported (this Canopy reads format ${INDEX_FORMAT})`)
  const a = m.analyzer as Record<string, unknown> | null
  if (a === null || typeof a !== 'object' || typeof a.version !== 'string' || typeof a.maxFieldTokens !== 'number') {
    throw new IndexFormatError('index root: analyzer settings malformed')
  }
  if (typeof m.extraction !== 'string' || m.extraction.length > MAX_EXTRACTION_CHARS) throw new IndexFormatError('index root: extraction version malformed')
  const n = m.shards
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_SHARDS) throw new IndexFormatError('index root: shard count malformed')
  const latest = m.latest
  if (typeof latest !== 'number' || !Number.isInteger(latest) || latest < 0 || latest > MAX_MONTH)
    throw new IndexFormatError('index root: latest month malformed')
  const root: IndexRoot = {
    format: INDEX_FORMAT,
    analyzer: { version: a.version, maxFieldTokens: a.maxFieldTokens },
    extraction: m.extraction,
    shardCount: n,
    latest,
    months: link(m.months, 'months'),
    segments: decodeSegments(m.segments, n, latest),
    docs: link(m.docs, 'docs'),
    docvalues: link(m.docvalues, 'docvalues'),
    files: link(m.files, 'files'),
    withdrawn: link(m.withdrawn, 'withdrawn')
  }
  if (!equalBytes(encodeIndexRoot(root), bytes)) throw new IndexFormatError('index root: not in canonical form')
  return root
}

/**
 * Segments as the root lists them, each with every shard: in order, disjoint, each an aligned block of 2^k
 * months inside one block of the latest month's calendar tiers, the last one holding the latest month. That
 * they are the cut of the month counts is checked by openIndex (index-ops.ts), which reads the counts.
 */
function decodeSegments(x: unknown, shards: number, latest: number): PostingSegment[] {
  const tiers = tierBlocks(latest)
  if (!Array.isArray(x) || x.length > MAX_SEGMENTS) throw new IndexFormatError('index root: segment list malformed')
  const out: PostingSegment[] = []
  let after = 0
  for (const [i, g] of x.entries()) {
    const s = g as Record<string, unknown> | null
    if (s === null || typeof s !== 'object' || !Array.isArray(s.shards) || s.shards.length !== shards) {
      throw new IndexFormatError(`index root: segment ${i} malformed`)
    }
    const { from, to } = s
    const tier = typeof from === 'number' ? tiers[blockAt(tiers, from)] : undefined
    if (
      typeof from !== 'number' ||
      typeof to !== 'number' ||
      !Number.isInteger(from) ||
      from < after ||
      tier === undefined ||
      !aligned(from, to) ||
      to > tier[1]
    ) {
      throw new IndexFormatError(`index root: segment ${i} is not a block of the tiers of month ${latest} (or out of order)`)
    }
    after = to
    out.push({ from, to, shards: s.shards.map((c, j) => link(c, `segment ${i} shard ${j}`)) })
  }
  if (out.length > 0 && out[out.length - 1].to <= latest) throw new IndexFormatError(`index root: no segment holds the latest month, ${latest}`)
  return out
}

/** Whether [from, to) is 2^k months long and starts at a multiple of its length. */
function aligned(from: number, to: number): boolean {
  const n = to - from
  return Number.isInteger(to) && n >= 1 && (n & (n - 1)) === 0 && from % n === 0
}

export async function saveIndexRoot(blocks: BlockAccess, r: IndexRoot): Promise<CID> {
  const bytes = encodeIndexRoot(r)
  if (bytes.length > MAX_ROOT_BYTES) {
    throw new IndexFormatError(
      `the index root would be ${bytes.length} bytes, more than ${MAX_ROOT_BYTES}: ${r.segments.length} segments of ${r.shardCount} shards (use fewer shards)`
    )
  }
  return await putDagCbor(blocks, bytes)
}

export async function loadIndexRoot(blocks: BlockAccess, cid: CID): Promise<IndexRoot> {
  return decodeIndexRoot(await getVerified(blocks, cid, 'index root'))
}
