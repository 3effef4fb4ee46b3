// An index directory on disk:
//   blocks/  every block (content-addressed, only ever added): loose files, and packs/ from ingest builds
//   HEAD     the current index root CID; replaced atomically and durably (durable-file.ts) once a change is
//            complete, after every block it names is on disk
//   LOCK     held by the one process writing, so two ingests cannot race on HEAD (LOCK.* are its own files)
//   tmp/     a writer's scratch files (an ingest's sorted runs), removed when the next writer opens the index
//   replay/  the server's record lists of crawl files, for replay (search-api/replay): a cache, named by CID
// A failed or interrupted write leaves HEAD, and so the index it names, exactly as it was.

import { createHash, randomBytes } from 'node:crypto'
import { link, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { CID } from 'multiformats/cid'
import { makeDirDurable, writeFileDurable } from './durable-file.ts'
import { openFolderBlocks } from './folder-blocks.ts'
import type { OpenFolderBlocks } from './folder-blocks.ts'
import { PACK_TMP_SUFFIX } from './pack-file.ts'
import { PACKS_DIR } from './packed-blockstore.ts'
import { UserError } from '../user-error.ts'

export interface IndexDir {
  readonly path: string
  readonly blocksDir: string
  readonly tmpDir: string
  readonly blocks: OpenFolderBlocks
  /** Opened to write (holding LOCK). */
  readonly writable: boolean
  /** A writer found a crashed or killed run's leftovers (a stale LOCK, scratch files): its packs may be garbage. */
  readonly leftovers: boolean
  head(): Promise<CID | null>
  setHead(cid: CID): Promise<void>
  close(): Promise<void>
}

export class IndexLockedError extends UserError {
  override name = 'IndexLockedError'
}

/** HEAD holds something other than a CID. */
export class HeadError extends UserError {
  override name = 'HeadError'
}

/** A folder that is not (or not only) a Canopy index, where one was expected. */
export class NotAnIndexError extends UserError {
  override name = 'NotAnIndexError'
}

/** Whether a name in an index folder is one this module makes: the layout above and its temporary files. */
function isIndexEntry(name: string): boolean {
  return ['HEAD', 'LOCK', 'blocks', 'tmp', 'replay'].includes(name) || /^HEAD\.\d+\.tmp$/.test(name) || /^LOCK\.[0-9a-f]+\.(new|broken)$/.test(name)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code
}

/** Most tries at the lock; each lost race (a stale lock removed or taken meanwhile) costs one. */
const LOCK_TRIES = 50
/** Lock files older than this are removed: nobody can still be acting on a stale lock read then. */
const MARKER_MS = 10 * 60 * 1000

/**
 * Takes the write lock. LOCK holds `pid nonce`, and only ever appears whole: it is written under a name of
 * its own, then linked as LOCK, which fails if LOCK exists. A stale LOCK (its process died) is removed only by
 * the one process that creates its marker, LOCK.<hash of its text>.broken, exclusively: several writers may
 * find the same stale lock, but only one removes it, and none can remove the lock a winner then takes
 * (its text, and so its marker, differs). The markers are kept a while for those still acting on a stale read.
 */
async function lock(path: string): Promise<{ unlock: () => Promise<void>; stale: boolean }> {
  const file = join(path, 'LOCK')
  const nonce = randomBytes(8).toString('hex')
  const mine = `${process.pid} ${nonce}\n`
  const staged = join(path, `LOCK.${nonce}.new`)
  let stale = false
  await writeFile(staged, mine, { flag: 'wx' })
  try {
    for (let attempt = 0; attempt < LOCK_TRIES; attempt++) {
      try {
        await link(staged, file)
        await removeOldLockFiles(path)
        const unlock = async (): Promise<void> => {
          // Only its own: a LOCK removed by hand and taken since is another writer's.
          if ((await readFile(file, 'utf8').catch(() => null)) === mine) await rm(file, { force: true })
        }
        return { unlock, stale }
      } catch (err) {
        if (errno(err) !== 'EEXIST') throw err
      }
      const text = await readFile(file, 'utf8').catch((err: unknown) => {
        if (errno(err) === 'ENOENT') return null
        throw err
      })
      if (text === null) continue // released meanwhile
      const pid = Number(text.split(' ')[0])
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new IndexLockedError(`index ${path} is being written by process ${pid}`)
      const marker = join(path, `LOCK.${createHash('sha256').update(text).digest('hex').slice(0, 32)}.broken`)
      try {
        await writeFile(marker, String(process.pid), { flag: 'wx' })
      } catch (err) {
        if (errno(err) !== 'EEXIST') throw err
        await sleep(10) // another writer is removing this stale lock
        continue
      }
      await rm(file, { force: true }) // still the stale lock: only this marker's maker removes it
      stale = true
    }
    throw new IndexLockedError(`could not lock index ${path}: a stale LOCK is being removed by another process (if none is running, delete ${file})`)
  } finally {
    await rm(staged, { force: true })
  }
}

/** Old markers, and the staged copies of writers that died while taking the lock. */
async function removeOldLockFiles(path: string): Promise<void> {
  const names = (await readdir(path)).filter(n => /^LOCK\.[0-9a-f]+\.(new|broken)$/.test(n))
  await Promise.all(
    names.map(async n => {
      const at = await stat(join(path, n)).then(
        s => s.mtimeMs,
        () => null
      )
      if (at !== null && Date.now() - at > MARKER_MS) await rm(join(path, n), { force: true })
    })
  )
}

/** Removes a crashed writer's scratch files; true when there were any. */
async function removeLeftovers(tmpDir: string, packsDir: string): Promise<boolean> {
  const scratch = await readdir(tmpDir).catch(() => [] as string[])
  await rm(tmpDir, { recursive: true, force: true })
  const names = await readdir(packsDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[]
    throw err
  })
  const packs = names.filter(n => n.endsWith(PACK_TMP_SUFFIX))
  await Promise.all(packs.map(async n => await rm(join(packsDir, n), { force: true })))
  return scratch.length > 0 || packs.length > 0
}

/** Checks that `path` is an index folder (it has blocks/), for readers: they must not create one. */
export async function checkIndexDir(path: string): Promise<void> {
  const blocks = await stat(join(path, 'blocks')).catch((err: unknown) => {
    if (errno(err) === 'ENOTDIR') throw new NotAnIndexError(`no Canopy index at ${path} (it is a file)`)
    if (errno(err) === 'ENOENT') return null
    throw err
  })
  if (blocks === null || !blocks.isDirectory()) throw new NotAnIndexError(`no Canopy index at ${path}`)
}

/**
 * Opens an index directory: a writer creates it if needed and takes the lock for the life of the handle; a
 * reader creates nothing, and fails on a folder that is not an index.
 */
export async function openIndexDir(path: string, opts: { write: boolean }): Promise<IndexDir> {
  const blocksDir = join(path, 'blocks')
  const tmpDir = join(path, 'tmp')
  if (opts.write) await makeDirDurable(blocksDir)
  else await checkIndexDir(path)
  const { unlock, stale } = opts.write ? await lock(path) : { unlock: async () => {}, stale: false }
  // Only a writer (holding the lock) makes temporary files: any found now are a crashed run's leftovers.
  const leftovers = opts.write && ((await removeLeftovers(tmpDir, join(blocksDir, PACKS_DIR))) || stale)
  const blocks = await openFolderBlocks(blocksDir)
  const headFile = join(path, 'HEAD')
  return {
    path,
    blocksDir,
    tmpDir,
    blocks,
    writable: opts.write,
    leftovers,
    async head() {
      const text = await readFile(headFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null
        throw err
      })
      if (text === null) return null
      try {
        return CID.parse(text.trim())
      } catch {
        const shown = JSON.stringify(text.trim().slice(0, 40))
        throw new HeadError(`${headFile} is damaged: it should hold the index root's CID, and holds ${shown}${text.trim().length > 40 ? '...' : ''}`)
      }
    },
    async setHead(cid: CID) {
      if (!opts.write) throw new Error('index opened read-only')
      // Every block HEAD may name reaches the disk before HEAD does.
      await blocks.store.sync()
      await writeFileDurable(headFile, cid.toString() + '\n')
    },
    async close() {
      await blocks.close()
      await unlock()
    }
  }
}

/**
 * Removes the index in `path` (HEAD, blocks, tmp), under the write lock, to build it afresh. A folder holding
 * anything else is refused whole: what Canopy did not make there is not Canopy's to delete.
 */
export async function clearIndex(path: string): Promise<void> {
  const names = await readdir(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[]
    if (err.code === 'ENOTDIR') throw new NotAnIndexError(`${path} is a file, not a Canopy index folder`)
    throw err
  })
  const foreign = names.filter(n => !isIndexEntry(n)).sort()
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ` and ${foreign.length - 3} more` : '')
    throw new NotAnIndexError(`${path} holds ${shown}, which is not part of a Canopy index: refusing to replace it (choose another folder)`)
  }
  if (names.length === 0) return
  const { unlock } = await lock(path)
  try {
    // The lock's files stay: LOCK is this call's, and stale locks' markers must outlive it (lock above).
    await Promise.all(names.filter(n => n !== 'LOCK' && !n.startsWith('LOCK.')).map(async n => await rm(join(path, n), { recursive: true, force: true })))
  } finally {
    await unlock()
  }
}

export async function makeTmpDir(dir: IndexDir, name: string): Promise<string> {
  const p = join(dir.tmpDir, `${name}-${process.pid}-${Date.now()}`)
  await mkdir(p, { recursive: true })
  return p
}
