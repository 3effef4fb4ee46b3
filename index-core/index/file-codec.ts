// One crawl file an institution holds: its UnixFS CID and size, so a capture (which names its file, offset
// and length) can be fetched from IPFS and replayed without asking the publisher.
//   key   = institution ‖ 0x00 ‖ file name (as captures record it)
//   value = dag-cbor { cid: CID bytes, size } for a file of its own, or { cid, size, offset } for a file stored
//           inside another (a WARC in a WACZ package, 'pkg.wacz#archive/data.warc.gz'): the package's CID,
//           and where the inner file's bytes start in it
// The CID is kept as bytes, not a link: walking an index's blocks must not pull in whole crawl files.

import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { concatBytes, fromUtf8, utf8 } from '../bytes.ts'
import { UserError } from '../user-error.ts'

export interface CrawlFile {
  readonly institution: string
  readonly file: string
  readonly cid: CID
  /** Bytes of the named file (for an inner file, of it alone). */
  readonly size: number
  /** Where the named file's bytes start within the UnixFS file `cid` (0: it is that file). */
  readonly offset: number
}

export class FileFormatError extends UserError {
  override name = 'FileFormatError'
}

export function fileKey(institution: string, file: string): Uint8Array {
  return concatBytes([utf8(institution.replaceAll('\u0000', '')), Uint8Array.of(0), utf8(file)])
}

/**
 * Where the record at `offset` (length `length`) of the named file starts in the UnixFS file `f.cid`; a range
 * beyond the named file (which, inside a package, would read a neighbour's bytes) is a RangeError.
 */
export function recordStart(f: CrawlFile, offset: number, length: number): number {
  if (offset < 0 || length <= 0 || offset + length > f.size)
    throw new RangeError(`bytes ${offset}-${offset + length} lie beyond the end of ${f.file} (${f.size} bytes)`)
  return f.offset + offset
}

export function encodeFile(f: CrawlFile): Uint8Array {
  return dagCbor.encode(f.offset === 0 ? { cid: f.cid.bytes, size: f.size } : { cid: f.cid.bytes, offset: f.offset, size: f.size })
}

export function decodeFile(key: Uint8Array, value: Uint8Array): CrawlFile {
  const sep = key.indexOf(0)
  let m: Record<string, unknown>
  try {
    m = dagCbor.decode(value) as Record<string, unknown>
  } catch (err) {
    throw new FileFormatError(`file entry: ${(err as Error).message}`)
  }
  const offset = m?.offset ?? 0
  if (
    sep < 0 ||
    m === null ||
    typeof m !== 'object' ||
    !(m.cid instanceof Uint8Array) ||
    !Number.isSafeInteger(m.size) ||
    (m.size as number) < 0 ||
    !Number.isSafeInteger(offset) ||
    (offset as number) < 0
  )
    throw new FileFormatError('file entry: malformed')
  let cid: CID
  try {
    cid = CID.decode(m.cid)
  } catch {
    throw new FileFormatError('file entry: malformed CID')
  }
  return { institution: fromUtf8(key.subarray(0, sep)), file: fromUtf8(key.subarray(sep + 1)), cid, size: m.size as number, offset: offset as number }
}
