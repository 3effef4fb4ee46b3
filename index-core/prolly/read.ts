// Point and range reads. Each loads only the nodes on its path (and, for scans, the leaves it crosses).

import type { CID } from 'multiformats/cid'
import { compareBytes, equalBytes, prefixEnd } from '../bytes.ts'
import type { TreeConfig } from './config.ts'
import { childToward, loadRoot, lowerBound, TreeCursor, upperBound } from './cursor.ts'
import { nodeAgg, nodeCount } from './node-codec.ts'
import type { LeafNode, ProllyNode } from './node-codec.ts'
import type { NodeStore } from './node-store.ts'
import type { PathHint } from '../store/index.ts'

export interface Entry {
  readonly key: Uint8Array
  readonly value: Uint8Array
}

/** A key range: gte (inclusive) and lt (exclusive) bounds, or a prefix (which sets both). */
export interface KeyRange {
  readonly gte?: Uint8Array
  readonly lt?: Uint8Array
  readonly prefix?: Uint8Array
}

function bounds(range: KeyRange): { lo: Uint8Array | null; hi: Uint8Array | null } {
  let lo = range.gte ?? null
  let hi = range.lt ?? null
  if (range.prefix !== undefined) {
    const end = prefixEnd(range.prefix)
    if (lo === null || compareBytes(range.prefix, lo) > 0) lo = range.prefix
    if (end !== null && (hi === null || compareBytes(end, hi) < 0)) hi = end
  }
  return { lo, hi }
}

async function child(store: NodeStore, cfg: TreeConfig, node: ProllyNode, i: number, rightmost: boolean, path: PathHint): Promise<ProllyNode> {
  if (node.kind !== 'branch') throw new Error('not a branch')
  return await store.load(node.children[i], cfg, node.level - 1, rightmost, path)
}

/** The leaf that would hold `key` (the last whose first key is <= key), or null when key precedes every key. */
async function leafFor(store: NodeStore, root: CID, key: Uint8Array): Promise<LeafNode | null> {
  const path = { root, key }
  const { node: r, cfg } = await loadRoot(store, root, path)
  let node = r
  let rightmost = true
  while (node.kind === 'branch') {
    const i = upperBound(node.keys, key) - 1
    if (i < 0) return null
    rightmost &&= i === node.keys.length - 1
    node = await child(store, cfg, node, i, rightmost, path)
  }
  return node
}

/**
 * The nodes a lookup of `key` reads, root first: at each level the last child whose first key is <= key (the
 * first child when key precedes them all, as a seek goes). What a server sends a client about to look up `key`.
 */
export async function nodesOnPath(store: NodeStore, root: CID, key: Uint8Array): Promise<CID[]> {
  const path = { root, key }
  const { node: r, cfg } = await loadRoot(store, root)
  const out = [root]
  let node = r
  let rightmost = true
  while (node.kind === 'branch') {
    const i = childToward(node.keys, key)
    rightmost &&= i === node.keys.length - 1
    out.push(node.children[i])
    if (node.level === 1) break // the leaf's CID is all a path needs of it
    node = await child(store, cfg, node, i, rightmost, path)
  }
  return out
}

export async function get(store: NodeStore, root: CID, key: Uint8Array): Promise<Uint8Array | undefined> {
  const leaf = await leafFor(store, root, key)
  if (leaf === null) return undefined
  const i = lowerBound(leaf.keys, key)
  return i < leaf.keys.length && equalBytes(leaf.keys[i], key) ? leaf.values[i] : undefined
}

/** The entry with the greatest key <= key (one node per level is read), or undefined if all keys are larger. */
export async function floor(store: NodeStore, root: CID, key: Uint8Array): Promise<Entry | undefined> {
  const leaf = await leafFor(store, root, key)
  if (leaf === null) return undefined
  const i = upperBound(leaf.keys, key) - 1
  return i < 0 ? undefined : { key: leaf.keys[i], value: leaf.values[i] }
}

/**
 * Looks up many keys, given in ascending order, with one cursor that only climbs as far as each next key
 * needs (finger search): far cheaper than independent lookups when the keys are many.
 */
export async function* getSorted(store: NodeStore, root: CID, keys: readonly Uint8Array[]): AsyncGenerator<Entry> {
  store.prefetchPaths(root, keys)
  const cur = await TreeCursor.open(store, root)
  for (const key of keys) {
    await cur.seekForward(key)
    const item = cur.current()
    if (item === null) return
    if (item.kind === 'entry' && equalBytes(item.key, key)) yield { key: item.key, value: item.value! }
  }
}

/**
 * Entries in key order within the range, loading only the leaves the range crosses. (RangeReader walks the
 * same way in batches; this one yields each entry as it meets it, which a full scan does a quarter faster.)
 */
export async function* entries(store: NodeStore, root: CID, range: KeyRange = {}): AsyncGenerator<Entry> {
  const { lo, hi } = bounds(range)
  // A short range may end in the leaf after the one it starts in: both ends' paths are asked for at once.
  if (lo !== null && hi !== null) store.prefetchPaths(root, [lo, hi])
  const cur = await TreeCursor.open(store, root, lo ?? undefined)
  if (lo !== null) await cur.seek(lo)
  for (;;) {
    const item = cur.current()
    if (item === null) return
    if (hi !== null && compareBytes(item.key, hi) >= 0) return
    if (item.kind === 'node') {
      // The whole range is read: the next subtrees in it are fetched while this one is.
      store.prefetch(cur.ahead(SCAN_PREFETCH, hi).map(a => a.cid))
      await cur.descend()
      continue
    }
    yield { key: item.key, value: item.value! }
    cur.advance()
  }
}

/** Subtrees after the first a range reader asks for when it opens. */
const OPEN_PREFETCH = 2

/** Subtrees a full range scan asks for ahead of the one it descends into (a store over the network fetches them side by side). */
const SCAN_PREFETCH = 8

/**
 * A range read in batches: each take(min) returns at least `min` entries (fewer only at the end of the range),
 * then the rest of the leaf it stopped in, which costs no further reading; a reader that decides between
 * batches whether to go on (query/top-k.ts) then decides about once a leaf, not once every `min` entries.
 */
export class RangeReader {
  readonly #store: NodeStore
  readonly #cur: TreeCursor
  readonly #hi: Uint8Array | null
  /** No entry of the range is left. */
  done = false

  private constructor(store: NodeStore, cur: TreeCursor, hi: Uint8Array | null) {
    this.#store = store
    this.#cur = cur
    this.#hi = hi
  }

  static async open(store: NodeStore, root: CID, range: KeyRange = {}): Promise<RangeReader> {
    const { lo, hi } = bounds(range)
    const cur = await TreeCursor.open(store, root, lo ?? undefined)
    if (lo !== null) await cur.seek(lo)
    // A reader that goes on past the first leaf (top-k reads more until its page is decided) finds the next
    // ones fetched with it: over the network, one round trip fewer for each leaf read ahead.
    store.prefetch(cur.ahead(OPEN_PREFETCH, hi).map(a => a.cid))
    return new RangeReader(store, cur, hi)
  }

  /**
   * Asks for the subtrees from here on that the next `need` entries are in, known from their entry counts,
   * and one more: what a take() will read then arrives side by side (on a local store this does nothing).
   */
  prefetch(need: number): void {
    const ahead = this.#cur.ahead(64, this.#hi)
    const cids = []
    let n = 0
    // One subtree more than the take needs: a reader that goes on (top-k reads more when its page is not yet
    // decided) then finds it fetched, and a store over the network saves a round trip.
    for (const a of ahead) {
      cids.push(a.cid)
      if (n >= need) break
      n += a.count
    }
    if (cids.length > 0) this.#store.prefetch(cids)
  }

  /**
   * `next`: entries the caller expects to take after these, if it goes on: asked for now too, so that over
   * the network the next take finds them fetched (on a local store prefetching does nothing).
   */
  async take(min: number, next = 0): Promise<Entry[]> {
    const out: Entry[] = []
    const cur = this.#cur
    for (;;) {
      const item = cur.current()
      if (item === null || (this.#hi !== null && compareBytes(item.key, this.#hi) >= 0)) {
        this.done = true
        return out
      }
      if (item.kind === 'node') {
        if (out.length >= min) return out
        this.prefetch(min - out.length + next)
        await cur.descend()
        continue
      }
      out.push({ key: item.key, value: item.value! })
      cur.advance()
    }
  }
}

/** Number of entries with key < key, reading one node per level. */
async function rank(store: NodeStore, rootCid: CID, root: ProllyNode, cfg: TreeConfig, key: Uint8Array | null): Promise<number> {
  if (key === null) return nodeCount(root)
  const path = { root: rootCid, key }
  let node = root
  let n = 0
  let rightmost = true
  while (node.kind === 'branch') {
    const i = upperBound(node.keys, key) - 1
    if (i < 0) return n
    for (let j = 0; j < i; j++) n += node.aggs[j][0]
    rightmost &&= i === node.keys.length - 1
    node = await child(store, cfg, node, i, rightmost, path)
  }
  return n + lowerBound(node.keys, key)
}

/**
 * Counts the entries in a range from the branch counts: only the nodes on the two boundary paths are read
 * (at most two leaves), whatever the number of entries in between.
 */
export async function count(store: NodeStore, root: CID, range: KeyRange = {}): Promise<number> {
  const { node, cfg } = await loadRoot(store, root)
  const { lo, hi } = bounds(range)
  // The two paths side by side: over the network, one round trip per level instead of two.
  const [a, b] = await Promise.all([lo === null ? 0 : rank(store, root, node, cfg, lo), rank(store, root, node, cfg, hi)])
  return Math.max(0, b - a)
}

export interface TreeInfo {
  readonly cfg: TreeConfig
  readonly count: number
  /** Totals of the summed columns (empty for a tree without sums). */
  readonly sums: number[]
  /** Number of levels, leaves included (1 for a tree that is a single leaf). */
  readonly depth: number
}

export async function info(store: NodeStore, root: CID): Promise<TreeInfo> {
  const { node, cfg } = await loadRoot(store, root)
  const agg = nodeAgg(node, cfg.sums)
  return { cfg, count: agg[0], sums: agg.slice(1), depth: node.level + 1 }
}
