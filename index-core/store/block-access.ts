// BlockAccess: the small async interface to blocks that every tree works over. Stores are untrusted: readers
// verify each block against its CID (see node-store.ts), so a store only has to keep bytes.
// Names: a `…Blocks` class is a BlockAccess (MemoryBlocks, CountingBlocks, UnionBlocks here; FolderBlocks,
// an index folder's; FetchingBlocks, a partner's fetched on demand); a `…Blockstore` is the IPFS libraries'
// interface-blockstore (PackedBlockstore, blockstore-fs's FsBlockstore), which BlockstoreAdapter makes a BlockAccess.

import type { CID } from 'multiformats/cid'

export interface BlockAccess {
  /** The block's bytes, or undefined when the store does not hold it. */
  get(cid: CID): Promise<Uint8Array | undefined>
  put(cid: CID, bytes: Uint8Array): Promise<void>
  has(cid: CID): Promise<boolean>
  /**
   * Starts getting blocks a reader is about to need, side by side, without waiting: a store that fetches over
   * the network then pays one round trip for them instead of one each. Stores that read locally leave it out.
   */
  prefetch?(cids: readonly CID[]): void
  /**
   * Gets a prolly-tree node that a lookup of `path.key` in the tree under `path.root` reads: a store that
   * fetches over the network may fetch the nodes below it on that path in the same round trip, so that a
   * lookup costs one round trip rather than one per level. Stores that read locally leave it out.
   */
  getOnPath?(cid: CID, path: PathHint): Promise<Uint8Array | undefined>
  /**
   * Starts getting, without waiting, the nodes that lookups will read from `from` down (each a lookup of
   * `key` in the tree under `root`): many lookups (a page's doc values, a word's two ends) then cost one
   * round trip in all, not one per level each.
   */
  prefetchPaths?(paths: readonly PathFrom[]): void
}

/** A lookup descending a prolly tree from `root` toward `key`. */
export interface PathHint {
  readonly root: CID
  readonly key: Uint8Array
}

/** The part of a lookup's path from node `from` down. */
export interface PathFrom extends PathHint {
  readonly from: CID
}

export class MemoryBlocks implements BlockAccess {
  readonly blocks = new Map<string, Uint8Array>()
  #bytes = 0

  async get(cid: CID): Promise<Uint8Array | undefined> {
    return this.blocks.get(cid.toString())
  }

  async put(cid: CID, bytes: Uint8Array): Promise<void> {
    const k = cid.toString()
    if (this.blocks.has(k)) return
    this.blocks.set(k, bytes)
    this.#bytes += bytes.length
  }

  async has(cid: CID): Promise<boolean> {
    return this.blocks.has(cid.toString())
  }

  get size(): number {
    return this.blocks.size
  }
  get byteSize(): number {
    return this.#bytes
  }
}

/** Counts traffic through a store: what a benchmark or a query reports as blocks and bytes read. */
export class CountingBlocks implements BlockAccess {
  readonly inner: BlockAccess
  blocksRead = 0
  bytesRead = 0
  blocksWritten = 0
  bytesWritten = 0

  constructor(inner: BlockAccess) {
    this.inner = inner
  }

  async get(cid: CID): Promise<Uint8Array | undefined> {
    const b = await this.inner.get(cid)
    if (b !== undefined) {
      this.blocksRead++
      this.bytesRead += b.length
    }
    return b
  }

  async put(cid: CID, bytes: Uint8Array): Promise<void> {
    this.blocksWritten++
    this.bytesWritten += bytes.length
    await this.inner.put(cid, bytes)
  }

  has(cid: CID): Promise<boolean> {
    return this.inner.has(cid)
  }

  reset(): void {
    this.blocksRead = this.bytesRead = this.blocksWritten = this.bytesWritten = 0
  }
}

/**
 * Reads from several stores in order and writes to the first: a local store over partners' stores, or
 * one index directory over others when merging indexes built apart.
 */
export class UnionBlocks implements BlockAccess {
  readonly stores: readonly BlockAccess[]

  constructor(stores: readonly BlockAccess[]) {
    if (stores.length === 0) throw new Error('UnionBlocks needs at least one store')
    this.stores = stores
  }

  async get(cid: CID): Promise<Uint8Array | undefined> {
    for (const s of this.stores) {
      const b = await s.get(cid)
      if (b !== undefined) return b
    }
    return undefined
  }

  async put(cid: CID, bytes: Uint8Array): Promise<void> {
    await this.stores[0].put(cid, bytes)
  }

  async has(cid: CID): Promise<boolean> {
    for (const s of this.stores) if (await s.has(cid)) return true
    return false
  }
}
