// An institution's network node: helia over libp2p, storing blocks in the same blocks/ folder as its index
// (so publishing copies nothing), serving them over bitswap and its IPNS record over @libp2p/fetch, and
// fetching partners' blocks for a FetchingBlockStore.
//
// libp2p is configured explicitly (its defaults dial public bootstrap peers and use mDNS, UPnP, ...): TCP,
// noise, yamux, identify and fetch only; no discovery, relay or NAT traversal. It listens where it is told
// (nowhere by default: a command that only fetches dials out) and dials any address it is given. Inbound
// connections are gated by identity (net/gater.ts): partners' and bootstrap peers' ids, or anyone with
// `public`. helia gets libp2p routing and a router that finds nothing (so a want never waits on a provider
// search), no HTTP routing or gateways.

import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { withBitswap } from '@helia/bitswap'
import { withLibp2pLight } from '@helia/libp2p'
import * as dagCbor from '@ipld/dag-cbor'
import { fetch } from '@libp2p/fetch'
import type { Fetch } from '@libp2p/fetch'
import { identify } from '@libp2p/identify'
import type { Identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { FsDatastore } from 'datastore-fs'
import { createHeliaLight } from 'helia'
import type { Router } from 'helia'
import type { BlockStore } from '../index-core/store/blockstore.ts'
import { IpfsBlockStore } from '../index-core/store/ipfs-blockstore.ts'
import { PackedBlockstore } from '../index-core/store/packed-blockstore.ts'
import { BitswapFetcher, bitswapWantList } from './bitswap-fetch.ts'
import type { BlockFetcher } from './fetching-store.ts'
import type { Identity } from './identity.ts'
import { IPNS_KEY_PREFIX, ipnsLookup } from './ipns.ts'
import { allowList, identityGater } from './net/gater.ts'
import { PartnerList, publicKeyBytes } from './partners.ts'
import { parsePeerAddr } from './peer-addr.ts'
import { libp2pPrivateKey, peerIdOf } from './peer-key.ts'

export { ipnsNameOf } from './peer-key.ts'

export interface StartNodeOptions {
  /** The institution's data folder (its index directory: blocks/, datastore/, refs/). */
  readonly indexDir: string
  /** The institution's identity, or its raw 32-byte Ed25519 seed: the node's libp2p key. */
  readonly identity: Identity | Uint8Array
  /** Multiaddrs to listen on (any address: /ip4/0.0.0.0/tcp/4001, /ip6/::/tcp/4001); default none (dial only). */
  readonly listen?: readonly string[]
  /** Addresses to announce instead of the listening ones (e.g. /dns4/host/tcp/4001). */
  readonly announce?: readonly string[]
  /** Accept inbound connections from any peer; default: only partners (partners.json) and `allowPeers`. */
  readonly public?: boolean
  /** Peer ids let in besides partners' (bootstrap peers). */
  readonly allowPeers?: readonly string[]
}

export type NodeServices = {
  identify: Identify
  fetch: Fetch
}

export interface CanopyNode {
  /** base58btc peer ID (12D3Koo...), a function of the identity's public key. */
  readonly peerId: string
  /** Where partners reach this node, each ending in /p2p/<peerId>. */
  readonly multiaddrs: string[]
  readonly indexDir: string
  /** The institution's blocks/ store, the one the node serves; a FetchingBlockStore keeps fetched blocks here. */
  readonly blocks: BlockStore
  readonly libp2p: Libp2p<NodeServices>
  /** Connects to a partner (a multiaddr ending in /p2p/<peer id>). */
  dial (addr: string, signal?: AbortSignal): Promise<void>
  /** Fetches blocks from that partner over bitswap: undefined when it does not have one. */
  fetcher (peerAddr: string): BlockFetcher
  /** Stops helia and libp2p and closes the block store and datastore. */
  stop (): Promise<void>
}

export class NodeError extends Error {
  override name = 'NodeError'
}

/** The peer ids of the partners in the folder's partners.json (a partner with an unusable key is skipped). */
async function partnerPeerIds (indexDir: string): Promise<string[]> {
  const out: string[] = []
  for (const p of await new PartnerList(indexDir).all()) {
    try { out.push(peerIdOf(publicKeyBytes(p)).toString()) } catch {}
  }
  return out
}

/** A helia router that knows nothing: provider searches end at once instead of waiting. */
const nothingRouter: Router = {
  name: 'canopy-no-routing',
  async * findProviders () {}
}

export async function startNode (opts: StartNodeOptions): Promise<CanopyNode> {
  const listen = opts.listen ?? []
  const privateKey = await libp2pPrivateKey(opts.identity)
  const blocksDir = join(opts.indexDir, 'blocks')
  const datastoreDir = join(opts.indexDir, 'datastore')
  await mkdir(blocksDir, { recursive: true })
  await mkdir(datastoreDir, { recursive: true })
  // helia's start/stop leave the stores alone: we open and close them.
  const blockstore = new PackedBlockstore(blocksDir)
  const datastore = new FsDatastore(datastoreDir)
  await blockstore.open()
  try {
    await datastore.open()
  } catch (err) {
    await blockstore.close()
    throw err
  }
  const helia = withBitswap(withLibp2pLight(createHeliaLight({ blockstore, datastore, codecs: [dagCbor], routers: [nothingRouter] }), {
    privateKey,
    addresses: { listen: [...listen], announce: [...opts.announce ?? []] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: [],
    connectionGater: identityGater({ public: opts.public === true, allow: allowList(opts.allowPeers ?? [], async () => await partnerPeerIds(opts.indexDir)) }),
    services: { identify: identify(), fetch: fetch() }
  }))
  let bitswap: BitswapFetcher
  try {
    try {
      await helia.start()
    } catch (err) {
      // A port in use or an address not on this machine: say which, in one line.
      throw new NodeError(`cannot listen on ${listen.join(', ')}: ${(err as Error).message}`)
    }
    bitswap = new BitswapFetcher(bitswapWantList(helia))
    helia.libp2p.services.fetch.registerLookupFunction(IPNS_KEY_PREFIX, ipnsLookup(opts.indexDir, privateKey.publicKey.raw))
  } catch (err) {
    await helia.stop().catch(() => {})
    await datastore.close()
    await blockstore.close()
    throw err
  }
  const libp2p = helia.libp2p
  let stopping: Promise<void> | null = null
  return {
    peerId: libp2p.peerId.toString(),
    get multiaddrs () { return libp2p.getMultiaddrs().map(m => m.toString()) },
    indexDir: opts.indexDir,
    blocks: new IpfsBlockStore(blockstore),
    libp2p,
    async dial (addr, signal) {
      await libp2p.dial(parsePeerAddr(addr).ma, { signal })
    },
    fetcher (peerAddr) {
      const { ma, peerId } = parsePeerAddr(peerAddr)
      return async (cid, signal) => {
        if (libp2p.getConnections(peerId).length === 0) await libp2p.dial(ma, { signal })
        return await bitswap.fetch(peerId, cid, signal)
      }
    },
    async stop () {
      stopping ??= (async () => {
        bitswap.close()
        try {
          await helia.stop()
        } finally {
          await datastore.close()
          await blockstore.close()
        }
      })()
      await stopping
    }
  }
}
