// The CDX lines of an index's crawl files, for `canopy export --cdxj` and the CDX server API: every record of
// every crawl file the index names (as pywb's and cdxj-indexer's indexers list them), from the record lists
// of federation/records/record-lists.ts, each written by ingest/cdx/cdxj.ts's one CDXJ writer. Crawl files are read
// from copies the caller names (found by name, checked by size), else from their UnixFS blocks in the store.

import type { Capture, CrawlFile } from '../../index-core/index/index.ts'
import { decodeCapture, timestamp14, entriesOfKind, KIND_CAPTURE } from '../../index-core/index/index.ts'
import type { IndexReader } from '../../index-core/query/index.ts'
import type { CdxEntry } from '../../ingest/cdx/index.ts'
import { formatCdxj, sortCdxLines, cdxKey } from '../../ingest/cdx/index.ts'
import { RecordUnavailableError } from './capture-records.ts'
import type { CrawlFolders } from './capture-records.ts'
import { blockRangeSource, crawlFilesOf, RecordLists } from './record-lists.ts'
import type { RangeSource } from './record-lists.ts'

export { cdxKey }

/** Where a crawl file is read from: a copy in `folders`, else its blocks (held, or fetched from the partner holding them). */
export async function crawlFileSource(reader: IndexReader, f: CrawlFile, folders: CrawlFolders): Promise<RangeSource> {
  const local = await folders.source(f.file, f)
  if (local !== null) return local
  return blockRangeSource(reader.store.blocks, f)
}

/** The CDX entries of every record of one crawl file, in file order. */
export async function fileCdxEntries(
  reader: IndexReader,
  f: CrawlFile,
  folders: CrawlFolders,
  lists: RecordLists,
  opts: { dataDir?: string; signal?: AbortSignal } = {}
): Promise<CdxEntry[]> {
  let list
  try {
    list = await lists.get(f, async () => await crawlFileSource(reader, f, folders), opts.dataDir, opts.signal)
  } catch (err) {
    if (err instanceof RecordUnavailableError) throw err
    throw new RecordUnavailableError(
      'file-not-held',
      `${f.file} is in no crawl folder given, and its blocks (${f.cid.toString()}) could not be read: ${(err as Error).message}`
    )
  }
  return list.map(e => ({ ...e, filename: f.file }))
}

/** Every capture the index holds (a walk of its documents tree). */
export async function* allCaptures(reader: IndexReader): AsyncGenerator<Capture> {
  for await (const e of entriesOfKind(reader.store, reader.root.docs, KIND_CAPTURE)) yield decodeCapture(e.value)
}

/** What the index itself stores of a capture, for a line whose record cannot be read: no MIME type unless a revisit. */
export function storedCdxEntry(c: Capture, digest: string | undefined): CdxEntry {
  return {
    urlkey: cdxKey(c.url),
    timestamp: timestamp14(c.date),
    url: c.url,
    ...(c.type === 'revisit' ? { mime: 'warc/revisit' } : {}),
    ...(c.type === 'response' && c.status !== null ? { status: String(c.status) } : {}),
    ...(digest === undefined ? {} : { digest }),
    length: String(c.length),
    offset: String(c.offset),
    filename: c.file
  }
}

export interface CdxjExport {
  /** Sorted CDXJ lines (without newlines), duplicates removed (one file named by two institutions is listed once). */
  readonly lines: string[]
  /** Crawl files the index names. */
  readonly files: number
  /** Files left out, by reason (RecordUnavailableError's codes), with the first few distinct details. */
  readonly skipped: Record<string, number>
  readonly details: string[]
}

/** The CDXJ index of every record of every crawl file the index names, listing `concurrency` files at a time. */
export async function exportCdxj(
  reader: IndexReader,
  folders: CrawlFolders,
  opts: { concurrency?: number; signal?: AbortSignal; lists?: RecordLists } = {}
): Promise<CdxjExport> {
  const lists = opts.lists ?? new RecordLists()
  const files = await crawlFilesOf(reader)
  const lines: string[] = []
  const skipped: Record<string, number> = {}
  const details: string[] = []
  let next = 0
  const work = async (): Promise<void> => {
    for (let i = next++; i < files.length; i = next++) {
      try {
        for (const e of await fileCdxEntries(reader, files[i], folders, lists, { signal: opts.signal })) lines.push(formatCdxj(e))
      } catch (err) {
        if (!(err instanceof RecordUnavailableError)) throw err
        skipped[err.reason] = (skipped[err.reason] ?? 0) + 1
        if (details.length < 10 && !details.includes(err.message)) details.push(err.message)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, files.length) }, work))
  const sorted = sortCdxLines(lines)
  return { lines: sorted.filter((l, i) => i === 0 || l !== sorted[i - 1]), files: files.length, skipped, details }
}
