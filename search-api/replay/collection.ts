// A served index as a replay collection. wabac.js never loads the index's whole CDX: its service worker
// (web/replay-sw.js) asks the lookup route for the captures of each URL a replayed page needs, answered from
// the index's CDX table on disk (federation/records/cdx-table.ts, shared with the CDX server API) by binary
// search, then reads each record by range from the range route of its crawl file.

import type { CrawlFile } from '../../index-core/index/index.ts'
import type { CdxTable } from '../../federation/records/index.ts'
import { parseCdxLine } from '../../ingest/cdx/index.ts'
import { appendRequestQuery } from 'warcio'

/** The URL path of a crawl file's bytes, for the replay engine (relative to the server). */
export function filePath(index: string, f: Pick<CrawlFile, 'institution' | 'file'>): string {
  return `/api/v1/replay/files/${encodeURIComponent(index)}/${encodeURIComponent(f.institution)}/${encodeURIComponent(f.file)}`
}

/** The name the browser keeps a collection under: another root, or files more read, is another collection. */
export function collectionName(index: string, root: string, missing = 0): string {
  return `canopy-${index.replace(/[^A-Za-z0-9_-]/g, '_')}-${root.slice(-12)}${missing === 0 ? '' : `-missing${missing}`}`
}

/** A crawl file whose records could not be read, and what to do about it. */
export interface UnreadableFile {
  readonly institution: string
  readonly file: string
  readonly reason: string
}

/** What the reader is told of files the table could not read (the details, a partner's addresses among them, go to the log). */
export function unreadableFiles(t: CdxTable, local: boolean): UnreadableFile[] {
  return t.unread.map(u => {
    const name = u.file.split('#')[0]
    const missing = u.reason === 'file-not-held'
    return {
      institution: u.institution,
      file: u.file,
      reason:
        missing && local
          ? `the crawl file ${name} is neither in the index's block store (canopy publish --crawls <its path>) nor, unchanged, in the crawl folder (canopy serve --crawl-root <folder>)`
          : missing
            ? `the crawl file ${name} could not be had from this server's store or from the partner that holds it; try again later`
            : `the crawl file ${name} could not be read (${u.reason})`
    }
  })
}

/** One capture as wabac's store keeps it (its ResourceEntry): where its record lies is the range route of its file. */
export interface ReplayEntry {
  readonly url: string
  /** Milliseconds since 1970 (wabac's form). */
  readonly ts: number
  readonly status: number
  readonly mime?: string
  readonly digest?: string
  readonly loaded: false
  readonly source: { readonly path: string; readonly start: number; readonly length: number }
}

function millis(ts: string): number {
  const t = ts.padEnd(14, '0')
  return Date.UTC(+t.slice(0, 4), Math.max(0, +t.slice(4, 6) - 1), Math.max(1, +t.slice(6, 8)), +t.slice(8, 10), +t.slice(10, 12), +t.slice(12, 14))
}

/**
 * A table line as wabac's CDX loader would store it (wabac's cdxloader.ts addCdx): HEAD and OPTIONS requests
 * left out, another method's body appended to the URL as a query, a SHA-1 digest named as such. Null for a line
 * that is not replayed.
 */
export function replayEntry(index: string, line: string): ReplayEntry | null {
  const f = parseCdxLine(line)
  if (f.method === 'HEAD' || f.method === 'OPTIONS' || f.url === undefined || f.source === undefined || f.filename === undefined) return null
  const url = f.method !== undefined && f.method !== 'GET' ? appendRequestQuery(f.url, f.requestBody ?? '', f.method) : f.url
  return {
    url,
    ts: millis(f.timestamp),
    status: Number(f.status) || 200,
    ...(f.mime === undefined ? {} : { mime: f.mime }),
    ...(f.digest === undefined ? {} : { digest: f.digest.includes(':') ? f.digest : `sha1:${f.digest}` }),
    loaded: false,
    source: { path: filePath(index, { institution: f.source, file: f.filename }), start: Number(f.offset), length: Number(f.length) }
  }
}
