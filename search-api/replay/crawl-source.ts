// Where a crawl file's bytes are read from for replay: its UnixFS blocks when the store holds them (published
// with --crawls, or a partner's, fetched and verified as read), else the institution's crawl folder on disk
// (serve --crawl-root), where a file of the same name is used only once its UnixFS CID is the one the index
// recorded — so a file changed or replaced since ingest is never replayed as if it were the one indexed.

import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { CrawlFile } from '../../index-core/index/index.ts'
import type { BlockAccess } from '../../index-core/store/index.ts'
import { importCrawlFile } from '../../index-core/index/index.ts'
import { streamCrawlFile } from '../../federation/records/index.ts'
import type { CrawlCopies } from '../../federation/records/index.ts'
import type { RangeSource } from '../../ingest/cdx/index.ts'

export interface CrawlSource {
  /** Where the bytes come from, for messages. */
  readonly from: 'blocks' | 'disk'
  /** Bytes start..start+length of the named file. */
  read(start: number, length: number, signal?: AbortSignal): AsyncIterable<Uint8Array>
}

export function blockSource(store: BlockAccess, f: CrawlFile): CrawlSource {
  return { from: 'blocks', read: (start, length, signal) => streamCrawlFile(store, f, signal, start, length) }
}

function diskSource(file: string, f: CrawlFile): CrawlSource {
  return {
    from: 'disk',
    async *read(start, length, signal) {
      if (start < 0 || length < 0 || start + length > f.size)
        throw new RangeError(`bytes ${start}-${start + length - 1} lie outside ${f.file} (${f.size} bytes)`)
      if (length === 0) return
      yield* createReadStream(file, {
        start: f.offset + start,
        end: f.offset + start + length - 1,
        signal,
        highWaterMark: 1 << 20
      }) as AsyncIterable<Uint8Array>
    }
  }
}

/** Crawl files found on disk under a folder, by name, each checked against the CID the index names. */
export class CrawlFolder {
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
  async find(f: CrawlFile): Promise<CrawlSource | null> {
    const name = f.file.split('#')[0]
    // The folder is listed again when a name is missing, at most once a minute (new crawls arrive).
    if (this.#names === null || Date.now() - this.#listedAt > 60_000) {
      this.#listedAt = Date.now()
      this.#names = this.#list().catch(() => new Map())
    }
    const want = f.cid.toString()
    for (const file of (await this.#names).get(name) ?? []) {
      try {
        if ((await this.#cidOf(file)) === want) return diskSource(file, f)
      } catch {
        /* unreadable or gone: try the next */
      }
    }
    return null
  }
}

/** Copies of crawl files for the CDX tables: the file on disk that is `known`, or null. */
export function folderCopies(folder: CrawlFolder): CrawlCopies {
  return {
    source: async (_file, known): Promise<RangeSource | null> => {
      if (known === null) return null
      const disk = await folder.find(known)
      return disk === null ? null : { size: known.size, read: disk.read }
    }
  }
}

/** The source of a crawl file: blocks held, else the crawl folder, else blocks fetched from partners (or missing). */
export async function crawlSource(store: BlockAccess, f: CrawlFile, folder: CrawlFolder | null): Promise<CrawlSource> {
  if (await store.has(f.cid)) return blockSource(store, f)
  const disk = folder === null ? null : await folder.find(f)
  return disk ?? blockSource(store, f)
}
