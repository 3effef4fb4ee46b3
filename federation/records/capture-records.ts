// The bytes of a capture's WARC record, by range, never the whole crawl file: from a copy of the crawl in a
// folder the caller names (found by the file name captures record, its size checked against the index), else
// from the crawl file published as UnixFS in the store (a partner's through a fetching store).

import { createReadStream } from 'node:fs'
import { basename } from 'node:path'
import type { Capture, CrawlFile } from '../../index-core/index/index.ts'
import { recordStart } from '../../index-core/index/index.ts'
import type { IndexReader } from '../../index-core/query/index.ts'
import { UserError } from '../../index-core/user-error.ts'
import { expandInputs } from '../../ingest/index.ts'
import { storedWarcEntries } from '../../ingest/reader/index.ts'
import type { RangeSource } from '../../ingest/cdx/index.ts'
import { MAX_RECORD_BYTES, readRecord } from './crawl-record.ts'

/** Why a capture's record could not be read: a short code (counted by callers) and the detail. */
export class RecordUnavailableError extends UserError {
  override name = 'RecordUnavailableError'
  readonly reason: string
  constructor(reason: string, message: string) {
    super(message)
    this.reason = reason
  }
}

/**
 * Bytes [base, base+size) of the file at `where`, as a source read by range (`name` is the crawl file's, for
 * messages): streamed, so a large range is never held whole; a range beyond the file's end is refused.
 */
export function fileRange(where: string, base: number, size: number, name: string): RangeSource {
  return {
    size,
    async *read(start, length, signal) {
      if (start < 0 || length < 0 || start + length > size)
        throw new RecordUnavailableError('beyond-file', `bytes ${start}-${start + length} lie beyond the end of ${name}`)
      if (length === 0) return
      let got = 0
      for await (const c of createReadStream(where, { start: base + start, end: base + start + length - 1, signal, highWaterMark: 1 << 20 })) {
        got += (c as Buffer).length
        yield c as Uint8Array
      }
      if (got !== length) throw new RecordUnavailableError('beyond-file', `bytes ${start}-${start + length} lie beyond the end of ${where}`)
    }
  }
}

/** Where copies of crawl files may be found besides their blocks: a source read by range, or null when none is held. */
export interface CrawlCopies {
  source(file: string, known: CrawlFile | null): Promise<RangeSource | null>
}

/** Crawl files on disk by base name (what captures record: 'a.warc.gz', 'pkg.wacz#archive/data.warc'). */
export class CrawlFolders implements CrawlCopies {
  readonly #byName: Map<string, Array<{ path: string; bytes: number }>>
  readonly #inner = new Map<string, Promise<Array<{ name: string; offset: number; size: number }>>>()

  private constructor(byName: Map<string, Array<{ path: string; bytes: number }>>) {
    this.#byName = byName
  }

  /** The crawl files in `paths` (files, or folders walked for files named like crawls). */
  static async open(paths: readonly string[]): Promise<CrawlFolders> {
    const byName = new Map<string, Array<{ path: string; bytes: number }>>()
    if (paths.length > 0) {
      for (const f of (await expandInputs(paths)).files) {
        const name = basename(f.path)
        byName.set(name, [...(byName.get(name) ?? []), f])
      }
    }
    return new CrawlFolders(byName)
  }

  get size(): number {
    return this.#byName.size
  }

  /** The named crawl file (an inner WARC: its range in the package) as a source read by range, or null when not held. */
  async source(file: string, known: CrawlFile | null): Promise<RangeSource | null> {
    const hash = file.indexOf('#')
    const outer = hash < 0 ? file : file.slice(0, hash)
    const candidates = this.#byName.get(outer) ?? []
    if (candidates.length === 0) return null
    // A file of the same name but another size is another file: never read a record out of it.
    let pick = candidates
    if (known !== null && hash < 0) pick = candidates.filter(c => c.bytes === known.size)
    if (pick.length === 0)
      throw new RecordUnavailableError('file-differs', `${candidates[0].path} is not the ${file} the index knows (${known?.size ?? '?'} bytes)`)
    if (pick.length > 1) throw new RecordUnavailableError('file-ambiguous', `several crawl files are named ${outer}: ${pick.map(p => p.path).join(', ')}`)
    let base = 0
    let size = pick[0].bytes
    if (hash >= 0) {
      const innerName = file.slice(hash + 1)
      let inner = this.#inner.get(pick[0].path)
      if (inner === undefined) {
        inner = storedWarcEntries(pick[0].path)
        this.#inner.set(pick[0].path, inner)
      }
      const e = (await inner).find(x => x.name === innerName)
      if (e === undefined)
        throw new RecordUnavailableError(
          'compressed-in-package',
          `${innerName} is not stored uncompressed in ${pick[0].path}: no byte range of the package is the record`
        )
      if (known !== null && known.size !== e.size)
        throw new RecordUnavailableError('file-differs', `${file} in ${pick[0].path} is not the one the index knows (${known.size} bytes)`)
      base = e.offset
      size = e.size
    }
    return fileRange(pick[0].path, base, size, file)
  }

  /** The bytes file[offset, offset+length) of the named crawl file (an inner WARC: of it), or null when not held. */
  async read(file: string, known: CrawlFile | null, offset: number, length: number): Promise<Uint8Array | null> {
    const src = await this.source(file, known)
    if (src === null) return null
    const parts: Uint8Array[] = []
    for await (const c of src.read(offset, length)) parts.push(c)
    return parts.length === 1 ? parts[0] : new Uint8Array(Buffer.concat(parts))
  }
}

/**
 * The record bytes of capture `c` of the index `reader` reads: from `folders` first, else from the crawl file
 * the index names by CID, if the store holds (or can fetch) it. RecordUnavailableError says why not.
 */
export async function captureRecordBytes(reader: IndexReader, c: Capture, folders: CrawlFolders, signal?: AbortSignal): Promise<Uint8Array> {
  if (c.length <= 0)
    throw new RecordUnavailableError('shared-gzip-member', `the record at ${c.file}@${c.offset} shares its gzip member with others: no byte range is it alone`)
  if (c.length > MAX_RECORD_BYTES) throw new RecordUnavailableError('record-too-large', `the record at ${c.file}@${c.offset} is ${c.length} bytes`)
  const known = await reader.crawlFile(c)
  const local = await folders.read(c.file, known, c.offset, c.length)
  if (local !== null) return local
  if (known === null) throw new RecordUnavailableError('file-not-held', `${c.file} is in no crawl folder given, and the index does not know it by CID`)
  try {
    return await readRecord(reader.store.blocks, known.cid, recordStart(known, c.offset, c.length), c.length, signal)
  } catch (err) {
    throw new RecordUnavailableError(
      'file-not-held',
      `${c.file} is in no crawl folder given, and its blocks (${known.cid.toString()}) could not be read: ${(err as Error).message}`
    )
  }
}
