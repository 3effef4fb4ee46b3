// Which blocks of an institution's data folder are alive: everything reachable from HEAD and the named refs
// (refs/published.json, refs/partners/*.json, refs/merged/*.json), and the crawl files that the files trees
// of those indexes name (UnixFS DAGs: dag-pb and raw blocks, held when published with --crawls). The one walk
// both `canopy gc` (what to keep) and `canopy verify` (what to check) use.
// Partner and combined indexes may be sparse (only the blocks queries needed were fetched): their missing
// blocks are counted, not errors. HEAD's index and the published manifest must be whole.

import * as dagCbor from '@ipld/dag-cbor'
import type { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { equalBytes } from '../../index-core/bytes.ts'
import { decodeFile, decodeIndexRoot } from '../../index-core/index/index.ts'
import type { BlockAccess } from '../../index-core/store/index.ts'
import { currentVersionLinks, walkDag } from '../blocks/index.ts'
import { Refs } from '../trust/index.ts'

export interface NamedRoot {
  /** Where the root is named, for messages: 'HEAD', 'refs/partners/bnf.json index'. */
  readonly label: string
  readonly cid: CID
  /** Every block under it must be held locally (else it is damage, not sparseness). */
  readonly whole: boolean
}

/** The roots that keep blocks alive: HEAD and every ref. */
export async function namedRoots(indexDir: string, head: CID | null): Promise<NamedRoot[]> {
  const refs = new Refs(indexDir)
  const roots: NamedRoot[] = []
  if (head !== null) roots.push({ label: 'HEAD', cid: head, whole: true })
  const published = await refs.published()
  if (published !== null) {
    roots.push({ label: 'refs/published.json manifest', cid: published.manifest, whole: true })
    // A published combined index may name partners' subtrees never fetched here.
    roots.push({ label: 'refs/published.json index', cid: published.index, whole: false })
  }
  for (const name of await refs.list('partners')) {
    const p = await refs.partner(name)
    if (p === null) continue
    roots.push({ label: `refs/partners/${name}.json manifest`, cid: p.manifest, whole: false })
    roots.push({ label: `refs/partners/${name}.json index`, cid: p.index, whole: false })
  }
  for (const name of await refs.list('merged')) {
    const m = await refs.merged(name)
    if (m === null) continue
    roots.push({ label: `refs/merged/${name}.json index`, cid: m.index, whole: false })
    for (const s of m.sources) roots.push({ label: `refs/merged/${name}.json source`, cid: s, whole: false })
  }
  return roots
}

/** A multihash as a Set key (packs and loose files both file blocks by multihash alone). */
export const multihashKey = (multihash: Uint8Array): string => Buffer.from(multihash).toString('hex')

export interface Reachable {
  /** multihashKey of every reachable block held. */
  readonly keys: Set<string>
  readonly blocks: number
  readonly bytes: number
  /** Blocks under a `whole` root that the folder does not hold. */
  readonly missing: CID[]
  /** Blocks under sparse roots (partners', combined indexes, crawl files not published) not held here. */
  readonly notHeld: number
  /** Blocks whose bytes do not match their CID or cannot be decoded, with why (only with `check`). */
  readonly damaged: Array<{ cid: CID; why: string }>
}

export interface MarkOptions {
  /** Check every block's bytes against its CID (verify); gc only needs the links. */
  readonly check?: boolean
}

/** The crawl-file CIDs in a files-tree leaf (none in a branch, whose links the walk follows anyway). */
function crawlFilesOf(bytes: Uint8Array): CID[] {
  const node = dagCbor.decode(bytes) as [number, number[], Uint8Array[], unknown[]]
  if (node[0] !== 0) return []
  let key = new Uint8Array(0)
  return node[3].map((value, i) => {
    key = Uint8Array.from([...key.subarray(0, node[1][i]), ...node[2][i]])
    return decodeFile(key, value as Uint8Array).cid
  })
}

async function matches(cid: CID, bytes: Uint8Array): Promise<string | null> {
  if (cid.multihash.code !== sha256.code) return null // not a hash Canopy writes: taken as it is
  return equalBytes((await sha256.digest(bytes)).digest, cid.multihash.digest) ? null : 'its bytes do not match its CID'
}

/**
 * Walks every block reachable from `roots` in `store` (the local folder only: nothing is fetched). Whole roots
 * are walked first, so a block they share with a sparse root is judged by the stricter rule.
 */
export async function markReachable(store: BlockAccess, roots: readonly NamedRoot[], opts: MarkOptions = {}): Promise<Reachable> {
  const keys = new Set<string>()
  const missing: CID[] = []
  const damaged: Array<{ cid: CID; why: string }> = []
  let notHeld = 0
  let blocks = 0
  let bytes = 0
  // Index roots named directly: their files trees are walked into the crawl files their leaves name.
  const indexRoots = new Set(roots.filter(r => r.label === 'HEAD' || r.label.endsWith(' index')).map(r => r.cid.toString()))
  const filesNodes = new Set<string>()
  const bad = new Set<string>()
  // Crawl files are never required (published only with --crawls): found during the whole pass, walked after.
  const crawlFiles: CID[] = []
  const follow = (cid: CID, b: Uint8Array, whole: boolean): CID[] => {
    const k = cid.toString()
    if (bad.has(k)) return []
    try {
      const links = currentVersionLinks(cid, b)
      if (indexRoots.has(k)) filesNodes.add(decodeIndexRoot(b).files.toString())
      if (!filesNodes.has(k)) return links
      for (const l of links) filesNodes.add(l.toString())
      if (!whole) return [...links, ...crawlFilesOf(b)]
      crawlFiles.push(...crawlFilesOf(b))
      return links
    } catch (err) {
      damaged.push({ cid, why: `it cannot be decoded (${(err as Error).message})` })
      return []
    }
  }
  const onBlock = async (cid: CID, b: Uint8Array): Promise<void> => {
    const why = opts.check === true ? await matches(cid, b) : null
    if (why !== null) {
      bad.add(cid.toString())
      damaged.push({ cid, why })
      return
    }
    const k = multihashKey(cid.multihash.bytes)
    if (!keys.has(k)) {
      blocks++
      bytes += b.length
    }
    keys.add(k)
  }
  const known = (c: CID): boolean => keys.has(multihashKey(c.multihash.bytes))
  for (const whole of [true, false]) {
    const start = roots
      .filter(r => r.whole === whole)
      .map(r => r.cid)
      .concat(whole ? [] : crawlFiles)
      .filter(c => !known(c))
    await walkDag(store, start, onBlock, {
      // The sparse pass does not walk again what the whole pass took (nor count it missing twice).
      follow: (cid, b) => (whole ? follow(cid, b, true) : follow(cid, b, false).filter(l => !known(l))),
      onMissing: cid => {
        if (whole) missing.push(cid)
        else notHeld++
      }
    })
  }
  return { keys, blocks, bytes, missing, notHeld, damaged }
}
