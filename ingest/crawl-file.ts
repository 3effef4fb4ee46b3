// A crawl file as IPFS names it: its UnixFS CID, added through @helia/unixfs under pinned importer settings
// (its defaults, written out here so that a change of library defaults cannot change an index; the importer
// that applies them, ipfs-unixfs-importer, is pinned in package.json). Ingest records the CID of every file;
// `canopy publish --crawls` adds the same bytes with the same settings, so the CIDs agree.

import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { unixfs } from '@helia/unixfs'
import type { AddFileOptions } from '@helia/unixfs'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import type { CID } from 'multiformats/cid'

export function unixfsOptions (): AddFileOptions {
  return {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    layout: balanced({ maxChildrenPerNode: 1024 }),
    chunker: fixedSize({ chunkSize: 1_048_576 })
  }
}

/** Where an added file's blocks go: adding only writes them. */
export interface CrawlBlockSink {
  put (cid: CID, bytes: Uint8Array): Promise<CID>
}

/** Blocks are dropped: ingest needs the CID, not a second copy of the crawl. */
const discard: CrawlBlockSink = { put: async (cid) => cid }

/** The file's UnixFS CID; its blocks go to `store` when given (publishing), nowhere otherwise. */
export async function importCrawlFile (path: string, store: CrawlBlockSink = discard): Promise<{ cid: CID, size: number }> {
  const { size } = await stat(path)
  // Adding never reads blocks back; a read would mean the library changed how it adds, so it fails loudly.
  const unread = (): never => { throw new Error('adding a crawl file read a block back') }
  const fs = unixfs({ blockstore: { put: async (cid, bytes) => {
    if (!(bytes instanceof Uint8Array)) throw new Error('adding a crawl file gave a block as a stream')
    return await store.put(cid, bytes)
  }, get: unread, has: unread } })
  const cid = await fs.addByteStream(createReadStream(path, { highWaterMark: 1 << 20 }), unixfsOptions())
  return { cid, size }
}
