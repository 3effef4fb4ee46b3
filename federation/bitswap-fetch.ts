// Fetching one block from one partner over helia's bitswap, without storing it (FetchingBlockStore verifies
// and keeps it). The want goes to that partner only, and its answer ends the fetch: the block, or undefined
// when it says DONT_HAVE, rather than a wait for the timeout.
//
// Bitswap names a received block by hashing it, so a tampered block (bytes a partner holds under a CID they
// do not hash to) never answers the want it was sent for. We watch what each partner sends: a block that
// hashes to nothing we asked it for can only be such a block, and that partner's pending fetches are refused
// with BlockRefusedError at once (we cannot tell which of them it was meant for).
//
// helia does not expose its bitswap instance; we reach its want list through two private fields
// (Helia.blockBrokers, BitswapBlockBroker.bitswap), checked when the node starts so a change in helia fails
// loudly there rather than at the first fetch.

import type { PeerId } from '@libp2p/interface'
import { LRUCache } from 'lru-cache'
import { base64 } from 'multiformats/bases/base64'
import type { CID } from 'multiformats/cid'
import { BlockRefusedError } from './fetching-store.ts'

interface BlockEvent { readonly detail: { readonly sender: PeerId, readonly cid: CID } }
type BlockListener = (evt: BlockEvent) => void

/** The part of @helia/bitswap's WantList this module uses. */
interface WantList {
  wantSessionBlock (cid: CID, peerId: PeerId, options: { signal: AbortSignal }): Promise<{ has: boolean, block?: Uint8Array }>
  has (cid: CID): boolean
  addEventListener (type: 'block', listener: BlockListener): void
  removeEventListener (type: 'block', listener: BlockListener): void
}

/** The want list of the bitswap block broker inside a started helia node. */
export function bitswapWantList (helia: object): WantList {
  const brokers = (helia as { blockBrokers?: unknown }).blockBrokers
  const broker = Array.isArray(brokers) ? brokers.find(b => (b as { name?: unknown })?.name === 'bitswap') as { bitswap?: { wantList?: Partial<WantList> } } | undefined : undefined
  const wl = broker?.bitswap?.wantList
  if (typeof wl?.wantSessionBlock !== 'function' || typeof wl.has !== 'function' || typeof wl.addEventListener !== 'function' || typeof wl.removeEventListener !== 'function') {
    throw new Error('helia\'s bitswap want list was not found: this version of helia/@helia/bitswap is not the one Canopy was written for')
  }
  return wl as WantList
}

const digestKey = (cid: CID): string => base64.encode(cid.multihash.digest)

export class BitswapFetcher {
  readonly #wl: WantList
  /** Per partner, per wanted digest: how to refuse the fetches waiting for it. */
  readonly #pending = new Map<string, Map<string, Set<(err: Error) => void>>>()
  /** Digests recently asked of each partner: a late duplicate of one of them is not a forgery. */
  readonly #asked = new LRUCache<string, true>({ max: 100_000 })
  readonly #onBlock: BlockListener

  constructor (wantList: WantList) {
    this.#wl = wantList
    this.#onBlock = (evt) => { this.#check(evt.detail.sender, evt.detail.cid) }
    wantList.addEventListener('block', this.#onBlock)
  }

  #check (sender: PeerId, cid: CID): void {
    const peer = sender.toString()
    const d = digestKey(cid)
    const waiting = this.#pending.get(peer)
    if (waiting === undefined || waiting.has(d) || this.#asked.has(`${peer} ${d}`) || this.#wl.has(cid)) return
    const err = new BlockRefusedError(`partner ${peer} sent a block (hashing to ${cid.toString()}) that was not asked for: it holds a block under a CID its bytes do not match (tampered or forged); its pending blocks are refused`)
    for (const refusals of waiting.values()) for (const refuse of refusals) refuse(err)
  }

  /** The block from `peer` (already connected), or undefined when it does not have it. */
  async fetch (peer: PeerId, cid: CID, signal: AbortSignal): Promise<Uint8Array | undefined> {
    signal.throwIfAborted()
    const p = peer.toString()
    const d = digestKey(cid)
    this.#asked.set(`${p} ${d}`, true)
    let refuse!: (err: Error) => void
    const refused = new Promise<never>((_resolve, reject) => { refuse = reject })
    refused.catch(() => {}) // only ever observed through the race below
    let byDigest = this.#pending.get(p)
    if (byDigest === undefined) this.#pending.set(p, byDigest = new Map())
    let refusals = byDigest.get(d)
    if (refusals === undefined) byDigest.set(d, refusals = new Set())
    refusals.add(refuse)
    const done = new AbortController() // stops the want's listener when it is refused
    try {
      const r = await Promise.race([this.#wl.wantSessionBlock(cid, peer, { signal: AbortSignal.any([signal, done.signal]) }), refused])
      if (!r.has) return undefined
      if (r.block === undefined) throw new Error(`partner ${p} answered that it has ${cid.toString()} but did not send it`)
      return new Uint8Array(r.block) // a copy: the message buffer it came in is not kept alive by the store
    } finally {
      done.abort()
      refusals.delete(refuse)
      if (refusals.size === 0) byDigest.delete(d)
      if (byDigest.size === 0) this.#pending.delete(p)
    }
  }

  close (): void { this.#wl.removeEventListener('block', this.#onBlock) }
}
