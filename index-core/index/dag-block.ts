// The index's own dag-cbor blocks outside its trees (the root, the month counts): stored under their CID, and
// read back only when their bytes hash to it (a store, like a CAR, need not have checked).

import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { equalBytes } from '../bytes.ts'
import type { BlockAccess } from '../store/index.ts'
import { IndexFormatError } from './index-root.ts'

/** Puts dag-cbor bytes under their CID (CIDv1, sha2-256). */
export async function putDagCbor(blocks: BlockAccess, bytes: Uint8Array): Promise<CID> {
  const cid = CID.createV1(dagCbor.code, await sha256.digest(bytes))
  await blocks.put(cid, bytes)
  return cid
}

/** The bytes of `cid`, checked against it; `what` names the block in errors ('index root'). */
export async function getVerified(blocks: BlockAccess, cid: CID, what: string): Promise<Uint8Array> {
  const bytes = await blocks.get(cid)
  if (bytes === undefined) throw new IndexFormatError(`${what} ${cid.toString()} is not in the store`)
  const d = await sha256.digest(bytes)
  if (!equalBytes(d.digest, cid.multihash.digest)) throw new IndexFormatError(`${what} ${cid.toString()}: bytes do not match the CID`)
  return bytes
}
