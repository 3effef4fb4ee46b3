// CAR files (CARv1): the offline exchange of an index, and what the gateway streams for ?format=car.
// Export walks the DAG under the roots (walkDag) and streams each block out as it is read, so memory does
// not grow with the size of the blocks. Import trusts nothing in the file: CAR readers do not check hashes,
// so a first pass verifies every block (verifyBlock) within bounds and checks that the roots' DAGs are
// complete; only then does a second pass write the blocks. A refused CAR leaves the store as it was.

import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { Readable } from 'node:stream'
import type { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { asyncIterableReader, createDecoder } from '@ipld/car/decoder'
import { CarWriter } from '@ipld/car/writer'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { commonPrefixLength, utf8 } from '../../index-core/bytes.ts'
import type { BlockAccess } from '../../index-core/store/index.ts'
import { DagWalkError, linksOf, walkDag } from './dag-walk.ts'
import { BlockRefusedError, MAX_FETCHED_BLOCK_BYTES, verifyBlock } from './fetching-blocks.ts'
import { UserError } from '../../index-core/user-error.ts'

export class CarError extends UserError {
  override name = 'CarError'
}

/** Which links of a block a walk follows. */
export type FollowLinks = (cid: CID, bytes: Uint8Array) => CID[]

// A signed manifest block is the dag-cbor map { manifest, signature }: canonical key order puts "manifest"
// first, so these bytes open every manifest block and let the walk skip decoding other blocks twice.
const MANIFEST_PREFIX = new Uint8Array([0xa2, 0x68, ...utf8('manifest')])

/**
 * Every link of a block except a manifest's `previous`: the current version of a published index without
 * its history. Both export and import's completeness check use it by default.
 */
export function currentVersionLinks(cid: CID, bytes: Uint8Array): CID[] {
  const links = linksOf(cid, bytes)
  if (cid.code !== dagCbor.code || commonPrefixLength(bytes, MANIFEST_PREFIX) !== MANIFEST_PREFIX.length) return links
  const block = dagCbor.decode(bytes) as { manifest?: { canopy?: unknown; previous?: unknown } } | null
  const previous = block?.manifest?.canopy === 'manifest' ? CID.asCID(block.manifest.previous) : null
  return previous === null ? links : links.filter(l => !l.equals(previous))
}

export interface CarSummary {
  readonly roots: CID[]
  /** Blocks in the roots' DAGs. */
  readonly blocks: number
  readonly bytes: number
}

export interface ExportCarOptions {
  /** 'all' (default): every block reachable from the roots; 'block': the root blocks alone. */
  readonly scope?: 'all' | 'block'
  /** Refuse (stop) an export of more blocks or bytes than this. */
  readonly maxBlocks?: number
  readonly maxBytes?: number
  readonly follow?: FollowLinks
  readonly concurrency?: number
  readonly signal?: AbortSignal
  /**
   * Blocks written first, before the roots' DAGs: those a client needs to verify a path from the first of
   * them down to the roots (a gateway's /ipfs/<cid>/<path>). The CAR's header then names that first block.
   */
  readonly pathBlocks?: readonly CID[]
}

/**
 * Writes a CARv1 holding `roots` and every block reachable from them to `out` (a stream, or a file path:
 * written whole under a temporary name, then renamed). A missing block or an exceeded bound stops the
 * export with an error; the stream is then destroyed (a file is removed).
 */
export async function exportCar(store: BlockAccess, roots: readonly CID[], out: Writable | string, opts: ExportCarOptions = {}): Promise<CarSummary> {
  if (roots.length === 0) throw new CarError('a CAR needs at least one root')
  if (typeof out === 'string') {
    const tmp = `${out}.${randomUUID().slice(0, 8)}.tmp`
    try {
      const summary = await exportCar(store, roots, createWriteStream(tmp, { flags: 'wx' }), opts)
      await rename(tmp, out)
      return summary
    } catch (err) {
      await rm(tmp, { force: true })
      throw err
    }
  }
  const maxBytes = opts.maxBytes ?? Number.MAX_SAFE_INTEGER
  const pathBlocks = opts.pathBlocks ?? []
  const { writer, out: carBytes } = CarWriter.create(pathBlocks.length > 0 ? [pathBlocks[0]] : [...roots])
  const abort = new AbortController()
  const onAbort = (): void => {
    abort.abort(opts.signal?.reason)
  }
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  const sink = pipeline(Readable.from(carBytes), out, { signal: abort.signal })
  // writer.put resolves once the consumer has taken the block (backpressure); a consumer that fails (closed
  // connection, full disk) never takes it, so every wait also ends when the sink fails.
  const sinkFailed = new Promise<never>((_resolve, reject) => {
    sink.catch(reject)
  })
  sinkFailed.catch(() => {})
  let bytes = 0
  try {
    for (const cid of pathBlocks) {
      const b = await store.get(cid)
      if (b === undefined) throw new CarError(`block ${cid.toString()} on the path is missing`)
      bytes += b.length
      await Promise.race([writer.put({ cid, bytes: b }), sinkFailed])
    }
    const r = await walkDag(
      store,
      roots,
      async (cid, b) => {
        bytes += b.length
        if (bytes > maxBytes) throw new CarError(`the DAG under ${roots[0].toString()} holds more than ${maxBytes} bytes; export stopped`)
        await Promise.race([writer.put({ cid, bytes: b }), sinkFailed])
      },
      {
        follow: opts.scope === 'block' ? () => [] : (opts.follow ?? currentVersionLinks),
        maxBlocks: opts.maxBlocks,
        concurrency: opts.concurrency,
        signal: opts.signal
      }
    )
    await Promise.race([writer.close(), sinkFailed])
    await sink
    return { roots: [...roots], blocks: pathBlocks.length + r.blocks, bytes }
  } catch (err) {
    abort.abort(err)
    await sink.catch(() => {})
    throw err
  } finally {
    opts.signal?.removeEventListener('abort', onAbort)
  }
}

export interface ImportCarOptions {
  /** Refuse a CAR with more blocks, more block bytes in all, or a larger block than this. */
  readonly maxBlocks?: number
  readonly maxBytes?: number
  readonly maxBlockBytes?: number
  readonly follow?: FollowLinks
  readonly signal?: AbortSignal
}

export interface CarImportSummary extends CarSummary {
  /** Blocks of the DAGs the store did not have before. */
  readonly written: number
  /** Valid blocks in the CAR outside the roots' DAGs: not imported. */
  readonly unreferenced: number
}

type BytesReader = ReturnType<typeof asyncIterableReader>

/** A reader that refuses to buffer a section larger than `max` (a length field can claim any size). */
function boundedReader(inner: BytesReader, max: number): BytesReader {
  return {
    upTo: async n => await inner.upTo(n),
    async exactly(n, seek) {
      if (n > max) throw new CarError(`a section claims ${n} bytes, more than a block may have (the limit is ${max} bytes)`)
      return await inner.exactly(n, seek)
    },
    seek: n => {
      inner.seek(n)
    },
    get pos() {
      return inner.pos
    }
  }
}

/** Streams the blocks of the CAR at `path` to `onBlock`; returns its roots. Blocks are not verified here. */
async function readCar(
  path: string,
  maxSection: number,
  signal: AbortSignal | undefined,
  onBlock: (cid: CID, bytes: Uint8Array) => Promise<void>
): Promise<CID[]> {
  const file = createReadStream(path, { highWaterMark: 1 << 20 })
  try {
    return await readCarStream(file, maxSection, signal, onBlock)
  } finally {
    file.destroy()
  }
}

/**
 * Streams the blocks of a CAR read from `source` (a file, an HTTP body) to `onBlock`, refusing a section
 * larger than `maxSection` before buffering it; returns the roots. Blocks are not verified here, and their
 * bytes may be views of a larger buffer: copy what is kept.
 */
export async function readCarStream(
  source: AsyncIterable<Uint8Array>,
  maxSection: number,
  signal: AbortSignal | undefined,
  onBlock: (cid: CID, bytes: Uint8Array) => Promise<void>
): Promise<CID[]> {
  const decoder = createDecoder(boundedReader(asyncIterableReader(source), maxSection))
  const header = await decoder.header()
  for await (const { cid, bytes } of decoder.blocks()) {
    signal?.throwIfAborted()
    await onBlock(cid, bytes)
  }
  return header.roots
}

function refusal(path: string, err: unknown): Error {
  const e = err as Error & { syscall?: string }
  if (e.name === 'AbortError' || e.syscall !== undefined) return e // cancelled, or the file could not be read
  const why = e instanceof CarError || e instanceof BlockRefusedError || e instanceof DagWalkError ? e.message : `truncated or malformed (${e.message})`
  return new CarError(`CAR ${path} refused: ${why}`, { cause: err })
}

const NO_LINKS: readonly string[] = []

/**
 * Imports the CAR at `path` into `store`: every block verified against its CID and the bounds, the roots'
 * DAGs complete, or nothing is written. Only blocks of the roots' DAGs are kept.
 */
export async function importCar(path: string, store: BlockAccess, opts: ImportCarOptions = {}): Promise<CarImportSummary> {
  const maxBlocks = opts.maxBlocks ?? 5_000_000
  const maxBytes = opts.maxBytes ?? 32 * 1024 ** 3
  const maxBlockBytes = opts.maxBlockBytes ?? MAX_FETCHED_BLOCK_BYTES
  const follow = opts.follow ?? currentVersionLinks
  // The header and a CID are small; a section larger than a block can be is refused before it is buffered.
  const maxSection = maxBlockBytes + 64 * 1024

  // Pass 1: verify, and note what each block links to (as strings: decoded CIDs would hold the block's bytes).
  const links = new Map<string, readonly string[]>()
  const reachable = new Set<string>()
  let roots: CID[]
  try {
    let sections = 0
    let total = 0
    roots = await readCar(path, maxSection, opts.signal, async (cid, bytes) => {
      if (++sections > maxBlocks) throw new CarError(`more than ${maxBlocks} blocks`)
      total += bytes.length
      if (total > maxBytes) throw new CarError(`more than ${maxBytes} bytes of blocks`)
      await verifyBlock(cid, bytes, maxBlockBytes)
      const l = follow(cid, bytes)
      links.set(cid.toString(), l.length === 0 ? NO_LINKS : l.map(c => c.toString()))
    })
    if (roots.length === 0) throw new CarError('it names no root')
    // The roots' DAGs must be whole: walk them over the blocks seen (by their links, not their bytes).
    const seen: BlockAccess = {
      get: async cid => (links.has(cid.toString()) ? new Uint8Array(0) : undefined),
      put: async () => {
        throw new Error('read-only')
      },
      has: async cid => links.has(cid.toString())
    }
    await walkDag(
      seen,
      roots,
      cid => {
        reachable.add(cid.toString())
      },
      {
        follow: cid => (links.get(cid.toString()) ?? NO_LINKS).map(s => CID.parse(s)),
        maxBlocks,
        signal: opts.signal
      }
    ).catch((err: unknown) => {
      if (err instanceof DagWalkError) throw new CarError(`it does not hold the whole DAG of its roots: ${err.message}`)
      throw err
    })
  } catch (err) {
    throw refusal(path, err)
  }
  const unreferenced = links.size - reachable.size
  links.clear()

  // Pass 2: write the DAGs' blocks, verified again (the file may have changed since pass 1).
  let blocks = 0
  let bytes = 0
  let written = 0
  try {
    await readCar(path, maxSection, opts.signal, async (cid, b) => {
      const key = cid.toString()
      if (!reachable.delete(key)) return // outside the DAGs, or a duplicate
      await verifyBlock(cid, b, maxBlockBytes)
      blocks++
      bytes += b.length
      if (!(await store.has(cid))) {
        await store.put(cid, b.slice()) // a copy: the decoder's bytes are a view of a larger read buffer
        written++
      }
    })
    if (reachable.size > 0) throw new CarError(`the file changed during import (${reachable.size} blocks no longer there)`)
  } catch (err) {
    throw refusal(path, err)
  }
  return { roots, blocks, bytes, written, unreferenced }
}
