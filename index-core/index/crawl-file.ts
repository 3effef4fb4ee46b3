// A crawl file as IPFS names it: its UnixFS CID, added through @helia/unixfs under pinned importer settings
// (its defaults, written out here so that a change of library defaults cannot change an index; the importer
// that applies them, ipfs-unixfs-importer, is pinned in package.json). Ingest records the CID of every file;
// `canopy publish --crawls` adds the same bytes with the same settings, so the CIDs agree. It lives in index-core
// because the CID is part of a files-tree value (file-codec.ts): these settings define what the index names.

import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import type { AddFileOptions } from '@helia/unixfs'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'

const CHUNK_BYTES = 1_048_576

/** The pinned settings; the chunker and layout modules load on first use (an ingest of small files needs neither). */
export async function unixfsOptions(): Promise<AddFileOptions> {
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
  const { unixfs } = await import('@helia/unixfs')
  // Adding never reads blocks back; a read would mean the library changed how it adds, so it fails loudly.
  const unread = (): never => {
    throw new Error('adding a crawl file read a block back')
  }
  const fs = unixfs({
    blockstore: {
      put: async (cid, bytes) => {
        if (!(bytes instanceof Uint8Array)) throw new Error('adding a crawl file gave a block as a stream')
        return await store.put(cid, bytes)
      },
      get: unread,
      has: unread
    }
  })
  const cid = await fs.addByteStream(createReadStream(path, { highWaterMark: 1 << 20 }), await unixfsOptions())
  return { cid, size }
}
