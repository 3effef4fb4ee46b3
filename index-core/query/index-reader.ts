// Read access to one index (local, a partner's, or merged) for queries: collection statistics from the
// tree roots, posting lists, documents, doc values, captures and text, with every block read counted.

import type { CID } from 'multiformats/cid'
import { compareBytes, fromUtf8, prefixEnd, utf8 } from '../bytes.ts'
import { decodeCapture } from '../index/capture-codec.ts'
import type { Capture } from '../index/capture-codec.ts'
import { decodeDoc } from '../index/doc-codec.ts'
import type { DocRecord } from '../index/doc-codec.ts'
import { decodeDocValues } from '../index/docvalues-codec.ts'
import type { DocValues } from '../index/docvalues-codec.ts'
import { checkShard, docStats, openIndexSides, postingCount } from '../index/index-ops.ts'
import type { DocStats } from '../index/index-ops.ts'
import type { IndexRoot } from '../index/index-root.ts'
import { keyTerm, postingFields, termPrefix } from '../index/posting-codec.ts'
import { Scorer } from '../index/impact.ts'
import { DOC_ID_BYTES, shardOf, URL_KEY_BYTES } from '../index/schema.ts'
import { decodeText, textKey, textKeyPosition } from '../index/text-codec.ts'
import { docKindKey, KIND_CAPTURE, KIND_TEXT, keyDocId, recordKey, urlKindPrefix } from '../index/doc-keys.ts'
import { decodeFile, fileKey } from '../index/file-codec.ts'
import type { CrawlFile } from '../index/file-codec.ts'
import { count, entries, floor, get, getSorted, RangeReader } from '../prolly/read.ts'
import type { Entry } from '../prolly/read.ts'
import { TreeCursor } from '../prolly/cursor.ts'
import type { NodeStore } from '../prolly/node-store.ts'
import { ReaderCaches } from './reader-caches.ts'

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

/** The URL key a document's key starts with: the same for every version of one URL. */
export function urlKeyOfDoc (k: DocKey): string { return k.slice(0, URL_KEY_BYTES) }

/**
 * A term's postings, ascending by document key, read within one ReaderView: per document its key, its
 * ordinal in the view, its impact and the fields that hold the term. A document indexed under two variants
 * of its URL can hold two postings of a term (their impacts differ): the list keeps the best, as a query
 * reading the list best first meets it.
 */
export interface PostingList {
  readonly term: string
  /** Postings of the term in the index (every entry, both of a document's two if it has two): idf's df. */
  readonly df: number
  readonly docs: DocKey[]
  /** Each document's ordinal in the view the list was read in (see ReaderView). */
  readonly ords: Int32Array
  /** What each document's posting scores before idf: (k1 + 1) · T / (T + k1) (index/impact.ts Scorer). */
  readonly weights: Float64Array
  /** Fields that hold the term in each document (bit f for field f; 0 for a filter posting). */
  readonly fields: Uint8Array
  /**
   * Raw posting values (for phrase checks and snippets), packed: document i's is bytes[offsets[i] ..
   * offsets[i + 1]]. One array rather than a view per posting: a view costs more than the bytes it shows,
   * and views would keep every tree node they were read from alive.
   */
  readonly bytes: Uint8Array
  readonly offsets: Uint32Array
}

/** The raw posting value of the list's i-th document. */
export function postingValue (l: PostingList, i: number): Uint8Array {
  return l.bytes.subarray(l.offsets[i], l.offsets[i + 1])
}

/**
 * The posting list of `read` (entries of one term, in key order: best first), ascending by document key, a
 * document with two postings keeping the first (the better). `df`: the term's postings in the index.
 */
export function postingList (view: ReaderView, term: string, df: number, read: readonly Entry[]): PostingList {
  const keys = read.map(e => docKey(e.key.subarray(e.key.length - DOC_ID_BYTES)))
  const order = Array.from(keys.keys()).sort((a, b) => keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b)
  const docs: DocKey[] = []
  const ords = new Int32Array(order.length)
  const weights = new Float64Array(order.length)
  const scorer = view.reader.scorer
  const fields = new Uint8Array(order.length)
  const offsets = new Uint32Array(order.length + 1)
  let size = 0
  for (const e of read) size += e.value.length
  const bytes = new Uint8Array(size)
  let n = 0
  let used = 0
  for (const i of order) {
    if (n > 0 && docs[n - 1] === keys[i]) continue
    const e = read[i]
    const o = view.ord(keys[i])
    docs.push(view.keys[o])
    ords[n] = o
    weights[n] = scorer.postingWeight(e.value)
    fields[n] = postingFields(e.value)
    bytes.set(e.value, used)
    used += e.value.length
    offsets[++n] = used
  }
  // Exact-size copies when documents had two postings: the slack would otherwise stay in the cache.
  return n === order.length
    ? { term, df, docs, ords, weights, fields, bytes, offsets }
    : { term, df, docs, ords: ords.slice(0, n), weights: weights.slice(0, n), fields: fields.slice(0, n), bytes: bytes.slice(0, used), offsets: offsets.slice(0, n + 1) }
}

/** Interns strings to small integers, so facet counting works on arrays, not string maps. */
export class Interner {
  readonly values: string[] = []
  readonly #ids = new Map<string, number>()
  /** Approximate memory of the interned strings and their tables. */
  bytes = 0
  id (v: string): number {
    let i = this.#ids.get(v)
    if (i === undefined) {
      i = this.values.length
      this.values.push(v)
      this.#ids.set(v, i)
      this.bytes += 64 + 2 * v.length
    }
    return i
  }
}

/** A document's doc values, decoded once per view, with its facet values interned. */
export interface DocValueEntry {
  /** First and last capture, seconds since 1970 (0: none). */
  readonly first: number
  readonly last: number
  /** False when the index holds no record of the document (a revisit of a page it does not have). */
  readonly record: boolean
  readonly site: number
  readonly type: number
  /** -1 when the language is unknown. */
  readonly lang: number
  readonly years: readonly number[]
  readonly institutions: readonly number[]
}

/** The interning tables of one view, one per facet. */
export interface FacetTables {
  readonly site: Interner
  readonly type: Interner
  readonly lang: Interner
  readonly year: Interner
  readonly institution: Interner
}

/** The entry of a document the doc-values tree does not hold (never a result). */
const NO_VALUES: DocValueEntry = Object.freeze({ first: 0, last: 0, record: false, site: -1, type: -1, lang: -1, years: [], institutions: [] })

/** Approximate memory per document a view numbers: key string, Map slot, array slots. */
const ORD_BYTES = 96
/** Approximate memory of one doc-value entry object. */
const DV_ENTRY_BYTES = 120

let nextViewId = 0

/**
 * What a reader has decoded, in one numbering of documents: each document seen gets an ordinal (so a query
 * works on typed arrays, not string maps), its doc values by ordinal, the facet tables their ids refer to,
 * and the posting lists read in this numbering. A view is retired as a whole when the process's budget for
 * them is spent; a query keeps the view it started with to the end, so its numbers always agree.
 */
export class ReaderView {
  readonly id = nextViewId++
  readonly reader: IndexReader
  /** Document key of each ordinal. */
  readonly keys: DocKey[] = []
  /** Doc values by ordinal (undefined: not read yet). */
  readonly values: Array<DocValueEntry | undefined> = []
  readonly facets: FacetTables = { site: new Interner(), type: new Interner(), lang: new Interner(), year: new Interner(), institution: new Interner() }
  readonly #ords = new Map<DocKey, number>()
  /** Lists of ids (years, institutions) shared between entries: most documents have the same one or two. */
  readonly #lists = new Map<string, readonly number[]>()
  /** Posting lists being read, so concurrent queries for one term share a single read. */
  readonly #loading = new Map<string, Promise<PostingList>>()
  readonly #cachePrefix: string
  retired = false

  constructor (reader: IndexReader) {
    this.reader = reader
    this.#cachePrefix = `${this.id}\n`
  }

  /** The document's ordinal in this view (numbering it if new); returns its canonical key string too. */
  ord (key: DocKey): number {
    let o = this.#ords.get(key)
    if (o === undefined) {
      o = this.keys.length
      this.keys.push(key)
      this.#ords.set(key, o)
      this.reader.caches.docValues.charge(ORD_BYTES)
    }
    return o
  }

  retire (): void {
    this.retired = true
    const lru = this.reader.caches.postings
    for (const k of [...lru.keys()]) if (k.startsWith(this.#cachePrefix)) lru.delete(k)
  }

  /** The term's postings if they are cached (no waiting). */
  cachedPostings (term: string): PostingList | undefined {
    const hit = this.reader.caches.postings.get(this.#cachePrefix + term)
    if (hit !== undefined) this.reader.caches.counts.postingHits++
    return hit
  }

  /** All postings of a term (cached by view and term: an index never changes under its CID). */
  async postings (term: string): Promise<PostingList> {
    const hit = this.cachedPostings(term)
    if (hit !== undefined) return hit
    let p = this.#loading.get(term)
    if (p === undefined) {
      this.reader.caches.counts.postingMisses++
      p = this.reader.readPostings(this, term)
      this.#loading.set(term, p)
      const key = this.#cachePrefix + term
      p.then(list => { if (!this.retired) this.reader.caches.postings.set(key, list) }, () => {}).finally(() => { this.#loading.delete(term) })
    }
    return await p
  }

  /** Doc values of `ords[0..n)` (ascending by key), reading those not yet at hand. */
  async loadDocValues (ords: Int32Array, n: number): Promise<void> {
    const missing: number[] = []
    for (let i = 0; i < n; i++) if (this.values[ords[i]] === undefined) missing.push(ords[i])
    if (missing.length === 0) return
    const before = this.#facetBytes()
    let added = 0
    for await (const e of getSorted(this.reader.store, this.reader.root.docvalues, missing.map(o => docKeyBytes(this.keys[o])))) {
      const k = docKey(e.key)
      const o = this.#ords.get(k)
      if (o !== undefined && this.values[o] === undefined) { this.values[o] = this.#entry(decodeDocValues(e.value)); added++ }
    }
    // Documents the tree does not hold (postings of a page this index has no record of) are never results.
    for (const o of missing) if (this.values[o] === undefined) this.values[o] = NO_VALUES
    this.reader.caches.docValues.charge(added * DV_ENTRY_BYTES + this.#facetBytes() - before)
  }

  #facetBytes (): number {
    let n = 0
    for (const t of Object.values(this.facets)) n += t.bytes
    return n
  }

  #entry (dv: DocValues): DocValueEntry {
    const f = this.facets
    const c = dv.content
    return {
      first: dv.first,
      last: dv.last,
      record: c !== null,
      site: c === null ? -1 : f.site.id(c.domain),
      type: c === null ? -1 : f.type.id(c.mime),
      lang: c === null || c.lang === '' ? -1 : f.lang.id(c.lang),
      years: this.#list(dv.years.map(y => f.year.id(String(y)))),
      institutions: this.#list(dv.institutions.map(i => f.institution.id(i)))
    }
  }

  #list (ids: number[]): readonly number[] {
    const k = ids.join(',')
    const hit = this.#lists.get(k)
    if (hit !== undefined) return hit
    this.#lists.set(k, ids)
    return ids
  }

  /** Every document of the index, ascending, with its ordinal (for queries with only negative clauses). */
  async allDocs (): Promise<Int32Array> {
    const keys = await this.reader.allDocs()
    const out = new Int32Array(keys.length)
    for (let i = 0; i < keys.length; i++) out[i] = this.ord(keys[i])
    return out
  }
}

export class IndexReader {
  readonly store: NodeStore
  readonly root: IndexRoot
  readonly cid: CID
  readonly stats: DocStats
  /** BM25F with this index's average field lengths. */
  readonly scorer: Scorer
  /** The process's caches (posting lists, doc values), shared with its other readers. */
  readonly caches: ReaderCaches
  #view: ReaderView | null = null
  /** This index's prefix for keys in the shared text cache. */
  readonly #textPrefix: string

  /** Each postings shard's check (index-ops.ts checkShard), run once, when the shard is first read. */
  readonly #checked = new Map<number, Promise<void>>()
  #postings: Promise<number> | null = null

  private constructor (store: NodeStore, cid: CID, root: IndexRoot, stats: DocStats, caches: ReaderCaches) {
    this.store = store
    this.cid = cid
    this.root = root
    this.stats = stats
    this.scorer = new Scorer(stats.documents, stats.lengths)
    this.caches = caches
    this.#textPrefix = `${cid.toString()}\n`
  }

  /**
   * Opens the index at `cid`. `caches`: the process's shared query caches (a server passes one for all its
   * indexes, with `store` on the same node cache); by default the reader has caches of its own.
   */
  static async open (store: NodeStore, cid: CID, caches?: ReaderCaches): Promise<IndexReader> {
    const root = await openIndexSides(store, cid)
    return new IndexReader(store, cid, root, await docStats(store, root), caches ?? new ReaderCaches())
  }

  /** The postings shard holding `term`, checked before its first read. */
  async #shard (term: Uint8Array): Promise<CID> {
    return await this.#checkedShard(shardOf(term, this.root.shards.length))
  }

  async #checkedShard (i: number): Promise<CID> {
    let p = this.#checked.get(i)
    if (p === undefined) {
      p = checkShard(this.store, this.root, i)
      this.#checked.set(i, p)
      p.catch(() => { this.#checked.delete(i) })
    }
    await p
    return this.root.shards[i]
  }

  /** Postings in the index (reads every shard's root, once). */
  async postingCount (): Promise<number> {
    this.#postings ??= (async () => {
      for (let i = 0; i < this.root.shards.length; i++) await this.#checkedShard(i)
      return await postingCount(this.store, this.root)
    })()
    return await this.#postings
  }

  /** The current view (a fresh one once the last was retired for the memory budget). */
  view (): ReaderView {
    if (this.#view === null || this.#view.retired) {
      this.#view = new ReaderView(this)
      this.caches.docValues.register(this.#view)
    }
    return this.#view
  }

  /** All postings of a term, in the current view. */
  async postings (term: string): Promise<PostingList> { return await this.view().postings(term) }

  /** Reads a term's postings, numbering its documents in `view` (ReaderView.postings caches them). */
  async readPostings (view: ReaderView, term: string): Promise<PostingList> {
    const read: Entry[] = []
    const tb = utf8(term)
    for await (const e of entries(this.store, await this.#shard(tb), { prefix: termPrefix(tb) })) read.push(e)
    return postingList(view, term, read.length, read)
  }

  /**
   * A term's postings best first (key order), read on demand: a query stops reading once the rest cannot
   * change its top results. Also gives the term's document frequency, counted from the branch nodes.
   */
  async postingStream (term: string): Promise<{ df: number, postings: RangeReader }> {
    const tb = utf8(term)
    const shard = await this.#shard(tb)
    const [df, postings] = await Promise.all([count(this.store, shard, { prefix: termPrefix(tb) }), RangeReader.open(this.store, shard, { prefix: termPrefix(tb) })])
    return { df, postings }
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
      const cid = await this.#checkedShard(this.root.shards.findIndex(s => s.toString() === shard))
      const cur = await TreeCursor.open(this.store, cid)
      await cur.seek(pb)
      for (;;) {
        const item = cur.current()
        if (item === null || item.kind !== 'entry') break
        if (end !== null && compareBytes(item.key, end) >= 0) break
        const term = keyTerm(item.key)
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
    const v = await get(this.store, this.root.docs, recordKey(docKeyBytes(key)))
    return v === undefined ? null : decodeDoc(v)
  }

  /**
   * The crawl file a capture names, with its UnixFS CID (for a WARC stored inside a WACZ package, the
   * package's, with the WARC's offset in it); null for a file the index does not know, or a WARC the
   * package holds compressed (no byte range of the package is the record).
   */
  async crawlFile (c: Pick<Capture, 'institution' | 'file'>): Promise<CrawlFile | null> {
    const v = await get(this.store, this.root.files, fileKey(c.institution, c.file))
    return v === undefined ? null : decodeFile(fileKey(c.institution, c.file), v)
  }

  async captures (key: DocKey): Promise<Capture[]> {
    const out: Capture[] = []
    for await (const e of entries(this.store, this.root.docs, { prefix: docKindKey(docKeyBytes(key), KIND_CAPTURE) })) out.push(decodeCapture(e.value))
    return out
  }

  /**
   * Captures of every document under the URL key `key` starts with (every version of its URL, and of any
   * URL whose key collides: callers confirm the URL by the record), by document, ascending.
   */
  async urlCaptures (key: DocKey): Promise<Map<DocKey, Capture[]>> {
    const out = new Map<DocKey, Capture[]>()
    for await (const e of entries(this.store, this.root.docs, { prefix: urlKindPrefix(docKeyBytes(key), KIND_CAPTURE) })) {
      const k = docKey(keyDocId(e.key))
      let list = out.get(k)
      if (list === undefined) { list = []; out.set(k, list) }
      list.push(decodeCapture(e.value))
    }
    return out
  }

  /** The stored body text chunk holding body position `position`, with the position it starts at. */
  async textAt (key: DocKey, position: number): Promise<{ start: number, text: string } | null> {
    const id = docKeyBytes(key)
    const e = await floor(this.store, this.root.docs, textKey(id, position))
    const prefix = docKindKey(id, KIND_TEXT)
    if (e === undefined || e.key.length !== prefix.length + 4 || compareBytes(e.key.subarray(0, prefix.length), prefix) !== 0) return null
    const start = textKeyPosition(e.key)
    const ck = `${this.#textPrefix}${key}\n${start}`
    let text = this.caches.text.get(ck)
    if (text === undefined) {
      text = decodeText(e.value)
      this.caches.text.set(ck, text)
    }
    return { start, text }
  }

  /** A document's whole stored body text (for the document view). */
  async fullText (key: DocKey): Promise<string> {
    let out = ''
    for await (const e of entries(this.store, this.root.docs, { prefix: docKindKey(docKeyBytes(key), KIND_TEXT) })) out += decodeText(e.value)
    return out
  }

  /**
   * Every document key the doc values know (for queries with only negative clauses): documents with a record,
   * and revisits of pages the index has none of, which those queries drop by their doc values.
   */
  async allDocs (): Promise<DocKey[]> {
    const out: DocKey[] = []
    for await (const e of entries(this.store, this.root.docvalues)) out.push(docKey(e.key))
    return out
  }
}
