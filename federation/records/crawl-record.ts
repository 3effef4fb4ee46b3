// One WARC record read out of a crawl file published as UnixFS: the byte range a capture names (offset and
// length in the file), fetched block by block from whatever store holds the file — local, or a partner's
// through a fetching store — so a record replays without asking the publisher.

import { exporter } from 'ipfs-unixfs-exporter'
import type { CID } from 'multiformats/cid'
import { concatBytes } from '../../index-core/bytes.ts'
import type { BlockAccess } from '../../index-core/store/index.ts'
import { UserError } from '../../index-core/user-error.ts'

/** A record larger than this is not served whole (WARC records of huge videos exist). */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024

export class RecordError extends UserError {
  override name = 'RecordError'
}

/** The exporter reads blocks as interface-blockstore does: an async iterable of chunks, NotFoundError when missing. */
function readable(store: BlockAccess): { get: (cid: CID) => AsyncGenerator<Uint8Array> } {
  return {
    async *get(cid: CID) {
      const b = await store.get(cid)
      if (b === undefined) throw Object.assign(new Error(`block ${cid.toString()} of the crawl file is not available`), { name: 'NotFoundError' })
      yield b
    }
  }
}

export async function readRecord(store: BlockAccess, file: CID, offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length <= 0)
    throw new RecordError('a record needs a non-negative offset and a positive length')
  if (length > MAX_RECORD_BYTES) throw new RecordError(`a record of ${length} bytes is larger than ${MAX_RECORD_BYTES}`)
  const entry = await exporter(file, readable(store), { signal })
  if (entry.type !== 'file' && entry.type !== 'raw') throw new RecordError(`${file.toString()} is not a file`)
  if (BigInt(offset + length) > entry.size) throw new RecordError(`bytes ${offset}-${offset + length} lie beyond the end of the file (${entry.size} bytes)`)
  const parts: Uint8Array[] = []
  for await (const c of entry.content({ offset, length, signal })) parts.push(c)
  const out = concatBytes(parts)
  if (out.length !== length) throw new RecordError(`read ${out.length} of ${length} bytes`)
  return out
}
