// A CDXJ file sorted by its lines' UTF-8 bytes, as pywb keeps its indexes: written by a k-way merge of sorted
// runs (memory holds one line per run, whatever the total, so an archive of any size can be indexed), and
// searched by binary search over byte offsets (pywb's binsearch), so a lookup reads a few blocks of the file.

import { createReadStream, createWriteStream } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { compareUtf8 } from './cdxj.ts'

/** Runs merged at once: a bound on open files, far below any system's limit. */
const FAN_IN = 64
/** Below this many bytes between the two ends, a binary search scans instead of halving. */
const SCAN_BYTES = 64 * 1024
const READ_BYTES = 16 * 1024

/** The SURT key of a line: what comes before its first space. */
export function lineKey(line: string): string {
  const sp = line.indexOf(' ')
  return sp < 0 ? line : line.slice(0, sp)
}

/** Writes lines, one a line, to `file` (a new file), fsynced: a cache a reader trusts must not be torn. */
export async function writeLines(file: string, lines: Iterable<string> | AsyncIterable<string>): Promise<number> {
  const out = createWriteStream(file, { flags: 'wx' })
  let n = 0
  let failed: Error | null = null
  out.on('error', err => {
    failed ??= err
  })
  try {
    for await (const line of lines) {
      if (failed !== null) break
      n++
      if (!out.write(line + '\n')) {
        // The listener that did not fire is removed (else one pair is left behind per wait, for the file's life).
        const done = new AbortController()
        try {
          await Promise.race([once(out, 'drain', { signal: done.signal }), once(out, 'close', { signal: done.signal })])
        } finally {
          done.abort()
        }
      }
    }
  } finally {
    out.end()
    await once(out, 'close').catch(() => {})
  }
  if (failed !== null) throw failed
  const fh = await open(file, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
  return n
}

/** The lines of a file, in order, from byte `start` (a line's start). */
export async function* linesOf(file: string, start = 0, signal?: AbortSignal): AsyncGenerator<string> {
  const input = createReadStream(file, { start, highWaterMark: 64 * 1024, signal })
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  try {
    for await (const line of rl) if (line !== '') yield line
  } finally {
    rl.close()
    input.destroy()
  }
}

/** A min-heap of the runs' current lines. */
interface Head {
  line: string
  readonly rest: AsyncIterator<string>
}

async function* mergeLines(runs: readonly string[], signal?: AbortSignal): AsyncGenerator<string> {
  const heap: Head[] = []
  const less = (a: Head, b: Head): boolean => compareUtf8(a.line, b.line) < 0
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < heap.length && less(heap[l], heap[m])) m = l
      if (r < heap.length && less(heap[r], heap[m])) m = r
      if (m === i) return
      ;[heap[i], heap[m]] = [heap[m], heap[i]]
      i = m
    }
  }
  const iters = runs.map(r => linesOf(r, 0, signal))
  try {
    for (const rest of iters) {
      const first = await rest.next()
      if (!first.done) heap.push({ line: first.value, rest })
    }
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i)
    let last: string | null = null
    while (heap.length > 0) {
      const top = heap[0]
      // Equal lines once: one crawl file named by two institutions, or listed twice, is one record.
      if (top.line !== last) yield top.line
      last = top.line
      const next = await top.rest.next()
      if (next.done) {
        const end = heap.pop()!
        if (heap.length > 0) heap[0] = end
      } else top.line = next.value
      down(0)
    }
  } finally {
    await Promise.all(iters.map(it => it.return(undefined)))
  }
}

/**
 * Merges sorted run files into `out` (sorted, equal lines once), in passes of at most FAN_IN runs, and
 * removes the runs. `tmpDir` holds the intermediate runs. Returns the number of lines written.
 */
export async function mergeRuns(runs: readonly string[], out: string, tmpDir: string, signal?: AbortSignal): Promise<number> {
  let level = [...runs]
  let pass = 0
  while (level.length > FAN_IN) {
    const next: string[] = []
    for (let i = 0; i < level.length; i += FAN_IN) {
      const group = level.slice(i, i + FAN_IN)
      const merged = path.join(tmpDir, `merge-${pass}-${i / FAN_IN}.cdxj`)
      await writeLines(merged, mergeLines(group, signal))
      await Promise.all(group.map(g => rm(g, { force: true })))
      next.push(merged)
    }
    level = next
    pass++
  }
  const tmp = `${out}.tmp`
  const n = await writeLines(tmp, mergeLines(level, signal))
  await rename(tmp, out)
  await Promise.all(level.map(g => rm(g, { force: true })))
  return n
}

/** The line that starts at byte `at` of the file (to its newline or the end), and where the next one starts. */
async function lineAt(fh: FileHandle, at: number, size: number): Promise<{ line: string; next: number }> {
  const parts: Buffer[] = []
  let pos = at
  while (pos < size) {
    const buf = Buffer.allocUnsafe(Math.min(READ_BYTES, size - pos))
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos)
    if (bytesRead === 0) break
    const nl = buf.subarray(0, bytesRead).indexOf(0x0a)
    if (nl >= 0) {
      parts.push(buf.subarray(0, nl))
      return { line: Buffer.concat(parts).toString('utf8'), next: pos + nl + 1 }
    }
    parts.push(buf.subarray(0, bytesRead))
    pos += bytesRead
  }
  return { line: Buffer.concat(parts).toString('utf8'), next: size }
}

/** Where the first line after byte `at` starts (the line `at` falls in is skipped), or `size`. */
async function nextLineStart(fh: FileHandle, at: number, size: number): Promise<number> {
  return at === 0 ? 0 : (await lineAt(fh, at - 1, size)).next
}

/**
 * The byte offset of a line at or before the first line whose key is not below `key`: every line before it
 * has a smaller key. A binary search over byte offsets, then the caller scans (at most SCAN_BYTES and a line).
 */
export async function seekKey(file: string, key: string): Promise<number> {
  const fh = await open(file, 'r')
  try {
    const size = (await fh.stat()).size
    let lo = 0
    let hi = size
    while (hi - lo > SCAN_BYTES) {
      const mid = lo + Math.floor((hi - lo) / 2)
      const start = await nextLineStart(fh, mid, size)
      if (start >= size) {
        hi = mid
        continue
      }
      const { line, next } = await lineAt(fh, start, size)
      if (compareUtf8(lineKey(line), key) < 0) lo = next
      else hi = mid
    }
    return lo
  } finally {
    await fh.close()
  }
}

/** The lines whose key lies in [start, end), in order. */
export async function* linesInRange(file: string, start: string, end: string, signal?: AbortSignal): AsyncGenerator<string> {
  for await (const line of linesOf(file, await seekKey(file, start), signal)) {
    const k = lineKey(line)
    if (compareUtf8(k, start) < 0) continue
    if (compareUtf8(k, end) >= 0) return
    yield line
  }
}
