// WACZ packages: a zip with archive/*.warc(.gz), indexes/*.cdxj, pages/pages.jsonl and datapackage.json.
// WARC entries are normally stored (not deflated), so they are read in place from the zip file by position, which
// keeps gzip resynchronisation possible; deflated entries are inflated as a forward-only stream.

import type { Entry, ZipFile } from 'yauzl'
import { createInterface } from 'node:readline'
import type { FileHandle } from 'node:fs/promises'
import type { ReadOptions, ReadStats, SkipEvent, SkipReason } from './types.ts'
import { createStats } from './types.ts'
import { open } from 'node:fs/promises'
import { DETECT_BYTES, detectFormat } from './detect.ts'
import { fileSource, streamSource, type ByteSource } from './source.ts'
import { readWarcSource, type ReadEvent } from './warc-file.ts'

export interface WaczPage {
  url: string
  /** Capture time as written in pages.jsonl (ISO 8601), or null. */
  ts: string | null
  title: string | null
  id: string | null
  /** Extracted page text, when the crawler stored it (hasText). */
  text?: string
  /** The entry the page came from: 'pages/pages.jsonl' or 'pages/extraPages.jsonl'. */
  entry: string
}

async function openZip(path: string): Promise<ZipFile> {
  // Loaded for the first zip: WARC ingests never need it.
  const { default: yauzl } = await import('yauzl')
  return await yauzl.openPromise(path, {
    lazyEntries: true,
    autoClose: false,
    validateEntrySizes: true,
    strictFileNames: false
  })
}

/** A package's WARC entries: the files under archive/. */
const isArchiveEntry = (e: Entry): boolean => e.fileName.startsWith('archive/') && !e.fileName.endsWith('/')

/**
 * The zip's entries that `accept` takes, read from its central directory as they are needed: a package of
 * half a million entries is walked with the memory of one, and its first WARC is read before the last entry
 * is listed. A directory that breaks off midway ends the walk with the error.
 */
async function* zipEntries(zip: ZipFile, accept: (e: Entry) => boolean): AsyncGenerator<Entry> {
  for await (const e of zip.eachEntry()) if (accept(e)) yield e
}

/** The WARCs of a WACZ, one after the other. Records are labelled `${label}#${entryName}`. */
export async function* readWaczWarcs(
  path: string,
  fh: FileHandle,
  label: string,
  opts: ReadOptions,
  stats: ReadStats = createStats()
): AsyncGenerator<ReadEvent> {
  const skip = (reason: SkipReason, file: string, detail: string): SkipEvent => {
    stats.skipped[reason] = (stats.skipped[reason] ?? 0) + 1
    return { kind: 'skip', reason, file, offset: 0, detail, dropped: true }
  }
  let zip: ZipFile
  try {
    zip = await openZip(path)
  } catch (e) {
    yield skip('bad-zip', label, `cannot read the zip directory: ${(e as Error).message}`)
    return
  }
  let warcs = 0
  try {
    const entries = zipEntries(zip, isArchiveEntry)
    for (;;) {
      let entry: Entry
      try {
        const next = await entries.next()
        if (next.done === true) break
        entry = next.value
      } catch (e) {
        yield skip('bad-zip', label, `cannot read the zip directory: ${(e as Error).message}`)
        return
      }
      warcs++
      const file = `${label}#${entry.fileName}`
      if (entry.isEncrypted() || (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)) {
        yield skip('unreadable-zip-entry', file, `entry is encrypted or uses compression method ${entry.compressionMethod}`)
        continue
      }
      let src: ByteSource
      try {
        if (entry.compressionMethod === 0) {
          const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true })
          src = fileSource(fh, fileDataStart, entry.compressedSize)
        } else {
          src = streamSource(await zip.openReadStreamPromise(entry), entry.uncompressedSize)
        }
      } catch (e) {
        yield skip('unreadable-zip-entry', file, (e as Error).message)
        continue
      }
      yield* readWarcSource(src, file, opts, stats)
    }
    if (warcs === 0) yield skip('no-warc-records', label, 'zip has no archive/ entries')
  } finally {
    zip.close()
  }
}

/**
 * The WARCs a WACZ package stores as they are (not deflated), with where each one's bytes start in the package:
 * a record of one is then a byte range of the package too, so it can be fetched from the package's UnixFS file.
 * Empty for a file that is not a readable zip.
 */
export async function storedWarcEntries(path: string): Promise<Array<{ name: string; offset: number; size: number }>> {
  // Only a zip is opened as one (a WARC is not searched for a zip directory at its end).
  const fh = await open(path, 'r')
  let head: Uint8Array
  try {
    head = await fileSource(fh).read(0, DETECT_BYTES)
  } finally {
    await fh.close()
  }
  if (detectFormat(head) !== 'zip') return []
  let zip: ZipFile
  try {
    zip = await openZip(path)
  } catch {
    return []
  }
  const out: Array<{ name: string; offset: number; size: number }> = []
  try {
    // A directory that breaks off midway keeps the addresses found before the break.
    for await (const e of zipEntries(zip, isArchiveEntry)) {
      if (e.isEncrypted() || e.compressionMethod !== 0) continue
      try {
        const { fileDataStart } = await zip.readLocalFileHeaderPromise(e, { minimal: true })
        out.push({ name: e.fileName, offset: fileDataStart, size: e.compressedSize })
      } catch {
        // An unreadable entry is skipped (and counted) when its records are read; it just has no address here.
      }
    }
  } catch {
    // The rest of the directory is unreadable: the records there are skipped (and counted) when read.
  } finally {
    zip.close()
  }
  return out
}

/**
 * The pages listed in a WACZ's pages/pages.jsonl (and pages/extraPages.jsonl), streamed. The header line and
 * lines that are not JSON objects with a url are skipped. A file that is not a readable zip yields nothing.
 */
export async function* readWaczPages(path: string): AsyncGenerator<WaczPage> {
  let zip: ZipFile
  try {
    zip = await openZip(path)
  } catch {
    return
  }
  try {
    const pageEntries: Entry[] = []
    for await (const e of zipEntries(zip, x => /^pages\/[^/]+\.jsonl$/.test(x.fileName))) pageEntries.push(e)
    // pages.jsonl first: it lists the seeds; extraPages.jsonl the rest.
    pageEntries.sort((a, b) => Number(b.fileName === 'pages/pages.jsonl') - Number(a.fileName === 'pages/pages.jsonl'))
    for (const entry of pageEntries) {
      let stream
      try {
        stream = await zip.openReadStreamPromise(entry)
      } catch {
        continue
      }
      const lines = createInterface({ input: stream, crlfDelay: Infinity })
      try {
        for await (const line of lines) {
          if (!line.trim()) continue
          let obj: unknown
          try {
            obj = JSON.parse(line)
          } catch {
            continue
          }
          if (!obj || typeof obj !== 'object') continue
          const o = obj as Record<string, unknown>
          if (typeof o.url !== 'string') continue // header line ({"format": "json-pages-1.0", ...})
          const page: WaczPage = {
            url: o.url,
            ts: typeof o.ts === 'string' ? o.ts : null,
            title: typeof o.title === 'string' ? o.title : null,
            id: typeof o.id === 'string' ? o.id : null,
            entry: entry.fileName
          }
          if (typeof o.text === 'string') page.text = o.text
          yield page
        }
      } catch {
        // A corrupt entry ends its pages; others are still read.
      } finally {
        lines.close()
        stream.destroy()
      }
    }
  } finally {
    zip.close()
  }
}
