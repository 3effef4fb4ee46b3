// A partner's libp2p address: a loopback multiaddr ending in /p2p/<peer id>.

import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { isLoopbackMultiaddr } from './loopback.ts'

export class PeerAddressError extends Error {
  override name = 'PeerAddressError'
}

export function parsePeerAddr (addr: string): { ma: Multiaddr, peerId: PeerId } {
  let ma: Multiaddr
  try { ma = multiaddr(addr) } catch (err) { throw new PeerAddressError(`${addr} is not a multiaddr: ${(err as Error).message}`) }
  const p2p = ma.getComponents().findLast(c => c.name === 'p2p')?.value
  if (p2p === undefined) throw new PeerAddressError(`partner address ${addr} does not end in /p2p/<peer id>`)
  if (!isLoopbackMultiaddr(ma)) throw new PeerAddressError(`partner address ${addr} is not on 127.0.0.0/8 or ::1: Canopy federates over loopback only`)
  let peerId: PeerId
  try { peerId = peerIdFromString(p2p) } catch (err) { throw new PeerAddressError(`partner address ${addr} has an invalid peer id: ${(err as Error).message}`) }
  return { ma, peerId }
}
