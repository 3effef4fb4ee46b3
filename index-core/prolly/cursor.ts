// A cursor walks a tree left to right and always offers the largest subtree that starts at its position,
// so merges and diffs can take or skip whole subtrees. Descending checks the child against what its
// parent says of it (level, first key, count, key range): a forged tree fails here, not in a result.

import type { CID } from 'multiformats/cid'
import { compareBytes, equalBytes } from '../bytes.ts'
import { TreeFormatError } from './config.ts'
import type { TreeConfig } from './config.ts'
import { nodeAgg } from './node-codec.ts'
import { equalAgg } from './aggregate.ts'
import type { Agg } from './aggregate.ts'
import type { ProllyNode } from './node-codec.ts'
import type { NodeStore } from './node-store.ts'
import type { PathHint } from '../store/index.ts'

/** What a source offers at its position: one entry, or a whole node (subtree) starting here. */
export type Item =
  | { readonly kind: 'entry'; readonly key: Uint8Array; readonly value: Uint8Array | null }
  | {
      readonly kind: 'node'
      readonly key: Uint8Array
      /** The node's own level (0 = a leaf). */
      readonly level: number
      readonly cid: CID
      /** [count, ...sums] of the subtree. */
      readonly agg: Agg
      /** Exclusive upper bound of the node's keys; null on the tree's right spine. */
      readonly upper: Uint8Array | null
    }

/** A sorted stream of items: a tree cursor, or a list of edits (where a null value deletes). */
export interface Source {
  current(): Item | null
  /** Moves past the current item; returns a promise only when it had to wait for input. */
  advance(): Promise<void> | undefined
  /** Replaces the current node item by its first child (or first entry). */
  descend(): Promise<void>
}

interface Frame {
  node: ProllyNode
  idx: number
  upper: Uint8Array | null
}

function bad(why: string): never {
  throw new TreeFormatError(`malformed prolly tree: ${why}`)
}

/** Reads a root and returns it with its validated config. */
export async function loadRoot(store: NodeStore, root: CID, path?: PathHint): Promise<{ node: ProllyNode; cfg: TreeConfig }> {
  const node = await store.load(root, null, undefined, true, path)
  return { node, cfg: node.cfg! }
}

export class TreeCursor implements Source {
  readonly store: NodeStore
  readonly cfg: TreeConfig
  readonly root: ProllyNode
  readonly rootCid: CID
  #frames: Frame[] = []
  #item: Item | null = null
  /** While a seek descends: the key it descends toward (see BlockAccess.getOnPath). */
  #toward: PathHint | undefined

  private constructor(store: NodeStore, root: ProllyNode, rootCid: CID) {
    this.store = store
    this.root = root
    this.rootCid = rootCid
    this.cfg = root.cfg!
    this.#reset()
  }

  /** `toward`: the key the cursor will first seek, when known (its root is then read as part of that lookup). */
  static async open(store: NodeStore, root: CID, toward?: Uint8Array): Promise<TreeCursor> {
    const { node } = await loadRoot(store, root, toward === undefined ? undefined : { root, key: toward })
    return new TreeCursor(store, node, root)
  }

  #reset(): void {
    this.#frames = this.root.keys.length === 0 ? [] : [{ node: this.root, idx: 0, upper: null }]
    this.#refresh()
  }

  #refresh(): void {
    const f = this.#frames.at(-1)
    if (f === undefined) {
      this.#item = null
      return
    }
    const n = f.node
    const i = f.idx
    if (n.kind === 'leaf') {
      this.#item = { kind: 'entry', key: n.keys[i], value: n.values[i] }
    } else {
      this.#item = {
        kind: 'node',
        key: n.keys[i],
        level: n.level - 1,
        cid: n.children[i],
        agg: n.aggs[i],
        upper: i + 1 < n.keys.length ? n.keys[i + 1] : f.upper
      }
    }
  }

  current(): Item | null {
    return this.#item
  }

  /**
   * The subtrees a forward read descends into next, up to `max`, while they start before `hi`: from the
   * current item when it is a subtree, else those after the leaf the cursor is in. Their blocks can then be
   * fetched side by side.
   */
  ahead(max: number, hi: Uint8Array | null): Array<{ readonly cid: CID; readonly count: number }> {
    const top = this.#frames.at(-1)
    if (top === undefined) return []
    const inLeaf = top.node.kind === 'leaf'
    const f = inLeaf ? this.#frames.at(-2) : top
    if (f === undefined || f.node.kind === 'leaf') return []
    const out: Array<{ cid: CID; count: number }> = []
    for (let i = inLeaf ? f.idx + 1 : f.idx; i < f.node.keys.length && out.length < max; i++) {
      if (hi !== null && compareBytes(f.node.keys[i], hi) >= 0) break
      out.push({ cid: f.node.children[i], count: f.node.aggs[i][0] })
    }
    return out
  }

  /** Moving never needs I/O (only descend does), so advance is synchronous. */
  advance(): undefined {
    let f = this.#frames.at(-1)
    if (f === undefined) return undefined
    f.idx++
    while (f.idx >= f.node.keys.length) {
      this.#frames.pop()
      f = this.#frames.at(-1)
      if (f === undefined) break
      f.idx++
    }
    this.#refresh()
    return undefined
  }

  async descend(): Promise<void> {
    const item = this.#item
    if (item === null || item.kind !== 'node') throw new Error('TreeCursor.descend: not at a node')
    const child = await this.store.load(item.cid, this.cfg, item.level, item.upper === null, this.#toward)
    if (!equalBytes(child.keys[0], item.key)) bad(`child ${item.cid.toString()} does not start at its parent's key`)
    const agg = nodeAgg(child, this.cfg.sums)
    if (!equalAgg(agg, item.agg)) {
      bad(
        agg[0] !== item.agg[0]
          ? `child ${item.cid.toString()} holds ${agg[0]} entries, its parent says ${item.agg[0]}`
          : `child ${item.cid.toString()} sums to [${agg.join(',')}], its parent says [${item.agg.join(',')}]`
      )
    }
    if (item.upper !== null && compareBytes(child.keys[child.keys.length - 1], item.upper) >= 0) {
      bad(`child ${item.cid.toString()} overlaps its right sibling`)
    }
    this.#frames.push({ node: child, idx: 0, upper: item.upper })
    this.#refresh()
  }

  /** Positions the cursor at the first entry whose key is >= key (descending to a leaf). */
  async seek(key: Uint8Array): Promise<void> {
    this.#toward = { root: this.rootCid, key }
    try {
      await this.#seek(key)
    } finally {
      this.#toward = undefined
    }
  }

  async #seek(key: Uint8Array): Promise<void> {
    this.#reset()
    for (;;) {
      const f = this.#frames.at(-1)
      if (f === undefined) return
      const keys = f.node.keys
      if (f.node.kind === 'leaf') {
        f.idx = lowerBound(keys, key)
        if (f.idx >= keys.length) {
          f.idx = keys.length - 1
          this.advance()
        } else this.#refresh()
        await this.toEntry()
        return
      }
      f.idx = childToward(keys, key)
      this.#refresh()
      await this.descend()
    }
  }

  /**
   * Moves forward to the first entry >= key (key must not be behind the cursor): climbs only out of the
   * frames whose range ends at or before key, then descends.
   */
  async seekForward(key: Uint8Array): Promise<void> {
    while (this.#frames.length > 1) {
      const f = this.#frames[this.#frames.length - 1]
      if (f.upper !== null && compareBytes(key, f.upper) >= 0) this.#frames.pop()
      else break
    }
    for (;;) {
      const f = this.#frames.at(-1)
      if (f === undefined) {
        this.#item = null
        return
      }
      const keys = f.node.keys
      if (f.node.kind === 'leaf') {
        const i = Math.max(f.idx, lowerBound(keys, key))
        if (i >= keys.length) {
          f.idx = keys.length - 1
          this.advance()
          await this.toEntry()
        } else {
          f.idx = i
          this.#refresh()
        }
        return
      }
      f.idx = Math.max(f.idx, upperBound(keys, key) - 1)
      this.#refresh()
      await this.descend()
    }
  }

  /** Descends until the current item is an entry (or the end). */
  async toEntry(): Promise<void> {
    while (this.#item !== null && this.#item.kind === 'node') await this.descend()
  }
}

/** The child of a branch a seek of `key` descends into: the last starting at or before it, else the first. */
export function childToward(keys: readonly Uint8Array[], key: Uint8Array): number {
  return Math.max(0, upperBound(keys, key) - 1)
}

/** First index whose key is >= key. */
export function lowerBound(keys: readonly Uint8Array[], key: Uint8Array): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareBytes(keys[mid], key) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First index whose key is > key. */
export function upperBound(keys: readonly Uint8Array[], key: Uint8Array): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareBytes(keys[mid], key) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}
