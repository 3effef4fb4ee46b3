// A crawl file as IPFS names it: its UnixFS CID under pinned importer settings (those of @helia/unixfs,
// written out here so that a change of library defaults cannot change an index). Ingest records the CID of
// every file; `canopy publish --crawls` adds the same bytes with the same settings, so the CIDs agree.

import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { importByteStream } from 'ipfs-unixfs-importer'
import type { ImporterOptions, WritableStorage } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import type { CID } from 'multiformats/cid'

export function unixfsOptions (): ImporterOptions {
  return {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    layout: balanced({ maxChildrenPerNode: 1024 }),
    chunker: fixedSize({ chunkSize: 1_048_576 })
  }
}

/** Blocks are only counted: ingest needs the CID, not a second copy of the crawl. */
const discard: WritableStorage = { put: async (cid) => cid }

/** The file's UnixFS CID; its blocks go to `store` when given (publishing), nowhere otherwise. */
export async function importCrawlFile (path: string, store: WritableStorage = discard): Promise<{ cid: CID, size: number }> {
  const { size } = await stat(path)
  const { cid } = await importByteStream(createReadStream(path, { highWaterMark: 1 << 20 }), store, unixfsOptions())
  return { cid, size }
}
