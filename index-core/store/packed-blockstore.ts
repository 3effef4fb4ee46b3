// An index's block folder: loose blocks in blockstore-fs's layout (one file per block, what merges and partner
// fetches add) and pack files under packs/ (what ingest builds write, see pack-file.ts). It implements
// interface-blockstore, so helia serves both kinds; Canopy's own stores read through `read`.
// New packs appear while a store is open (an ingest in another process, or this one's workers): a block
// found in neither kind sends the store to look for new packs before it says the block is missing.

import { constants, readdirSync, rmSync, statSync } from 'node:fs'
import { access, mkdir, readdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { FsBlockstore } from 'blockstore-fs'
import { NextToLast } from 'blockstore-fs/sharding'
import type { AbortOptions } from 'abort-error'
import type { Blockstore, InputPair, Pair } from 'interface-blockstore'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { decode as decodeDigest } from 'multiformats/hashes/digest'
import { PACK_SUFFIX, PackFormatError, PackReader, PackWriter, packKey } from './pack-file.ts'

export const PACKS_DIR = 'packs'

export class PackedBlockstore implements Blockstore {
  readonly path: string
  readonly packsDir: string
  /**
   * blockstore-fs, for what helia and gc ask of loose files (writes, deletes, the listing), loaded on first
   * use: reading a block needs only its file name, and the package's listing (it-glob, fast-glob) is some 75
   * modules that every ingest worker and CLI run would load for nothing.
   */
  #looseStore: Promise<FsBlockstore> | null = null
  readonly #sharding = new NextToLast()
  /** The folder, absolute (as blockstore-fs holds it). */
  readonly #root: string
  readonly #packs = new Map<string, PackReader>()
  /** Packs that could not be opened, by file name, with why: counted and reported, never read. */
  readonly badPacks = new Map<string, string>()
  #scannedAt = -1
  #settled = false
  /** Counts the scans that opened packs: a read that missed retries when it moved. */
  #generation = 0

  constructor(dir: string) {
    this.path = dir
    this.packsDir = join(dir, PACKS_DIR)
    this.#root = resolve(dir)
  }

  /** As blockstore-fs opens: the folder must be writable, and is made when missing. */
  async open(): Promise<void> {
    try {
      await access(this.#root, constants.F_OK | constants.W_OK)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      await mkdir(this.#root, { recursive: true })
    }
    this.scan()
  }

  async #loose(): Promise<FsBlockstore> {
    this.#looseStore ??= import('blockstore-fs').then(m => new m.FsBlockstore(this.#root))
    return await this.#looseStore
  }

  /** The loose file's path, as blockstore-fs names it. */
  #loosePath(cid: CID): string {
    const { dir, file } = this.#sharding.encode(cid)
    return join(this.#root, dir, file)
  }

  /** A loose block's bytes, or undefined when it cannot be read (as blockstore-fs's get, which says NotFound). */
  async #readLoose(cid: CID): Promise<Uint8Array | undefined> {
    try {
      const b = await readFile(this.#loosePath(cid))
      // A plain Uint8Array, never a Buffer: Buffer's slice() is a view, a trap for any reader.
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
    } catch {
      return undefined
    }
  }

  async close(): Promise<void> {
    for (const p of this.#packs.values()) p.close()
    this.#packs.clear()
    this.#scannedAt = -1
  }

  /**
   * Opens packs added since the last look (when the packs folder changed), and lets go of packs no longer
   * there (merged into a new one by compactPacks, which is in place first); true when any were opened.
   */
  scan(): boolean {
    let mtime: number
    try {
      mtime = statSync(this.packsDir).mtimeMs
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
      throw err
    }
    // A folder's mtime ticks coarsely (the kernel's clock tick): a listing taken within a second of the last
    // change may have missed a pack added in the same tick, so it is not trusted until then.
    if (mtime === this.#scannedAt && this.#settled) return false
    this.#scannedAt = mtime
    this.#settled = Date.now() - mtime > 1000
    let added = false
    const names = readdirSync(this.packsDir)
      .filter(n => n.endsWith(PACK_SUFFIX))
      .sort()
    const present = new Set(names)
    for (const [name, p] of this.#packs)
      if (!present.has(name)) {
        this.#packs.delete(name)
        p.close()
      }
    for (const name of names) {
      if (this.#packs.has(name) || this.badPacks.has(name)) continue
      try {
        this.#packs.set(name, PackReader.open(join(this.packsDir, name)))
        added = true
      } catch (err) {
        if (!(err instanceof PackFormatError)) throw err
        this.badPacks.set(name, err.message)
      }
    }
    if (added) this.#generation++
    return added
  }

  get packs(): readonly PackReader[] {
    return [...this.#packs.values()]
  }

  /** Whether a pack holds the block (loose blocks not looked at). */
  packed(cid: CID): boolean {
    const key = packKey(cid)
    if (key === null) return false
    for (const p of this.#packs.values()) if (p.has(key)) return true
    return false
  }

  async #fromPacks(cid: CID): Promise<Uint8Array | undefined> {
    const key = packKey(cid)
    if (key === null) return undefined
    for (const p of this.#packs.values()) {
      const i = p.find(key)
      if (i >= 0) return await p.readAt(i)
    }
    return undefined
  }

  /** The block's bytes, or undefined when neither a pack nor a loose file holds it. */
  async read(cid: CID): Promise<Uint8Array | undefined> {
    const seen = this.#generation
    const b = (await this.#fromPacks(cid)) ?? (await this.#readLoose(cid))
    if (b !== undefined) return b
    // Packs may have come since this read began: found by this call's scan, or a concurrent one's.
    this.scan()
    return this.#generation === seen ? undefined : await this.#fromPacks(cid)
  }

  async has(cid: CID, options?: AbortOptions): Promise<boolean> {
    const seen = this.#generation
    options?.signal?.throwIfAborted()
    if (
      this.packed(cid) ||
      (await access(this.#loosePath(cid)).then(
        () => true,
        () => false
      ))
    )
      return true
    this.scan()
    return this.#generation !== seen && this.packed(cid)
  }

  async *get(cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    options?.signal?.throwIfAborted()
    const b = await this.read(cid)
    if (b === undefined) throw Object.assign(new Error(`block ${cid.toString()} not found`), { name: 'NotFoundError' })
    yield b
  }

  async *getMany(source: Iterable<CID> | AsyncIterable<CID>, options?: AbortOptions): AsyncGenerator<Pair> {
    for await (const cid of source) yield { cid, bytes: this.get(cid, options) }
  }

  /** Packed blocks first (named as raw CIDs: packs keep multihashes, as blockstore-fs's file names do), then loose. */
  async *getAll(options?: AbortOptions): AsyncGenerator<Pair> {
    for (const p of this.#packs.values()) {
      for (const e of p.entries()) {
        options?.signal?.throwIfAborted()
        yield {
          cid: CID.createV1(raw.code, decodeDigest(e.multihash)),
          bytes: (function* () {
            yield e.bytes
          })()
        }
      }
    }
    yield* (await this.#loose()).getAll(options)
  }

  async put(cid: CID, bytes: InputPair['bytes'], options?: AbortOptions): Promise<CID> {
    return await (await this.#loose()).put(cid, bytes, options)
  }

  async *putMany(source: Iterable<InputPair> | AsyncIterable<InputPair>, options?: AbortOptions): AsyncGenerator<CID> {
    for await (const p of source) yield await this.put(p.cid, p.bytes, options)
  }

  /** Deletes a loose block; a packed copy stays (packs are only ever added). */
  async delete(cid: CID, options?: AbortOptions): Promise<void> {
    await (await this.#loose()).delete(cid, options)
  }

  async *deleteMany(source: Iterable<CID> | AsyncIterable<CID>, options?: AbortOptions): AsyncGenerator<CID> {
    yield* (await this.#loose()).deleteMany(source, options)
  }
}

export interface StoreUsage {
  /** Blocks held (a block both packed and loose, or in two packs, counts twice). */
  readonly blocks: number
  /** Bytes of the block and pack files. */
  readonly bytes: number
}

/** What a block folder holds, walked on disk: loose block files and packs (temporary files not counted). */
export async function storeUsage(dir: string): Promise<StoreUsage> {
  let blocks = 0
  let bytes = 0
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return []
    throw err
  })
  for (const e of entries) {
    if (!e.isFile()) continue
    const file = join(e.parentPath, e.name)
    if (e.name.endsWith('.data')) {
      blocks++
      bytes += (await stat(file)).size
    } else if (e.name.endsWith(PACK_SUFFIX) && e.parentPath === join(dir, PACKS_DIR)) {
      // A pack that cannot be read holds no block a reader would use, but takes its room.
      let p: PackReader
      try {
        p = PackReader.open(file)
      } catch (err) {
        if (!(err instanceof PackFormatError)) throw err
        bytes += (await stat(file)).size
        continue
      }
      blocks += p.count
      bytes += p.size
      p.close()
    }
  }
  return { blocks, bytes }
}

export interface PackCompaction {
  readonly packsBefore: number
  readonly packsAfter: number
  /** Bytes of the packs merged away, and of the pack they were merged into. */
  readonly bytesRemoved: number
  readonly bytesAdded: number
}

/** Packs a folder may hold before compactPacks merges some; and how many it leaves. */
export const MAX_PACKS = 48
export const PACKS_AFTER_COMPACTION = 8

/**
 * Keeps the number of packs bounded (each ingest adds one per tree, and every pack costs readers a file
 * descriptor and a lookup): past `maxPacks`, the smallest are merged into one new pack, so `target` remain.
 * The new pack is in place before the old ones go, so a crash between leaves copies, never a gap; a reader
 * that has an old pack open keeps reading it (its file lives on until closed). Only a writer holding the
 * index lock may call this.
 */
export function compactPacks(dir: string, opts: { maxPacks?: number; target?: number } = {}): PackCompaction {
  const maxPacks = opts.maxPacks ?? MAX_PACKS
  const target = Math.max(1, opts.target ?? PACKS_AFTER_COMPACTION)
  const packsDir = join(dir, PACKS_DIR)
  let names: string[]
  try {
    names = readdirSync(packsDir).filter(n => n.endsWith(PACK_SUFFIX))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { packsBefore: 0, packsAfter: 0, bytesRemoved: 0, bytesAdded: 0 }
    throw err
  }
  if (names.length <= maxPacks) return { packsBefore: names.length, packsAfter: names.length, bytesRemoved: 0, bytesAdded: 0 }
  // Packs that cannot be read are left where they are, untouched (readers set them aside the same way).
  const readers: PackReader[] = []
  for (const n of names) {
    try {
      readers.push(PackReader.open(join(packsDir, n)))
    } catch (err) {
      if (!(err instanceof PackFormatError)) {
        for (const r of readers) r.close()
        throw err
      }
    }
  }
  readers.sort((a, b) => a.size - b.size || (a.path < b.path ? -1 : 1))
  const merged = readers.length > maxPacks ? readers.slice(0, readers.length - target + 1) : []
  let result: { path: string; size: number; added: boolean } | null = null
  try {
    if (merged.length > 1) {
      const writer = new PackWriter(packsDir)
      try {
        for (const p of merged) for (const e of p.entries()) writer.add(e.multihash, e.bytes)
        result = writer.commit()
      } catch (err) {
        writer.abort()
        throw err
      }
    }
  } finally {
    for (const r of readers) r.close()
  }
  let bytesRemoved = 0
  if (result !== null) {
    for (const m of merged) {
      if (m.path === result.path) continue
      rmSync(m.path, { force: true })
      bytesRemoved += m.size
    }
  }
  const after = readdirSync(packsDir).filter(n => n.endsWith(PACK_SUFFIX)).length
  return { packsBefore: names.length, packsAfter: after, bytesRemoved, bytesAdded: result?.added === true ? result.size : 0 }
}
