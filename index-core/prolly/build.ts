import type { CID } from 'multiformats/cid'
import { TreeBuilder } from './builder.ts'
import { DEFAULT_CONFIG } from './config.ts'
import type { TreeConfig } from './config.ts'
import type { NodeStore } from './node-store.ts'
import type { Entry } from './read.ts'

/** Builds a tree from entries sorted by key (strictly increasing), streaming. */
export async function buildTree(store: NodeStore, sorted: Iterable<Entry> | AsyncIterable<Entry>, cfg: TreeConfig = DEFAULT_CONFIG): Promise<CID> {
  const b = new TreeBuilder(store, cfg)
  if (Symbol.iterator in sorted) {
    // Synchronous input: no promise per entry, only per batch of written nodes.
    for (const e of sorted) if (b.addSync(e.key, e.value)) await b.flush()
  } else {
    for await (const e of sorted) if (b.addSync(e.key, e.value)) await b.flush()
  }
  return await b.finish()
}
