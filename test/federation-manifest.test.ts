// Institution identity and signed manifests: what partners rely on to trust a published index.
import assert from 'node:assert/strict'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { signManifest, verifyManifest } from '../federation/trust/index.ts'
import { loadOrCreateIdentity } from '../federation/identity/index.ts'
import { withTmp } from './helpers.ts'

const INDEX = CID.parse('bafyreiakaqzojoprr43huf7ouob5bfregp46s53u44532qszkofqmewnga')
const base = {
  index: INDEX,
  indexFormat: 2,
  analyzer: 'canopy-analyzer/1',
  extraction: 'canopy-extract/1',
  stats: { documents: 10, captures: 12, postings: 500 },
  time: '2026-11-21T00:00:00Z',
  seq: 1,
  previous: null,
  sources: []
}

async function cidOf(bytes: Uint8Array): Promise<CID> {
  return CID.createV1(dagCbor.code, await sha256.digest(bytes))
}

describe('federation identity and manifests', () => {
  it('creates an identity once, keeps it, and keeps the private key private', async () => {
    await withTmp(async dir => {
      const a = await loadOrCreateIdentity(dir, 'British Library')
      const b = await loadOrCreateIdentity(dir, 'ignored on reload')
      assert.equal(b.name, 'British Library')
      assert.deepEqual(b.publicKey, a.publicKey)
      assert.equal((await stat(path.join(dir, 'identity.key'))).mode & 0o077, 0, 'no group or other access')
      const other = await withTmp(async d2 => await loadOrCreateIdentity(d2, 'KB'))
      assert.notDeepEqual(other.publicKey, a.publicKey)
    })
  })

  it('signs a manifest that verifies, and refuses tampered, forged, wrong-key, replayed and oversized ones', async () => {
    await withTmp(async dir => {
      const bl = await loadOrCreateIdentity(path.join(dir, 'bl'), 'British Library')
      const mallory = await loadOrCreateIdentity(path.join(dir, 'm'), 'British Library')
      const { cid, bytes } = await signManifest(bl, base)
      const m = await verifyManifest(cid, bytes, { publicKey: bl.publicKey, afterSeq: 0 })
      assert.equal(m.institution, 'British Library')
      assert.ok(m.index.equals(INDEX))
      assert.equal(m.stats.documents, 10)

      // A changed byte no longer matches the CID.
      const flipped = bytes.slice()
      flipped[flipped.length - 5] ^= 1
      await assert.rejects(verifyManifest(cid, flipped), /do not match its CID/)

      // Tampered content, re-addressed: the signature no longer matches.
      const block = dagCbor.decode(bytes) as { manifest: Record<string, unknown>; signature: Uint8Array }
      const tampered = dagCbor.encode({ ...block, manifest: { ...block.manifest, stats: { documents: 99, captures: 12, postings: 500 } } })
      await assert.rejects(verifyManifest(await cidOf(tampered), tampered), /signature does not match/)

      // Mallory signs with her own key under the same name: valid by itself, refused for this partner.
      const forged = await signManifest(mallory, base)
      await verifyManifest(forged.cid, forged.bytes)
      await assert.rejects(verifyManifest(forged.cid, forged.bytes, { publicKey: bl.publicKey }), /not this partner's/)

      // An older manifest replayed after a newer one was seen.
      const next = await signManifest(bl, { ...base, seq: 2, previous: cid })
      const n = await verifyManifest(next.cid, next.bytes, { publicKey: bl.publicKey, afterSeq: 1 })
      assert.ok(n.previous!.equals(cid))
      await assert.rejects(verifyManifest(cid, bytes, { publicKey: bl.publicKey, afterSeq: n.seq }), /not newer/)

      // Oversized blocks are refused before any decoding.
      const big = new Uint8Array(70_000)
      await assert.rejects(verifyManifest(await cidOf(big), big), /more than/)
    })
  })
})
