// A crawl file as IPFS names it: its UnixFS CID, added by ipfs-unixfs-importer (pinned in package.json) under
// pinned settings (@helia/unixfs's defaults, written out here so that a change of library defaults cannot change an
// index). Ingest records the CID of every file; `canopy publish --crawls` adds the same bytes with the same
// settings, so the CIDs agree. The importer is called directly, as @helia/unixfs's addByteStream does (importFile
// with these settings): loading @helia/unixfs too costs a worker about 0.4 s of CPU at every ingest.

import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import type { ImporterOptions } from 'ipfs-unixfs-importer'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'

const CHUNK_BYTES = 1_048_576

/** The pinned settings; the chunker and layout modules load on first use (an ingest of small files needs neither). */
export async function unixfsOptions(): Promise<ImporterOptions> {
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

/** Where an added file's blocks go: adding only writes them. */
export interface CrawlBlockSink {
  put(cid: CID, bytes: Uint8Array): Promise<CID>
}

/** Blocks are dropped: ingest needs the CID, not a second copy of the crawl. */
const discard: CrawlBlockSink = { put: async cid => cid }

/** The file's UnixFS CID; its blocks go to `store` when given (publishing), nowhere otherwise. */
export async function importCrawlFile(path: string, store: CrawlBlockSink = discard): Promise<{ cid: CID; size: number }> {
  const { size } = await stat(path)
  // One chunk, raw leaves, a single leaf reduced to itself: the importer's answer is the raw block of the
  // file's bytes. Named here when no blocks are wanted, so a small crawl's ingest does not load the importer
  // (some 85 modules); a test checks both give one CID.
  if (store === discard && size > 0 && size <= CHUNK_BYTES) {
    const bytes = await readFile(path)
    if (bytes.length === size) return { cid: CID.createV1(raw.code, createDigest(sha256.code, createHash('sha256').update(bytes).digest())), size }
  }
  const { importFile } = await import('ipfs-unixfs-importer')
  // The importer only writes blocks (it is given nothing to read them back from).
  const blocks = {
    put: async (cid: CID, bytes: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<CID> => {
      if (!(bytes instanceof Uint8Array)) throw new Error('adding a crawl file gave a block as a stream')
      return await store.put(cid, bytes)
    }
  }
  const { cid } = await importFile({ content: createReadStream(path, { highWaterMark: 1 << 20 }) }, blocks, await unixfsOptions())
  return { cid, size }
}
