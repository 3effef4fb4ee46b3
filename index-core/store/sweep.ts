// The sweep of garbage collection: given which blocks are reachable (the mark, done above this layer), deletes
// packs that hold none of them, rewrites packs that hold some, and removes unreachable loose block files.
// Only files Canopy makes are touched: packs named as PackWriter names them, loose files named as blockstore-fs
// names them (base32 multihash in its next-to-last shard folder). Anything else in blocks/ stays.
// A loose file changed after `changedBefore` (the mark's start) is left alone: a store that writes without
// the index lock (a server caching a partner's blocks) may have added it after the mark looked.

import { readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { base32upper } from 'multiformats/bases/base32'
import { decode as decodeDigest } from 'multiformats/hashes/digest'
import { PACK_SUFFIX, PackFormatError, PackReader, PackWriter } from './pack-file.ts'
import { PACKS_DIR } from './packed-blockstore.ts'

export interface SweepResult {
  readonly packsDeleted: number
  readonly packsRewritten: number
  readonly looseDeleted: number
  /** Bytes of the files deleted, less those of the packs written in their place. */
  readonly bytesFreed: number
}

/** What a collection did, and what the index holds afterwards: the blocks reachable from HEAD and the refs. */
export interface GcResult extends SweepResult {
  readonly reachableBlocks: number
  readonly reachableBytes: number
}

export interface SweepOptions {
  /** Loose files whose status changed at or after this time (ms since the epoch) are kept. */
  readonly changedBefore: number
}

const PACK_NAME = new RegExp(`^[0-9a-f]{32}\\${PACK_SUFFIX}$`)

/** Whether a file in packs/ is named as PackWriter names packs (else Canopy did not make it). */
export const isPackName = (name: string): boolean => PACK_NAME.test(name)
const LOOSE_NAME = /^([A-Z2-7]+)\.data$/

/** The multihash a loose file holds, by its name, or null when blockstore-fs did not name it (so not ours). */
export function looseMultihash(shard: string, name: string): Uint8Array | null {
  const m = LOOSE_NAME.exec(name)
  if (m === null || m[1].slice(-2) !== shard) return null
  try {
    const mh = base32upper.decoder.decode(m[1])
    decodeDigest(mh) // a well-formed multihash, or not a block file
    return mh
  } catch {
    return null
  }
}

/**
 * Sweeps `blocksDir`, keeping every block `keep` says is reachable. Only a writer holding the index lock may
 * call this. A rewritten pack is in place (durably) before the old one goes, so a crash between leaves
 * copies, never a gap; a reader with an old pack open keeps reading it until it closes it.
 */
export function sweepBlocks(blocksDir: string, keep: (multihash: Uint8Array) => boolean, opts: SweepOptions): SweepResult {
  let packsDeleted = 0
  let packsRewritten = 0
  let looseDeleted = 0
  let bytesFreed = 0
  const packsDir = join(blocksDir, PACKS_DIR)
  for (const name of list(packsDir).filter(isPackName).sort()) {
    // No time guard here: only writers holding the lock write packs, and a killed writer's temporary link
    // removed on the next open (removeLeftovers) touches its pack's ctime.
    const path = join(packsDir, name)
    let pack: PackReader
    try {
      pack = PackReader.open(path)
    } catch (err) {
      if (err instanceof PackFormatError) continue // unreadable: not ours to judge (verify reports it)
      throw err
    }
    try {
      let kept = 0
      for (const mh of pack.multihashes()) if (keep(mh)) kept++
      if (kept === pack.count) continue
      if (kept > 0) {
        const writer = new PackWriter(packsDir)
        try {
          for (const e of pack.entries()) if (keep(e.multihash)) writer.add(e.multihash, e.bytes)
          const { size, added } = writer.commit()
          if (added) bytesFreed -= size
        } catch (err) {
          writer.abort()
          throw err
        }
        packsRewritten++
      } else {
        packsDeleted++
      }
      rmSync(path, { force: true })
      bytesFreed += pack.size
    } finally {
      pack.close()
    }
  }
  for (const shard of list(blocksDir)) {
    if (shard === PACKS_DIR || !/^[A-Z2-7]{2}$/.test(shard)) continue
    const folder = join(blocksDir, shard)
    for (const name of list(folder)) {
      const mh = looseMultihash(shard, name)
      if (mh === null || keep(mh)) continue
      const path = join(folder, name)
      const st = statSync(path)
      if (!st.isFile() || st.ctimeMs >= opts.changedBefore) continue
      rmSync(path, { force: true })
      looseDeleted++
      bytesFreed += st.size
    }
  }
  return { packsDeleted, packsRewritten, looseDeleted, bytesFreed }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return []
    throw err
  }
}
