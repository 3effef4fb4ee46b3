// Read access to one index (local, a partner's, or merged) for queries: collection statistics from the
// tree roots, posting lists, documents, doc values, captures and text, with every block read counted.

import type { CID } from 'multiformats/cid'
import { compareBytes, fromUtf8, prefixEnd, utf8 } from '../bytes.ts'
import {
  decodeCapture,
  decodeDoc,
  decodeDocValues,
  checkPostingsTree,
  docStats,
  openIndexSides,
  keyTerm,
  postingKey,
  DOC_ID_BYTES,
  termPrefix,
  Scorer,
  shardOf,
  decodeTextChunk,
  textKey,
  textKeyPosition,
  docKindKey,
  KIND_CAPTURE,
  KIND_TEXT,
  keyDocId,
  recordKey,
  urlKindPrefix,
  decodeFile,
  fileKey,
  byKey
} from '../index/index.ts'
import type { Capture, DocRecord, DocStats, IndexRoot, CrawlFile } from '../index/index.ts'
import { count, entries, floor, get, getSorted, info, RangeReader, TreeCursor } from '../prolly/index.ts'
import type { Entry, NodeStore } from '../prolly/index.ts'
import { ReaderCaches } from './reader-caches.ts'
import { docKey, docKeyBytes } from './doc-key.ts'
import type { DocKey } from './doc-key.ts'
import { postingList } from './posting-list.ts'
import { MergedPostings } from './merged-postings.ts'
import type { PostingStream } from './merged-postings.ts'
import type { PostingList } from './posting-list.ts'
import { DocValueTable } from './doc-values-view.ts'
import type { DocValueEntry, FacetTables } from './doc-values-view.ts'

// The reader's parts, for callers that know them from here.

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
  /** Doc values by ordinal, decoded and interned (doc-values-view.ts). */
  readonly docValues = new DocValueTable()
  /** Doc values by ordinal (undefined: not read yet). */
  readonly values: Array<DocValueEntry | undefined> = this.docValues.values
  readonly facets: FacetTables = this.docValues.facets
  readonly #ords = new Map<DocKey, number>()
  /** Posting lists being read, so concurrent queries for one term share a single read. */
  readonly #loading = new Map<string, Promise<PostingList>>()
  readonly #cachePrefix: string
  retired = false

  constructor(reader: IndexReader) {
    this.reader = reader
    this.#cachePrefix = `${this.id}\n`
  }

  /** The document's ordinal in this view (numbering it if new); returns its canonical key string too. */
  ord(key: DocKey): number {
    let o = this.#ords.get(key)
    if (o === undefined) {
      o = this.keys.length
      this.keys.push(key)
      this.#ords.set(key, o)
      this.reader.caches.docValues.charge(ORD_BYTES)
    }
    return o
  }

  retire(): void {
    this.retired = true
    const lru = this.reader.caches.postings
    for (const k of [...lru.keys()]) if (k.startsWith(this.#cachePrefix)) lru.delete(k)
  }

  /** Whether the term's postings are cached (without counting a hit or touching the cache's order). */
  hasPostings(term: string): boolean {
    return this.reader.caches.postings.has(this.#cachePrefix + term)
  }

  /** The term's postings if they are cached (no waiting). */
  cachedPostings(term: string): PostingList | undefined {
    const hit = this.reader.caches.postings.get(this.#cachePrefix + term)
    if (hit !== undefined) this.reader.caches.counts.postingHits++
    return hit
  }

  /** All postings of a term (cached by view and term: an index never changes under its CID). */
  async postings(term: string): Promise<PostingList> {
    const hit = this.cachedPostings(term)
    if (hit !== undefined) return hit
    let p = this.#loading.get(term)
    if (p === undefined) {
      this.reader.caches.counts.postingMisses++
      p = this.reader.readPostings(this, term)
      this.#loading.set(term, p)
      const key = this.#cachePrefix + term
      p.then(
        list => {
          if (!this.retired) this.reader.caches.postings.set(key, list)
        },
        () => {}
      ).finally(() => {
        this.#loading.delete(term)
      })
    }
    return await p
  }

  /** Doc values of `ords[0..n)` (ascending by key), reading those not yet at hand. */
  async loadDocValues(ords: Int32Array, n: number): Promise<void> {
    const missing: number[] = []
    for (let i = 0; i < n; i++) if (this.values[ords[i]] === undefined) missing.push(ords[i])
    if (missing.length === 0) return
    const table = this.docValues
    const before = table.facetBytes()
    let added = 0
    for await (const e of getSorted(
      this.reader.store,
      this.reader.root.docvalues,
      missing.map(o => docKeyBytes(this.keys[o]))
    )) {
      const o = this.#ords.get(docKey(e.key))
      if (o !== undefined && this.values[o] === undefined) {
        table.set(o, decodeDocValues(e.value))
        added++
      }
    }
    // Documents the tree does not hold (postings of a page this index has no record of) are never results.
    for (const o of missing) if (this.values[o] === undefined) table.setMissing(o)
    this.reader.caches.docValues.charge(added * DV_ENTRY_BYTES + table.facetBytes() - before)
  }

  /** Every document of the index, ascending, with its ordinal (for queries with only negative clauses). */
  async allDocs(): Promise<Int32Array> {
    const keys = await this.reader.allDocs()
    const out = new Int32Array(keys.length)
    for (let i = 0; i < keys.length; i++) out[i] = this.ord(keys[i])
    return out
  }
}

/** How to open a reader beyond the defaults. */
export interface ReaderOptions {
  /**
   * Postings segments to read in place of the root's, each as many shards as the root names: benches and
   * tests cut an index's postings other ways to measure and check reading across segments.
   */
  readonly segments?: ReadonlyArray<readonly CID[]>
  /**
   * Postings already in memory up to which a query of words is scored whole rather than read best first,
   * and the length from which a list read best first may be read whole (top-k.ts; default FULL_IN_MEMORY).
   * Tests set 0 to take both ways on a small crawl's lists.
   */
  readonly wholeInMemory?: number
}

export class IndexReader {
  readonly store: NodeStore
  readonly root: IndexRoot
  readonly cid: CID
  /** The postings segments, each a set of shards (the root's segments; none in an empty index). */
  readonly segments: ReadonlyArray<readonly CID[]>
  readonly stats: DocStats
  /** BM25F with this index's average field lengths. */
  readonly scorer: Scorer
  /** The process's caches (posting lists, doc values), shared with its other readers. */
  readonly caches: ReaderCaches
  /** See ReaderOptions.wholeInMemory (undefined: top-k.ts's default). */
  readonly wholeInMemory: number | undefined
  #view: ReaderView | null = null
  /** This index's prefix for keys in the shared text cache. */
  readonly #textPrefix: string

  /** Each postings tree's check (index-ops.ts checkPostingsTree), run once, when the tree is first read. */
  readonly #checked = new Map<string, Promise<void>>()
  #postings: Promise<number> | null = null

  private constructor(
    store: NodeStore,
    cid: CID,
    root: IndexRoot,
    stats: DocStats,
    caches: ReaderCaches,
    segments: ReadonlyArray<readonly CID[]>,
    wholeInMemory: number | undefined
  ) {
    this.wholeInMemory = wholeInMemory
    this.store = store
    this.cid = cid
    this.root = root
    this.segments = segments
    this.stats = stats
    this.scorer = new Scorer(stats.documents, stats.lengths)
    this.caches = caches
    this.#textPrefix = `${cid.toString()}\n`
  }

  /**
   * Opens the index at `cid`. `caches`: the process's shared query caches (a server passes one for all its
   * indexes, with `store` on the same node cache); by default the reader has caches of its own.
   */
  static async open(store: NodeStore, cid: CID, caches?: ReaderCaches, opts: ReaderOptions = {}): Promise<IndexReader> {
    const root = await openIndexSides(store, cid)
    const segments = opts.segments ?? root.segments.map(s => s.shards)
    if (segments.some(s => s.length !== root.shardCount)) {
      throw new RangeError(`postings segments must each hold the index's ${root.shardCount} shards`)
    }
    return new IndexReader(store, cid, root, await docStats(store, root), caches ?? new ReaderCaches(), segments, opts.wholeInMemory)
  }

  /**
   * The postings shard holding `term` in each segment, each checked before its first read. Its list's two
   * ends are about to be read (where it starts, and where it ends for counting): a store over the network is
   * asked for both paths in every segment with the shards' roots, in one batch.
   */
  async #shards(term: Uint8Array, ends = true): Promise<CID[]> {
    const i = shardOf(term, this.root.shardCount)
    const lo = termPrefix(term)
    if (ends) for (const seg of this.segments) this.store.prefetchPaths(seg[i], [lo, prefixEnd(lo)!])
    return await Promise.all(this.segments.map(async (seg, s) => await this.#checkedShard(seg[i], s, i)))
  }

  async #checkedShard(cid: CID, segment: number, i: number): Promise<CID> {
    const k = cid.toString()
    let p = this.#checked.get(k)
    if (p === undefined) {
      p = checkPostingsTree(this.store, cid, `postings segment ${segment} shard ${i}`)
      this.#checked.set(k, p)
      p.catch(() => {
        this.#checked.delete(k)
      })
    }
    await p
    return cid
  }

  /** Postings in the index (reads every shard's root, once). */
  async postingCount(): Promise<number> {
    this.#postings ??= (async () => {
      let n = 0
      for (let s = 0; s < this.segments.length; s++)
        for (let i = 0; i < this.segments[s].length; i++) n += (await info(this.store, await this.#checkedShard(this.segments[s][i], s, i))).count
      return n
    })()
    return await this.#postings
  }

  /** The current view (a fresh one once the last was retired for the memory budget). */
  view(): ReaderView {
    if (this.#view === null || this.#view.retired) {
      this.#view = new ReaderView(this)
      this.caches.docValues.register(this.#view)
    }
    return this.#view
  }

  /** All postings of a term, in the current view. */
  async postings(term: string): Promise<PostingList> {
    return await this.view().postings(term)
  }

  /** Reads a term's postings, numbering its documents in `view` (ReaderView.postings caches them). */
  async readPostings(view: ReaderView, term: string): Promise<PostingList> {
    const tb = utf8(term)
    const lists = await Promise.all(
      (await this.#shards(tb)).map(async shard => {
        const read: Entry[] = []
        for await (const e of entries(this.store, shard, { prefix: termPrefix(tb) })) read.push(e)
        return read
      })
    )
    // In one key order, as one segment holds them (a document's postings are all in its own segment).
    // A posting two segments both hold (only a malformed index places a document in two) is kept once.
    const read =
      lists.length === 1
        ? lists[0]
        : lists
            .flat()
            .sort(byKey)
            .filter((e, i, all) => i === 0 || byKey(all[i - 1], e) !== 0)
    return postingList(view, term, read.length, read)
  }

  /**
   * A term's postings best first (key order), read on demand: a query stops reading once the rest cannot
   * change its top results. Also gives the term's document frequency, counted from the branch nodes.
   */
  async postingStream(term: string): Promise<{ df: number; postings: PostingStream }> {
    const tb = utf8(term)
    const range = { prefix: termPrefix(tb) }
    const opened = await Promise.all(
      (await this.#shards(tb)).map(async shard => {
        const [df, postings] = await Promise.all([count(this.store, shard, range), RangeReader.open(this.store, shard, range)])
        return { df, postings }
      })
    )
    // df summed over the segments: idf is that of one list of every document.
    const df = opened.reduce((n, o) => n + o.df, 0)
    const holding = opened.filter(o => o.df > 0)
    // None holding it (or an empty index): the merge of no lists, which is done at once.
    if (holding.length === 1) return { df, postings: holding[0].postings }
    return { df, postings: new MergedPostings(holding.map(o => o.postings)) }
  }

  /**
   * Terms starting with `prefix`, in order, at most `limit` + 1 of them (the caller reports "too many").
   * Terms are spread over the shards by hash, so each shard is walked from the prefix, skipping from one
   * term to the next without reading its postings.
   */
  async expandPrefix(prefix: string, limit: number): Promise<string[]> {
    const pb = utf8(prefix)
    const end = prefixEnd(pb)
    const found = new Set<string>()
    // One more than the limit is enough to say there are too many; later shards then end at their first term.
    await this.walkTerms(pb, term => {
      const tb = utf8(term)
      if (found.size > limit || (end !== null && compareBytes(tb, end) >= 0)) return null
      found.add(term)
      return prefixEnd(termPrefix(tb))
    })
    return [...found].sort()
  }

  /**
   * Walks the term dictionary of each shard in order from `start`, reading no postings: after each term,
   * `next` gives the key to go on from (the terms before it are skipped), or null to end that shard's walk.
   * The key must lie past the term's own postings (e.g. prefixEnd of a prefix of the term).
   */
  async walkTerms(start: Uint8Array, next: (term: string) => Uint8Array | null): Promise<void> {
    const walked = new Set<string>()
    for (let i = 0; i < this.root.shardCount; i++) {
      // Shard i of every segment walked side by side: each term once, at the first cursor showing it.
      const trees = this.segments.map(seg => seg[i])
      const key = trees.map(c => c.toString()).join()
      if (walked.has(key)) continue
      walked.add(key)
      const curs = await Promise.all(
        trees.map(async (c, s) => {
          const cur = await TreeCursor.open(this.store, await this.#checkedShard(c, s, i))
          await cur.seek(start)
          return cur
        })
      )
      for (;;) {
        let least: Uint8Array | null = null
        for (const cur of curs) {
          const item = cur.current()
          if (item === null || item.kind !== 'entry') continue
          const t = keyTerm(item.key)
          if (least === null || compareBytes(t, least) < 0) least = t
        }
        if (least === null) break
        const to = next(fromUtf8(least))
        if (to === null) break
        await Promise.all(curs.filter(cur => cur.current() !== null).map(async cur => await cur.seekForward(to)))
      }
    }
  }

  /** Documents holding `term` (counted from the branch nodes, not by reading the postings). */
  async docFrequency(term: string): Promise<number> {
    const tb = utf8(term)
    const counts = await Promise.all((await this.#shards(tb)).map(async shard => await count(this.store, shard, { prefix: termPrefix(tb) })))
    return counts.reduce((a, b) => a + b, 0)
  }

  /**
   * Which of `keys` hold a filter posting of `term` (impact 0, so its key is known from the document alone),
   * in any segment: a filter's verdict on a few documents without reading its list, which for lang:en or
   * type:html is most of the index.
   */
  async filterHolds(term: string, keys: readonly DocKey[]): Promise<Set<DocKey>> {
    const tb = utf8(term)
    const wanted = keys.map(k => postingKey(tb, 0, docKeyBytes(k))).sort(compareBytes)
    const out = new Set<DocKey>()
    await Promise.all(
      // The probes ask for their own paths (getSorted); the list's ends are not read.
      (await this.#shards(tb, false)).map(async shard => {
        for await (const e of getSorted(this.store, shard, wanted)) out.add(docKey(e.key.subarray(e.key.length - DOC_ID_BYTES)))
      })
    )
    return out
  }

  async doc(key: DocKey): Promise<DocRecord | null> {
    const v = await get(this.store, this.root.docs, recordKey(docKeyBytes(key)))
    return v === undefined ? null : decodeDoc(v)
  }

  /**
   * The crawl file a capture names, with its UnixFS CID (for a WARC stored inside a WACZ package, the
   * package's, with the WARC's offset in it); null for a file the index does not know, or a WARC the
   * package holds compressed (no byte range of the package is the record).
   */
  async crawlFile(c: Pick<Capture, 'institution' | 'file'>): Promise<CrawlFile | null> {
    const v = await get(this.store, this.root.files, fileKey(c.institution, c.file))
    return v === undefined ? null : decodeFile(fileKey(c.institution, c.file), v)
  }

  async captures(key: DocKey): Promise<Capture[]> {
    const out: Capture[] = []
    for await (const e of entries(this.store, this.root.docs, { prefix: docKindKey(docKeyBytes(key), KIND_CAPTURE) })) out.push(decodeCapture(e.value))
    return out
  }

  /**
   * Captures of every document under the URL key `key` starts with (every version of its URL, and of any
   * URL whose key collides: callers confirm the URL by the record), by document, ascending.
   */
  async urlCaptures(key: DocKey): Promise<Map<DocKey, Capture[]>> {
    const out = new Map<DocKey, Capture[]>()
    for await (const e of entries(this.store, this.root.docs, { prefix: urlKindPrefix(docKeyBytes(key), KIND_CAPTURE) })) {
      const k = docKey(keyDocId(e.key))
      let list = out.get(k)
      if (list === undefined) {
        list = []
        out.set(k, list)
      }
      list.push(decodeCapture(e.value))
    }
    return out
  }

  /** The stored body text chunk holding body position `position`, with the position it starts at. */
  async textAt(key: DocKey, position: number): Promise<{ start: number; text: string } | null> {
    const id = docKeyBytes(key)
    const e = await floor(this.store, this.root.docs, textKey(id, position))
    const prefix = docKindKey(id, KIND_TEXT)
    if (e === undefined || e.key.length !== prefix.length + 4 || compareBytes(e.key.subarray(0, prefix.length), prefix) !== 0) return null
    const start = textKeyPosition(e.key)
    const ck = `${this.#textPrefix}${key}\n${start}`
    let text = this.caches.text.get(ck)
    if (text === undefined) {
      text = decodeTextChunk(e.value)
      this.caches.text.set(ck, text)
    }
    return { start, text }
  }

  /** A document's whole stored body text (for the document view). */
  async fullText(key: DocKey): Promise<string> {
    let out = ''
    for await (const e of entries(this.store, this.root.docs, { prefix: docKindKey(docKeyBytes(key), KIND_TEXT) })) out += decodeTextChunk(e.value)
    return out
  }

  /**
   * Every document key the doc values know (for queries with only negative clauses): documents with a record,
   * and revisits of pages the index has none of, which those queries drop by their doc values.
   */
  async allDocs(): Promise<DocKey[]> {
    const out: DocKey[] = []
    for await (const e of entries(this.store, this.root.docvalues)) out.push(docKey(e.key))
    return out
  }
}
