// An index directory on disk:
//   blocks/  every block (content-addressed, only ever added): loose files, and packs/ from ingest builds
//   HEAD     the current index root CID; replaced atomically and durably (durable-file.ts) once a change is
//            complete, after every block it names is on disk
//   LOCK     held by the one process writing, so two ingests cannot race on HEAD
//   tmp/     a writer's scratch files (an ingest's sorted runs), removed when the next writer opens the index
// A failed or interrupted write leaves HEAD, and so the index it names, exactly as it was.

import { mkdir, readdir, readFile, rm, open } from 'node:fs/promises'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import { makeDirDurable, writeFileDurable } from './durable-file.ts'
import { openFsBlockStore } from './fs-blockstore.ts'
import type { OpenStore } from './fs-blockstore.ts'
import { PACK_TMP_SUFFIX } from './pack-file.ts'
import { PACKS_DIR } from './packed-blockstore.ts'

export interface IndexDir {
  readonly path: string
  readonly blocksDir: string
  readonly tmpDir: string
  readonly blocks: OpenStore
  /** Opened to write (holding LOCK). */
  readonly writable: boolean
  /** A writer found a crashed or killed run's leftovers (a stale LOCK, scratch files): its packs may be garbage. */
  readonly leftovers: boolean
  head (): Promise<CID | null>
  setHead (cid: CID): Promise<void>
  close (): Promise<void>
}

export class IndexLockedError extends Error {
  override name = 'IndexLockedError'
}

/** HEAD holds something other than a CID. */
export class HeadError extends Error {
  override name = 'HeadError'
}

function alive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM' }
}

/** Takes LOCK; `stale` says a dead writer's lock was found (and removed) first. */
async function lock (path: string): Promise<{ unlock: () => Promise<void>, stale: boolean }> {
  const file = join(path, 'LOCK')
  let stale = false
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(file, 'wx')
      await fh.writeFile(String(process.pid))
      await fh.close()
      return { unlock: async () => { await rm(file, { force: true }) }, stale }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim())
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new IndexLockedError(`index ${path} is being written by process ${pid}`)
      await rm(file, { force: true }) // stale lock from a process that died
      stale = true
    }
  }
  throw new IndexLockedError(`could not lock index ${path}`)
}

/** Removes a crashed writer's scratch files; true when there were any. */
async function removeLeftovers (tmpDir: string, packsDir: string): Promise<boolean> {
  const scratch = await readdir(tmpDir).catch(() => [] as string[])
  await rm(tmpDir, { recursive: true, force: true })
  const names = await readdir(packsDir).catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return [] as string[]; throw err })
  const packs = names.filter(n => n.endsWith(PACK_TMP_SUFFIX))
  await Promise.all(packs.map(async n => await rm(join(packsDir, n), { force: true })))
  return scratch.length > 0 || packs.length > 0
}

/** Opens (creating if needed) an index directory; `write` takes the lock for the life of the handle. */
export async function openIndexDir (path: string, opts: { write: boolean }): Promise<IndexDir> {
  const blocksDir = join(path, 'blocks')
  const tmpDir = join(path, 'tmp')
  await makeDirDurable(blocksDir)
  const { unlock, stale } = opts.write ? await lock(path) : { unlock: async () => {}, stale: false }
  // Only a writer (holding the lock) makes temporary files: any found now are a crashed run's leftovers.
  const leftovers = opts.write && (await removeLeftovers(tmpDir, join(blocksDir, PACKS_DIR)) || stale)
  const blocks = await openFsBlockStore(blocksDir)
  const headFile = join(path, 'HEAD')
  return {
    path,
    blocksDir,
    tmpDir,
    blocks,
    writable: opts.write,
    leftovers,
    async head () {
      const text = await readFile(headFile, 'utf8').catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return null; throw err })
      if (text === null) return null
      try {
        return CID.parse(text.trim())
      } catch {
        const shown = JSON.stringify(text.trim().slice(0, 40))
        throw new HeadError(`${headFile} is damaged: it should hold the index root's CID, and holds ${shown}${text.trim().length > 40 ? '...' : ''}`)
      }
    },
    async setHead (cid: CID) {
      if (!opts.write) throw new Error('index opened read-only')
      // Every block HEAD may name reaches the disk before HEAD does.
      await blocks.store.sync()
      await writeFileDurable(headFile, cid.toString() + '\n')
    },
    async close () {
      await blocks.close()
      await unlock()
    }
  }
}

export async function makeTmpDir (dir: IndexDir, name: string): Promise<string> {
  const p = join(dir.tmpDir, `${name}-${process.pid}-${Date.now()}`)
  await mkdir(p, { recursive: true })
  return p
}
