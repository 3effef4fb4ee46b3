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
  head (): Promise<CID | null>
  setHead (cid: CID): Promise<void>
  close (): Promise<void>
}

export class IndexLockedError extends Error {
  override name = 'IndexLockedError'
}

function alive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM' }
}

async function lock (path: string): Promise<() => Promise<void>> {
  const file = join(path, 'LOCK')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(file, 'wx')
      await fh.writeFile(String(process.pid))
      await fh.close()
      return async () => { await rm(file, { force: true }) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim())
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new IndexLockedError(`index ${path} is being written by process ${pid}`)
      await rm(file, { force: true }) // stale lock from a process that died
    }
  }
  throw new IndexLockedError(`could not lock index ${path}`)
}

async function removeLeftovers (tmpDir: string, packsDir: string): Promise<void> {
  await rm(tmpDir, { recursive: true, force: true })
  const names = await readdir(packsDir).catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return [] as string[]; throw err })
  await Promise.all(names.filter(n => n.endsWith(PACK_TMP_SUFFIX)).map(async n => await rm(join(packsDir, n), { force: true })))
}

/** Opens (creating if needed) an index directory; `write` takes the lock for the life of the handle. */
export async function openIndexDir (path: string, opts: { write: boolean }): Promise<IndexDir> {
  const blocksDir = join(path, 'blocks')
  const tmpDir = join(path, 'tmp')
  await makeDirDurable(blocksDir)
  const unlock = opts.write ? await lock(path) : async () => {}
  // Only a writer (holding the lock) makes temporary files: any found now are a crashed run's leftovers.
  if (opts.write) await removeLeftovers(tmpDir, join(blocksDir, PACKS_DIR))
  const blocks = await openFsBlockStore(blocksDir)
  const headFile = join(path, 'HEAD')
  return {
    path,
    blocksDir,
    tmpDir,
    blocks,
    async head () {
      const text = await readFile(headFile, 'utf8').catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return null; throw err })
      return text === null ? null : CID.parse(text.trim())
    },
    async setHead (cid: CID) {
      if (!opts.write) throw new Error('index opened read-only')
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
