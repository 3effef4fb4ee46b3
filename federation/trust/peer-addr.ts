// A partner's libp2p address: a multiaddr ending in /p2p/<peer id>, at any address (/ip4, /ip6, /dns4, ...),
// or /p2p/<peer id> alone, for a peer whose addresses the federation's DHT knows.

import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { UserError } from '../../index-core/user-error.ts'

export class PeerAddressError extends UserError {
  override name = 'PeerAddressError'
}

export interface PeerAddr {
  readonly ma: Multiaddr
  readonly peerId: PeerId
  /** True for /p2p/<peer id> alone: the peer is found (and its blocks' providers) through the DHT. */
  readonly routed: boolean
}

export function parsePeerAddr(addr: string): PeerAddr {
  let ma: Multiaddr
  try {
    ma = multiaddr(addr)
  } catch (err) {
    throw new PeerAddressError(`${addr} is not a multiaddr: ${(err as Error).message}`)
  }
  const parts = ma.getComponents()
  const p2p = parts.findLast(c => c.name === 'p2p')?.value
  if (p2p === undefined) throw new PeerAddressError(`partner address ${addr} does not end in /p2p/<peer id>`)
  let peerId: PeerId
  try {
    peerId = peerIdFromString(p2p)
  } catch (err) {
    throw new PeerAddressError(`partner address ${addr} has an invalid peer id: ${(err as Error).message}`)
  }
  return { ma, peerId, routed: parts.length === 1 }
}
