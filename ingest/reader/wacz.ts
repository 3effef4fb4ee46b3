// WACZ packages: a zip with archive/*.warc(.gz), indexes/*.cdxj, pages/pages.jsonl and datapackage.json.
// WARC entries are normally stored (not deflated), so they are read in place from the zip file by position, which
// keeps gzip resynchronisation possible; deflated entries are inflated as a forward-only stream.

import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { createInterface } from 'node:readline';
import type { FileHandle } from 'node:fs/promises';
import type { ReadOptions, ReadStats, SkipEvent, SkipReason } from './types.ts';
import { createStats } from './types.ts';
import { open } from 'node:fs/promises';
import { DETECT_BYTES, detectFormat } from './detect.ts';
import { fileSource, streamSource, type ByteSource } from './source.ts';
import { readWarcSource, type ReadEvent } from './warc-file.ts';

export interface WaczPage {
  url: string;
  /** Capture time as written in pages.jsonl (ISO 8601), or null. */
  ts: string | null;
  title: string | null;
  id: string | null;
  /** Extracted page text, when the crawler stored it (hasText). */
  text?: string;
  /** The entry the page came from: 'pages/pages.jsonl' or 'pages/extraPages.jsonl'. */
  entry: string;
}

async function openZip(path: string): Promise<{ zip: ZipFile; entries: Entry[] }> {
  const zip = await yauzl.openPromise(path, {
    lazyEntries: true,
    autoClose: false,
    validateEntrySizes: true,
    strictFileNames: false,
  });
  const entries: Entry[] = [];
  try {
    for await (const e of zip.eachEntry()) entries.push(e);
  } catch (e) {
    zip.close();
    throw e;
  }
  return { zip, entries };
}

/** The package's WARC entries: the files under archive/. */
function archiveEntries(entries: Entry[]): Entry[] {
  return entries.filter((e) => e.fileName.startsWith('archive/') && !e.fileName.endsWith('/'));
}

/** The WARCs of a WACZ, one after the other. Records are labelled `${label}#${entryName}`. */
export async function* readWaczWarcs(
  path: string,
  fh: FileHandle,
  label: string,
  opts: ReadOptions,
  stats: ReadStats = createStats(),
): AsyncGenerator<ReadEvent> {
  const skip = (reason: SkipReason, file: string, detail: string): SkipEvent => {
    stats.skipped[reason] = (stats.skipped[reason] ?? 0) + 1;
    return { kind: 'skip', reason, file, offset: 0, detail, dropped: true };
  };
  let opened: { zip: ZipFile; entries: Entry[] };
  try {
    opened = await openZip(path);
  } catch (e) {
    yield skip('bad-zip', label, `cannot read the zip directory: ${(e as Error).message}`);
    return;
  }
  const { zip, entries } = opened;
  try {
    const warcs = archiveEntries(entries);
    if (warcs.length === 0) {
      yield skip('no-warc-records', label, 'zip has no archive/ entries');
      return;
    }
    for (const entry of warcs) {
      const file = `${label}#${entry.fileName}`;
      if (entry.isEncrypted() || (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)) {
        yield skip('unreadable-zip-entry', file, `entry is encrypted or uses compression method ${entry.compressionMethod}`);
        continue;
      }
      let src: ByteSource;
      try {
        if (entry.compressionMethod === 0) {
          const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
          src = fileSource(fh, fileDataStart, entry.compressedSize);
        } else {
          src = streamSource(await zip.openReadStreamPromise(entry), entry.uncompressedSize);
        }
      } catch (e) {
        yield skip('unreadable-zip-entry', file, (e as Error).message);
        continue;
      }
      yield* readWarcSource(src, file, opts, stats);
    }
  } finally {
    zip.close();
  }
}

/**
 * The WARCs a WACZ package stores as they are (not deflated), with where each one's bytes start in the package:
 * a record of one is then a byte range of the package too, so it can be fetched from the package's UnixFS file.
 * Empty for a file that is not a readable zip.
 */
export async function storedWarcEntries(path: string): Promise<Array<{ name: string; offset: number; size: number }>> {
  // Only a zip is opened as one (a WARC is not searched for a zip directory at its end).
  const fh = await open(path, 'r');
  let head: Uint8Array;
  try {
    head = await fileSource(fh).read(0, DETECT_BYTES);
  } finally {
    await fh.close();
  }
  if (detectFormat(head) !== 'zip') return [];
  let opened: { zip: ZipFile; entries: Entry[] };
  try {
    opened = await openZip(path);
  } catch {
    return [];
  }
  const { zip, entries } = opened;
  const out: Array<{ name: string; offset: number; size: number }> = [];
  try {
    for (const e of archiveEntries(entries)) {
      if (e.isEncrypted() || e.compressionMethod !== 0) continue;
      try {
        const { fileDataStart } = await zip.readLocalFileHeaderPromise(e, { minimal: true });
        out.push({ name: e.fileName, offset: fileDataStart, size: e.compressedSize });
      } catch {
        // An unreadable entry is skipped (and counted) when its records are read; it just has no address here.
      }
    }
  } finally {
    zip.close();
  }
  return out;
}

/**
 * The pages listed in a WACZ's pages/pages.jsonl (and pages/extraPages.jsonl), streamed. The header line and
 * lines that are not JSON objects with a url are skipped. A file that is not a readable zip yields nothing.
 */
export async function* readWaczPages(path: string): AsyncGenerator<WaczPage> {
  let opened: { zip: ZipFile; entries: Entry[] };
  try {
    opened = await openZip(path);
  } catch {
    return;
  }
  const { zip, entries } = opened;
  try {
    const pageEntries = entries.filter((e) => /^pages\/[^/]+\.jsonl$/.test(e.fileName));
    // pages.jsonl first: it lists the seeds; extraPages.jsonl the rest.
    pageEntries.sort((a, b) => Number(b.fileName === 'pages/pages.jsonl') - Number(a.fileName === 'pages/pages.jsonl'));
    for (const entry of pageEntries) {
      let stream;
      try {
        stream = await zip.openReadStreamPromise(entry);
      } catch {
        continue;
      }
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      try {
        for await (const line of lines) {
          if (!line.trim()) continue;
          let obj: unknown;
          try {
            obj = JSON.parse(line);
          } catch {
            continue;
          }
          if (!obj || typeof obj !== 'object') continue;
          const o = obj as Record<string, unknown>;
          if (typeof o.url !== 'string') continue; // header line ({"format": "json-pages-1.0", ...})
          const page: WaczPage = {
            url: o.url,
            ts: typeof o.ts === 'string' ? o.ts : null,
            title: typeof o.title === 'string' ? o.title : null,
            id: typeof o.id === 'string' ? o.id : null,
            entry: entry.fileName,
          };
          if (typeof o.text === 'string') page.text = o.text;
          yield page;
        }
      } catch {
        // A corrupt entry ends its pages; others are still read.
      } finally {
        lines.close();
        stream.destroy();
      }
    }
  } finally {
    zip.close();
  }
}
