// Every record of a crawl file as CDXJ (pywb's format: SURT key, timestamp, then JSON with url, mime, status,
// digest, length, offset, filename), as warcio's indexer writes it — the same library wabac uses. A page's
// images and styles are not in Canopy's full-text index (only documents are), so replay needs this list of
// every record; it is made by reading the file once, then kept by the file's CID (content-addressed, so it
// never goes stale) in memory and in the data folder's replay/ (so other server processes and later runs
// do not read the file again), and opening a capture then reads only the records it needs, by range.

import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { CDXIndexer } from 'warcio'
import type { CrawlFile } from '../../index-core/index/file-codec.ts'
import { writeFileLinked } from '../../index-core/store/durable-file.ts'

/** One record's CDXJ fields, without the file name (added per collection). */
export interface RecordEntry {
  readonly urlkey: string
  readonly timestamp: string
  readonly url: string
  readonly fields: Record<string, unknown>
}

const FIELDS = ['urlkey', 'timestamp', 'url', 'mime', 'status', 'digest', 'length', 'offset', 'method', 'requestBody', 'recordDigest']

/**
 * The records of one crawl file, read from its bytes. A damaged file is listed as far as it can be parsed (as
 * ingest reads it); a failure to get the bytes (a block missing, a partner down) fails the whole listing, so
 * that a partial list is never kept as the file's.
 */
export async function indexRecords (bytes: AsyncIterable<Uint8Array>): Promise<RecordEntry[]> {
  let sourceError: unknown = null
  async function * watched (): AsyncGenerator<Uint8Array> {
    try { yield * bytes } catch (err) { sourceError = err; throw err }
  }
  const indexer = new CDXIndexer({ fields: FIELDS })
  const out: RecordEntry[] = []
  try {
    for await (const r of indexer.iterIndex([{ filename: '', reader: watched() }])) {
      const { urlkey, timestamp, url, filename: _f, ...fields } = r as Record<string, unknown>
      if (typeof urlkey !== 'string' || typeof timestamp !== 'string' || typeof url !== 'string') continue
      out.push({ urlkey, timestamp, url, fields: { url, ...fields } })
    }
  } catch (err) {
    if (sourceError !== null) throw sourceError
    if (out.length === 0) throw err
  }
  return out
}

/** The CDXJ line of a record in `filename` (a URL path the replay engine reads the record from, by range). */
export function cdxjLine (e: RecordEntry, filename: string, extra: Record<string, unknown> = {}): string {
  return `${e.urlkey} ${e.timestamp} ${JSON.stringify({ ...e.fields, filename, ...extra })}\n`
}

/** A record list as kept on disk: its CDXJ lines without file names. */
function serialize (list: readonly RecordEntry[]): string {
  return list.map(e => `${e.urlkey} ${e.timestamp} ${JSON.stringify(e.fields)}\n`).join('')
}

function parse (text: string): RecordEntry[] {
  const out: RecordEntry[] = []
  for (const line of text.split('\n')) {
    const a = line.indexOf(' ')
    const b = line.indexOf(' ', a + 1)
    if (a < 0 || b < 0) continue
    const fields = JSON.parse(line.slice(b + 1)) as Record<string, unknown>
    out.push({ urlkey: line.slice(0, a), timestamp: line.slice(a + 1, b), url: String(fields.url), fields })
  }
  return out
}

/** Where a file's list is kept in a data folder: named by the file's CID and place, so never stale. */
export function listPath (dataDir: string, f: CrawlFile): string {
  return path.join(dataDir, 'replay', `${f.cid.toString()}-${f.offset}-${f.size}.cdxj`)
}

async function readKept (file: string): Promise<RecordEntry[] | null> {
  try { return parse(await readFile(file, 'utf8')) } catch { return null }
}

/** Record lists by crawl file, each made once (concurrent askers share the reading), a bounded number kept. */
export class RecordIndexCache {
  readonly #lists = new Map<string, Promise<RecordEntry[]>>()
  readonly #max: number

  constructor (maxFiles = 256) { this.#max = maxFiles }

  /** The file's records: from memory, else as kept in `dataDir`, else read (and kept there when given). */
  async get (f: CrawlFile, read: () => AsyncIterable<Uint8Array>, dataDir?: string): Promise<RecordEntry[]> {
    const key = `${f.cid.toString()}@${f.offset}+${f.size}`
    let p = this.#lists.get(key)
    if (p === undefined) {
      p = (async () => {
        const file = dataDir === undefined ? null : listPath(dataDir, f)
        const kept = file === null ? null : await readKept(file)
        if (kept !== null) return kept
        const list = await indexRecords(read())
        if (file !== null) {
          // A cache: a folder that cannot be written to (read-only) only means the file is read again next time.
          try {
            await mkdir(path.dirname(file), { recursive: true })
            await writeFileLinked(file, Buffer.from(serialize(list)))
          } catch {}
        }
        return list
      })()
      // A failed reading is not kept: the blocks may be there next time (a partner back online).
      p.catch(() => { if (this.#lists.get(key) === p) this.#lists.delete(key) })
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
