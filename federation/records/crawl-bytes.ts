// Bytes of a crawl file an index names (its own file, or a WARC stored inside a WACZ package), read from the
// block store that holds its UnixFS DAG: the institution's own (crawls published with --crawls) or a
// partner's, fetched and verified block by block. Only the blocks under the asked range are read.

import { exporter } from 'ipfs-unixfs-exporter'
import type { CrawlFile } from '../../index-core/index/index.ts'
import type { BlockAccess } from '../../index-core/store/index.ts'

/** Bytes start..start+length of the named file (by default all of it), as chunks. */
export async function* streamCrawlFile(store: BlockAccess, f: CrawlFile, signal?: AbortSignal, start = 0, length = f.size - start): AsyncGenerator<Uint8Array> {
  if (start < 0 || length < 0 || start + length > f.size) throw new RangeError(`bytes ${start}-${start + length - 1} lie outside ${f.file} (${f.size} bytes)`)
  if (length === 0) return
  const entry = await exporter(
    f.cid,
    {
      async *get(cid) {
        const b = await store.get(cid)
        if (b === undefined) throw Object.assign(new Error(`block ${cid.toString()} of ${f.file} is not held`), { name: 'NotFoundError' })
        yield b
      }
    },
    { signal }
  )
  if (entry.type !== 'file' && entry.type !== 'raw') throw new Error(`${f.cid.toString()} is not a file`)
  yield* entry.content({ offset: f.offset + start, length, signal })
}
