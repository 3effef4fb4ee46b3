// An institution's network node: helia over libp2p, storing blocks in the same blocks/ folder as its index
// (so publishing copies nothing), serving them over bitswap and its IPNS record over @libp2p/fetch, and
// fetching partners' blocks for a FetchingBlocks.
//
// libp2p is configured explicitly (its defaults dial public bootstrap peers and use mDNS, UPnP, ...): TCP,
// noise, yamux, identify and fetch, and (given `dht`) ping and the federation's Kademlia DHT; no mDNS, UPnP,
// relay or default bootstrap peers. It listens where it is told (nowhere by default: a command that only
// fetches dials out), dials any address it is given, and joins the DHT only through the bootstrap peers it
// is given. Inbound connections are gated by identity (net/gater.ts): partners' and bootstrap peers' ids,
// or anyone with `public`. helia gets libp2p routing (the DHT, when there is one) and a router that finds
// nothing, no HTTP routing or gateways; Canopy asks for providers itself (net/provider-fetch.ts), so a want
// sent to a known partner never waits on a provider search.

import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { withBitswap } from '@helia/bitswap'
import { withLibp2pLight } from '@helia/libp2p'
import * as dagCbor from '@ipld/dag-cbor'
import { fetch } from '@libp2p/fetch'
import type { Fetch } from '@libp2p/fetch'
import { http } from '@libp2p/http'
import type { HTTP, HTTPInit } from '@libp2p/http'
import { identify } from '@libp2p/identify'
import type { Identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { ping } from '@libp2p/ping'
import type { Ping } from '@libp2p/ping'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { FsDatastore } from 'datastore-fs'
import type { ServiceFactoryMap } from 'libp2p'
import { createHeliaLight } from 'helia'
import type { Router } from 'helia'
import type { BlockAccess } from '../../index-core/store/index.ts'
import { BlockstoreAdapter, PackedBlockstore } from '../../index-core/store/index.ts'
import { BitswapFetcher, bitswapWantList } from './bitswap-fetch.ts'
import type { BlockFetcher, DagStream } from '../blocks/index.ts'
import type { ResolvedName } from '../trust/index.ts'
import type { Identity } from '../identity/index.ts'
import {
  IPNS_KEY_PREFIX,
  IpnsError,
  ipnsLookup,
  ipnsRecordKey,
  verifyIpnsRecord,
  PartnerList,
  publicKeyBytes,
  parsePeerAddr,
  libp2pPrivateKey,
  peerIdOf
} from '../trust/index.ts'
import { Announcer } from './announce.ts'
import type { AnnounceSummary } from './announce.ts'
import { keepBootstrapped } from './bootstrap.ts'
import { GATEWAY_PROTOCOL, gatewayServer, libp2pDag } from './http-gateway.ts'
import { dhtGetAll, dhtProviders, dhtService } from './dht.ts'
import type { KadDHT, SingleKadDHT } from './dht.ts'
import { allowList, identityGater } from './gater.ts'
import { ProviderFetcher } from './provider-fetch.ts'
import type { FetchHints } from './provider-fetch.ts'
import { UserError } from '../../index-core/user-error.ts'

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
  /** Join a DHT; omitted: none (partners are then reached at their addresses only). */
  readonly dht?: DhtOptions
}

export interface DhtOptions {
  /** The federation: its DHT protocol is /canopy/<federation>/kad/1.0.0. */
  readonly federation: string
  /** The public Amino DHT instead. */
  readonly amino: boolean
  /** Members to join through, each ending in /p2p/<peer id>. */
  readonly bootstrap: readonly string[]
  /** Answer queries and announce the IPNS record and provided roots (a serving node); else only ask. */
  readonly serve: boolean
  /** How often everything is announced again even when nothing changed. */
  readonly republishMs?: number
}

export type NodeServices = {
  identify: Identify
  fetch: Fetch
  http: HTTP
  ping?: Ping
  dht?: KadDHT
}

export interface CanopyNode {
  /** base58btc peer ID (12D3Koo...), a function of the identity's public key. */
  readonly peerId: string
  /** Where partners reach this node, each ending in /p2p/<peerId>. */
  readonly multiaddrs: string[]
  readonly indexDir: string
  /** The institution's blocks/ store, the one the node serves; a FetchingBlocks keeps fetched blocks here. */
  readonly blocks: BlockAccess
  readonly libp2p: Libp2p<NodeServices>
  /** Connects to a partner (a multiaddr ending in /p2p/<peer id>). */
  dial(addr: string, signal?: AbortSignal): Promise<void>
  /**
   * Fetches blocks from that partner over bitswap: undefined when it does not have one. For /p2p/<peer id>
   * alone, from whoever holds them: that peer, and the providers the DHT names for the block and for the
   * roots in `hints` (the partners' manifests and indexes), which may add more publishers' peers.
   */
  fetcher(peerAddr: string, hints?: () => Promise<FetchHints>): BlockFetcher
  /** Whole DAGs from that partner as CAR streams (HTTP over libp2p); null for a peer known by id alone. */
  dagStream(peerAddr: string): DagStream | null
  /** The newest IPNS record of that key in the DHT, verified against the key (and not older than minSeq). */
  resolveName(publicKey: Uint8Array, opts?: { minSeq?: number; signal?: AbortSignal }): Promise<ResolvedName>
  /** Announces the IPNS record and provided roots in the DHT now (a serving node does it on its own too). */
  announce(): Promise<AnnounceSummary>
  /** Stops helia and libp2p and closes the block store and datastore. */
  stop(): Promise<void>
}

export class NodeError extends UserError {
  override name = 'NodeError'
}

/** The peer ids of the partners in the folder's partners.json (a partner with an unusable key is skipped). */
async function partnerPeerIds(indexDir: string): Promise<string[]> {
  const out: string[] = []
  for (const p of await new PartnerList(indexDir).all()) {
    try {
      out.push(peerIdOf(publicKeyBytes(p)).toString())
    } catch {}
  }
  return out
}

/** A helia router that knows nothing: provider searches end at once instead of waiting. */
const nothingRouter: Router = {
  name: 'canopy-no-routing',
  async *findProviders() {}
}

function nodeServices(dht: DhtOptions | undefined, gateway: HTTPInit): ServiceFactoryMap<NodeServices> {
  const services: ServiceFactoryMap<NodeServices> = { identify: identify(), fetch: fetch(), http: http(gateway) }
  if (dht !== undefined) {
    services.ping = ping()
    // kad-dht needs the ping service, which is there whenever the DHT is.
    services.dht = dhtService(dht, dht.serve) as ServiceFactoryMap<NodeServices>['dht']
  }
  return services
}

export async function startNode(opts: StartNodeOptions): Promise<CanopyNode> {
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
  const gateway = gatewayServer(new BlockstoreAdapter(blockstore))
  const helia = withBitswap(
    withLibp2pLight(createHeliaLight({ blockstore, datastore, codecs: [dagCbor], routers: [nothingRouter] }), {
      privateKey,
      addresses: { listen: [...listen], announce: [...(opts.announce ?? [])] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      peerDiscovery: [],
      connectionGater: identityGater({
        public: opts.public === true,
        allow: allowList(opts.allowPeers ?? [], async () => await partnerPeerIds(opts.indexDir))
      }),
      services: nodeServices(opts.dht, gateway)
    })
  )
  let bitswap: BitswapFetcher
  try {
    try {
      await helia.start()
    } catch (err) {
      // A port in use or an address not on this machine: say which, in one line.
      throw new NodeError(`the libp2p node did not start${listen.length > 0 ? ` (listening on ${listen.join(', ')})` : ''}: ${(err as Error).message}`)
    }
    bitswap = new BitswapFetcher(bitswapWantList(helia))
    helia.libp2p.services.fetch.registerLookupFunction(IPNS_KEY_PREFIX, ipnsLookup(opts.indexDir, privateKey.publicKey.raw))
    // Named in the node's .well-known protocol list; its requests (/ipfs/<cid>) reach the gateway server.
    helia.libp2p.services.http.handle(GATEWAY_PROTOCOL, { path: '/', handler: gateway.handler })
  } catch (err) {
    await helia.stop().catch(() => {})
    await datastore.close()
    await blockstore.close()
    throw err
  }
  const libp2p = helia.libp2p
  const log = (msg: string): void => {
    process.stderr.write(`canopy node: ${msg}\n`)
  }
  const dht = libp2p.services.dht
  const bootstrap = opts.dht === undefined ? null : keepBootstrapped(libp2p, opts.dht.bootstrap, log)
  const announcer =
    dht === undefined || opts.dht?.serve !== true
      ? null
      : new Announcer({
          dht,
          indexDir: opts.indexDir,
          publicKey: privateKey.publicKey.raw,
          blocks: new BlockstoreAdapter(blockstore),
          republishMs: opts.dht.republishMs,
          log
        })
  announcer?.start()
  const providers = dht === undefined ? null : new ProviderFetcher(libp2p, bitswap, (cid, signal) => dhtProviders(dht, cid, libp2p.peerId, signal))
  /** The DHT, once it has a member to ask: a query with none would wait for one indefinitely. */
  const joined = async (signal: AbortSignal): Promise<KadDHT> => {
    if (dht === undefined || bootstrap === null) throw new NodeError('this node is in no DHT: a partner known by key alone cannot be found')
    await bootstrap.ready
    // A command's node with nobody to ask will find nobody: say so at once.
    const deadline = opts.dht!.bootstrap.length === 0 && !opts.dht!.serve ? 0 : Date.now() + 10_000
    // kadDHT() builds a single DHT, which has a routing table (SingleKadDHT), though typed as KadDHT.
    while ((dht as SingleKadDHT).routingTable.size === 0) {
      if (Date.now() >= deadline || signal.aborted) {
        throw new NodeError(
          opts.dht!.bootstrap.length === 0
            ? `no member of the ${opts.dht!.amino ? 'Amino' : `"${opts.dht!.federation}"`} DHT is known: give a --bootstrap <multiaddr> (canopy serve --help), or the partner's --addr`
            : `no member of the DHT answered (bootstrap: ${opts.dht!.bootstrap.join(', ')})`
        )
      }
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    return dht
  }
  let stopping: Promise<void> | null = null
  return {
    peerId: libp2p.peerId.toString(),
    get multiaddrs() {
      return libp2p.getMultiaddrs().map(m => m.toString())
    },
    indexDir: opts.indexDir,
    blocks: new BlockstoreAdapter(blockstore),
    libp2p,
    async dial(addr, signal) {
      await libp2p.dial(parsePeerAddr(addr).ma, { signal })
    },
    fetcher(peerAddr, hints) {
      const { ma, peerId, routed } = parsePeerAddr(peerAddr)
      if (routed) {
        return async (cid, signal) => {
          await joined(signal)
          const h = (await hints?.()) ?? { peers: [], roots: [] }
          return await providers!.fetch(cid, signal, { peers: [peerId, ...h.peers], roots: h.roots })
        }
      }
      return async (cid, signal) => {
        if (libp2p.getConnections(peerId).length === 0) await libp2p.dial(ma, { signal })
        return await bitswap.fetch(peerId, cid, signal)
      }
    },
    dagStream(peerAddr) {
      const { ma, routed } = parsePeerAddr(peerAddr)
      return routed ? null : libp2pDag(libp2p.services.http, ma)
    },
    async resolveName(publicKey, o = {}) {
      const signal = o.signal ?? AbortSignal.timeout(30_000)
      const found = await dhtGetAll(await joined(signal), ipnsRecordKey(publicKey), signal)
      let best: ResolvedName | null = null
      let refused: Error | null = null
      for (const bytes of found) {
        try {
          const r = await verifyIpnsRecord(bytes, publicKey, { minSeq: o.minSeq })
          if (best === null || r.seq > best.seq) best = r
        } catch (err) {
          refused = err as Error
        }
      }
      if (best !== null) return best
      throw refused ?? new IpnsError(`no IPNS record for ${peerIdOf(publicKey).toString()} in the DHT`)
    },
    async announce() {
      if (announcer === null) throw new NodeError('only a serving node in a DHT announces')
      return await announcer.announce()
    },
    async stop() {
      stopping ??= (async () => {
        announcer?.stop()
        bootstrap?.stop()
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
