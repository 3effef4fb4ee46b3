// A crawl file as IPFS names it: its UnixFS CID under pinned importer settings (those of @helia/unixfs,
// written out here so that a change of library defaults cannot change an index). Ingest records the CID of
// every file; `canopy publish --crawls` adds the same bytes with the same settings, so the CIDs agree.

import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import type { ImporterOptions, WritableStorage } from 'ipfs-unixfs-importer'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'

const CHUNK_BYTES = 1_048_576

export async function unixfsOptions (): Promise<ImporterOptions> {
  const { fixedSize } = await import('ipfs-unixfs-importer/chunker')
  const { balanced } = await import('ipfs-unixfs-importer/layout')
  return {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    layout: balanced({ maxChildrenPerNode: 1024 }),
    chunker: fixedSize({ chunkSize: CHUNK_BYTES })
  }
}

/** Blocks are only counted: ingest needs the CID, not a second copy of the crawl. */
const discard: WritableStorage = { put: async (cid) => cid }

/** The file's UnixFS CID; its blocks go to `store` when given (publishing), nowhere otherwise. */
export async function importCrawlFile (path: string, store: WritableStorage = discard): Promise<{ cid: CID, size: number }> {
  const { size } = await stat(path)
  // One chunk, raw leaves, a single leaf reduced to itself: the importer's answer is the raw block of the
  // file's bytes. Named here when no blocks are wanted, so a small crawl's ingest does not load the importer
  // (some 85 modules); a test checks both give one CID.
  if (store === discard && size > 0 && size <= CHUNK_BYTES) {
    const bytes = await readFile(path)
    if (bytes.length === size) return { cid: CID.createV1(raw.code, createDigest(sha256.code, createHash('sha256').update(bytes).digest())), size }
  }
  const { importByteStream } = await import('ipfs-unixfs-importer')
  const { cid } = await importByteStream(createReadStream(path, { highWaterMark: 1 << 20 }), store, await unixfsOptions())
  return { cid, size }
}
