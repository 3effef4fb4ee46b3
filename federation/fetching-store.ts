// A block store over a partner: reads the local store first and fetches what it lacks from the partner
// (over libp2p, a gateway, ...), checking every fetched block against its CID and a size bound before keeping
// it. Sparse by construction: a query against a partner's index fetches only the blocks it reads.

import type { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { equalBytes } from '../index-core/bytes.ts'
import type { BlockStore } from '../index-core/store/blockstore.ts'
import { UserError } from '../index-core/user-error.ts'

/** No Canopy block is larger (prolly nodes are capped at 1 MiB, UnixFS chunks at 1 MiB). */
export const MAX_FETCHED_BLOCK_BYTES = (1 << 20) + 1024

/** Where missing blocks come from. Returns undefined when the partner does not have the block. */
export type BlockFetcher = (cid: CID, signal: AbortSignal) => Promise<Uint8Array | undefined>

export class BlockRefusedError extends UserError {
  override name = 'BlockRefusedError'
}

/** A block the local store lacks could not be fetched: no partner that may hold it answered in time. */
export class PartnerUnavailableError extends UserError {
  override name = 'PartnerUnavailableError'
}

/** Throws unless `bytes` hash to `cid` (sha2-256 only: the one hash Canopy writes) and fit the size bound. */
export async function verifyBlock (cid: CID, bytes: Uint8Array, maxBytes = MAX_FETCHED_BLOCK_BYTES): Promise<void> {
  if (bytes.length > maxBytes) throw new BlockRefusedError(`block ${cid.toString()} of ${bytes.length} bytes exceeds the ${maxBytes}-byte limit`)
  if (cid.multihash.code !== sha256.code) throw new BlockRefusedError(`block ${cid.toString()} uses hash 0x${cid.multihash.code.toString(16)}; only sha2-256 is accepted`)
  const d = await sha256.digest(bytes)
  if (!equalBytes(d.digest, cid.multihash.digest)) throw new BlockRefusedError(`block ${cid.toString()} does not match its CID (tampered or forged)`)
}

export interface FetchStats { fetched: number, bytesFetched: number, refused: number }

export class FetchingBlockStore implements BlockStore {
  readonly local: BlockStore
  readonly stats: FetchStats = { fetched: 0, bytesFetched: 0, refused: 0 }
  readonly #fetch: BlockFetcher
  readonly #timeoutMs: number
  readonly #maxBlockBytes: number
  /** One fetch per CID at a time, however many readers ask for it. */
  readonly #inflight = new Map<string, Promise<Uint8Array | undefined>>()

  constructor (local: BlockStore, fetch: BlockFetcher, opts: { timeoutMs?: number, maxBlockBytes?: number } = {}) {
    this.local = local
    this.#fetch = fetch
    this.#timeoutMs = opts.timeoutMs ?? 30_000
    this.#maxBlockBytes = opts.maxBlockBytes ?? MAX_FETCHED_BLOCK_BYTES
  }

  async get (cid: CID): Promise<Uint8Array | undefined> {
    const have = await this.local.get(cid)
    if (have !== undefined) return have
    const key = cid.toString()
    let p = this.#inflight.get(key)
    if (p === undefined) {
      p = this.#fetchOne(cid).finally(() => this.#inflight.delete(key))
      this.#inflight.set(key, p)
    }
    return await p
  }

  async #fetchOne (cid: CID): Promise<Uint8Array | undefined> {
    let bytes: Uint8Array | undefined
    try {
      bytes = await this.#fetch(cid, AbortSignal.timeout(this.#timeoutMs))
    } catch (err) {
      // Fetchers refuse what they can tell is hostile before it arrives whole (an oversized body, a partner
      // caught sending forged blocks over bitswap): counted like a block that fails its hash here.
      if (err instanceof BlockRefusedError) { this.stats.refused++; throw err }
      throw new PartnerUnavailableError(`block ${cid.toString()} is not held here, and fetching it from a partner failed: ${(err as Error).message}`, { cause: err })
    }
    if (bytes === undefined) return undefined
    await this.keep(cid, bytes)
    return bytes
  }

  /** Keeps a block that came from a partner (one fetched, or one of a streamed DAG), after verifying it. */
  async keep (cid: CID, bytes: Uint8Array): Promise<void> {
    try {
      await verifyBlock(cid, bytes, this.#maxBlockBytes)
    } catch (err) {
      this.stats.refused++
      throw err
    }
    this.stats.fetched++
    this.stats.bytesFetched += bytes.length
    await this.local.put(cid, bytes)
  }

  /** Fetches (and keeps) those of `cids` not held yet, in the background; a failure shows when they are read. */
  prefetch (cids: readonly CID[]): void {
    for (const cid of cids) if (!this.#inflight.has(cid.toString())) this.get(cid).catch(() => {})
  }

  async put (cid: CID, bytes: Uint8Array): Promise<void> { await this.local.put(cid, bytes) }

  async has (cid: CID): Promise<boolean> { return await this.local.has(cid) }
}
