// Starting a data folder's node from its network settings (network.json): as the institution's long-lived
// service (listening where configured) or as a command's short-lived client (dialling only).

import type { Identity } from '../identity/index.ts'
import { parsePeerAddr } from '../trust/index.ts'
import { readNetworkConfig } from './config.ts'
import type { NetworkConfig } from './config.ts'
import { acquireNode } from './shared-node.ts'
import type { NodeLease } from './shared-node.ts'

export interface FolderNodeOptions {
  /** Listen (and answer DHT queries) as the institution's service; otherwise only dial. */
  readonly serve: boolean
  /** The settings to use; default the folder's network.json. */
  readonly config?: NetworkConfig
}

/** The folder's node in this process (the running one, or one started now). */
export async function folderNode(indexDir: string, identity: Identity, opts: FolderNodeOptions): Promise<NodeLease> {
  const config = opts.config ?? (await readNetworkConfig(indexDir))
  return await acquireNode(indexDir, async () => {
    // libp2p and helia (some 1,500 modules) load when a node starts, not with the folder's face: commands
    // that never start one do not pay for them
    const { startNode } = await import('./node.ts')
    return await startNode({
      indexDir,
      identity,
      listen: opts.serve ? config.listen : [],
      announce: opts.serve ? config.announce : [],
      public: config.public,
      allowPeers: config.bootstrap.map(b => parsePeerAddr(b).peerId.toString()),
      dht: { federation: config.federation, amino: config.amino, bootstrap: config.bootstrap, serve: opts.serve }
    })
  })
}
