// Which addresses count as this machine: 127.0.0.0/8 and ::1 (in any spelling, also IPv4-mapped). Tests reach
// loopback only: the test net guard refuses everything else (the product itself dials any address).

import { BlockList, isIP } from 'node:net'
import type { Multiaddr } from '@multiformats/multiaddr'

const LOOPBACK = new BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

/** True when `host` is an IP literal in 127.0.0.0/8 or ::1 (hostnames are not resolved: false). */
export function isLoopbackIp(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  const v = isIP(h)
  return v !== 0 && LOOPBACK.check(h, v === 4 ? 'ipv4' : 'ipv6')
}

/** True when a multiaddr starts with a loopback ip4/ip6 address (DNS names and other transports: false). */
export function isLoopbackMultiaddr(ma: Multiaddr): boolean {
  const first = ma.getComponents()[0]
  if (first?.value === undefined) return false
  return (first.name === 'ip4' || first.name === 'ip6') && isLoopbackIp(first.value)
}
