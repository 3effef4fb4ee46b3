// The CDX tables of the served indexes (federation/records/cdx-table.ts), one per index and root, shared by the
// CDX server API and replay: opened (kept on disk) or built at first use and used while the index's root
// stays. A table missing files (a partner offline) is made again a minute on, and one whose file went (another
// process pruned it) at once.

import type { CdxTable, CrawlCopies, RecordLists } from '../federation/records/index.ts'
import { openCdxTable } from '../federation/records/index.ts'
import type { ServedIndex } from './registry.ts'

/** Longest a table may take to build (listing every crawl file it has not listed before). */
const BUILD_TIMEOUT_MS = 300_000

export class CdxTables {
  readonly #tables = new Map<string, Promise<CdxTable>>()
  /** Tables built, by the promise that made them (what `ready` answers without waiting). */
  readonly #built = new WeakMap<Promise<CdxTable>, CdxTable>()
  readonly #copies: CrawlCopies
  readonly #lists: RecordLists

  constructor(copies: CrawlCopies, lists: RecordLists) {
    this.#copies = copies
    this.#lists = lists
  }

  #drop(key: string, p: Promise<CdxTable>): void {
    if (this.#tables.get(key) !== p) return
    this.#tables.delete(key)
    void p.then(
      t => t.remove(),
      () => {}
    )
  }

  #open(served: Pick<ServedIndex, 'name' | 'path' | 'reader'>): { key: string; p: Promise<CdxTable> } {
    const key = `${served.name}\n${served.reader.cid.toString()}`
    let p = this.#tables.get(key)
    if (p === undefined) {
      p = openCdxTable(served.reader, this.#copies, { dataDir: served.path, lists: this.#lists, signal: AbortSignal.timeout(BUILD_TIMEOUT_MS) })
      const mine = p
      p.then(
        t => {
          this.#built.set(mine, t)
          if (t.unreadFiles > 0) setTimeout(() => this.#drop(key, mine), 60_000).unref()
        },
        () => {
          if (this.#tables.get(key) === mine) this.#tables.delete(key)
        }
      )
      for (const [k, old] of this.#tables) if (k.startsWith(`${served.name}\n`)) this.#drop(k, old)
      this.#tables.set(key, p)
    }
    return { key, p }
  }

  /** The index's table, opened or built (later callers share the one build). */
  async table(served: Pick<ServedIndex, 'name' | 'path' | 'reader'>): Promise<CdxTable> {
    return await this.#open(served).p
  }

  /** The index's table if it is made, else null (and its making started): for answers that must not wait. */
  ready(served: Pick<ServedIndex, 'name' | 'path' | 'reader'>): CdxTable | null {
    return this.#built.get(this.#open(served).p) ?? null
  }

  /** `use` run on the index's table; once more on a table made again if the kept one's file went meanwhile. */
  async with<T>(served: Pick<ServedIndex, 'name' | 'path' | 'reader'>, use: (t: CdxTable) => Promise<T>): Promise<T> {
    const { key, p } = this.#open(served)
    try {
      return await use(await p)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      this.#drop(key, p)
      return await use(await this.#open(served).p)
    }
  }

  /** Removes the temporary tables (kept ones stay). */
  close(): void {
    for (const [k, p] of this.#tables) this.#drop(k, p)
  }
}
