// K-way merge of sorted entry streams, keeping one entry per key (chosen by a resolver).

import { compareBytes } from '../index-core/bytes.ts'
import type { Entry } from '../index-core/prolly/read.ts'

type Resolve = (key: Uint8Array, a: Uint8Array, b: Uint8Array) => Uint8Array

interface Head { entry: Entry, it: AsyncIterator<Entry>, src: number }

export async function * mergeSorted (sources: AsyncIterable<Entry>[], resolve: Resolve): AsyncGenerator<Entry> {
  const heap: Head[] = []
  const less = (a: Head, b: Head): boolean => {
    const c = compareBytes(a.entry.key, b.entry.key)
    return c < 0 || (c === 0 && a.src < b.src)
  }
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!less(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]]
      i = p
    }
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
  const pop = (): Head => {
    const top = heap[0]
    const last = heap.pop()!
    if (heap.length > 0) { heap[0] = last; down(0) }
    return top
  }
  const advance = async (h: Head): Promise<void> => {
    const r = await h.it.next()
    if (r.done !== true) { h.entry = r.value; heap.push(h); up(heap.length - 1) }
  }
  await Promise.all(sources.map(async (s, src) => {
    const it = s[Symbol.asyncIterator]()
    const r = await it.next()
    if (r.done !== true) { heap.push({ entry: r.value, it, src }); up(heap.length - 1) }
  }))
  let pending: Entry | null = null
  while (heap.length > 0) {
    const h = pop()
    const e = h.entry
    if (pending !== null && compareBytes(pending.key, e.key) === 0) {
      pending = { key: e.key, value: resolve(e.key, pending.value, e.value) }
    } else {
      if (pending !== null) yield pending
      pending = e
    }
    await advance(h)
  }
  if (pending !== null) yield pending
}
