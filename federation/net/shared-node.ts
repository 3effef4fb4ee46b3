// One libp2p node per data folder per process. `canopy serve` starts the folder's listening node; the
// federation work done in the same process (admin fetches and merges, the registry's sparse reads) uses that
// node rather than a second one under the same peer id. The node stops when its last user lets go.

import path from 'node:path'
import type { CanopyNode } from './node.ts'

interface Entry {
  readonly node: Promise<CanopyNode>
  users: number
}

const running = new Map<string, Entry>()

export interface NodeLease {
  readonly node: CanopyNode
  /** Lets go of the node; the last lease stops it. */
  release(): Promise<void>
}

/** The folder's node in this process, started with `start` when none runs. */
export async function acquireNode(indexDir: string, start: () => Promise<CanopyNode>): Promise<NodeLease> {
  const key = path.resolve(indexDir)
  let e = running.get(key)
  if (e === undefined) {
    const entry: Entry = { node: start(), users: 0 }
    running.set(key, (e = entry))
    entry.node.catch(() => {
      if (running.get(key) === entry) running.delete(key)
    })
  }
  e.users++
  let node: CanopyNode
  try {
    node = await e.node
  } catch (err) {
    e.users--
    throw err
  }
  const entry = e
  let released = false
  return {
    node,
    async release() {
      if (released) return
      released = true
      if (--entry.users > 0) return
      if (running.get(key) === entry) running.delete(key)
      await node.stop()
    }
  }
}

/** The folder's node if one runs in this process. */
export function runningNode(indexDir: string): Promise<CanopyNode> | undefined {
  return running.get(path.resolve(indexDir))?.node
}
