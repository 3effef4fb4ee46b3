// The federation's Kademlia DHT (@libp2p/kad-dht): its own protocol, /canopy/<federation>/kad/1.0.0, so a
// private federation's queries never reach the public IPFS network (and the public network's never reach
// it); or, opted into, the public Amino DHT. It holds institutions' IPNS records (checked by the standard
// IPNS validator, the newest chosen by the standard selector) and provider records of their index roots.

import { kadDHT, passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht'
import type { KadDHT, KadDHTComponents, QueryEvent, SingleKadDHT } from '@libp2p/kad-dht'
import type { PeerId, PeerInfo } from '@libp2p/interface'
import { ipnsSelector } from 'ipns/selector'
import { ipnsValidator } from 'ipns/validator'
import type { CID } from 'multiformats/cid'
import { dhtProtocol } from './config.ts'
import type { NetworkConfig } from './config.ts'

export type { KadDHT, SingleKadDHT }

/**
 * The DHT service. A serving node answers queries (server mode); a command's short-lived node only asks
 * (client mode), so members never route to a peer that is about to go. A private federation keeps every
 * address it is told (members may sit on private networks, and tests on loopback); on Amino only public
 * addresses are kept, as everyone there does.
 */
export function dhtService(config: Pick<NetworkConfig, 'federation' | 'amino'>, serve: boolean): (components: KadDHTComponents) => KadDHT {
  return kadDHT({
    protocol: dhtProtocol(config),
    clientMode: !serve,
    peerInfoMapper: config.amino ? removePrivateAddressesMapper : passthroughMapper,
    // Queries wait for the first self-query, which by default starts a second after the node: start it at
    // once (it still waits for a first member), since a command's node is there for one query or two.
    initialQuerySelfInterval: 0,
    validators: { ipns: ipnsValidator },
    selectors: { ipns: ipnsSelector }
  })
}

/** Drains a DHT query, for its side effects (put, provide); an error of every peer makes it throw. */
async function drain(events: AsyncIterable<QueryEvent>): Promise<{ peers: number }> {
  let ok = 0
  let lastError: Error | null = null
  for await (const e of events) {
    if (e.name === 'PEER_RESPONSE') ok++
    if (e.name === 'QUERY_ERROR') lastError = e.error
  }
  if (ok === 0 && lastError !== null) throw lastError
  return { peers: ok }
}

/** Stores a record on the members closest to its key. */
export async function dhtPut(dht: KadDHT, key: Uint8Array, value: Uint8Array, signal: AbortSignal): Promise<{ peers: number }> {
  return await drain(dht.put(key, value, { signal }))
}

/** Announces this node as a provider of `cid`. */
export async function dhtProvide(dht: KadDHT, cid: CID, signal: AbortSignal): Promise<{ peers: number }> {
  return await drain(dht.provide(cid, { signal }))
}

/** Every value found under `key` (each already checked by the DHT's validator for its namespace). */
export async function dhtGetAll(dht: KadDHT, key: Uint8Array, signal: AbortSignal): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  try {
    for await (const e of dht.get(key, { signal })) if (e.name === 'VALUE') out.push(e.value)
  } catch (err) {
    // Not found anywhere ends the query with an error; what was found before still counts.
    if (out.length === 0 && (err as Error).name !== 'NotFoundError') throw err
  }
  return out
}

/** Providers of `cid` as the DHT reports them (with the addresses it knows), other than `self`. */
export async function* dhtProviders(dht: KadDHT, cid: CID, self: PeerId, signal: AbortSignal): AsyncGenerator<PeerInfo> {
  const seen = new Set<string>([self.toString()])
  for await (const e of dht.findProviders(cid, { signal })) {
    if (e.name !== 'PROVIDER') continue
    for (const p of e.providers) {
      if (seen.has(p.id.toString())) continue
      seen.add(p.id.toString())
      yield p
    }
  }
}
