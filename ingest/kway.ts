// K-way merge of sorted entry streams, keeping one entry per key (chosen by a resolver). Streams come and
// go in batches, so the per-entry work is synchronous: a promise per batch, not per entry.

import { compareBytes } from '../index-core/bytes.ts'
import type { Entry } from '../index-core/prolly/read.ts'

type Resolve = (key: Uint8Array, a: Uint8Array, b: Uint8Array) => Uint8Array

interface Head { batch: Entry[], i: number, it: AsyncIterator<Entry[]>, src: number }

const OUT_BATCH = 4096

export async function * mergeSorted (sources: AsyncIterable<Entry[]>[], resolve: Resolve): AsyncGenerator<Entry[]> {
  const heap: Head[] = []
  const key = (h: Head): Uint8Array => h.batch[h.i].key
  const less = (a: Head, b: Head): boolean => {
    const c = compareBytes(key(a), key(b))
    return c < 0 || (c === 0 && a.src < b.src)
  }
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < heap.length && less(heap[l], heap[m])) m = l
      if (r < heap.length && less(heap[r], heap[m])) m = r
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]]
      i = m
    }
  }
  const next = async (it: AsyncIterator<Entry[]>): Promise<Entry[] | null> => {
    for (;;) {
      const r = await it.next()
      if (r.done === true) return null
      if (r.value.length > 0) return r.value
    }
  }
  await Promise.all(sources.map(async (s, src) => {
    const it = s[Symbol.asyncIterator]()
    const batch = await next(it)
    if (batch !== null) heap.push({ batch, i: 0, it, src })
  }))
  for (let i = heap.length >> 1; i >= 0; i--) down(i)
  let out: Entry[] = []
  let pending: Entry | null = null
  while (heap.length > 0) {
    const h = heap[0]
    const e = h.batch[h.i]
    if (pending !== null && compareBytes(pending.key, e.key) === 0) {
      pending = { key: e.key, value: resolve(e.key, pending.value, e.value) }
    } else {
      if (pending !== null) {
        out.push(pending)
        if (out.length >= OUT_BATCH) { yield out; out = [] }
      }
      pending = e
    }
    if (++h.i < h.batch.length) { down(0); continue }
    const batch = await next(h.it)
    if (batch === null) {
      const last = heap.pop()!
      if (heap.length > 0) { heap[0] = last; down(0) }
    } else {
      h.batch = batch
      h.i = 0
      down(0)
    }
  }
  if (pending !== null) out.push(pending)
  if (out.length > 0) yield out
}
