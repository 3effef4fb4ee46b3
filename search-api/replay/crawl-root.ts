// The institution's crawl folder on disk (serve --crawl-root), a copy of crawl files read when their blocks are
// not held: a file of the same name is used only once its UnixFS CID is the one the index recorded, so a file
// changed or replaced since ingest is never replayed or listed as if it were the one indexed.

import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { CrawlFile } from '../../index-core/index/index.ts'
import { importCrawlFile } from '../../index-core/index/index.ts'
import { fileRange } from '../../federation/records/index.ts'
import type { CrawlCopies } from '../../federation/records/index.ts'
import type { RangeSource } from '../../ingest/cdx/index.ts'

/** Crawl files found on disk under a folder, by name, each checked against the CID the index names. */
export class CrawlFolder implements CrawlCopies {
  readonly #root: string
  #names: Promise<Map<string, string[]>> | null = null
  #listedAt = 0
  /** path → the CID of the file as it was (size and mtime) when hashed. */
  readonly #cids = new Map<string, { size: number; mtimeMs: number; cid: Promise<string> }>()

  constructor(root: string) {
    this.#root = path.resolve(root)
  }

  async #list(): Promise<Map<string, string[]>> {
    const names = new Map<string, string[]>()
    for (const e of await readdir(this.#root, { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue
      const list = names.get(e.name) ?? []
      list.push(path.join(e.parentPath, e.name))
      names.set(e.name, list)
    }
    return names
  }

  async #cidOf(file: string): Promise<string> {
    const s = await stat(file)
    const known = this.#cids.get(file)
    if (known !== undefined && known.size === s.size && known.mtimeMs === s.mtimeMs) return await known.cid
    const cid = importCrawlFile(file).then(r => r.cid.toString())
    this.#cids.set(file, { size: s.size, mtimeMs: s.mtimeMs, cid })
    return await cid
  }

  /** The file on disk that is `f` (for an inner file, its package), or null. */
  async source(_file: string, f: CrawlFile | null): Promise<RangeSource | null> {
    if (f === null) return null
    const name = f.file.split('#')[0]
    // The folder is listed again when a name is missing, at most once a minute (new crawls arrive).
    if (this.#names === null || Date.now() - this.#listedAt > 60_000) {
      this.#listedAt = Date.now()
      this.#names = this.#list().catch(() => new Map())
    }
    const want = f.cid.toString()
    for (const file of (await this.#names).get(name) ?? []) {
      try {
        if ((await this.#cidOf(file)) === want) return fileRange(file, f.offset, f.size, f.file)
      } catch {
        /* unreadable or gone: try the next */
      }
    }
    return null
  }
}
