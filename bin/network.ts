// Running the institution's libp2p node as part of a long-lived command (`serve`, `publish --serve`).
import { loadOrCreateIdentity, identityName } from '../federation/identity/index.ts'
import type { NetworkConfig, NodeLease } from '../federation/net/index.ts'
import { folderNode } from '../federation/net/index.ts'

/** Starts the folder's node with `config` and prints where partners reach it, one `listening:` line per address. */
export async function serveNode(indexDir: string, config: NetworkConfig): Promise<NodeLease> {
  const identity = await loadOrCreateIdentity(indexDir, (await identityName(indexDir)) ?? 'local')
  const lease = await folderNode(indexDir, identity, { serve: true, config })
  // One line per address, flushed before anything else: scripts and tests read them to dial.
  process.stdout.write(`peer id: ${lease.node.peerId}${config.public ? ' (public: accepting any peer)' : ' (accepting partners and bootstrap peers)'}\n`)
  for (const a of lease.node.multiaddrs) process.stdout.write(`listening: ${a}\n`)
  return lease
}
