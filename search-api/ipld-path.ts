// Resolves a gateway content path /ipfs/<cid>/<seg>/<seg>... over the blocks a gateway holds: dag-cbor map
// keys and list indexes, dag-pb named links (a plain UnixFS directory). A CAR response for a path holds the
// blocks crossed on the way (so the client can verify the path) and then the DAG at its end.

import * as dagCbor from '@ipld/dag-cbor'
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import type { BlockAccess } from '../index-core/store/index.ts'

export const MAX_PATH_SEGMENTS = 64

export interface ResolvedPath {
  /** The CID the path ends at (the block holding the end, when the path ends inside a block). */
  readonly terminal: CID
  /** The blocks crossed before the terminal, the requested root first. */
  readonly pathBlocks: readonly CID[]
}

function decode(cid: CID, bytes: Uint8Array): unknown {
  if (cid.code === dagCbor.code) return dagCbor.decode(bytes)
  if (cid.code === dagPb.code) return dagPb.decode(bytes)
  return bytes // raw and anything else: opaque, no segments below
}

/** One segment down inside a decoded block; undefined when there is no such key, index or link name. */
function step(code: number, node: unknown, seg: string): unknown {
  if (code === dagPb.code) return (node as dagPb.PBNode).Links.find(l => l.Name === seg)?.Hash
  if (code !== dagCbor.code || node === null || typeof node !== 'object' || node instanceof Uint8Array || CID.asCID(node) !== null) return undefined
  if (Array.isArray(node)) return /^(0|[1-9]\d{0,8})$/.test(seg) ? node[Number(seg)] : undefined
  return Object.hasOwn(node, seg) ? (node as Record<string, unknown>)[seg] : undefined
}

/** Where `segments` lead from `root`; null when a block on the way is missing or a segment does not exist. */
export async function resolvePath(store: BlockAccess, root: CID, segments: readonly string[]): Promise<ResolvedPath | null> {
  let cid = root
  let bytes = await store.get(cid)
  if (bytes === undefined) return null
  let node = decode(cid, bytes)
  const pathBlocks: CID[] = []
  for (const seg of segments) {
    const link = CID.asCID(node)
    if (link !== null) {
      pathBlocks.push(cid)
      cid = link
      bytes = await store.get(cid)
      if (bytes === undefined) return null
      node = decode(cid, bytes)
    }
    node = step(cid.code, node, seg)
    if (node === undefined) return null
  }
  const end = CID.asCID(node)
  if (end !== null && segments.length > 0) return { terminal: end, pathBlocks: [...pathBlocks, cid] }
  return { terminal: cid, pathBlocks }
}
