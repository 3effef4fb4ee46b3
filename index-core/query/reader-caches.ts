// The memory a process gives its query caches, and the caches themselves: decoded tree nodes, posting
// lists and doc values, each bounded by (approximate) bytes, shared by every index the process reads, so
// serving more indexes does not multiply the memory.

import os from 'node:os'
import { LRUCache } from 'lru-cache'
import { NodeCache } from '../prolly/index.ts'
import type { PostingList } from './posting-list.ts'

export interface CacheBudget {
  /** Decoded tree nodes (all trees). */
  readonly nodes: number
  /** Posting lists, by index root and term. */
  readonly postings: number
  /** Doc values and their interned facet values. */
  readonly docValues: number
  /** Stored text chunks, inflated (for snippets). */
  readonly text: number
}

const MiB = 1024 * 1024

/**
 * Bytes of cache for one process: a tenth of the machine's memory shared by the processes serving, within
 * 64 MiB..2 GiB (beyond that, caches are past the working set of any query mix and only delay the GC).
 */
export function defaultCacheBytes(processes = 1, totalMemory = os.totalmem()): number {
  return Math.round(Math.min(2048 * MiB, Math.max(64 * MiB, totalMemory / 10 / Math.max(1, processes))))
}

/**
 * How a total splits: posting lists are what repeated queries reuse most; nodes serve everything else
 * (documents, captures, text, and building lists not cached); doc values are small per document; inflated
 * text spares a snippet the inflate of a whole chunk (up to 16,000 bytes) for a window of 240 characters.
 */
export function splitBudget(total: number): CacheBudget {
  return { nodes: Math.round(total * 0.35), postings: Math.round(total * 0.35), docValues: Math.round(total * 0.2), text: Math.round(total * 0.1) }
}

/**
 * Keeps the doc-value tables of all readers within one budget: each reader charges what it adds; once the
 * total is over, every table is retired (readers start afresh on their next query; queries in flight
 * keep the entries they hold). Doc values are cheap to rebuild from cached nodes, and dropping them all at
 * once keeps lookups a plain Map hit on the hot path.
 */
export class DocValuesPool {
  readonly maxBytes: number
  #used = 0
  #epoch = 0
  readonly #tables = new Set<WeakRef<{ retire(): void }>>()

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes
  }

  get epoch(): number {
    return this.#epoch
  }
  get usedBytes(): number {
    return this.#used
  }

  register(table: { retire(): void }): void {
    this.#tables.add(new WeakRef(table))
  }

  /** Accounts for `bytes` more; retires every table when the pool is over budget. */
  charge(bytes: number): void {
    this.#used += bytes
    if (this.#used <= this.maxBytes) return
    this.#epoch++
    this.#used = 0
    for (const ref of this.#tables) ref.deref()?.retire()
    this.#tables.clear()
  }
}

export interface CacheStats {
  readonly nodes: { entries: number; bytes: number; maxBytes: number }
  readonly postings: { entries: number; bytes: number; maxBytes: number; hits: number; misses: number }
  readonly docValues: { bytes: number; maxBytes: number; resets: number }
  readonly text: { entries: number; bytes: number; maxBytes: number }
}

export class ReaderCaches {
  readonly budget: CacheBudget
  readonly nodes: NodeCache
  readonly postings: LRUCache<string, PostingList>
  readonly docValues: DocValuesPool
  /** Inflated text chunks by index root, document and chunk start. */
  readonly text: LRUCache<string, string>
  readonly counts = { postingHits: 0, postingMisses: 0 }

  constructor(budget: CacheBudget = splitBudget(defaultCacheBytes())) {
    this.budget = budget
    this.nodes = new NodeCache(budget.nodes)
    this.postings = new LRUCache<string, PostingList>({ maxSize: Math.max(1, budget.postings), sizeCalculation: listMemory })
    this.docValues = new DocValuesPool(budget.docValues)
    this.text = new LRUCache<string, string>({ maxSize: Math.max(1, budget.text), sizeCalculation: t => 64 + 2 * t.length })
  }

  get stats(): CacheStats {
    return {
      nodes: this.nodes.stats,
      postings: {
        entries: this.postings.size,
        bytes: this.postings.calculatedSize,
        maxBytes: this.budget.postings,
        hits: this.counts.postingHits,
        misses: this.counts.postingMisses
      },
      docValues: { bytes: this.docValues.usedBytes, maxBytes: this.budget.docValues, resets: this.docValues.epoch },
      text: { entries: this.text.size, bytes: this.text.calculatedSize, maxBytes: this.budget.text }
    }
  }
}

/**
 * Approximate memory of a posting list: per document its key string (a 10-character one-byte string and
 * its array slot, 40 bytes), six doubles of scoring data and an offset, plus the packed values.
 */
export function listMemory(l: PostingList): number {
  return Math.max(1, 256 + l.docs.length * (40 + 48 + 4) + l.bytes.length)
}
