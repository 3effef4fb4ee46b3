// A signed manifest over the index of documents-vector.ts, made with a fixed test key, so that a second
// implementation can check its manifest encoding, Ed25519 signature, key-to-peer-ID and IPNS-name derivation
// against test/vectors/manifest.json (docs/federation-format.md). Ed25519 signatures are deterministic
// (RFC 8032), so the block is the same on every run. The key is a published test key: never use it for real.
// Regenerate with `node test/vectors/generate-small.ts --write`.

import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import type { Identity } from '../../federation/identity/index.ts'
import { ipnsRecordKey, signManifest, ipnsNameOf, peerIdOf } from '../../federation/trust/index.ts'
import { DEFAULT_ANALYZER, INDEX_FORMAT } from '../../index-core/index/index.ts'
import type { DocumentsVector } from './documents-vector.ts'
import { VECTOR_EXTRACTION } from './documents-vector.ts'

/** The test key's 32-byte Ed25519 seed: sha256 of a fixed phrase. */
export const TEST_SEED = new Uint8Array(createHash('sha256').update('canopy federation test vector key').digest())

function testIdentity(name: string): Identity {
  // PKCS#8 DER of an Ed25519 key is a fixed 16-byte header followed by the seed.
  const priv = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), TEST_SEED]), format: 'der', type: 'pkcs8' })
  const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' })
  return { name, publicKey: new Uint8Array(spki.subarray(spki.length - 32)), sign: d => new Uint8Array(sign(null, d, priv)), privateSeed: () => TEST_SEED }
}

export interface ManifestVector {
  readonly seed: string
  readonly publicKey: string
  readonly peerId: string
  readonly ipnsName: string
  /** The IPNS routing key: '/ipns/' ‖ the peer ID's multihash (hex). */
  readonly ipnsRoutingKey: string
  /** dag-cbor of the manifest map: the bytes signed. */
  readonly signed: string
  readonly signature: string
  readonly cid: string
  readonly block: string
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

export async function buildManifestVector(docs: DocumentsVector): Promise<ManifestVector> {
  const id = testIdentity('Vector Library')
  const postings = Object.entries(docs.trees)
    .filter(([t]) => t.startsWith('postings/'))
    .reduce((n, [, t]) => n + t.entries.length, 0)
  const records = (t: string, kind: number): number => docs.trees[t].entries.filter(([k]) => parseInt(k.slice(10, 12), 16) === kind).length
  const { cid, bytes } = await signManifest(id, {
    index: CID.parse(docs.root),
    indexFormat: INDEX_FORMAT,
    analyzer: DEFAULT_ANALYZER.version,
    extraction: VECTOR_EXTRACTION,
    stats: { documents: records('docs', 0), captures: records('docs', 1), postings },
    time: '2026-01-01T00:00:00.000Z',
    seq: 1,
    previous: null,
    sources: []
  })
  const block = dagCbor.decode(bytes) as { manifest: unknown; signature: Uint8Array }
  return {
    seed: hex(TEST_SEED),
    publicKey: hex(id.publicKey),
    peerId: peerIdOf(id.publicKey).toString(),
    ipnsName: ipnsNameOf(id.publicKey),
    ipnsRoutingKey: hex(ipnsRecordKey(id.publicKey)),
    signed: hex(dagCbor.encode(block.manifest)),
    signature: hex(block.signature),
    cid: cid.toString(),
    block: hex(bytes)
  }
}
