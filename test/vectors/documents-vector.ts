// A self-contained index vector: a few documents and captures, as extraction would hand them over, turned into
// the entries of every tree, the blocks of those trees and the index root, with nothing read from ../shared.
// A second implementation (Rust, Go) can check each step against test/vectors/documents.json: document ids,
// entry keys and values (hex), every block (CID and bytes), each tree's root and the index root.
// Regenerate with `node test/vectors/generate-small.ts --write` (see README.md here).

import { createHash } from 'node:crypto'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { compareBytes } from '../../index-core/bytes.ts'
import { captureEntries, documentEntries } from '../../index-core/index/document.ts'
import type { DocInput } from '../../index-core/index/document.ts'
import type { Capture, PostingSegment, SideTree, TreeKind } from '../../index-core/index/index.ts'
import {
  decodeDocValues,
  docIdOf,
  encodeFile,
  fileKey,
  DEFAULT_ANALYZER,
  DOC_ID_BYTES,
  monthOf,
  resolverFor,
  INDEX_FORMAT,
  SIDE_TREES,
  cutOf,
  lastMonth,
  MonthTally,
  saveMonthCounts,
  TREE_CONFIGS
} from '../../index-core/index/index.ts'
import { encodeIndexRoot } from '../../index-core/index/index-root.ts'
import { encodeWithdrawal, withdrawnKey } from '../../index-core/index/withdraw.ts'
import { buildTree, NodeStore } from '../../index-core/prolly/index.ts'
import type { Entry } from '../../index-core/prolly/index.ts'
import { MemoryBlocks } from '../../index-core/store/index.ts'

/** Postings shards of this vector (an index may have 1 to 256; ingest's default is 16). */
export const VECTOR_SHARDS = 4
/** The root's extraction label: opaque to index-core, fixed here so that only the format moves this vector. */
export const VECTOR_EXTRACTION = 'test-vector (documents given, no extraction)'
const INSTITUTION = 'Vector Library'

export const VECTOR_DOCUMENTS: readonly DocInput[] = [
  {
    url: 'https://example.org/',
    surt: 'org,example)/',
    host: 'example.org',
    domain: 'example.org',
    mime: 'text/html',
    lang: 'en',
    title: 'Example Domain',
    description: 'An example page for test vectors',
    status: 200,
    charset: 'utf-8',
    digest: 'sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    textTruncated: false,
    text: 'This domain is for use in illustrative examples in documents. Running runners ran quickly.'
  },
  {
    url: 'https://www.example.fr/bibliotheque/page.html',
    surt: 'fr,example)/bibliotheque/page.html',
    host: 'www.example.fr',
    domain: 'example.fr',
    mime: 'text/html',
    lang: 'fr',
    title: 'La bibliothèque numérique',
    description: '',
    status: 200,
    charset: 'windows-1252',
    digest: 'sha1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
    textTruncated: false,
    text: 'Les bibliothèques conservent les archives du Web. Élève, élèves, café.'
  },
  {
    url: 'http://example.net/notes.txt',
    surt: 'net,example)/notes.txt',
    host: 'example.net',
    domain: 'example.net',
    mime: 'text/plain',
    lang: null,
    title: '',
    description: '',
    status: 200,
    charset: 'us-ascii',
    digest: 'sha1:CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC',
    textTruncated: true,
    text: 'x1 y2 z3 東京都 日本語のテキスト'
  }
]

/** Captures of VECTOR_DOCUMENTS[doc]: dated and undated, in a WARC of its own and in one inside a WACZ. */
export const VECTOR_CAPTURES: ReadonlyArray<{ readonly doc: number; readonly capture: Capture }> = [
  {
    doc: 0,
    capture: {
      date: '2019-03-25T12:12:25Z',
      url: 'https://example.org/',
      type: 'response',
      status: 200,
      institution: INSTITUTION,
      file: 'crawl-a.warc.gz',
      offset: 0,
      length: 900,
      memberOffset: 0,
      recordId: '<urn:uuid:00000000-0000-5000-8000-000000000001>'
    }
  },
  {
    doc: 0,
    capture: {
      date: '2021-11-02T08:00:00Z',
      url: 'http://example.org/',
      type: 'revisit',
      status: 200,
      institution: INSTITUTION,
      file: 'pkg.wacz#archive/data.warc.gz',
      offset: 1200,
      length: 400,
      memberOffset: 1200,
      recordId: null
    }
  },
  {
    doc: 1,
    capture: {
      date: '2020-01-01T00:00:00Z',
      url: 'https://www.example.fr/bibliotheque/page.html',
      type: 'response',
      status: 200,
      institution: INSTITUTION,
      file: 'crawl-a.warc.gz',
      offset: 900,
      length: 1300,
      memberOffset: 900,
      recordId: '<urn:uuid:00000000-0000-5000-8000-000000000002>'
    }
  },
  {
    doc: 2,
    capture: {
      date: null,
      url: 'http://example.net/notes.txt',
      type: 'resource',
      status: null,
      institution: INSTITUTION,
      file: 'crawl-a.warc.gz',
      offset: 2200,
      length: 300,
      memberOffset: 2200,
      recordId: null
    }
  }
]

/** A stand-in UnixFS CID (raw codec, sha2-256 of the name): the files tree keeps CID bytes, never follows them. */
const fileCid = (name: string): CID => CID.createV1(0x55, Digest.create(0x12, createHash('sha256').update(name).digest()))

/** Crawl files: one of its own (offset 0, written without `offset`), one inside a package (offset written). */
export const VECTOR_FILES = [
  { institution: INSTITUTION, file: 'crawl-a.warc.gz', cid: fileCid('crawl-a'), size: 2500, offset: 0 },
  { institution: INSTITUTION, file: 'pkg.wacz#archive/data.warc.gz', cid: fileCid('pkg.wacz'), size: 1600, offset: 4096 }
] as const

/** A tombstone for a document this index does not hold (applying it changes nothing else). */
export const VECTOR_WITHDRAWN = {
  docId: docIdOf('org,example)/withdrawn', 'sha1:DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD'),
  institution: INSTITUTION,
  url: 'https://example.org/withdrawn'
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** Entries of one tree, equal keys combined by the tree's rule, sorted bytewise. */
function combine(kind: TreeKind, es: readonly Entry[]): Entry[] {
  const by = new Map<string, Entry>()
  const resolve = resolverFor(kind)
  for (const e of es) {
    const k = hex(e.key)
    const had = by.get(k)
    by.set(k, had === undefined ? e : { key: e.key, value: resolve(e.key, had.value, e.value) })
  }
  return [...by.values()].sort((a, b) => compareBytes(a.key, b.key))
}

export interface DocumentsVector {
  readonly format: number
  readonly shards: number
  readonly docIds: string[]
  /** Per tree ('postings/<from>-<to>/<shard>' per segment and shard, and the side trees): its root CID and entries as [key hex, value hex]. */
  readonly trees: Record<string, { root: string; entries: Array<[string, string]> }>
  /** Every block of the index, CID to bytes (hex), the root block included. */
  readonly blocks: Record<string, string>
  readonly root: string
}

/** Builds the vector's index in memory; everything it returns is a function of the definitions above. */
export async function buildDocumentsVector(): Promise<DocumentsVector> {
  const mem = new MemoryBlocks()
  const store = new NodeStore(mem)
  const docIds = VECTOR_DOCUMENTS.map(d => docIdOf(d.surt, d.digest))
  const shardEntries: Entry[][] = Array.from({ length: VECTOR_SHARDS }, () => [])
  const side: Record<SideTree, Entry[]> = { docs: [], docvalues: [], files: [], withdrawn: [] }
  VECTOR_DOCUMENTS.forEach((d, i) => {
    const c = documentEntries(docIds[i], d, VECTOR_SHARDS, DEFAULT_ANALYZER)
    side.docs.push(c.doc, ...c.text)
    side.docvalues.push(c.docvalues)
    for (const p of c.postings) shardEntries[p.shard].push(p)
  })
  for (const { doc, capture } of VECTOR_CAPTURES) {
    const c = captureEntries(docIds[doc], capture, VECTOR_SHARDS)
    side.docs.push(c.capture)
    side.docvalues.push(c.docvalues)
    for (const p of c.postings) shardEntries[p.shard].push(p)
  }
  for (const f of VECTOR_FILES) side.files.push({ key: fileKey(f.institution, f.file), value: encodeFile(f) })
  side.withdrawn.push({ key: withdrawnKey(VECTOR_WITHDRAWN.docId, VECTOR_WITHDRAWN.institution), value: encodeWithdrawal(VECTOR_WITHDRAWN) })

  const trees: DocumentsVector['trees'] = {}
  const sideRoots = {} as Record<SideTree, CID>
  const sideEntries = {} as Record<SideTree, Entry[]>
  for (const t of SIDE_TREES) {
    const es = combine(t, side[t])
    sideEntries[t] = es
    sideRoots[t] = await buildTree(store, es, TREE_CONFIGS[t])
    trees[t] = { root: sideRoots[t].toString(), entries: es.map(e => [hex(e.key), hex(e.value)]) }
  }
  // Postings by the month of each document's first capture (its doc values), on the cut of the month counts.
  const month = new Map(sideEntries.docvalues.map(e => [hex(e.key), monthOf(decodeDocValues(e.value).first)]))
  const tally = new MonthTally()
  for (const m of month.values()) tally.add(m)
  const counts = tally.counts()
  const segments: PostingSegment[] = []
  for (const [from, to] of cutOf(counts)) {
    const inBlock = (e: Entry): boolean => {
      const m = month.get(hex(e.key.subarray(e.key.length - DOC_ID_BYTES)))!
      return from <= m && m < to
    }
    if (!shardEntries.some(es => es.some(inBlock))) continue
    const shards: CID[] = []
    for (let s = 0; s < VECTOR_SHARDS; s++) {
      const es = combine('postings', shardEntries[s].filter(inBlock))
      const root = await buildTree(store, es, TREE_CONFIGS.postings)
      shards.push(root)
      trees[`postings/${from}-${to}/${s}`] = { root: root.toString(), entries: es.map(e => [hex(e.key), hex(e.value)]) }
    }
    segments.push({ from, to, shards })
  }
  const rootBytes = encodeIndexRoot({
    format: INDEX_FORMAT,
    analyzer: DEFAULT_ANALYZER,
    extraction: VECTOR_EXTRACTION,
    shardCount: VECTOR_SHARDS,
    latest: lastMonth(counts),
    months: await saveMonthCounts(mem, counts),
    segments,
    ...sideRoots
  })
  const root = CID.createV1(dagCbor.code, await sha256.digest(rootBytes))
  await mem.put(root, rootBytes)
  const blocks: Record<string, string> = {}
  for (const k of [...mem.blocks.keys()].sort()) blocks[k] = hex(mem.blocks.get(k)!)
  return { format: INDEX_FORMAT, shards: VECTOR_SHARDS, docIds: docIds.map(hex), trees, blocks, root: root.toString() }
}
