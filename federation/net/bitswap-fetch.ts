// Fetching one block from one partner over helia's bitswap, without storing it (FetchingBlocks verifies
// and keeps it). The want goes to that partner only, and its answer ends the fetch: the block, or undefined
// when it says DONT_HAVE, rather than a wait for the timeout.
//
// Bitswap names a received block by hashing it, so a tampered block (bytes a partner holds under a CID they
// do not hash to) never answers the want it was sent for. We watch what each partner sends: a block that
// hashes to nothing we asked it for can only be such a block, and that partner's pending fetches are refused
// with BlockRefusedError at once (we cannot tell which of them it was meant for).
//
// Each want ends with a cancel to that partner (unless another fetch of the block from it is under way):
// a bitswap peer keeps a want it answered DONT_HAVE to, or sent the block for, and stays silent when the same
// block is wanted again while it is kept, so a second ask of the same peer would otherwise wait for ever.
//
// helia does not expose its bitswap instance; we reach its want list through two private fields
// (Helia.blockBrokers, BitswapBlockBroker.bitswap), and send cancels through its network, all checked when
// the node starts so a change in helia fails loudly there rather than at the first fetch.

import type { PeerId } from '@libp2p/interface'
import { LRUCache } from 'lru-cache'
import { base64 } from 'multiformats/bases/base64'
import type { CID } from 'multiformats/cid'
import { BlockRefusedError } from '../blocks/index.ts'

interface BlockEvent {
  readonly detail: { readonly sender: PeerId; readonly cid: CID }
}
type BlockListener = (evt: BlockEvent) => void

/** The part of @helia/bitswap's WantList this module uses. */
interface WantList {
  wantSessionBlock(cid: CID, peerId: PeerId, options: { signal: AbortSignal }): Promise<{ has: boolean; block?: Uint8Array }>
  has(cid: CID): boolean
  addEventListener(type: 'block', listener: BlockListener): void
  removeEventListener(type: 'block', listener: BlockListener): void
  readonly network: { sendMessage(peer: PeerId, message: CancelMessage, options: { signal: AbortSignal }): Promise<void> }
}

/** The shape of @helia/bitswap's QueuedBitswapMessage, holding one cancel. */
interface CancelMessage {
  full: boolean
  pendingBytes: number
  wantlist: Map<string, { cid: Uint8Array; priority: number; cancel: boolean; wantType: 'WantBlock'; sendDontHave: boolean }>
  blocks: Map<string, never>
  blockPresences: Map<string, never>
}

/** The want list of the bitswap block broker inside a started helia node. */
export function bitswapWantList(helia: object): WantList {
  const brokers = (helia as { blockBrokers?: unknown }).blockBrokers
  const broker = Array.isArray(brokers)
    ? (brokers.find(b => (b as { name?: unknown })?.name === 'bitswap') as { bitswap?: { wantList?: Partial<WantList> } } | undefined)
    : undefined
  const wl = broker?.bitswap?.wantList
  if (
    typeof wl?.wantSessionBlock !== 'function' ||
    typeof wl.has !== 'function' ||
    typeof wl.addEventListener !== 'function' ||
    typeof wl.removeEventListener !== 'function' ||
    typeof wl.network?.sendMessage !== 'function'
  ) {
    throw new Error("helia's bitswap want list was not found: this version of helia/@helia/bitswap is not the one Canopy was written for")
  }
  return wl as WantList
}

/** How long a want waits for an answer before it is sent again. */
const NUDGE_MS = 2_000

const digestKey = (cid: CID): string => base64.encode(cid.multihash.digest)

export class BitswapFetcher {
  readonly #wl: WantList
  /** Per partner, per wanted digest: how to refuse the fetches waiting for it. */
  readonly #pending = new Map<string, Map<string, Set<(err: Error) => void>>>()
  /** Digests recently asked of each partner: a late duplicate of one of them is not a forgery. */
  readonly #asked = new LRUCache<string, true>({ max: 100_000 })
  readonly #onBlock: BlockListener
  /** Cancels on their way, by partner and digest: a new want of that block from that partner waits for it. */
  readonly #cancels = new Map<string, Promise<void>>()

  constructor(wantList: WantList) {
    this.#wl = wantList
    this.#onBlock = evt => {
      this.#check(evt.detail.sender, evt.detail.cid)
    }
    wantList.addEventListener('block', this.#onBlock)
  }

  #check(sender: PeerId, cid: CID): void {
    const peer = sender.toString()
    const d = digestKey(cid)
    const waiting = this.#pending.get(peer)
    if (waiting === undefined || waiting.has(d) || this.#asked.has(`${peer} ${d}`) || this.#wl.has(cid)) return
    const err = new BlockRefusedError(
      `partner ${peer} sent a block (hashing to ${cid.toString()}) that was not asked for: it holds a block under a CID its bytes do not match (tampered or forged); its pending blocks are refused`
    )
    for (const refusals of waiting.values()) for (const refuse of refusals) refuse(err)
  }

  /** The block from `peer` (already connected), or undefined when it does not have it. */
  async fetch(peer: PeerId, cid: CID, signal: AbortSignal): Promise<Uint8Array | undefined> {
    signal.throwIfAborted()
    const p = peer.toString()
    const d = digestKey(cid)
    const key = `${p} ${d}`
    // A want sent while the cancel is still queued would be merged into it, and cancelled.
    await this.#cancels.get(key)
    signal.throwIfAborted()
    this.#asked.set(key, true)
    let refuse!: (err: Error) => void
    const refused = new Promise<never>((_resolve, reject) => {
      refuse = reject
    })
    refused.catch(() => {}) // only ever observed through the race below
    let byDigest = this.#pending.get(p)
    if (byDigest === undefined) this.#pending.set(p, (byDigest = new Map()))
    let refusals = byDigest.get(d)
    if (refusals === undefined) byDigest.set(d, (refusals = new Set()))
    refusals.add(refuse)
    const done = new AbortController() // stops the wants' listeners once answered or refused
    try {
      const r = await this.#answer(peer, cid, AbortSignal.any([signal, done.signal]), refused)
      if (!r.has) return undefined
      if (r.block === undefined) throw new Error(`partner ${p} answered that it has ${cid.toString()} but did not send it`)
      return new Uint8Array(r.block) // a copy: the message buffer it came in is not kept alive by the store
    } finally {
      done.abort()
      refusals.delete(refuse)
      if (refusals.size === 0) byDigest.delete(d)
      if (byDigest.size === 0) this.#pending.delete(p)
      if (refusals.size === 0) this.#cancel(peer, cid, key)
    }
  }

  /**
   * The partner's answer to a want of `cid`. A peer whose queue of answers to us is full drops the work
   * (helia's ledger keeps the want but looks at it again only when our next message arrives), so a want left
   * unanswered is sent again every NUDGE_MS, while the earlier ones keep listening.
   */
  async #answer(peer: PeerId, cid: CID, signal: AbortSignal, refused: Promise<never>): Promise<{ has: boolean; block?: Uint8Array }> {
    const answers: Array<Promise<{ has: boolean; block?: Uint8Array }>> = []
    for (;;) {
      answers.push(this.#wl.wantSessionBlock(cid, peer, { signal }))
      let timer: NodeJS.Timeout | undefined
      const later = new Promise<null>(resolve => {
        timer = setTimeout(() => resolve(null), NUDGE_MS)
      })
      try {
        const r = await Promise.race([...answers, refused, later])
        if (r !== null) return r
      } finally {
        clearTimeout(timer)
      }
      signal.throwIfAborted()
    }
  }

  /** Tells the partner we no longer want the block, so that asking it again later gets an answer. */
  #cancel(peer: PeerId, cid: CID, key: string): void {
    const message: CancelMessage = {
      full: false,
      pendingBytes: 0,
      wantlist: new Map([[base64.encode(cid.multihash.bytes), { cid: cid.bytes, priority: 1, cancel: true, wantType: 'WantBlock', sendDontHave: false }]]),
      blocks: new Map<string, never>(),
      blockPresences: new Map<string, never>()
    }
    const sent: Promise<void> = this.#wl.network
      .sendMessage(peer, message, { signal: AbortSignal.timeout(10_000) })
      .catch(() => {}) // a partner gone has forgotten the want anyway
      .finally(() => {
        if (this.#cancels.get(key) === sent) this.#cancels.delete(key)
      })
    this.#cancels.set(key, sent)
  }

  close(): void {
    this.#wl.removeEventListener('block', this.#onBlock)
  }
}
