// A block store over a partner: reads the local store first and fetches what it lacks from the partner
// (over libp2p, a gateway, ...), checking every fetched block against its CID and a size bound before keeping
// it. Sparse by construction: a query against a partner's index fetches only the blocks it reads.

import type { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { equalBytes, toHex } from '../../index-core/bytes.ts'
import type { BlockAccess, PathFrom, PathHint } from '../../index-core/store/index.ts'
import { UserError } from '../../index-core/user-error.ts'

/** No Canopy block is larger (prolly nodes are capped at 1 MiB, UnixFS chunks at 1 MiB). */
export const MAX_FETCHED_BLOCK_BYTES = (1 << 20) + 1024

/** What a fetcher may use to fetch more than the block asked for in the same round trip. */
export interface FetchHints {
  /** The block is a prolly-tree node read by a lookup descending toward `path.key`. */
  readonly path?: PathHint
  /** Only the nodes below the block on the path are wanted (the block is held): a fetcher that cannot fetch paths returns undefined at once. */
  readonly pathOnly?: boolean
  /** Takes the blocks fetched beside the one asked for (the nodes below it on the path); it verifies them. */
  readonly extra?: (cid: CID, bytes: Uint8Array) => Promise<void>
}

/** Where missing blocks come from. Returns undefined when the partner does not have the block. */
export type BlockFetcher = (cid: CID, signal: AbortSignal, hints?: FetchHints) => Promise<Uint8Array | undefined>

export class BlockRefusedError extends UserError {
  override name = 'BlockRefusedError'
}

/** A block the local store lacks could not be fetched: no partner that may hold it answered in time. */
export class PartnerUnavailableError extends UserError {
  override name = 'PartnerUnavailableError'
}

/** Throws unless `bytes` hash to `cid` (sha2-256 only: the one hash Canopy writes) and fit the size bound. */
export async function verifyBlock(cid: CID, bytes: Uint8Array, maxBytes = MAX_FETCHED_BLOCK_BYTES): Promise<void> {
  if (bytes.length > maxBytes) throw new BlockRefusedError(`block ${cid.toString()} of ${bytes.length} bytes exceeds the ${maxBytes}-byte limit`)
  if (cid.multihash.code !== sha256.code)
    throw new BlockRefusedError(`block ${cid.toString()} uses hash 0x${cid.multihash.code.toString(16)}; only sha2-256 is accepted`)
  const d = await sha256.digest(bytes)
  if (!equalBytes(d.digest, cid.multihash.digest)) throw new BlockRefusedError(`block ${cid.toString()} does not match its CID (tampered or forged)`)
}

export interface FetchStats {
  fetched: number
  bytesFetched: number
  refused: number
}

export class FetchingBlocks implements BlockAccess {
  readonly local: BlockAccess
  readonly stats: FetchStats = { fetched: 0, bytesFetched: 0, refused: 0 }
  readonly #fetch: BlockFetcher
  readonly #timeoutMs: number
  readonly #maxBlockBytes: number
  /** One fetch per CID at a time, however many readers ask for it. */
  readonly #inflight = new Map<string, Promise<Uint8Array | undefined>>()

  constructor(local: BlockAccess, fetch: BlockFetcher, opts: { timeoutMs?: number; maxBlockBytes?: number } = {}) {
    this.local = local
    this.#fetch = fetch
    this.#timeoutMs = opts.timeoutMs ?? 30_000
    this.#maxBlockBytes = opts.maxBlockBytes ?? MAX_FETCHED_BLOCK_BYTES
  }

  async get(cid: CID): Promise<Uint8Array | undefined> {
    return await this.getOnPath(cid)
  }

  /** A block, and with it (from a fetcher that can) the nodes below it on a lookup's path. */
  async getOnPath(cid: CID, path?: PathHint): Promise<Uint8Array | undefined> {
    const have = await this.local.get(cid)
    if (have !== undefined) return have
    // Lookups of different keys through one node each bring their own path: reads that share a node still
    // ask for it once per path (a fetcher that batches sends the node once, with every path).
    const key = path === undefined ? cid.toString() : `${cid.toString()}\n${toHex(path.key)}`
    let p = this.#inflight.get(key)
    if (p === undefined) {
      p = this.#fetchOne(cid, path).finally(() => this.#inflight.delete(key))
      this.#inflight.set(key, p)
    }
    return await p
  }

  async #fetchOne(cid: CID, path: PathHint | undefined): Promise<Uint8Array | undefined> {
    let bytes: Uint8Array | undefined
    try {
      bytes = await this.#fetch(cid, AbortSignal.timeout(this.#timeoutMs), path === undefined ? undefined : { path, extra: this.#extra })
    } catch (err) {
      // Fetchers refuse what they can tell is hostile before it arrives whole (an oversized body, a partner
      // caught sending forged blocks over bitswap): counted like a block that fails its hash here.
      if (err instanceof BlockRefusedError) {
        this.stats.refused++
        throw err
      }
      throw new PartnerUnavailableError(`block ${cid.toString()} is not held here, and fetching it from a partner failed: ${(err as Error).message}`, {
        cause: err
      })
    }
    if (bytes === undefined) return undefined
    await this.#keepFetched(cid, bytes)
    return bytes
  }

  /**
   * A block fetched beside another: kept if it verifies and is not held yet (a path's upper nodes often are),
   * counted and dropped if it does not verify (it was not asked for).
   */
  readonly #extra = async (cid: CID, bytes: Uint8Array): Promise<void> => {
    await this.#keepFetched(cid, bytes).catch(() => {})
  }

  /** Blocks being stored: the same block can arrive twice at once (asked for, and on another lookup's path). */
  readonly #storing = new Set<string>()

  /**
   * Keeps a block one of this store's requests brought, verified, unless another answer brought it first (a
   * block asked for and on another lookup's path): stored and counted once.
   */
  async #keepFetched(cid: CID, bytes: Uint8Array): Promise<void> {
    await this.#verify(cid, bytes)
    const k = cid.toString()
    if (this.#storing.has(k)) return
    this.#storing.add(k)
    try {
      if (!(await this.local.has(cid))) await this.#store(cid, bytes)
    } finally {
      this.#storing.delete(k)
    }
  }

  /** Keeps a block that came from a partner (one of a streamed DAG, which is never held twice), after verifying it. */
  async keep(cid: CID, bytes: Uint8Array): Promise<void> {
    await this.#verify(cid, bytes)
    await this.#store(cid, bytes)
  }

  async #verify(cid: CID, bytes: Uint8Array): Promise<void> {
    try {
      await verifyBlock(cid, bytes, this.#maxBlockBytes)
    } catch (err) {
      this.stats.refused++
      throw err
    }
  }

  async #store(cid: CID, bytes: Uint8Array): Promise<void> {
    this.stats.fetched++
    this.stats.bytesFetched += bytes.length
    await this.local.put(cid, bytes)
  }

  /** Fetches (and keeps) those of `cids` not held yet, in the background; a failure shows when they are read. */
  prefetch(cids: readonly CID[]): void {
    for (const cid of cids) if (!this.#inflight.has(cid.toString())) this.get(cid).catch(() => {})
  }

  /**
   * Fetches the nodes of lookups' paths in the background (with a fetcher that can): each path from its
   * `from` node down, that node included unless it is held.
   */
  prefetchPaths(paths: readonly PathFrom[]): void {
    for (const p of paths) {
      const path = { root: p.root, key: p.key }
      this.local
        .has(p.from)
        .then(held =>
          held ? this.#fetch(p.from, AbortSignal.timeout(this.#timeoutMs), { path, pathOnly: true, extra: this.#extra }) : this.getOnPath(p.from, path)
        )
        .catch(() => {})
    }
  }

  async put(cid: CID, bytes: Uint8Array): Promise<void> {
    await this.local.put(cid, bytes)
  }

  async has(cid: CID): Promise<boolean> {
    return await this.local.has(cid)
  }
}
