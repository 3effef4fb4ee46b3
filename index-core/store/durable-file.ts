// The one way Canopy puts a file in place so that it survives a crash or a power loss, as SQLite and LMDB
// promise: write a temporary file, fsync it, rename (or link) it to its name, fsync the folder. Without the
// first fsync a rename can reach the disk before the data (HEAD naming blocks that are not there); without
// the second the new name itself can be lost. Packs, loose blocks, HEAD, refs and identity files all go
// through here, so every file a pointer names is on disk before the pointer moves.

import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs'
import { link, mkdir, open, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { threadId } from 'node:worker_threads'

/** `replace`: the new file takes the name (rename). `keep`: a file already there stays (link; for content-addressed files). */
export type Placement = 'replace' | 'keep'

export interface DurableWriteOptions {
  readonly placement?: Placement
  /** Permission bits of a new file (a private key's 0600). */
  readonly mode?: number
}

let seq = 0

/** A temporary name beside `path`, unique to this process and thread, ending in `.tmp`. */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}-${threadId}-${seq++}.tmp`
}

const isExists = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'EEXIST'

export function syncDirSync(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/** The folders whose entries a mkdir -p from `created` down to `dir` added to: each needs an fsync. */
function parentsToSync(created: string | undefined, dir: string): string[] {
  if (created === undefined) return []
  const out: string[] = []
  for (let d = dir; d.length >= created.length; d = dirname(d)) {
    out.push(dirname(d))
    if (d === created || d === dirname(d)) break
  }
  return out
}

/** mkdir -p whose new folders survive a power loss (their names are fsynced into their parents). */
export function makeDirDurableSync(dir: string): void {
  for (const p of parentsToSync(mkdirSync(dir, { recursive: true }), dir)) syncDirSync(p)
}

export async function makeDirDurable(dir: string): Promise<void> {
  for (const p of parentsToSync(await mkdir(dir, { recursive: true }), dir)) await syncDir(p)
}

/**
 * Puts `tmp` (written and fsynced by the caller) at `path` and fsyncs the folder; `tmp` is gone afterwards.
 * False when placement `keep` found a file already at `path` (left as it was).
 */
export function placeSync(tmp: string, path: string, placement: Placement): boolean {
  let placed = true
  try {
    if (placement === 'replace') renameSync(tmp, path)
    else linkSync(tmp, path)
  } catch (err) {
    if (placement === 'replace' || !isExists(err)) {
      rmSync(tmp, { force: true })
      throw err
    }
    placed = false
  }
  if (placement === 'keep') rmSync(tmp, { force: true })
  if (placed) syncDirSync(dirname(path))
  return placed
}

export async function place(tmp: string, path: string, placement: Placement): Promise<boolean> {
  let placed = true
  try {
    if (placement === 'replace') await rename(tmp, path)
    else await link(tmp, path)
  } catch (err) {
    if (placement === 'replace' || !isExists(err)) {
      await rm(tmp, { force: true })
      throw err
    }
    placed = false
  }
  if (placement === 'keep') await rm(tmp, { force: true })
  if (placed) await syncDir(dirname(path))
  return placed
}

/** Fsyncs and closes a file descriptor a writer filled (a pack), ready for placeSync. */
export function finishSync(fd: number): void {
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * Writes `data` under a temporary name and links it to `path` (left alone when a file is there), without
 * fsync: for content-addressed files a batch later makes durable at once (syncFiles) before anything names
 * them. True when this call placed the file.
 */
export async function writeFileLinked(path: string, data: Uint8Array): Promise<boolean> {
  const tmp = tempPathFor(path)
  try {
    await writeFile(tmp, data, { flag: 'wx' })
    try {
      await link(tmp, path)
      return true
    } catch (err) {
      if (isExists(err)) return false
      throw err
    }
  } finally {
    await rm(tmp, { force: true })
  }
}

/** Fsyncs files written without it (writeFileLinked), then each of their folders once. */
export async function syncFiles(files: Iterable<string>): Promise<void> {
  const dirs = new Set<string>()
  const list = [...files]
  // A few at a time: each fsync waits on the disk, and the kernel merges concurrent flushes.
  for (let i = 0; i < list.length; i += 32) {
    await Promise.all(
      list.slice(i, i + 32).map(async f => {
        const fh = await open(f, 'r')
        try {
          await fh.sync()
        } finally {
          await fh.close()
        }
        dirs.add(dirname(f))
      })
    )
  }
  for (const d of dirs) await syncDir(d)
}

/**
 * Writes `data` to `path` durably (its folder must exist). With placement `keep` (the default is `replace`),
 * returns false and leaves the file alone when one is already there.
 */
export async function writeFileDurable(path: string, data: string | Uint8Array, opts: DurableWriteOptions = {}): Promise<boolean> {
  const tmp = tempPathFor(path)
  const fh = await open(tmp, 'wx', opts.mode ?? 0o666)
  try {
    await fh.writeFile(data)
    await fh.sync()
  } catch (err) {
    await fh.close()
    await rm(tmp, { force: true })
    throw err
  }
  await fh.close()
  return await place(tmp, path, opts.placement ?? 'replace')
}
