// A term's postings over several segments, read best first as one list. Each segment's list is in key
// order (term ‖ 0 ‖ 255 - impact ‖ docId: best impact first, then document id) and a document lives in one
// segment, so merging the segments' lists by key gives the very sequence one list of all the documents
// would: a query reading it best first keeps one threshold for every segment (Lucene shares the minimum
// competitive score between its segment collectors) and meets the same postings in the same order as on one
// segment, so its page and scores are those of one segment to the last bit.

import { compareBytes } from '../bytes.ts'
import type { Entry } from '../prolly/index.ts'

/** Postings read best first, on demand (prolly/read.ts RangeReader, or several merged). */
export interface PostingStream {
  /** No posting is left. */
  readonly done: boolean
  /** At least `min` postings (fewer only at the end); `next`: how many the caller expects to take after these. */
  take(min: number, next?: number): Promise<Entry[]>
  /** Asks for what the next `need` postings are in (over the network; nothing on a local store). */
  prefetch(need: number): void
}

interface Source {
  readonly stream: PostingStream
  buf: Entry[]
  at: number
}

/** Several segments' streams of one term as one stream, in key order. */
export class MergedPostings implements PostingStream {
  readonly #sources: Source[]
  done = false

  constructor(streams: readonly PostingStream[]) {
    this.#sources = streams.map(stream => ({ stream, buf: [], at: 0 }))
  }

  prefetch(need: number): void {
    for (const s of this.#sources) if (s.at === s.buf.length && !s.stream.done) s.stream.prefetch(need)
  }

  async take(min: number, next = 0): Promise<Entry[]> {
    const out: Entry[] = []
    const sources = this.#sources
    for (;;) {
      if (out.length >= min) {
        this.done = sources.every(s => s.at === s.buf.length && s.stream.done)
        return out
      }
      // Every segment not yet ended must show its next posting before the smallest can be told apart: the
      // empty ones are read side by side (one leaf each, with what the rest of the take needs asked for ahead).
      const empty = sources.filter(s => s.at === s.buf.length && !s.stream.done)
      if (empty.length > 0) {
        const want = min - out.length + next
        await Promise.all(
          empty.map(async s => {
            s.buf = await s.stream.take(1, want)
            s.at = 0
          })
        )
        continue
      }
      let best: Source | null = null
      for (const s of sources) if (s.at < s.buf.length && (best === null || compareBytes(s.buf[s.at].key, best.buf[best.at].key) < 0)) best = s
      if (best === null) {
        this.done = true
        return out
      }
      // A posting two segments both hold (only a malformed index places a document in two) is taken once.
      let dropped = false
      for (const s of sources) {
        if (s !== best && s.at < s.buf.length && compareBytes(s.buf[s.at].key, best.buf[best.at].key) === 0) {
          s.at++
          dropped = true
        }
      }
      if (dropped) continue
      // Take the best source's run up to the next-best head: no other segment has a posting in between.
      let bound: Uint8Array | null = null
      for (const s of sources) if (s !== best && s.at < s.buf.length && (bound === null || compareBytes(s.buf[s.at].key, bound) < 0)) bound = s.buf[s.at].key
      while (best.at < best.buf.length && (bound === null || compareBytes(best.buf[best.at].key, bound) < 0)) out.push(best.buf[best.at++])
    }
  }
}
