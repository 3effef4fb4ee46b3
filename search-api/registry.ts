// The indexes a server serves, by name: each opened read-only from its index directory.
import { NodeStore } from '../index-core/prolly/node-store.ts'
import { IndexReader } from '../index-core/query/index-reader.ts'
import { openIndexDir } from '../index-core/store/index-dir.ts'
import type { IndexDir } from '../index-core/store/index-dir.ts'

export type IndexKind = 'local' | 'partner' | 'merged'

export interface IndexSpec { readonly name: string, readonly kind: IndexKind, readonly path: string }

export interface ServedIndex {
  readonly name: string
  readonly kind: IndexKind
  readonly path: string
  readonly reader: IndexReader
}

export class UnknownIndexError extends Error {
  override name = 'UnknownIndexError'
}

export class IndexRegistry {
  readonly #indexes = new Map<string, ServedIndex>()
  readonly #dirs = new Map<string, IndexDir>()
  #cacheBytes = 0

  static async open (specs: readonly IndexSpec[], cacheBytes = 256 * 1024 * 1024): Promise<IndexRegistry> {
    const r = new IndexRegistry()
    r.#cacheBytes = cacheBytes
    for (const s of specs) {
      const dir = await openIndexDir(s.path, { write: false })
      r.#dirs.set(s.name, dir)
      const head = await dir.head()
      if (head === null) throw new Error(`${s.path} holds no index yet: run canopy ingest first`)
      const reader = await IndexReader.open(new NodeStore(dir.blocks.store, { cacheBytes }), head)
      r.#indexes.set(s.name, { ...s, reader })
    }
    return r
  }

  /** Serves the index's current HEAD (after an ingest or merge moved it); searches in flight finish on the old one. */
  async reload (name: string): Promise<void> {
    const cur = this.get(name)
    const dir = this.#dirs.get(name)!
    const head = await dir.head()
    if (head === null || head.equals(cur.reader.cid)) return
    const reader = await IndexReader.open(new NodeStore(dir.blocks.store, { cacheBytes: this.#cacheBytes }), head)
    this.#indexes.set(name, { ...cur, reader })
  }

  /** The named index, or the first one. */
  get (name?: string): ServedIndex {
    const i = name === undefined ? this.#indexes.values().next().value : this.#indexes.get(name)
    if (i === undefined) throw new UnknownIndexError(`No index named "${name ?? ''}"; see /api/v1/indexes`)
    return i
  }

  list (): ServedIndex[] { return [...this.#indexes.values()] }

  /** The directory the named (or first) index is read from: its blocks and refs/, for the IPFS gateway. */
  dir (name?: string): IndexDir { return this.#dirs.get(this.get(name).name)! }

  async close (): Promise<void> { for (const d of this.#dirs.values()) await d.close() }
}
