// Reads and writes tree nodes over a BlockAccess: verifies every block against its CID, decodes it
// strictly, checks its chunking, and keeps decoded nodes in a bounded LRU cache (which several stores of
// one process may share: a node is the same wherever its CID is read).

import * as dagCbor from '@ipld/dag-cbor'
import { LRUCache } from 'lru-cache'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import type { MultihashDigest } from 'multiformats/hashes/interface'
import { equalBytes } from '../bytes.ts'
import type { BlockAccess, PathFrom, PathHint } from '../store/index.ts'
import { childToward } from './cursor.ts'
import { sameConfig, TreeFormatError } from './config.ts'
import type { TreeConfig } from './config.ts'
import { checkChunking } from './chunker.ts'
import { decodeNode, encodeNode } from './node-codec.ts'
import type { ProllyNode } from './node-codec.ts'
import { UserError } from '../user-error.ts'

export class BlockMissingError extends UserError {
  override name = 'BlockMissingError'
}

export interface NodeStoreStats {
  nodesRead: number
  bytesRead: number
  cacheHits: number
  nodesWritten: number
  bytesWritten: number
}

interface Cached {
  node: ProllyNode
  /** Approximate memory held (nodeMemory). */
  memory: number
  cfg: TreeConfig | null
  /** Chunking verified with the last entry required to be a cut (valid anywhere in a tree). */
  closed: boolean
}

export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024

/**
 * Memory a decoded node holds beyond its block's bytes: each entry's key is its own Uint8Array and each
 * value a view into the block (a branch entry: a CID and its aggregate): measured (heap growth after
 * decoding whole trees of a 20,000-page index, Node 24) at 380-490 bytes per entry. Counting only encoded
 * bytes let a 256 MiB cache hold several GB: a posting leaf takes over 20 times its block size decoded.
 */
const BYTES_PER_ENTRY = 450
const BYTES_PER_NODE = 1024

/** Approximate memory of a decoded node. */
export function nodeMemory(node: ProllyNode, blockBytes: number): number {
  return blockBytes + BYTES_PER_NODE + node.keys.length * BYTES_PER_ENTRY
}

/** Decoded nodes by CID, bounded by their approximate memory; one may serve several NodeStores. */
export class NodeCache {
  readonly maxBytes: number
  readonly lru: LRUCache<string, Cached>

  constructor(maxBytes: number = DEFAULT_CACHE_BYTES) {
    this.maxBytes = maxBytes
    this.lru = new LRUCache<string, Cached>({ maxSize: Math.max(1, maxBytes), sizeCalculation: c => Math.max(1, c.memory) })
  }

  get stats(): { entries: number; bytes: number; maxBytes: number } {
    return { entries: this.lru.size, bytes: this.lru.calculatedSize, maxBytes: this.maxBytes }
  }
}

/** sha2-256 is synchronous on Node; a platform where it is not would need an async build path. */
function digestSync(bytes: Uint8Array): MultihashDigest {
  const d = sha256.digest(bytes)
  if (d instanceof Promise) throw new Error('index-core needs a synchronous sha2-256')
  return d
}

export function cidForBlock(digest: MultihashDigest): CID {
  return CID.createV1(dagCbor.code, digest)
}

function sameExpectation(a: TreeConfig | null, b: TreeConfig | null): boolean {
  return a === b || (a !== null && b !== null && sameConfig(a, b))
}

export class NodeStore {
  readonly blocks: BlockAccess
  readonly stats: NodeStoreStats = { nodesRead: 0, bytesRead: 0, cacheHits: 0, nodesWritten: 0, bytesWritten: 0 }
  readonly cache: NodeCache
  readonly #cache: LRUCache<string, Cached>
  /** Whether the cache is this store's alone (then a cached node is known to be in this store's blocks). */
  readonly #ownCache: boolean
  /** Loads in flight, so concurrent readers of one node share a single read and decode. */
  readonly #loading = new Map<string, { promise: Promise<Cached>; cfg: TreeConfig | null; level: number | undefined }>()

  /** `cache`: a cache shared with other stores; else one of its own of `cacheBytes` (approximate memory). */
  constructor(blocks: BlockAccess, opts: { cacheBytes?: number; cache?: NodeCache } = {}) {
    this.blocks = blocks
    this.cache = opts.cache ?? new NodeCache(opts.cacheBytes ?? DEFAULT_CACHE_BYTES)
    this.#cache = this.cache.lru
    this.#ownCache = opts.cache === undefined
  }

  /** Asks the blocks for nodes about to be read (see BlockAccess.prefetch); those cached or loading are left out. */
  prefetch(cids: readonly CID[]): void {
    if (this.blocks.prefetch === undefined) return
    const wanted = cids.filter(c => {
      const k = c.toString()
      return !this.#cache.has(k) && !this.#loading.has(k)
    })
    if (wanted.length > 0) this.blocks.prefetch(wanted)
  }

  /**
   * Asks the blocks for the nodes lookups of `keys` under `root` will read and this store has not decoded
   * (see BlockAccess.prefetchPaths): each path is followed through the cache, and asked for from its first
   * node not in it.
   */
  prefetchPaths(root: CID, keys: readonly Uint8Array[]): void {
    if (this.blocks.prefetchPaths === undefined) return
    const wanted: PathFrom[] = []
    for (const key of keys) {
      let from = root
      let hit = this.#cache.get(root.toString())
      while (hit !== undefined && hit.node.kind === 'branch') {
        from = hit.node.children[childToward(hit.node.keys, key)]
        hit = this.#cache.get(from.toString())
      }
      if (hit === undefined) wanted.push({ root, from, key })
    }
    if (wanted.length > 0) this.blocks.prefetchPaths(wanted)
  }

  resetStats(): void {
    Object.assign(this.stats, { nodesRead: 0, bytesRead: 0, cacheHits: 0, nodesWritten: 0, bytesWritten: 0 })
  }

  /**
   * Loads a node. `cfg` null means "this is a root": its own config is validated and returned in the node.
   * `rightmost` says whether the node may end without a boundary (the last node of its level). `path`: the
   * lookup this read is part of, when it descends toward one key (see BlockAccess.getOnPath).
   */
  async load(cid: CID, cfg: TreeConfig | null, level: number | undefined, rightmost: boolean, path?: PathHint): Promise<ProllyNode> {
    const key = cid.toString()
    let hit = this.#cache.get(key)
    if (hit === undefined) {
      const pending = this.#loading.get(key)
      if (pending !== undefined && sameExpectation(pending.cfg, cfg) && (level === undefined || pending.level === level)) {
        // Another lookup is reading this node: this one's path below it is asked for too, in the same round trip.
        if (path !== undefined) this.blocks.prefetchPaths?.([{ ...path, from: cid }])
        hit = await pending.promise
      }
    }
    if (hit !== undefined && sameExpectation(hit.cfg, cfg) && (level === undefined || hit.node.level === level)) {
      this.stats.cacheHits++
      if (!rightmost && !hit.closed) {
        checkChunking(hit.node, cfg ?? hit.node.cfg!, false)
        hit.closed = true
      }
      return hit.node
    }
    const promise = this.#read(cid, key, cfg, level, rightmost, path)
    this.#loading.set(key, { promise, cfg, level })
    try {
      return (await promise).node
    } finally {
      if (this.#loading.get(key)?.promise === promise) this.#loading.delete(key)
    }
  }

  async #read(cid: CID, key: string, cfg: TreeConfig | null, level: number | undefined, rightmost: boolean, path: PathHint | undefined): Promise<Cached> {
    const bytes = path !== undefined && this.blocks.getOnPath !== undefined ? await this.blocks.getOnPath(cid, path) : await this.blocks.get(cid)
    if (bytes === undefined) throw new BlockMissingError(`block ${key} is not in the store`)
    this.stats.nodesRead++
    this.stats.bytesRead += bytes.length
    if (cid.version !== 1 || cid.code !== dagCbor.code || cid.multihash.code !== sha256.code) {
      throw new TreeFormatError(`block ${key}: not a dag-cbor sha2-256 CID`)
    }
    const digest = digestSync(bytes)
    if (!equalBytes(digest.digest, cid.multihash.digest)) {
      throw new TreeFormatError(`block ${key}: bytes do not match the CID (corrupted or forged block)`)
    }
    const node = decodeNode(bytes, { cfg, level })
    const treeCfg = cfg ?? node.cfg!
    checkChunking(node, treeCfg, rightmost)
    const cached: Cached = { node, memory: nodeMemory(node, bytes.length), cfg, closed: !rightmost }
    this.#cache.set(key, cached)
    return cached
  }

  /** Encodes and hashes a node (no I/O). */
  encode(node: ProllyNode): { cid: CID; bytes: Uint8Array } {
    const bytes = encodeNode(node)
    return { cid: cidForBlock(digestSync(bytes)), bytes }
  }

  /** Stores an encoded block, unless it is known to be here already (it was read through this store). */
  async put(cid: CID, bytes: Uint8Array): Promise<void> {
    if (this.#ownCache && this.#cache.has(cid.toString())) return
    await this.blocks.put(cid, bytes)
    this.stats.nodesWritten++
    this.stats.bytesWritten += bytes.length
  }

  /** Encodes, hashes and stores a node; returns its CID. */
  async save(node: ProllyNode): Promise<CID> {
    const { cid, bytes } = this.encode(node)
    await this.put(cid, bytes)
    return cid
  }
}
