// CDX entries of an index's captures, for `canopy export --cdxj` and the CDX server API. What the index stores
// of a capture gives the URL, time and place (file, offset, length); the rest of a CDX line (MIME type as
// declared, status, payload digest as declared) is read from the record itself, by range, as pywb reads it.

import type { Capture } from '../index-core/index/capture-codec.ts'
import { decodeCapture, timestamp14 } from '../index-core/index/capture-codec.ts'
import { entriesOfKind, KIND_CAPTURE } from '../index-core/index/doc-keys.ts'
import type { IndexReader } from '../index-core/query/index-reader.ts'
import type { CdxEntry } from '../ingest/cdx/cdxj.ts'
import { formatCdxj, sortCdxLines } from '../ingest/cdx/cdxj.ts'
import { recordCdxFields } from '../ingest/cdx/record-fields.ts'
import { surt } from '../ingest/extract/url.ts'
import { captureRecordBytes, RecordUnavailableError } from './capture-records.ts'
import type { CrawlFolders } from './capture-records.ts'

/** The SURT key pywb gives a URL (the URL itself where surt cannot parse it, as pywb's canonicalize does for urn:). */
export function cdxKey (url: string): string {
  return surt(url) ?? url
}

/** The CDX entry of one capture, its record read by range; RecordUnavailableError says why it cannot be. */
export async function captureCdxEntry (reader: IndexReader, c: Capture, folders: CrawlFolders, signal?: AbortSignal): Promise<CdxEntry> {
  const bytes = await captureRecordBytes(reader, c, folders, signal)
  let f
  try {
    f = await recordCdxFields(bytes)
  } catch (err) {
    throw new RecordUnavailableError('record-unreadable', `the bytes at ${c.file}@${c.offset} are not a readable record: ${(err as Error).message}`)
  }
  // The record at that place must be the one captured: a different file of the same name is not.
  if (f.url !== c.url || timestamp14(f.date) !== timestamp14(c.date) || f.type !== c.type) {
    throw new RecordUnavailableError('record-differs', `the record at ${c.file}@${c.offset} is ${f.type} ${f.url} at ${f.date ?? '?'}, not the ${c.type} of ${c.url} at ${c.date ?? '?'} the index holds`)
  }
  return {
    urlkey: cdxKey(c.url),
    timestamp: timestamp14(c.date),
    url: c.url,
    mime: f.mime,
    ...(f.mimeDetected === null ? {} : { 'mime-detected': f.mimeDetected }),
    ...(f.status === null ? {} : { status: f.status }),
    ...(f.digest === null ? {} : { digest: f.digest }),
    length: String(c.length),
    offset: String(c.offset),
    filename: c.file
  }
}

/** Every capture the index holds (a walk of its documents tree). */
export async function * allCaptures (reader: IndexReader): AsyncGenerator<Capture> {
  for await (const e of entriesOfKind(reader.store, reader.root.docs, KIND_CAPTURE)) yield decodeCapture(e.value)
}

export interface CdxjExport {
  /** Sorted CDXJ lines (without newlines), duplicates removed (one record ingested by two institutions is one line). */
  readonly lines: string[]
  readonly captures: number
  /** Captures left out, by reason (RecordUnavailableError's codes), with the first few distinct details. */
  readonly skipped: Record<string, number>
  readonly details: string[]
}

/** The CDXJ index of every capture in `captures` (default: all the index holds), reading `concurrency` records at a time. */
export async function exportCdxj (reader: IndexReader, folders: CrawlFolders, opts: { concurrency?: number, signal?: AbortSignal, captures?: AsyncIterable<Capture> } = {}): Promise<CdxjExport> {
  const lines: string[] = []
  const skipped: Record<string, number> = {}
  const details: string[] = []
  let captures = 0
  let batch: Capture[] = []
  const flush = async (): Promise<void> => {
    const done = await Promise.all(batch.map(async c => await captureCdxEntry(reader, c, folders, opts.signal).then(e => formatCdxj(e), (err: unknown) => err)))
    for (const r of done) {
      if (typeof r === 'string') { lines.push(r); continue }
      if (!(r instanceof RecordUnavailableError)) throw r
      skipped[r.reason] = (skipped[r.reason] ?? 0) + 1
      if (details.length < 10 && !details.includes(r.message)) details.push(r.message)
    }
    batch = []
  }
  for await (const c of opts.captures ?? allCaptures(reader)) {
    captures++
    batch.push(c)
    if (batch.length >= (opts.concurrency ?? 16)) await flush()
  }
  await flush()
  const sorted = sortCdxLines(lines)
  return { lines: sorted.filter((l, i) => i === 0 || l !== sorted[i - 1]), captures, skipped, details }
}
