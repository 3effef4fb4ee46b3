// K-way merge of sorted entry streams, keeping one entry per key (chosen by a resolver). Streams come and
// go in batches, so the per-entry work is synchronous: a promise per batch, not per entry. The streams meet in
// a loser tree: one comparison per level for each entry taken (a binary heap needs two).

import { compareBytes } from '../index-core/bytes.ts'
import type { Entry } from '../index-core/prolly/index.ts'

type Resolve = (key: Uint8Array, a: Uint8Array, b: Uint8Array) => Uint8Array

interface Head {
  batch: Entry[] | null
  i: number
  readonly it: AsyncIterator<Entry[]>
}

const OUT_BATCH = 256

async function next(it: AsyncIterator<Entry[]>): Promise<Entry[] | null> {
  for (;;) {
    const r = await it.next()
    if (r.done === true) return null
    if (r.value.length > 0) return r.value
  }
}

export async function* mergeSorted(sources: AsyncIterable<Entry[]>[], resolve: Resolve): AsyncGenerator<Entry[]> {
  const k = sources.length
  if (k === 0) return
  const heads: Head[] = await Promise.all(
    sources.map(async s => {
      const it = s[Symbol.asyncIterator]()
      return { batch: await next(it), i: 0, it }
    })
  )
  // Source a's current entry comes before source b's: an exhausted source never does; ties go to the lower source.
  const before = (a: number, b: number): boolean => {
    const x = heads[a].batch
    const y = heads[b].batch
    if (x === null) return false
    if (y === null) return true
    const c = compareBytes(x[heads[a].i].key, y[heads[b].i].key)
    return c < 0 || (c === 0 && a < b)
  }
  // Leaves k..2k-1 are the sources; each inner node keeps the loser of the match played there.
  const loser = new Int32Array(2 * k)
  const win = new Int32Array(2 * k)
  for (let i = 0; i < k; i++) win[k + i] = i
  for (let n = k - 1; n >= 1; n--) {
    const a = win[2 * n]
    const b = win[2 * n + 1]
    if (before(a, b)) {
      win[n] = a
      loser[n] = b
    } else {
      win[n] = b
      loser[n] = a
    }
  }
  let top = k === 1 ? 0 : win[1]
  let out: Entry[] = []
  let pending: Entry | null = null
  while (heads[top].batch !== null) {
    const h = heads[top]
    const e = h.batch![h.i]
    if (pending !== null && compareBytes(pending.key, e.key) === 0) {
      pending = { key: e.key, value: resolve(e.key, pending.value, e.value) }
    } else {
      if (pending !== null) {
        out.push(pending)
        if (out.length >= OUT_BATCH) {
          yield out
          out = []
        }
      }
      pending = e
    }
    if (++h.i >= h.batch!.length) {
      h.batch = await next(h.it)
      h.i = 0
    }
    // Replay the winner's path to the root.
    let w = top
    for (let n = (k + top) >> 1; n >= 1; n >>= 1) {
      if (before(loser[n], w)) {
        const t = loser[n]
        loser[n] = w
        w = t
      }
    }
    top = w
  }
  if (pending !== null) out.push(pending)
  if (out.length > 0) yield out
}
