// Diff of two trees, skipping every pair of subtrees with equal CIDs.

import type { CID } from 'multiformats/cid'
import { compareBytes, equalBytes } from '../bytes.ts'
import { TreeCursor } from './cursor.ts'
import type { Item } from './cursor.ts'
import type { Edit } from './merge.ts'
import type { NodeStore } from './node-store.ts'

export interface Change {
  readonly key: Uint8Array
  /** Value in the first tree, null when the key was added. */
  readonly before: Uint8Array | null
  /** Value in the second tree, null when the key was removed. */
  readonly after: Uint8Array | null
}

function levelOf(item: Item): number {
  return item.kind === 'node' ? item.level : -1
}

/** Changes from tree a to tree b in key order. */
export async function* diff(store: NodeStore, a: CID, b: CID): AsyncGenerator<Change> {
  if (a.equals(b)) return
  const ca = await TreeCursor.open(store, a)
  const cb = await TreeCursor.open(store, b)
  for (;;) {
    const x = ca.current()
    const y = cb.current()
    if (x === null && y === null) return
    if (x !== null && y !== null && x.kind === 'node' && y.kind === 'node' && x.cid.equals(y.cid)) {
      ca.advance()
      cb.advance()
      continue
    }
    // Open the subtree that starts first (on a tie, the larger one) until both sides offer entries.
    const c = x === null ? 1 : y === null ? -1 : compareBytes(x.key, y.key)
    if (x !== null && x.kind === 'node' && (c < 0 || (c === 0 && levelOf(x) >= levelOf(y!)))) {
      await ca.descend()
      continue
    }
    if (y !== null && y.kind === 'node' && (c > 0 || c === 0)) {
      await cb.descend()
      continue
    }
    // Both remaining items are entries (or one side is exhausted).
    const ex = x as (Item & { kind: 'entry' }) | null
    const ey = y as (Item & { kind: 'entry' }) | null
    if (c < 0) {
      yield { key: ex!.key, before: ex!.value, after: null }
      ca.advance()
    } else if (c > 0) {
      yield { key: ey!.key, before: null, after: ey!.value }
      cb.advance()
    } else {
      if (!equalBytes(ex!.value!, ey!.value!)) yield { key: ex!.key, before: ex!.value, after: ey!.value }
      ca.advance()
      cb.advance()
    }
  }
}

/** The edits that turn tree a into tree b: mutate(a, diffEdits(a, b)) gives b. */
export async function* diffEdits(store: NodeStore, a: CID, b: CID): AsyncGenerator<Edit> {
  for await (const ch of diff(store, a, b)) yield { key: ch.key, value: ch.after }
}
