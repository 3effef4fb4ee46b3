// Reads and writes tree nodes over a BlockStore: verifies every block against its CID, decodes it
// strictly, checks its chunking, and keeps decoded nodes in a bounded LRU cache.

import * as dagCbor from '@ipld/dag-cbor'
import { LRUCache } from 'lru-cache'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import type { MultihashDigest } from 'multiformats/hashes/interface'
import { equalBytes } from '../bytes.ts'
import type { BlockStore } from '../store/blockstore.ts'
import { sameConfig, TreeFormatError } from './config.ts'
import type { TreeConfig } from './config.ts'
import { checkChunking } from './chunker.ts'
import { decodeNode, encodeNode } from './node-codec.ts'
import type { ProllyNode } from './node-codec.ts'

export class BlockMissingError extends Error {
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
  bytes: number
  cfg: TreeConfig | null
  /** Chunking verified with the last entry required to be a cut (valid anywhere in a tree). */
  closed: boolean
}

export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024

/** sha2-256 is synchronous on Node; a platform where it is not would need an async build path. */
function digestSync (bytes: Uint8Array): MultihashDigest {
  const d = sha256.digest(bytes)
  if (d instanceof Promise) throw new Error('index-core needs a synchronous sha2-256')
  return d
}

export function cidForBlock (digest: MultihashDigest): CID {
  return CID.createV1(dagCbor.code, digest)
}

function sameExpectation (a: TreeConfig | null, b: TreeConfig | null): boolean {
  return a === b || (a !== null && b !== null && sameConfig(a, b))
}

export class NodeStore {
  readonly blocks: BlockStore
  readonly stats: NodeStoreStats = { nodesRead: 0, bytesRead: 0, cacheHits: 0, nodesWritten: 0, bytesWritten: 0 }
  readonly #cache: LRUCache<string, Cached>

  constructor (blocks: BlockStore, opts: { cacheBytes?: number } = {}) {
    this.blocks = blocks
    this.#cache = new LRUCache<string, Cached>({
      maxSize: opts.cacheBytes ?? DEFAULT_CACHE_BYTES,
      sizeCalculation: (c) => Math.max(1, c.bytes)
    })
  }

  resetStats (): void {
    Object.assign(this.stats, { nodesRead: 0, bytesRead: 0, cacheHits: 0, nodesWritten: 0, bytesWritten: 0 })
  }

  /**
   * Loads a node. `cfg` null means "this is a root": its own config is validated and returned in the node.
   * `rightmost` says whether the node may end without a boundary (the last node of its level).
   */
  async load (cid: CID, cfg: TreeConfig | null, level: number | undefined, rightmost: boolean): Promise<ProllyNode> {
    const key = cid.toString()
    const hit = this.#cache.get(key)
    if (hit !== undefined && sameExpectation(hit.cfg, cfg) && (level === undefined || hit.node.level === level)) {
      this.stats.cacheHits++
      if (!rightmost && !hit.closed) {
        checkChunking(hit.node, cfg ?? hit.node.cfg!, false)
        hit.closed = true
      }
      return hit.node
    }
    const bytes = await this.blocks.get(cid)
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
    this.#cache.set(key, { node, bytes: bytes.length, cfg, closed: !rightmost })
    return node
  }

  /** Encodes and hashes a node (no I/O). */
  encode (node: ProllyNode): { cid: CID, bytes: Uint8Array } {
    const bytes = encodeNode(node)
    return { cid: cidForBlock(digestSync(bytes)), bytes }
  }

  /** Stores an encoded block, unless it is known to be here already (it was read through this store). */
  async put (cid: CID, bytes: Uint8Array): Promise<void> {
    if (this.#cache.has(cid.toString())) return
    await this.blocks.put(cid, bytes)
    this.stats.nodesWritten++
    this.stats.bytesWritten += bytes.length
  }

  /** Encodes, hashes and stores a node; returns its CID. */
  async save (node: ProllyNode): Promise<CID> {
    const { cid, bytes } = this.encode(node)
    await this.put(cid, bytes)
    return cid
  }
}
