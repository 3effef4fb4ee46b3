// The on-disk block store: one file per block in blockstore-fs's layout (NextToLast sharding, base32 multihash
// names), so helia's FsBlockstore serves the same directory. Reads go through blockstore-fs (opened and closed
// explicitly, because helia's start/stop does not do it for us); writes are done here, leaner than its put
// (which makes the directory and retries for every block): an ingest writes tens of thousands of blocks.

import { linkSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs'
import { link, mkdir, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { threadId } from 'node:worker_threads'
import { FsBlockstore } from 'blockstore-fs'
import { NextToLast } from 'blockstore-fs/sharding'
import type { CID } from 'multiformats/cid'
import type { BlockStore } from './blockstore.ts'
import { IpfsBlockStore } from './ipfs-blockstore.ts'

export interface OpenStore {
  readonly store: FsBlockStore
  close (): Promise<void>
}

export interface FsStoreOptions {
  /**
   * Write with synchronous calls: for a worker thread that has nothing else to do meanwhile, it saves a trip
   * through the thread pool per call. Never on a thread that serves requests.
   */
  readonly sync?: boolean
}

const sharding = new NextToLast()
let tmpSeq = 0

const exists = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'EEXIST'

export class FsBlockStore implements BlockStore {
  readonly #dir: string
  readonly #reads: IpfsBlockStore
  readonly #sync: boolean
  /** Shard folders known to exist. */
  readonly #made = new Set<string>()
  /** Bytes of the block files this store created (blocks already on disk are not counted again). */
  bytesAdded = 0

  constructor (dir: string, fs: FsBlockstore, sync: boolean) {
    this.#dir = resolve(dir)
    this.#reads = new IpfsBlockStore(fs)
    this.#sync = sync
  }

  async get (cid: CID): Promise<Uint8Array | undefined> { return await this.#reads.get(cid) }

  async has (cid: CID): Promise<boolean> { return await this.#reads.has(cid) }

  /**
   * Written to a temporary name, then linked to its own: a reader never sees part of a block, even after a
   * crash, and a block already there is left alone.
   */
  async put (cid: CID, bytes: Uint8Array): Promise<void> {
    const { dir, file } = sharding.encode(cid)
    const folder = join(this.#dir, dir)
    const path = join(folder, file)
    const tmp = `${path}.${process.pid}-${threadId}-${tmpSeq++}.tmp`
    if (this.#sync) {
      // No mkdir per store: the folder is made when the first write into it finds it missing (a build task
      // opens its own store, and most of the 1,024 folders exist after the first few trees).
      try {
        writeFileSync(tmp, bytes)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
        mkdirSync(folder, { recursive: true })
        writeFileSync(tmp, bytes)
      }
      try {
        linkSync(tmp, path)
        this.bytesAdded += bytes.length
      } catch (err) {
        if (!exists(err)) throw err
      } finally {
        unlinkSync(tmp)
      }
    } else {
      if (!this.#made.has(folder)) { await mkdir(folder, { recursive: true }); this.#made.add(folder) }
      try {
        await writeFile(tmp, bytes)
        await link(tmp, path)
        this.bytesAdded += bytes.length
      } catch (err) {
        if (!exists(err)) throw err
      } finally {
        await rm(tmp, { force: true })
      }
    }
  }
}

export async function openFsBlockStore (dir: string, opts: FsStoreOptions = {}): Promise<OpenStore> {
  const fs = new FsBlockstore(dir)
  await fs.open()
  return { store: new FsBlockStore(dir, fs, opts.sync ?? false), close: async () => { await fs.close() } }
}
