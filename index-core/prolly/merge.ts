// Merge and batch mutation: one walk over two sorted sources into a builder. Where one side offers a whole
// subtree that nothing from the other side falls into, and the builder is between nodes, the subtree is
// taken by reference: cost follows the differences, not the size of the trees.

import type { CID } from 'multiformats/cid'
import { compareBytes } from '../bytes.ts'
import { sameConfig } from './config.ts'
import { TreeBuilder } from './builder.ts'
import { TreeCursor } from './cursor.ts'
import type { Item, Source } from './cursor.ts'
import type { NodeStore } from './node-store.ts'
import { entries, info } from './read.ts'
import type { Entry } from './read.ts'

/**
 * Decides the value of a key present on both sides (null drops the key). Must be idempotent,
 * resolve(k, v, v) = v, because identical subtrees are taken once without looking inside.
 */
export type Resolver = (key: Uint8Array, a: Uint8Array, b: Uint8Array) => Uint8Array | null

/** A batch edit: a null value deletes the key. */
export interface Edit {
  readonly key: Uint8Array
  readonly value: Uint8Array | null
}

type WalkResolver = (key: Uint8Array, a: Uint8Array | null, b: Uint8Array | null) => Uint8Array | null

async function take(src: Source, item: Item, out: TreeBuilder): Promise<void> {
  if (item.kind === 'entry') {
    if (item.value !== null && out.addSync(item.key, item.value)) await out.flush()
  } else {
    await out.addNode(item.level, item.key, item.cid, item.agg)
  }
  await step(src)
}

/** Advances a source, awaiting only when it actually waits (tree cursors never do). */
async function step(src: Source): Promise<void> {
  const p = src.advance()
  if (p !== undefined) await p
}

/** Everything left in one source, taking whole subtrees where the builder allows. */
async function drain(src: Source, out: TreeBuilder): Promise<void> {
  for (let item = src.current(); item !== null; item = src.current()) {
    if (item.kind === 'node' && !out.canAddNode(item.level)) await src.descend()
    else await take(src, item, out)
  }
}

async function walk(a: Source, b: Source, out: TreeBuilder, resolve: WalkResolver): Promise<void> {
  for (;;) {
    const x = a.current()
    const y = b.current()
    if (x === null) {
      await drain(b, out)
      return
    }
    if (y === null) {
      await drain(a, out)
      return
    }
    if (x.kind === 'node' && y.kind === 'node' && x.cid.equals(y.cid)) {
      // Identical subtrees: self-closing unless both are on their right spines, where nothing follows.
      if (out.canAddNode(x.level)) {
        await out.addNode(x.level, x.key, x.cid, x.agg)
        await step(a)
        await step(b)
      } else {
        await a.descend()
        await b.descend()
      }
      continue
    }
    const c = compareBytes(x.key, y.key)
    if (c === 0) {
      if (x.kind === 'entry' && y.kind === 'entry') {
        const v = resolve(x.key, x.value, y.value)
        if (v !== null && out.addSync(x.key, v)) await out.flush()
        await step(a)
        await step(b)
      } else if ((x.kind === 'node' ? x.level : -1) >= (y.kind === 'node' ? y.level : -1)) {
        await a.descend()
      } else {
        await b.descend()
      }
      continue
    }
    const [src, first, other] = c < 0 ? [a, x, y] : [b, y, x]
    if (first.kind === 'entry') {
      await take(src, first, out)
    } else if (first.upper !== null && compareBytes(other.key, first.upper) >= 0 && out.canAddNode(first.level)) {
      await take(src, first, out)
    } else {
      await src.descend()
    }
  }
}

/** A Source over sorted, unique edits. */
class EditSource implements Source {
  readonly #it: Iterator<Edit> | AsyncIterator<Edit>
  #item: Item | null = null
  #last: Uint8Array | null = null

  constructor(edits: Iterable<Edit> | AsyncIterable<Edit>) {
    this.#it = Symbol.asyncIterator in edits ? edits[Symbol.asyncIterator]() : edits[Symbol.iterator]()
  }

  current(): Item | null {
    return this.#item
  }
  async descend(): Promise<void> {
    throw new Error('edits have no subtrees')
  }

  async advance(): Promise<void> {
    const r = await this.#it.next()
    if (r.done === true) {
      this.#item = null
      return
    }
    const e = r.value
    if (this.#last !== null && compareBytes(this.#last, e.key) >= 0) throw new RangeError('edits must be sorted by key and unique')
    this.#last = e.key
    this.#item = { kind: 'entry', key: e.key, value: e.value }
  }
}

/**
 * Applies sorted, unique edits to a tree. The result is byte-identical to building the final entry set
 * from scratch (history independence), and only the nodes on the edited paths are read or written.
 */
export async function mutate(store: NodeStore, root: CID, edits: Iterable<Edit> | AsyncIterable<Edit>): Promise<CID> {
  const cur = await TreeCursor.open(store, root)
  const src = new EditSource(edits)
  await step(src)
  const out = new TreeBuilder(store, cur.cfg)
  await walk(cur, src, out, (_k, _old, edit) => edit)
  return await out.finish()
}

/** Sorts edits by key; for a key edited twice the later edit wins. */
export function sortEdits(edits: Iterable<Edit>): Edit[] {
  const sorted = [...edits].map((e, i) => ({ e, i }))
  sorted.sort((p, q) => compareBytes(p.e.key, q.e.key) || p.i - q.i)
  const out: Edit[] = []
  for (const { e } of sorted) {
    if (out.length > 0 && compareBytes(out[out.length - 1].key, e.key) === 0) out[out.length - 1] = e
    else out.push(e)
  }
  return out
}

/** The union of two trees of the same config, with `resolve` deciding keys present in both. */
export async function merge(store: NodeStore, a: CID, b: CID, resolve: Resolver): Promise<CID> {
  if (a.equals(b)) return a
  const ca = await TreeCursor.open(store, a)
  const cb = await TreeCursor.open(store, b)
  if (!sameConfig(ca.cfg, cb.cfg)) throw new Error('cannot merge trees with different configs')
  const out = new TreeBuilder(store, ca.cfg)
  await walk(ca, cb, out, (k, x, y) => resolve(k, x!, y!))
  return await out.finish()
}

/** The entries of several trees in one key order, equal keys combined by `resolve` (a few trees: a linear scan). */
async function* unionEntries(store: NodeStore, roots: readonly CID[], resolve: Resolver): AsyncGenerator<Entry> {
  const its = roots.map(r => entries(store, r)[Symbol.asyncIterator]())
  const heads: Array<Entry | null> = await Promise.all(its.map(async it => ((r): Entry | null => (r.done === true ? null : r.value))(await it.next())))
  for (;;) {
    let min: Uint8Array | null = null
    for (const h of heads) if (h !== null && (min === null || compareBytes(h.key, min) < 0)) min = h.key
    if (min === null) return
    let value: Uint8Array | null = null
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]
      if (h === null || compareBytes(h.key, min) !== 0) continue
      value = value === null ? h.value : resolve(min, value, h.value)
      const r = await its[i].next()
      heads[i] = r.done === true ? null : r.value
    }
    yield { key: min, value: value! }
  }
}

/**
 * The union of several trees of one config. The same tree as merging them two by two in any order, written
 * with fewer nodes: the entries of all but the largest, streamed in one key order, are merged into the largest
 * as edits are, so its unchanged subtrees are kept and no intermediate union is written (merging them one
 * after another would write every one).
 */
export async function mergeAll(store: NodeStore, roots: readonly CID[], resolve: Resolver): Promise<CID> {
  if (roots.length === 0) throw new RangeError('nothing to merge')
  if (roots.length === 1) return roots[0]
  const sized = await Promise.all(roots.map(async r => ({ r, n: (await info(store, r)).count })))
  sized.sort((a, b) => b.n - a.n)
  const [largest, ...rest] = sized.map(s => s.r)
  if (rest.length === 1) return await merge(store, largest, rest[0], resolve)
  const cur = await TreeCursor.open(store, largest)
  const src = new EditSource(unionEntries(store, rest, resolve))
  await step(src)
  const out = new TreeBuilder(store, cur.cfg)
  await walk(cur, src, out, (k, x, y) => resolve(k, x!, y!))
  return await out.finish()
}
