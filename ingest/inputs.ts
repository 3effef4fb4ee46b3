// Expands the command line's files and folders into the crawl files to read.

import { readdir, realpath, stat } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import { createStats, readCrawl } from './reader/index.ts'
import { UserError } from '../index-core/user-error.ts'

const CRAWL_NAME = /\.(warc|arc|wacz)(\.[A-Za-z0-9]+){0,2}$/i
/** What the reader says of a file with nothing of a crawl in it (not of a damaged, ARC or lz4 crawl). */
const NO_CRAWL = new Set(['empty-file', 'junk-between-records', 'no-warc-records'])

export interface InputFile {
  path: string
  bytes: number
}

export interface ExpandedInputs {
  readonly files: InputFile[]
  /** Entries of folders left out, by reason (symlink-loop, outside-crawl-root, unreadable). */
  readonly skipped: Record<string, number>
}

/** A file named on the command line that is not a crawl. */
export class NotACrawlError extends UserError {
  override name = 'NotACrawlError'
}

/** An input outside the folder ingest is confined to (the server's crawl folder). */
export class OutsideRootError extends UserError {
  override name = 'OutsideRootError'
}

const within = (root: string, p: string): boolean => p === root || p.startsWith(root + sep)

/**
 * Files named on the command line are always read, in the order given; inside folders, files named like
 * crawls, in name order. (Order does not change the index; it only decides what is read first.) A file named
 * on the command line with nothing of a crawl in it is refused, so that a mistaken argument is not taken for
 * an empty crawl; damaged crawls, and anything found in a folder, are read as far as they go.
 *
 * Paths are followed to their real place: a folder reached twice (a symlink loop, or two links to one
 * folder) is walked once, and with `root` anything whose real place is outside it is refused (named) or
 * skipped (found in a folder), so a symlink inside the crawl folder cannot read files elsewhere.
 */
export async function expandInputs(inputs: readonly string[], opts: { root?: string } = {}): Promise<ExpandedInputs> {
  const out = new Map<string, InputFile>()
  const skipped: Record<string, number> = {}
  const skip = (reason: string): void => {
    skipped[reason] = (skipped[reason] ?? 0) + 1
  }
  const root = opts.root === undefined ? undefined : await realpath(opts.root)
  const walked = new Set<string>()
  const walk = async (p: string, explicit: boolean): Promise<void> => {
    let real: string
    try {
      real = await realpath(p)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (explicit) throw err
      skip(code === 'ELOOP' ? 'symlink-loop' : 'unreadable')
      return
    }
    if (root !== undefined && !within(root, real)) {
      if (explicit) throw new OutsideRootError(`${p} is outside the crawl folder (it leads to ${real})`)
      skip('outside-crawl-root')
      return
    }
    const s = await stat(real)
    if (s.isDirectory()) {
      if (walked.has(real)) {
        skip('symlink-loop')
        return
      }
      walked.add(real)
      const names = (await readdir(real)).sort()
      for (const n of names) await walk(join(p, n), false)
    } else if (s.isFile() && (explicit || CRAWL_NAME.test(p))) {
      if (explicit) await checkHoldsRecord(real, p)
      out.set(real, { path: resolve(p), bytes: s.size })
    }
  }
  for (const i of inputs) await walk(i, true)
  return { files: [...out.values()], skipped }
}

/** Reads `path` up to its first WARC record; throws if it has none, nor anything else of a crawl. */
async function checkHoldsRecord(path: string, named: string): Promise<void> {
  const stats = createStats()
  const found = new Set<string>()
  for await (const ev of readCrawl(path, { wantBody: () => false, stats })) {
    if (stats.records > 0) return
    if (ev.kind === 'skip') found.add(ev.reason)
  }
  if (stats.records > 0 || [...found].some(r => !NO_CRAWL.has(r))) return
  throw new NotACrawlError(`${named} holds no WARC record${found.size === 0 ? '' : ` (${[...found].join(', ')})`}: it is not a crawl`)
}
