// Expands the command line's files and folders into the crawl files to read.

import { readdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { createStats, readCrawl } from './reader/index.ts'
import { UserError } from '../index-core/user-error.ts'

const CRAWL_NAME = /\.(warc|arc|wacz)(\.[A-Za-z0-9]+){0,2}$/i
/** What the reader says of a file with nothing of a crawl in it (not of a damaged, ARC or lz4 crawl). */
const NO_CRAWL = new Set(['empty-file', 'junk-between-records', 'no-warc-records'])

export interface InputFile { path: string, bytes: number }

/** A file named on the command line that is not a crawl. */
export class NotACrawlError extends UserError {
  override name = 'NotACrawlError'
}

/**
 * Files named on the command line are always read, in the order given; inside folders, files named like
 * crawls, in name order. (Order does not change the index; it only decides what is read first.) A file named
 * on the command line with nothing of a crawl in it is refused, so that a mistaken argument is not taken for
 * an empty crawl; damaged crawls, and anything found in a folder, are read as far as they go.
 */
export async function expandInputs (inputs: readonly string[]): Promise<InputFile[]> {
  const out = new Map<string, InputFile>()
  const walk = async (p: string, explicit: boolean): Promise<void> => {
    const s = await stat(p)
    if (s.isDirectory()) {
      const names = (await readdir(p)).sort()
      for (const n of names) await walk(join(p, n), false)
    } else if (s.isFile() && (explicit || CRAWL_NAME.test(p))) {
      if (explicit) await checkHoldsRecord(p)
      out.set(resolve(p), { path: resolve(p), bytes: s.size })
    }
  }
  for (const i of inputs) await walk(i, true)
  return [...out.values()]
}

/** Reads `path` up to its first WARC record; throws if it has none, nor anything else of a crawl. */
async function checkHoldsRecord (path: string): Promise<void> {
  const stats = createStats()
  const found = new Set<string>()
  for await (const ev of readCrawl(path, { wantBody: () => false, stats })) {
    if (stats.records > 0) return
    if (ev.kind === 'skip') found.add(ev.reason)
  }
  if (stats.records > 0 || [...found].some(r => !NO_CRAWL.has(r))) return
  throw new NotACrawlError(`${path} holds no WARC record${found.size === 0 ? '' : ` (${[...found].join(', ')})`}: it is not a crawl`)
}
