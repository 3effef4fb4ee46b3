// Entry point: opens a crawl file, decides from its first bytes what it is, and streams its records.

import { open } from 'node:fs/promises'
import type { ReadOptions, ReadStats } from './types.ts'
import { createStats } from './types.ts'
import { DETECT_BYTES, detectFormat } from './detect.ts'
import { fileSource } from './source.ts'
import { readWarcSource, type ReadEvent } from './warc-file.ts'
import { readWaczWarcs } from './wacz.ts'

/**
 * Streams the captures of a .warc, .warc.gz (any name) or .wacz file, with a SkipEvent for everything that cannot
 * be read. Counts go into opts.stats (if given) as reading proceeds, and the final stats are the return value.
 * Throws only when the file itself cannot be opened or read (missing, permissions, I/O error).
 */
export async function* readCrawl(path: string, opts: ReadOptions = {}): AsyncGenerator<ReadEvent, ReadStats, undefined> {
  const stats = opts.stats ?? createStats()
  const fh = await open(path, 'r')
  try {
    const head = await fileSource(fh).read(0, DETECT_BYTES)
    if (detectFormat(head) === 'zip') {
      yield* readWaczWarcs(path, fh, path, opts, stats)
    } else {
      yield* readWarcSource(fileSource(fh), path, opts, stats)
    }
  } finally {
    await fh.close()
  }
  return stats
}
