// Fetching blocks from whoever holds them, for partners known by key alone. Candidates: the publishers
// themselves (found by peer id through the DHT), and the providers the DHT names for the indexes' roots
// (institutions provide their manifest and index roots, and those of partners' indexes they hold whole).
// A block is asked of each in turn over bitswap, the last to send one first; only when none has it is the
// DHT asked who provides the block itself or its roots. Whoever sends a block, it is kept only if it hashes
// to its CID (FetchingBlocks), and the roots it hangs from are the publisher's signed ones, so any
// holder will do.

import type { Libp2p, PeerId, PeerInfo } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import type { BitswapFetcher } from './bitswap-fetch.ts'
import { BlockRefusedError } from '../blocks/index.ts'

/** How long a holder that could not be reached is left alone. */
const DOWN_MS = 30_000
/** How long one search for providers may take. */
const SEARCH_MS = 15_000
/** A root's providers are searched again only after this long (a partner may have pinned it since). */
const ROOT_SEARCH_EVERY_MS = 30_000

/** Where a block is likely found: the publishers' peers, and the roots of the indexes it belongs to. */
export interface FetchHints {
  readonly peers: readonly PeerId[]
  readonly roots: readonly CID[]
}

interface Holder {
  readonly id: PeerId
  downUntil: number
}

export class ProviderFetcher {
  readonly #libp2p: Libp2p
  readonly #bitswap: BitswapFetcher
  readonly #find: (cid: CID, signal: AbortSignal) => AsyncIterable<PeerInfo>
  /** Holders found so far, the last to send a block first (the next block is likely of the same index). */
  #holders: Holder[] = []
  readonly #rootSearched = new Map<string, number>()

  constructor(libp2p: Libp2p, bitswap: BitswapFetcher, findProviders: (cid: CID, signal: AbortSignal) => AsyncIterable<PeerInfo>) {
    this.#libp2p = libp2p
    this.#bitswap = bitswap
    this.#find = findProviders
  }

  #holder(id: PeerId): Holder {
    let h = this.#holders.find(x => x.id.equals(id))
    if (h === undefined) this.#holders.push((h = { id, downUntil: 0 }))
    return h
  }

  #first(h: Holder): void {
    if (this.#holders[0] !== h) this.#holders = [h, ...this.#holders.filter(x => x !== h)]
  }

  /** The block from some holder; undefined when every holder says it has none. */
  async fetch(cid: CID, signal: AbortSignal, hints: FetchHints): Promise<Uint8Array | undefined> {
    const errors: string[] = []
    const asked = new Set<string>()
    const ask = async (h: Holder): Promise<Uint8Array | undefined> => {
      asked.add(h.id.toString())
      try {
        if (this.#libp2p.getConnections(h.id).length === 0) await this.#libp2p.dial(h.id, { signal })
        const b = await this.#bitswap.fetch(h.id, cid, signal)
        h.downUntil = 0
        if (b !== undefined) this.#first(h)
        return b
      } catch (err) {
        if (err instanceof BlockRefusedError || signal.aborted) throw err
        h.downUntil = Date.now() + DOWN_MS
        errors.push(`${h.id.toString()}: ${(err as Error).message}`)
        return undefined
      }
    }
    for (const p of hints.peers) if (!p.equals(this.#libp2p.peerId)) this.#holder(p)
    for (const h of [...this.#holders]) {
      if (h.downUntil > Date.now()) continue
      const b = await ask(h)
      if (b !== undefined) return b
    }
    // No holder at hand has it: ask the DHT who provides the block, or (not lately) its roots. One left
    // alone after a failure is tried again when the DHT names it.
    const now = Date.now()
    const roots = hints.roots.filter(r => (this.#rootSearched.get(r.toString()) ?? 0) + ROOT_SEARCH_EVERY_MS <= now)
    for (const r of roots) this.#rootSearched.set(r.toString(), now)
    const search = AbortSignal.any([signal, AbortSignal.timeout(SEARCH_MS)])
    for (const key of [cid, ...roots]) {
      try {
        for await (const p of this.#find(key, search)) {
          if (asked.has(p.id.toString())) continue
          if (p.multiaddrs.length > 0) await this.#libp2p.peerStore.merge(p.id, { multiaddrs: p.multiaddrs })
          const b = await ask(this.#holder(p.id))
          if (b !== undefined) return b
        }
      } catch (err) {
        if (signal.aborted || err instanceof BlockRefusedError) throw err
        errors.push(`provider search: ${(err as Error).message}`)
      }
    }
    // A holder that could not be asked may have it: unavailable, not missing.
    if (errors.length > 0) throw new Error(`${cid.toString()}: not found, and not every holder could be asked (${errors.slice(0, 3).join('; ')})`)
    return undefined
  }
}
