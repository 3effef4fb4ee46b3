// The CDX entries of an index's crawl files, for its CDX table (cdx-table.ts: `canopy export --cdxj` and the
// CDX server API): every record of every crawl file the index names (as pywb's and cdxj-indexer's indexers list
// them), from the record lists of record-lists.ts. Crawl files are read from copies the caller names (found by
// name, checked by size), else from their UnixFS blocks in the store.

import type { Capture, CrawlFile } from '../../index-core/index/index.ts'
import { timestamp14 } from '../../index-core/index/index.ts'
import type { IndexReader } from '../../index-core/query/index.ts'
import type { CdxEntry } from '../../ingest/cdx/index.ts'
import { cdxKey } from '../../ingest/cdx/index.ts'
import { RecordUnavailableError } from './capture-records.ts'
import type { CrawlCopies } from './capture-records.ts'
import { blockRangeSource } from './record-lists.ts'
import type { RecordLists } from './record-lists.ts'
import type { RangeSource } from './record-lists.ts'

export { cdxKey }

/** Where a crawl file is read from: its blocks when held, else a copy in `folders`, else its blocks fetched from the partner holding them. */
export async function crawlFileSource(reader: IndexReader, f: CrawlFile, folders: CrawlCopies): Promise<RangeSource> {
  // Held blocks are the file itself, checked by CID; a copy on disk may have to be hashed first to be trusted.
  if (await reader.store.blocks.has(f.cid)) return blockRangeSource(reader.store.blocks, f)
  const local = await folders.source(f.file, f)
  if (local !== null) return local
  return blockRangeSource(reader.store.blocks, f)
}

/** The CDX entries of every record of one crawl file, in file order. */
export async function fileCdxEntries(
  reader: IndexReader,
  f: CrawlFile,
  folders: CrawlCopies,
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
