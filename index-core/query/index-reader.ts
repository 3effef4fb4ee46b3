// Read access to one index (local, a partner's, or merged) for queries: collection statistics from the
// tree roots, posting lists, documents, doc values, captures and text, with every block read counted.

import { LRUCache } from 'lru-cache'
import type { CID } from 'multiformats/cid'
import { compareBytes, fromUtf8, prefixEnd, utf8 } from '../bytes.ts'
import { decodeCapture } from '../index/capture-codec.ts'
import type { Capture } from '../index/capture-codec.ts'
import { decodeDoc } from '../index/doc-codec.ts'
import type { DocRecord } from '../index/doc-codec.ts'
import { decodeDocValues } from '../index/docvalues-codec.ts'
import type { DocValues } from '../index/docvalues-codec.ts'
import { indexStats, openIndex } from '../index/index-ops.ts'
import type { IndexStats } from '../index/index-ops.ts'
import { IndexFormatError } from '../index/index-root.ts'
import type { IndexRoot } from '../index/index-root.ts'
import { decodeScoring, termPrefix } from '../index/posting-codec.ts'
import { DOC_ID_BYTES, FIELD_COUNT, shardOf } from '../index/schema.ts'
import { decodeText, textKey } from '../index/text-codec.ts'
import { decodeFile, fileKey } from '../index/file-codec.ts'
import type { CrawlFile } from '../index/file-codec.ts'
import { entries, floor, get, getSorted } from '../prolly/read.ts'
import { TreeCursor } from '../prolly/cursor.ts'
import type { NodeStore } from '../prolly/node-store.ts'

/** A document id as a 12-character latin1 string: compares like the bytes, works as a Map key. */
export type DocKey = string

export function docKey (bytes: Uint8Array): DocKey {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i])
  return s
}

export function docKeyBytes (k: DocKey): Uint8Array {
  const b = new Uint8Array(k.length)
  for (let i = 0; i < k.length; i++) b[i] = k.charCodeAt(i)
  return b
}

export function docKeyHex (k: DocKey): string { return Buffer.from(docKeyBytes(k)).toString('hex') }

/** A term's postings: ascending document keys, and per document its scoring data (6 numbers). */
export interface PostingList {
  readonly term: string
  readonly docs: DocKey[]
  /** 6 numbers per document: tf per field (from the posting), then norm byte per field (from the norms tree). */
  readonly scoring: Float64Array
  /** Raw posting values, kept for phrase checks and snippets. */
  readonly values: Uint8Array[]
}

/** Interns strings to small integers, so facet counting and grouping work on arrays, not string maps. */
export class Interner {
  readonly values: string[] = []
  readonly #ids = new Map<string, number>()
  id (v: string): number {
    let i = this.#ids.get(v)
    if (i === undefined) { i = this.values.length; this.values.push(v); this.#ids.set(v, i) }
    return i
  }
}

/** A document's doc values, decoded once per reader, with its facet values interned. */
export interface DocValueEntry {
  readonly dv: DocValues
  /** -1 when the index holds no record of the document (a revisit of a page it does not have). */
  readonly url: number
  readonly site: number
  readonly type: number
  /** -1 when the language is unknown. */
  readonly lang: number
  readonly years: readonly number[]
  readonly institutions: readonly number[]
}

/** The interning tables of one reader, one per facet. */
export interface FacetTables {
  readonly url: Interner
  readonly site: Interner
  readonly type: Interner
  readonly lang: Interner
  readonly year: Interner
  readonly institution: Interner
}

const DV_CACHE_LIMIT = 2_000_000
const POSTINGS_CACHE_BYTES = 64 * 1024 * 1024

/** Rough bytes a cached posting list holds: key strings, scoring numbers, value views. */
function listBytes (l: PostingList): number {
  let v = 0
  for (const x of l.values) v += x.length + 64
  return Math.max(1, l.docs.length * 40 + l.scoring.length * 8 + v)
}

export class IndexReader {
  readonly store: NodeStore
  readonly root: IndexRoot
  readonly cid: CID
  readonly stats: IndexStats
  readonly avgFieldLengths: readonly number[]
  /** Posting lists by term, bounded by their approximate size (a common term's list can be megabytes). */
  readonly #postings = new LRUCache<string, PostingList>({ maxSize: POSTINGS_CACHE_BYTES, sizeCalculation: listBytes })
  readonly #dv = new Map<DocKey, DocValueEntry>()
  readonly facets: FacetTables = { url: new Interner(), site: new Interner(), type: new Interner(), lang: new Interner(), year: new Interner(), institution: new Interner() }

  private constructor (store: NodeStore, cid: CID, root: IndexRoot, stats: IndexStats) {
    this.store = store
    this.cid = cid
    this.root = root
    this.stats = stats
    this.avgFieldLengths = Object.values(stats.avgFieldLengths)
  }

  static async open (store: NodeStore, cid: CID): Promise<IndexReader> {
    const root = await openIndex(store, cid)
    return new IndexReader(store, cid, root, await indexStats(store, root))
  }

  #shard (term: Uint8Array): CID { return this.root.shards[shardOf(term, this.root.shards.length)] }

  /** All postings of a term (cached for the reader's life: an index never changes under its CID). */
  async postings (term: string): Promise<PostingList> {
    const hit = this.#postings.get(term)
    if (hit !== undefined) return hit
    const tb = utf8(term)
    const docs: DocKey[] = []
    const values: Uint8Array[] = []
    const tmp = new Array<number>(FIELD_COUNT)
    let scoring = new Float64Array(64 * 2 * FIELD_COUNT)
    let words = false
    for await (const e of entries(this.store, this.#shard(tb), { prefix: termPrefix(tb) })) {
      const i = docs.length
      docs.push(docKey(e.key.subarray(e.key.length - DOC_ID_BYTES)))
      values.push(e.value)
      if ((i + 1) * 2 * FIELD_COUNT > scoring.length) { const n = new Float64Array(scoring.length * 2); n.set(scoring); scoring = n }
      decodeScoring(e.value, tmp)
      scoring.set(tmp, i * 2 * FIELD_COUNT)
      words ||= e.value.length > 0
    }
    // Norms are per document, in the norms tree (filter postings score nothing and need none).
    if (words) await this.#fillNorms(docs, scoring)
    const list: PostingList = { term, docs, scoring: scoring.subarray(0, docs.length * 2 * FIELD_COUNT), values }
    this.#postings.set(term, list)
    return list
  }

  /** Puts each document's norm bytes beside its term frequencies (docs ascending; one cursor walks the tree). */
  async #fillNorms (docs: readonly DocKey[], scoring: Float64Array): Promise<void> {
    const S = 2 * FIELD_COUNT
    let i = 0
    for await (const e of getSorted(this.store, this.root.norms, docs.map(docKeyBytes))) {
      const k = docKey(e.key)
      while (i < docs.length && docs[i] < k) i++
      if (i === docs.length) break
      if (e.value.length !== FIELD_COUNT) throw new IndexFormatError('norms entry of the wrong size')
      for (let f = 0; f < FIELD_COUNT; f++) scoring[i * S + FIELD_COUNT + f] = e.value[f]
    }
  }

  /**
   * Terms starting with `prefix`, in order, at most `limit` + 1 of them (the caller reports "too many").
   * Terms are spread over the shards by hash, so each shard is walked from the prefix, skipping from one
   * term to the next without reading its postings.
   */
  async expandPrefix (prefix: string, limit: number): Promise<string[]> {
    const pb = utf8(prefix)
    const end = prefixEnd(pb)
    const found = new Set<string>()
    for (const shard of new Set(this.root.shards.map(s => s.toString()))) {
      const cid = this.root.shards.find(s => s.toString() === shard)!
      const cur = await TreeCursor.open(this.store, cid)
      await cur.seek(pb)
      for (;;) {
        const item = cur.current()
        if (item === null || item.kind !== 'entry') break
        if (end !== null && compareBytes(item.key, end) >= 0) break
        const term = item.key.subarray(0, item.key.length - DOC_ID_BYTES - 1)
        found.add(fromUtf8(term))
        if (found.size > limit) return [...found].sort()
        const next = prefixEnd(termPrefix(term))
        if (next === null) break
        await cur.seekForward(next)
      }
    }
    return [...found].sort()
  }

  async doc (key: DocKey): Promise<DocRecord | null> {
    const v = await get(this.store, this.root.docs, docKeyBytes(key))
    return v === undefined ? null : decodeDoc(v)
  }

  #entry (dv: DocValues): DocValueEntry {
    const f = this.facets
    const c = dv.content
    return {
      dv,
      url: c === null ? -1 : f.url.id(Buffer.from(c.urlKey).toString('latin1')),
      site: c === null ? -1 : f.site.id(c.domain),
      type: c === null ? -1 : f.type.id(c.mime),
      lang: c === null || c.lang === '' ? -1 : f.lang.id(c.lang),
      years: dv.years.map(y => f.year.id(String(y))),
      institutions: dv.institutions.map(i => f.institution.id(i))
    }
  }

  /**
   * Doc values of many documents (keys in any order), decoded once and kept for the reader's life
   * (an index never changes under its CID), as Lucene keeps doc values at hand: facets, grouping and date
   * order then cost an array lookup per document.
   */
  async docValues (keys: readonly DocKey[]): Promise<Array<DocValueEntry | undefined>> {
    const out = new Array<DocValueEntry | undefined>(keys.length)
    const missing: DocKey[] = []
    for (let i = 0; i < keys.length; i++) {
      const e = this.#dv.get(keys[i])
      if (e === undefined) missing.push(keys[i])
      else out[i] = e
    }
    if (missing.length === 0) return out
    missing.sort()
    {
      if (this.#dv.size + missing.length > DV_CACHE_LIMIT) this.#dv.clear()
      for await (const e of getSorted(this.store, this.root.docvalues, missing.map(docKeyBytes))) {
        this.#dv.set(docKey(e.key), this.#entry(decodeDocValues(e.value)))
      }
    }
    for (let i = 0; i < keys.length; i++) if (out[i] === undefined) out[i] = this.#dv.get(keys[i])
    return out
  }

  /**
   * The crawl file a capture names, with its UnixFS CID; null for a file the index does not know, or a WARC
   * inside a WACZ package (its offsets are within the inner file, not the package IPFS names).
   */
  async crawlFile (c: Pick<Capture, 'institution' | 'file'>): Promise<CrawlFile | null> {
    if (c.file.includes('#')) return null
    const v = await get(this.store, this.root.files, fileKey(c.institution, c.file))
    return v === undefined ? null : decodeFile(fileKey(c.institution, c.file), v)
  }

  async captures (key: DocKey): Promise<Capture[]> {
    const out: Capture[] = []
    for await (const e of entries(this.store, this.root.captures, { prefix: docKeyBytes(key) })) out.push(decodeCapture(e.value))
    return out
  }

  /** The stored body text chunk holding body position `position`, with the position it starts at. */
  async textAt (key: DocKey, position: number): Promise<{ start: number, text: string } | null> {
    const id = docKeyBytes(key)
    const e = await floor(this.store, this.root.text, textKey(id, position))
    if (e === undefined || compareBytes(e.key.subarray(0, DOC_ID_BYTES), id) !== 0) return null
    return { start: new DataView(e.key.buffer, e.key.byteOffset, e.key.byteLength).getUint32(DOC_ID_BYTES), text: decodeText(e.value) }
  }

  /** A document's whole stored body text (for the document view). */
  async fullText (key: DocKey): Promise<string> {
    let out = ''
    for await (const e of entries(this.store, this.root.text, { prefix: docKeyBytes(key) })) out += decodeText(e.value)
    return out
  }

  /** Every document key (for queries with only negative clauses). */
  async allDocs (): Promise<DocKey[]> {
    const out: DocKey[] = []
    for await (const e of entries(this.store, this.root.docs)) out.push(docKey(e.key))
    return out
  }
}
