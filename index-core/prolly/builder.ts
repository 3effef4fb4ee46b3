// Builds a canonical tree from a sorted stream, in memory bounded by depth x maxBytes.
//
// Besides single entries, the builder accepts a whole existing subtree when every level at or below it is
// between nodes ("fresh"): since chunking decisions depend only on a node's own entries, feeding that
// subtree's entries one by one would rebuild exactly the same nodes, so its CID can be taken as it is.
// Merges and batch mutations use this to reuse unchanged subtrees without reading them.

import type { CID } from 'multiformats/cid'
import { compareBytes } from '../bytes.ts'
import type { TreeConfig } from './config.ts'
import { entrySize, shouldCut } from './chunker.ts'
import { leafEntrySize } from './node-codec.ts'
import { addInto, readSums, zeroAgg } from './aggregate.ts'
import type { Agg } from './aggregate.ts'
import type { ProllyNode } from './node-codec.ts'
import type { NodeStore } from './node-store.ts'

interface Pending {
  keys: Uint8Array[]
  values: Uint8Array[]
  children: CID[]
  aggs: Agg[]
  /** [count, ...sums] of everything in this partial node. */
  total: number[]
  size: number
}

const ONE: Agg = [1]
/** Closed nodes held before they are written together: bounds memory while letting writes overlap. */
const FLUSH_AT = 32

export class EntryTooLargeError extends RangeError {
  override name = 'EntryTooLargeError'
}

export class TreeBuilder {
  readonly store: NodeStore
  readonly cfg: TreeConfig
  readonly #levels: Pending[] = []
  /** Entries ever added at each level: level L+1 holds one entry per node of level L. */
  readonly #entriesAt: number[] = []
  #lastKey: Uint8Array | null = null
  #finished = false
  #queue: Array<{ cid: CID; bytes: Uint8Array }> = []
  /**
   * The last node closed at each level, not written yet: until a sibling closes after it, it may turn out to
   * be the root (written again with the config) or a single child above it, and neither may be left in the
   * store as a block no tree names.
   */
  readonly #held: Array<{ node: ProllyNode; block: { cid: CID; bytes: Uint8Array } } | null> = []

  constructor(store: NodeStore, cfg: TreeConfig) {
    this.store = store
    this.cfg = cfg
  }

  #checkOrder(key: Uint8Array): void {
    if (this.#finished) throw new Error('TreeBuilder already finished')
    if (this.#lastKey !== null && compareBytes(this.#lastKey, key) >= 0) {
      throw new RangeError('TreeBuilder: keys must be added in strictly increasing order')
    }
    this.#lastKey = key
  }

  /** Adds one leaf entry. */
  async add(key: Uint8Array, value: Uint8Array): Promise<void> {
    if (this.addSync(key, value)) await this.flush()
  }

  /**
   * Adds one leaf entry without I/O; returns true when closed nodes are waiting to be written, in which
   * case the caller should await flush() soon (bulk loads use this to avoid a promise per entry).
   */
  addSync(key: Uint8Array, value: Uint8Array): boolean {
    if (leafEntrySize(0, key.length, value.length) > this.cfg.maxEntryBytes) {
      throw new EntryTooLargeError(`entry of ${key.length}+${value.length} bytes exceeds maxEntryBytes ${this.cfg.maxEntryBytes}`)
    }
    let agg: Agg = ONE
    if (this.cfg.sums > 0) {
      const sums = readSums(value, this.cfg.sums)
      if (sums === null) throw new RangeError(`value does not start with the ${this.cfg.sums} varints this tree sums`)
      agg = [1, ...sums]
    }
    this.#checkOrder(key)
    this.#push(0, key, value, agg)
    return this.#queue.length >= FLUSH_AT
  }

  /** Writes the nodes closed so far, concurrently (a store on disk overlaps the writes). */
  async flush(): Promise<void> {
    const q = this.#queue
    this.#queue = []
    await Promise.all(
      q.map(async b => {
        await this.store.put(b.cid, b.bytes)
      })
    )
  }

  /** True when a whole node of `level` can be added: no level at or below it holds a partial node. */
  canAddNode(level: number): boolean {
    for (let l = 0; l <= level && l < this.#levels.length; l++) if (this.#levels[l].keys.length > 0) return false
    return true
  }

  /**
   * Adds an existing node of `level` (first key, CID, [count, ...sums]). The caller guarantees the node is
   * canonical for this config and either ends at a cut on every level or is the last thing added.
   */
  async addNode(level: number, firstKey: Uint8Array, cid: CID, agg: Agg): Promise<void> {
    if (!this.canAddNode(level)) throw new Error(`TreeBuilder: level ${level} holds a partial node`)
    if (agg.length !== 1 + this.cfg.sums) throw new RangeError('aggregate does not match the tree config')
    this.#checkOrder(firstKey)
    this.#push(level + 1, firstKey, cid, agg)
    if (this.#queue.length >= FLUSH_AT) await this.flush()
  }

  #empty(): Pending {
    return { keys: [], values: [], children: [], aggs: [], total: zeroAgg(this.cfg.sums), size: 0 }
  }

  #level(l: number): Pending {
    while (this.#levels.length <= l) {
      this.#levels.push(this.#empty())
      this.#entriesAt.push(0)
    }
    return this.#levels[l]
  }

  #push(l: number, key: Uint8Array, payload: Uint8Array | CID, agg: Agg): void {
    const p = this.#level(l)
    const prev = p.keys.length === 0 ? null : p.keys[p.keys.length - 1]
    p.size += entrySize(prev, key, payload, l === 0 ? null : agg)
    p.keys.push(key)
    if (l === 0) p.values.push(payload as Uint8Array)
    else {
      p.children.push(payload as CID)
      p.aggs.push(agg)
    }
    addInto(p.total, agg)
    this.#entriesAt[l]++
    if (shouldCut(p.size, key, l, this.cfg, l === 0 ? key.length + (payload as Uint8Array).length : 0)) this.#close(l)
  }

  #take(l: number): { node: ProllyNode; total: Agg } {
    const p = this.#levels[l]
    this.#levels[l] = this.#empty()
    const node: ProllyNode =
      l === 0
        ? { kind: 'leaf', level: 0, keys: p.keys, values: p.values, cfg: null }
        : { kind: 'branch', level: l, keys: p.keys, children: p.children, aggs: p.aggs, cfg: null }
    return { node, total: p.total }
  }

  #close(l: number): void {
    const { node, total } = this.#take(l)
    const block = this.store.encode(node)
    const prev = this.#held[l]
    if (prev !== undefined && prev !== null) this.#queue.push(prev.block)
    this.#held[l] = { node, block }
    this.#push(l + 1, node.keys[0], block.cid, total)
  }

  #top(): number {
    for (let l = this.#entriesAt.length - 1; l >= 0; l--) if (this.#entriesAt[l] > 0) return l
    return -1
  }

  /** Closes every level, writes what is left and returns the root CID. The builder cannot be used afterwards. */
  async finish(): Promise<CID> {
    if (this.#finished) throw new Error('TreeBuilder already finished')
    let root: ProllyNode = { kind: 'leaf', level: 0, keys: [], values: [], cfg: this.cfg }
    for (let l = 0; ; l++) {
      const top = this.#top()
      if (top < 0) break
      if (l < top) {
        if (this.#levels[l].keys.length > 0) this.#close(l)
        continue
      }
      // The top level holds one partial node: the root, unless it has a single child, in which case the
      // level below has only that node and a fresh build would have stopped there.
      let node = this.#take(top).node
      while (node.kind === 'branch' && node.keys.length === 1) {
        // The single child is the last node closed on the level below, or a stored node a merge added whole.
        const held = this.#held[node.level - 1]
        node = held?.block.cid.equals(node.children[0]) ? held.node : await this.store.load(node.children[0], this.cfg, node.level - 1, true)
      }
      root = { ...node, cfg: this.cfg }
      // Held nodes below the root are in the tree; the root itself is written with its config instead.
      for (let h = 0; h < root.level; h++) {
        const x = this.#held[h]
        if (x !== undefined && x !== null) this.#queue.push(x.block)
      }
      break
    }
    this.#finished = true
    await this.flush()
    return await this.store.save(root)
  }
}
