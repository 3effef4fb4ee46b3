// The records of an index's crawl files, listed once per file (ingest/cdx/record-list.ts) and kept by the
// file's CID (content-addressed, so a list never goes stale) in memory and in the data folder's replay/ (so
// other server processes and later runs do not read the file again). Replay, the CDX server API and
// `canopy export --cdxj` all read these lists, and write their lines with one writer (ingest/cdx/cdxj.ts).

import { mkdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { decodeFile } from '../../index-core/index/index.ts'
import type { CrawlFile } from '../../index-core/index/index.ts'
import { entries } from '../../index-core/prolly/index.ts'
import type { IndexReader } from '../../index-core/query/index.ts'
import type { BlockAccess } from '../../index-core/store/index.ts'
import { writeFileLinked } from '../../index-core/store/index.ts'
import { listRecords } from '../../ingest/cdx/index.ts'
import type { RangeSource, RecordCdx } from '../../ingest/cdx/index.ts'
import { streamCrawlFile } from './crawl-bytes.ts'

export type { RecordCdx, RangeSource }

/** Every crawl file an index names. */
export async function crawlFilesOf(reader: IndexReader): Promise<CrawlFile[]> {
  const out: CrawlFile[] = []
  for await (const e of entries(reader.store, reader.root.files)) out.push(decodeFile(e.key, e.value))
  return out
}

/** A crawl file read from the UnixFS blocks of a store (the institution's own, or a partner's through a fetching store). */
export function blockRangeSource(store: BlockAccess, f: CrawlFile): RangeSource {
  return { size: f.size, read: (start, length, signal) => streamCrawlFile(store, f, signal, start, length) }
}

/** A record list as kept on disk: one JSON object a line. */
function serialize(list: readonly RecordCdx[]): string {
  return list.map(e => JSON.stringify(e) + '\n').join('')
}

function parse(text: string): RecordCdx[] {
  return text
    .split('\n')
    .filter(l => l !== '')
    .map(l => JSON.parse(l) as RecordCdx)
}

/** The form of a kept list (what a line holds): a change to the lister changes it, and every table made from lists. */
export const RECORD_LIST_FORM = 1

/** Where a file's list is kept in a data folder: named by the file's CID and place (and the list's form), so never stale. */
export function listPath(dataDir: string, f: CrawlFile): string {
  return path.join(dataDir, 'replay', `${f.cid.toString()}-${f.offset}-${f.size}.records-${RECORD_LIST_FORM}.ndjson`)
}

/** Where Canopy before records-1 kept a file's list (CDXJ lines): removed once the new list is kept. */
function oldListPath(dataDir: string, f: CrawlFile): string {
  return path.join(dataDir, 'replay', `${f.cid.toString()}-${f.offset}-${f.size}.cdxj`)
}

async function readKept(file: string): Promise<RecordCdx[] | null> {
  try {
    return parse(await readFile(file, 'utf8'))
  } catch {
    return null
  }
}

/** Record lists by crawl file, each made once (concurrent askers share the reading), a bounded number kept. */
export class RecordLists {
  readonly #lists = new Map<string, Promise<RecordCdx[]>>()
  readonly #max: number
  /** Bytes read from crawl files to list their records (what listing costs; a test counts it). */
  bytesRead = 0

  constructor(maxFiles = 256) {
    this.#max = maxFiles
  }

  /** The file's records: from memory, else as kept in `dataDir`, else read from `source()` (and kept there when given). */
  async get(f: CrawlFile, source: () => Promise<RangeSource>, dataDir?: string, signal?: AbortSignal): Promise<RecordCdx[]> {
    const key = `${f.cid.toString()}@${f.offset}+${f.size}`
    let p = this.#lists.get(key)
    if (p === undefined) {
      p = (async () => {
        const file = dataDir === undefined ? null : listPath(dataDir, f)
        const kept = file === null ? null : await readKept(file)
        if (kept !== null) return kept
        const list = await listRecords(await source(), {
          signal,
          read: n => {
            this.bytesRead += n
          }
        })
        if (file !== null) {
          // A cache: a folder that cannot be written to (read-only) only means the file is read again next time.
          try {
            await mkdir(path.dirname(file), { recursive: true })
            await writeFileLinked(file, Buffer.from(serialize(list)))
            // The same list in the form an earlier Canopy kept it (plain CDXJ, by the same CID and place): replaced.
            await rm(oldListPath(dataDir!, f), { force: true })
          } catch {}
        }
        return list
      })()
      // A failed reading is not kept: the blocks may be there next time (a partner back online).
      p.catch(() => {
        if (this.#lists.get(key) === p) this.#lists.delete(key)
      })
      this.#lists.set(key, p)
      while (this.#lists.size > this.#max) this.#lists.delete(this.#lists.keys().next().value!)
    } else {
      // Most recently used last.
      this.#lists.delete(key)
      this.#lists.set(key, p)
    }
    return await p
  }
}
