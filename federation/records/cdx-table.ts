// An index's CDX as pywb serves it: one CDXJ file of every record of every crawl file the index names,
// sorted, on disk, searched by binary search (ingest/cdx/sorted-file.ts). It is built once per index root:
// each crawl file's records (record-lists.ts, listed once per file and kept by CID) are sorted
// alone and written as a run, and the runs are merged, so memory holds one crawl file's lines at a time
// whatever the archive's size. A table whose files were all read is kept in the index folder's replay/cdx/,
// named by the root (the same root always has the same lines), for later queries, processes and runs.
// Captures in files that cannot be read (a partner offline) get lines made from the index alone, in a second
// sorted file; such a table is kept only in a temporary folder, and made again later.
// Each line names the institution whose crawl file holds the record (pywb's `source`, the field its
// aggregate indexes name a line's collection by), so a combined index's files of one name stay apart; records
// of documents the institution withdrew are left out (withdrawn-records.ts).

import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { decodeCapture, entriesOfKind, KIND_CAPTURE, keyDocId } from '../../index-core/index/index.ts'
import { docKey } from '../../index-core/query/index.ts'
import type { IndexReader } from '../../index-core/query/index.ts'
import { compareUtf8, formatCdxj, linesInRange, linesOf, mergeRuns, writeLines } from '../../ingest/cdx/index.ts'
import { RecordUnavailableError } from './capture-records.ts'
import type { CrawlCopies } from './capture-records.ts'
import { fileCdxEntries, storedCdxEntry } from './cdx-export.ts'
import { crawlFilesOf, RECORD_LIST_FORM, RecordLists } from './record-lists.ts'
import { withdrawnRecords } from './withdrawn-records.ts'

/** The form of a kept table (its lines are the record lists', so their form is part of it): old tables are never read. */
const TABLE_FORM = `2.${RECORD_LIST_FORM}`
/** Unreadable files described one by one (the rest are counted). */
const UNREAD_LISTED = 100
/** Kept tables per folder (one per served root at a time; older roots' are removed beyond this many). */
const KEEP_TABLES = 16
/** Lines from the index alone are sorted in memory this many at a time. */
const RUN_LINES = 100_000

export interface CdxTable {
  /** The sorted CDXJ of every record of the crawl files that could be read. */
  readonly file: string
  /** Sorted lines made from the index alone for captures in files that could not be read, or null. */
  readonly unreadFile: string | null
  /** Lines in `file`. */
  readonly lines: number
  /** Crawl files the index names. */
  readonly files: number
  /** Files that could not be read, by reason (RecordUnavailableError's codes). */
  readonly skipped: Readonly<Record<string, number>>
  readonly unreadFiles: number
  /** The first unreadable files (up to 100), each with its reason's code and message. */
  readonly unread: ReadonlyArray<{ readonly institution: string; readonly file: string; readonly reason: string; readonly message: string }>
  /** Removes a temporary table's files (a kept one stays). */
  remove(): Promise<void>
}

export interface CdxTableOptions {
  /** The index folder: the table is kept in its replay/cdx/, and the record lists in its replay/. Else a temporary folder. */
  readonly dataDir?: string
  readonly lists?: RecordLists
  readonly concurrency?: number
  readonly signal?: AbortSignal
}

interface Kept {
  readonly form: string
  readonly root: string
  readonly lines: number
  readonly files: number
}

/** The table of `reader`'s index: the kept one if there is one, else built. */
export async function openCdxTable(reader: IndexReader, crawls: CrawlCopies, opts: CdxTableOptions = {}): Promise<CdxTable> {
  const root = reader.cid.toString()
  const keepDir = opts.dataDir === undefined ? null : path.join(opts.dataDir, 'replay', 'cdx')
  if (keepDir !== null) {
    const kept = await readKept(keepDir, root)
    if (kept !== null) return kept
  }
  const lists = opts.lists ?? new RecordLists()
  const files = await crawlFilesOf(reader)
  // The build folder: beside the kept table (so the rename is within one file system), else temporary.
  let buildParent = os.tmpdir()
  if (keepDir !== null) {
    try {
      await mkdir(keepDir, { recursive: true })
      buildParent = keepDir
    } catch {}
  }
  const tmp = await mkdtemp(path.join(buildParent, 'build-'))
  try {
    const runs: string[] = []
    const unread = new Set<string>()
    const unreadList: Array<CdxTable['unread'][number]> = []
    const skipped: Record<string, number> = {}
    const withdrawn = await withdrawnRecords(reader)
    let next = 0
    const work = async (): Promise<void> => {
      for (let i = next++; i < files.length; i = next++) {
        const f = files[i]
        let lines: string[]
        try {
          const source = { source: f.institution }
          let entries = await fileCdxEntries(reader, f, crawls, lists, { dataDir: opts.dataDir, signal: opts.signal })
          if (withdrawn !== null) entries = entries.filter(e => !withdrawn(e, f.institution))
          lines = entries.map(e => formatCdxj(e, source))
        } catch (err) {
          if (!(err instanceof RecordUnavailableError)) throw err
          unread.add(`${f.institution}\n${f.file}`)
          if (unreadList.length < UNREAD_LISTED) unreadList.push({ institution: f.institution, file: f.file, reason: err.reason, message: err.message })
          skipped[err.reason] = (skipped[err.reason] ?? 0) + 1
          continue
        }
        const run = path.join(tmp, `run-${i}.cdxj`)
        await writeLines(run, lines.sort(compareUtf8))
        runs.push(run)
      }
    }
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, files.length) }, work))
    const main = path.join(tmp, 'table.cdxj')
    const lines = await mergeRuns(runs, main, tmp, opts.signal)
    const unreadFile = unread.size === 0 ? null : await unreadLines(reader, unread, tmp, opts.signal)
    if (keepDir !== null && buildParent === keepDir && unread.size === 0) {
      // The table, then its description: a table is kept only once both are in place.
      await rename(main, tablePath(keepDir, root))
      const meta: Kept = { form: TABLE_FORM, root, lines, files: files.length }
      await writeLines(`${metaPath(keepDir, root)}.tmp`, [JSON.stringify(meta)])
      await rename(`${metaPath(keepDir, root)}.tmp`, metaPath(keepDir, root))
      await rm(tmp, { recursive: true, force: true })
      await pruneKept(keepDir, root)
      return keptTable(keepDir, meta)
    }
    return {
      file: main,
      unreadFile,
      lines,
      files: files.length,
      skipped,
      unreadFiles: unread.size,
      unread: unreadList,
      remove: async () => await rm(tmp, { recursive: true, force: true })
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true })
    throw err
  }
}

/** The lines of a table, in order: the records', and (`withUnread`) merged with those made from the index alone. */
export async function* tableLines(t: CdxTable, opts: { withUnread?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<{ line: string; unread: boolean }> {
  const unread = t.unreadFile === null || opts.withUnread !== true ? null : linesOf(t.unreadFile, 0, opts.signal)
  yield* mergeTwo(linesOf(t.file, 0, opts.signal), unread)
}

/** The lines whose SURT key lies in [start, end), in order. */
export async function* tableRange(t: CdxTable, start: string, end: string, signal?: AbortSignal): AsyncGenerator<{ line: string; unread: boolean }> {
  yield* mergeTwo(linesInRange(t.file, start, end, signal), t.unreadFile === null ? null : linesInRange(t.unreadFile, start, end, signal))
}

async function* mergeTwo(a: AsyncGenerator<string>, b: AsyncGenerator<string> | null): AsyncGenerator<{ line: string; unread: boolean }> {
  if (b === null) {
    for await (const line of a) yield { line, unread: false }
    return
  }
  try {
    let x = await a.next()
    let y = await b.next()
    while (!x.done || !y.done) {
      if (y.done || (!x.done && compareUtf8(x.value, y.value) <= 0)) {
        yield { line: x.value as string, unread: false }
        x = await a.next()
      } else {
        yield { line: y.value, unread: true }
        y = await b.next()
      }
    }
  } finally {
    await a.return(undefined)
    await b.return(undefined)
  }
}

/** What the index stores of the captures in files that cannot be read: one walk of its documents, sorted in runs. */
async function unreadLines(reader: IndexReader, unread: ReadonlySet<string>, tmp: string, signal?: AbortSignal): Promise<string> {
  const runs: string[] = []
  let batch: string[] = []
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    const run = path.join(tmp, `unread-${runs.length}.cdxj`)
    await writeLines(run, batch.sort(compareUtf8))
    runs.push(run)
    batch = []
  }
  for await (const x of entriesOfKind(reader.store, reader.root.docs, KIND_CAPTURE)) {
    signal?.throwIfAborted()
    const c = decodeCapture(x.value)
    if (!unread.has(`${c.institution}\n${c.file}`)) continue
    const digest = (await reader.doc(docKey(keyDocId(x.key))))?.digest.replace(/^sha1:/, '')
    batch.push(formatCdxj(storedCdxEntry(c, digest), { source: c.institution }))
    if (batch.length >= RUN_LINES) await flush()
  }
  await flush()
  const out = path.join(tmp, 'unread.cdxj')
  await mergeRuns(runs, out, tmp, signal)
  return out
}

function tablePath(dir: string, root: string): string {
  return path.join(dir, `${root}.cdx-${TABLE_FORM}.cdxj`)
}

function metaPath(dir: string, root: string): string {
  return path.join(dir, `${root}.cdx-${TABLE_FORM}.json`)
}

function keptTable(dir: string, meta: Kept): CdxTable {
  return {
    file: tablePath(dir, meta.root),
    unreadFile: null,
    lines: meta.lines,
    files: meta.files,
    skipped: {},
    unreadFiles: 0,
    unread: [],
    remove: async () => {}
  }
}

async function readKept(dir: string, root: string): Promise<CdxTable | null> {
  try {
    const meta = JSON.parse(await readFile(metaPath(dir, root), 'utf8')) as Kept
    if (meta.form !== TABLE_FORM || meta.root !== root) return null
    await stat(tablePath(dir, root))
    return keptTable(dir, meta)
  } catch {
    return null
  }
}

/** Keeps the newest KEEP_TABLES tables of the folder (Canopy's own names only), and build folders left by a crash an hour on. */
async function pruneKept(dir: string, current: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[])
  const metas: Array<{ root: string; at: number }> = []
  for (const n of names) {
    const m = /^([a-z0-9]+)\.cdx-[0-9.]+\.json$/.exec(n)
    if (m !== null && m[1] !== current) {
      const at = await stat(path.join(dir, n)).then(
        s => s.mtimeMs,
        () => 0
      )
      metas.push({ root: m[1], at })
    }
    if (/^build-[A-Za-z0-9]{6}$/.test(n)) {
      const old = await stat(path.join(dir, n)).then(
        s => Date.now() - s.mtimeMs > 3_600_000,
        () => false
      )
      if (old) await rm(path.join(dir, n), { recursive: true, force: true })
    }
  }
  metas.sort((a, b) => b.at - a.at)
  for (const { root } of metas.slice(KEEP_TABLES - 1)) {
    for (const n of names) if (n.startsWith(`${root}.cdx-`)) await rm(path.join(dir, n), { force: true })
  }
}
