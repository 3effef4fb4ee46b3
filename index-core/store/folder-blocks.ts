// The on-disk block store of an index folder: loose block files in blockstore-fs's layout (NextToLast
// sharding, base32 multihash names) and pack files beside them (packed-blockstore.ts), so helia serves the same
// folder. Loose writes are done here, leaner than blockstore-fs's put (which makes the directory and retries
// for every block); a store opened with `pack` appends its blocks to one new pack instead (an ingest's tree
// builds write tens of thousands of blocks, and a file per block costs more than building the trees).

import { join, resolve } from 'node:path'
import { NextToLast } from 'blockstore-fs/sharding'
import type { CID } from 'multiformats/cid'
import type { BlockAccess } from './block-access.ts'
import { makeDirDurable, syncFiles, writeFileLinked } from './durable-file.ts'
import { PackWriter, packKey } from './pack-file.ts'
import { PackedBlockstore } from './packed-blockstore.ts'

export interface OpenFolderBlocks {
  readonly store: FolderBlocks
  /** Closes the store; a store opened with `pack` puts its pack in place first. */
  close(): Promise<void>
}

export interface FolderBlocksOptions {
  /**
   * Write new blocks into one new pack, put in place by close(): for bulk writers (tree builds), never for a
   * store that serves reads to others meanwhile, since the pack's blocks are visible to other stores only then.
   */
  readonly pack?: boolean
}

const sharding = new NextToLast()

export class FolderBlocks implements BlockAccess {
  readonly #dir: string
  readonly disk: PackedBlockstore
  /** The pack this store writes into, made at its first block (pack mode only). */
  #pack: PackWriter | null = null
  #packing: boolean
  /** Shard folders known to exist. */
  readonly #made = new Set<string>()
  /** Loose block files written and not yet fsynced (sync()). */
  readonly #unsynced = new Set<string>()
  /** Bytes this store added to the folder (blocks already there are not counted again). */
  bytesAdded = 0

  constructor(disk: PackedBlockstore, pack: boolean) {
    this.#dir = resolve(disk.path)
    this.disk = disk
    this.#packing = pack
  }

  async get(cid: CID): Promise<Uint8Array | undefined> {
    const key = this.#pack === null ? null : packKey(cid)
    return (key === null ? undefined : this.#pack!.get(key)) ?? (await this.disk.read(cid))
  }

  async has(cid: CID): Promise<boolean> {
    const key = this.#pack === null ? null : packKey(cid)
    return (key !== null && this.#pack!.has(key)) || (await this.disk.has(cid))
  }

  async put(cid: CID, bytes: Uint8Array): Promise<void> {
    // Only packs are asked first (a lookup in memory); a loose block already there is found by its name.
    if (this.disk.packed(cid)) return
    const key = this.#packing ? packKey(cid) : null
    if (key === null) {
      await this.#putLoose(cid, bytes)
      return
    }
    // A block also held as a loose file is then stored twice, which costs bytes, never correctness.
    this.#pack ??= new PackWriter(this.disk.packsDir)
    if (this.#pack.add(key, bytes)) this.bytesAdded += bytes.length
  }

  /**
   * Written under a temporary name, then linked to its own: a reader never sees part of a block, and a block
   * already there is left alone. Not fsynced one by one (7 ms a block here: a cold search of a partner's index
   * fetches about a hundred): sync() makes every block written since durable at once, and whatever names
   * blocks (HEAD, refs) calls it before it moves.
   */
  async #putLoose(cid: CID, bytes: Uint8Array): Promise<void> {
    const { dir, file } = sharding.encode(cid)
    const folder = join(this.#dir, dir)
    if (!this.#made.has(folder)) {
      await makeDirDurable(folder)
      this.#made.add(folder)
    }
    const path = join(folder, file)
    if (await writeFileLinked(path, bytes)) {
      this.bytesAdded += bytes.length
      this.#unsynced.add(path)
    }
  }

  /**
   * Runs `work` with new blocks written into a pack instead of a file each (a merge or a full fetch writes
   * tens of thousands; a file per block costs more than the merge itself). Blocks written meanwhile are read
   * back from the pack by this store, and are visible to other stores once sync() or the end of `work`
   * puts the pack in place, which happens even when `work` fails: what was written was verified or built.
   */
  async bulk<T>(work: () => Promise<T>): Promise<T> {
    const was = this.#packing
    this.#packing = true
    try {
      return await work()
    } finally {
      this.#packing = was
      if (!was) {
        try {
          this.commit()
        } catch (err) {
          this.abort()
          // biome-ignore lint/correctness/noUnsafeFinally: a pack that cannot be put in place must fail the bulk write, even one whose work failed
          throw err
        }
      }
    }
  }

  /** Makes every block this store wrote durable: a pack being written is put in place (fsynced); loose files, then their folders' entries, are fsynced. */
  async sync(): Promise<void> {
    this.commit()
    if (this.#unsynced.size === 0) return
    const files = [...this.#unsynced]
    this.#unsynced.clear()
    try {
      await syncFiles(files)
    } catch (err) {
      for (const f of files) this.#unsynced.add(f)
      throw err
    }
  }

  /** Puts the pack being written in place (pack mode); its blocks are then visible to every store. */
  commit(): void {
    const pack = this.#pack
    if (pack === null) return
    this.#pack = null
    const { size, added } = pack.commit()
    this.bytesAdded += added ? size - pack.blockBytes : -pack.blockBytes
    this.disk.scan()
  }

  abort(): void {
    this.#pack?.abort()
    this.#pack = null
  }
}

export async function openFolderBlocks(dir: string, opts: FolderBlocksOptions = {}): Promise<OpenFolderBlocks> {
  const disk = new PackedBlockstore(dir)
  await disk.open()
  const store = new FolderBlocks(disk, opts.pack ?? false)
  return {
    store,
    close: async () => {
      try {
        store.commit()
      } catch (err) {
        store.abort()
        throw err
      } finally {
        await disk.close()
      }
    }
  }
}
