// A served index as a replay collection: the CDXJ of every record of every crawl file the index names, each
// line pointing at Canopy's range route for its file, and the nearest capture of a URL (for the banner).

import type { CrawlFile } from '../../index-core/index/index.ts'
import { formatCdxj, cdxKey } from '../../ingest/cdx/index.ts'
import { crawlFilesOf } from '../../federation/records/index.ts'
import type { RecordCdx, RecordLists } from '../../federation/records/index.ts'
import type { ServedIndex } from '../registry.ts'
import { crawlSource } from './crawl-source.ts'
import type { CrawlFolder } from './crawl-source.ts'

/** A crawl file whose records could not be read, and why (its blocks are not held, a partner is down…). */
export interface UnreadableFile {
  readonly institution: string
  readonly file: string
  readonly reason: string
}

export interface Collection {
  /** The name the replay engine keeps it under: changes with the index's root. */
  readonly name: string
  readonly root: string
  readonly files: number
  readonly records: number
  readonly unreadable: UnreadableFile[]
  readonly cdxj: Buffer
  /** Captures by SURT key, oldest first: for the nearest one to a time. */
  readonly byKey: Map<string, CaptureRef[]>
}

export interface CaptureRef {
  readonly timestamp: string
  readonly url: string
  readonly institution: string
  readonly mime: string | null
  readonly status: number | null
}

/** The URL path of a crawl file's bytes, for the replay engine (relative to the server). */
export function filePath(index: string, f: Pick<CrawlFile, 'institution' | 'file'>): string {
  return `/api/v1/replay/files/${encodeURIComponent(index)}/${encodeURIComponent(f.institution)}/${encodeURIComponent(f.file)}`
}

/** The name the browser keeps a collection under: another root, or a file more listed, is another collection. */
export function collectionName(index: string, root: string, missing = 0): string {
  return `canopy-${index.replace(/[^A-Za-z0-9_-]/g, '_')}-${root.slice(-12)}${missing === 0 ? '' : `-missing${missing}`}`
}

export async function crawlFiles(served: ServedIndex): Promise<CrawlFile[]> {
  return await crawlFilesOf(served.reader)
}

const NO_BLOCKS = /not held|not available|NotFound/i

/** Crawl files listed side by side: a partner's are fetched over the network, and one slow file should not hold up the rest. */
const LISTING_CONCURRENCY = 4

export async function buildCollection(
  served: ServedIndex,
  cache: RecordLists,
  timeoutMs: number,
  folder: CrawlFolder | null,
  log: (msg: string) => void = () => {}
): Promise<Collection> {
  const root = served.reader.cid.toString()
  const files = await crawlFiles(served)
  const store = served.reader.store.blocks
  const lists: Array<RecordCdx[] | UnreadableFile> = new Array(files.length)
  let next = 0
  const work = async (): Promise<void> => {
    for (let i = next++; i < files.length; i = next++) {
      const f = files[i]
      try {
        lists[i] = await cache.get(
          f,
          async () => {
            const source = await crawlSource(store, f, folder)
            return { size: f.size, read: source.read }
          },
          served.path,
          AbortSignal.timeout(timeoutMs)
        )
      } catch (err) {
        const m = (err as Error).message
        log(`replay: the records of ${f.file} (${f.cid.toString()}) could not be listed: ${m}`)
        // The details (a partner's addresses among them) go to the log; the reader is told what to do.
        lists[i] = {
          institution: f.institution,
          file: f.file,
          reason:
            NO_BLOCKS.test(m) && served.kind === 'local'
              ? `the crawl file ${f.file.split('#')[0]} is neither in the index's block store (canopy publish --crawls <its path>) nor, unchanged, in the crawl folder (canopy serve --crawl-root <folder>)`
              : NO_BLOCKS.test(m) || served.kind !== 'local'
                ? `the crawl file ${f.file.split('#')[0]} could not be had from this server's store or from the partner that holds it; try again later`
                : `the crawl file ${f.file.split('#')[0]} could not be read: ${m}`
        }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(LISTING_CONCURRENCY, files.length) }, work))

  const unreadable: UnreadableFile[] = []
  const lines: string[] = []
  const byKey = new Map<string, CaptureRef[]>()
  for (let i = 0; i < files.length; i++) {
    const f = files[i]
    const list = lists[i]
    if (!Array.isArray(list)) {
      unreadable.push(list)
      continue
    }
    const path = filePath(served.name, f)
    for (const e of list) {
      lines.push(formatCdxj({ ...e, filename: path }, { institution: f.institution }) + '\n')
      const refs = byKey.get(e.urlkey) ?? []
      refs.push({
        timestamp: e.timestamp,
        url: e.url,
        institution: f.institution,
        mime: e.mime ?? null,
        status: e.status === undefined ? null : Number(e.status)
      })
      byKey.set(e.urlkey, refs)
    }
  }
  lines.sort()
  for (const refs of byKey.values()) refs.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0))
  return {
    name: collectionName(served.name, root, unreadable.length),
    root,
    files: files.length,
    records: lines.length,
    unreadable,
    cdxj: Buffer.from(lines.join('')),
    byKey
  }
}

/** The capture of `url` nearest to `timestamp` (a 14-digit prefix or less; the earlier of two as near). */
export function nearestCapture(c: Collection, url: string, timestamp: string): CaptureRef | null {
  const refs = c.byKey.get(cdxKey(url))
  if (refs === undefined || refs.length === 0) return null
  const want = Number(timestamp.padEnd(14, '0').slice(0, 14))
  let best = refs[0]
  for (const r of refs) if (Math.abs(Number(r.timestamp) - want) < Math.abs(Number(best.timestamp) - want)) best = r
  return best
}
