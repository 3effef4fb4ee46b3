// A published index is named by a signed manifest: who (institution and key), what (index root, format,
// statistics), when, and which manifest it follows, with a sequence number so an older manifest replayed
// by anyone is refused. A combined index lists the manifests it was built from. The manifest repeats the
// index root's analyzer and extraction versions, so a partner learns before fetching anything whether it
// can merge the index at all.
//   block = dag-cbor { manifest: {...}, signature: Ed25519(dag-cbor(manifest)) }

import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { equalBytes } from '../../index-core/bytes.ts'
import type { Identity } from '../identity/index.ts'
import { verifySignature } from '../identity/index.ts'
import { UserError } from '../../index-core/user-error.ts'

export const MANIFEST_VERSION = 2
const MAX_MANIFEST_BYTES = 64 * 1024

export interface Manifest {
  readonly institution: string
  readonly publicKey: Uint8Array
  readonly index: CID
  readonly indexFormat: number
  /** The analyzer and extraction that made the index (its root records the same). */
  readonly analyzer: string
  readonly extraction: string
  readonly stats: { readonly documents: number; readonly captures: number; readonly postings: number }
  /** ISO 8601 time of publication. */
  readonly time: string
  /** Increases with every publication by this institution. */
  readonly seq: number
  readonly previous: CID | null
  /** For a combined index: the manifests it was merged from. */
  readonly sources: readonly CID[]
}

export class ManifestError extends UserError {
  override name = 'ManifestError'
}

function toData(m: Manifest): Record<string, unknown> {
  return {
    canopy: 'manifest',
    version: MANIFEST_VERSION,
    institution: m.institution,
    publicKey: m.publicKey,
    index: m.index,
    indexFormat: m.indexFormat,
    analyzer: m.analyzer,
    extraction: m.extraction,
    stats: { documents: m.stats.documents, captures: m.stats.captures, postings: m.stats.postings },
    time: m.time,
    seq: m.seq,
    previous: m.previous,
    sources: [...m.sources]
  }
}

/** Signs a manifest with the institution's identity; returns the block and its CID. */
export async function signManifest(id: Identity, m: Omit<Manifest, 'institution' | 'publicKey'>): Promise<{ cid: CID; bytes: Uint8Array }> {
  const manifest = toData({ ...m, institution: id.name, publicKey: id.publicKey })
  const signature = id.sign(dagCbor.encode(manifest))
  const bytes = dagCbor.encode({ manifest, signature })
  return { cid: CID.createV1(dagCbor.code, await sha256.digest(bytes)), bytes }
}

const bad = (why: string): never => {
  throw new ManifestError(`manifest refused: ${why}`)
}

/**
 * Checks a manifest block: size, CID, shape, signature, and (when known) that it comes from the expected
 * key and is newer than the last manifest seen from it.
 */
export async function verifyManifest(cid: CID, bytes: Uint8Array, expect: { publicKey?: Uint8Array; afterSeq?: number } = {}): Promise<Manifest> {
  if (bytes.length > MAX_MANIFEST_BYTES) bad(`${bytes.length} bytes is more than ${MAX_MANIFEST_BYTES}`)
  const digest = await sha256.digest(bytes)
  if (cid.code !== dagCbor.code || !equalBytes(digest.digest, cid.multihash.digest)) bad('its bytes do not match its CID')
  let block: Record<string, unknown>
  try {
    block = dagCbor.decode(bytes) as Record<string, unknown>
  } catch {
    return bad('not dag-cbor')
  }
  const m = block?.manifest as Record<string, unknown> | undefined
  const signature = block?.signature
  if (m === undefined || m === null || typeof m !== 'object' || !(signature instanceof Uint8Array)) bad('not a signed manifest')
  if (m!.canopy !== 'manifest') bad('not a Canopy manifest')
  if (m!.version !== MANIFEST_VERSION)
    bad(
      `manifest version ${String(m!.version)} is not ${MANIFEST_VERSION}, the one this Canopy reads (the publisher and this install run different Canopy versions)`
    )
  const key = m!.publicKey
  if (!(key instanceof Uint8Array) || key.length !== 32) bad('no Ed25519 public key')
  if (!verifySignature(key as Uint8Array, dagCbor.encode(m), signature as Uint8Array)) bad('the signature does not match (forged or tampered)')
  if (expect.publicKey !== undefined && !equalBytes(expect.publicKey, key as Uint8Array)) bad("signed by a key that is not this partner's")
  const index = CID.asCID(m!.index)
  const previous = m!.previous === null ? null : CID.asCID(m!.previous)
  const sources = Array.isArray(m!.sources) ? m!.sources.map(s => CID.asCID(s)) : null
  const stats = m!.stats as Record<string, unknown> | null
  const isUint = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0
  if (
    index === null ||
    (m!.previous !== null && previous === null) ||
    sources === null ||
    sources.some(s => s === null) ||
    typeof m!.institution !== 'string' ||
    typeof m!.analyzer !== 'string' ||
    typeof m!.extraction !== 'string' ||
    typeof m!.time !== 'string' ||
    !isUint(m!.seq) ||
    !isUint(m!.indexFormat) ||
    stats === null ||
    typeof stats !== 'object' ||
    !isUint(stats.documents) ||
    !isUint(stats.captures) ||
    !isUint(stats.postings)
  ) {
    bad('malformed fields')
  }
  if (expect.afterSeq !== undefined && (m!.seq as number) <= expect.afterSeq) {
    bad(`sequence ${String(m!.seq)} is not newer than ${expect.afterSeq} (an older manifest replayed)`)
  }
  return {
    institution: m!.institution as string,
    publicKey: key as Uint8Array,
    index: index!,
    indexFormat: m!.indexFormat as number,
    analyzer: m!.analyzer as string,
    extraction: m!.extraction as string,
    stats: { documents: stats!.documents as number, captures: stats!.captures as number, postings: stats!.postings as number },
    time: m!.time as string,
    seq: m!.seq as number,
    previous,
    sources: sources as CID[]
  }
}
