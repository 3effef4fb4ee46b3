// Joining the federation's DHT through the members the institution was told about (--bootstrap): dialled at
// start and again whenever the node has lost them all, so a member that restarts is found again. Nothing
// else is dialled from here: there are no default bootstrap peers.

import type { Libp2p } from '@libp2p/interface'
import { parsePeerAddr } from '../trust/index.ts'

const RETRY_MS = 30_000

/** Dials the bootstrap peers now and keeps at least one connected; returns how to stop. */
export function keepBootstrapped(libp2p: Libp2p, addrs: readonly string[], log: (msg: string) => void): { stop: () => void; ready: Promise<void> } {
  const peers = addrs.map(parsePeerAddr)
  const stopped = new AbortController()
  const dialAll = async (): Promise<void> => {
    await Promise.all(
      peers.map(async ({ ma, peerId }) => {
        if (libp2p.getConnections(peerId).length > 0) return
        try {
          await libp2p.dial(ma, { signal: AbortSignal.any([stopped.signal, AbortSignal.timeout(20_000)]) })
        } catch (err) {
          if (!stopped.signal.aborted) log(`bootstrap peer ${ma.toString()} not reached: ${(err as Error).message}`)
        }
      })
    )
  }
  const ready = peers.length === 0 ? Promise.resolve() : dialAll()
  const timer = setInterval(() => {
    if (peers.some(p => libp2p.getConnections(p.peerId).length > 0)) return
    void dialAll()
  }, RETRY_MS)
  timer.unref()
  return {
    stop: () => {
      stopped.abort()
      clearInterval(timer)
    },
    ready
  }
}
