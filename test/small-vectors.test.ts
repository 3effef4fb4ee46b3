// Self-contained vectors (nothing from ../shared): documents to entries, blocks and root
// (test/vectors/documents.json), and a tiny WARC to a root (test/vectors/tiny-warc.json). After an intended
// format or extraction change: `node test/vectors/generate-small.ts --write`.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { loadIndexRoot, INDEX_FORMAT, SIDE_TREES } from '../index-core/index/index.ts'
import { NodeStore, entries } from '../index-core/prolly/index.ts'
import { MemoryBlocks } from '../index-core/store/index.ts'
import { buildDocumentsVector } from './vectors/documents-vector.ts'
import type { DocumentsVector } from './vectors/documents-vector.ts'
import { tinyWarcRoot } from './vectors/generate-small.ts'
import { buildManifestVector } from './vectors/manifest-vector.ts'
import type { ManifestVector } from './vectors/manifest-vector.ts'
import { verifyManifest } from '../federation/trust/index.ts'

const REGENERATE = 'if the format or extraction changed on purpose, bump its version and run node test/vectors/generate-small.ts --write'
const documents = JSON.parse(readFileSync(new URL('./vectors/documents.json', import.meta.url), 'utf8')) as DocumentsVector
const tiny = JSON.parse(readFileSync(new URL('./vectors/tiny-warc.json', import.meta.url), 'utf8')) as { root: string; documents: number; captures: number }
const manifest = JSON.parse(readFileSync(new URL('./vectors/manifest.json', import.meta.url), 'utf8')) as ManifestVector
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe(`self-contained vectors (format ${INDEX_FORMAT})`, { timeout: 120_000 }, () => {
  it('documents give the recorded document ids, entries, blocks and root', async () => {
    const v = await buildDocumentsVector()
    assert.equal(v.format, documents.format, REGENERATE)
    assert.deepEqual(v.docIds, documents.docIds)
    for (const t of Object.keys(documents.trees)) assert.deepEqual(v.trees[t], documents.trees[t], `tree ${t}: ${REGENERATE}`)
    assert.deepEqual(v.blocks, documents.blocks, REGENERATE)
    assert.equal(v.root, documents.root, REGENERATE)
  })

  it('the recorded blocks alone hash to their CIDs and read back as the recorded entries', async () => {
    // A second path through the vector: decode the stored blocks instead of building them.
    const mem = new MemoryBlocks()
    for (const [c, h] of Object.entries(documents.blocks)) {
      const cid = CID.parse(c)
      const bytes = new Uint8Array(Buffer.from(h, 'hex'))
      assert.equal(cid.code, dagCbor.code)
      assert.deepEqual(cid.multihash.bytes, (await sha256.digest(bytes)).bytes, `block ${c}`)
      await mem.put(cid, bytes)
    }
    const store = new NodeStore(mem)
    const root = await loadIndexRoot(mem, CID.parse(documents.root))
    const roots: Record<string, CID> = Object.fromEntries([
      ...root.segments.flatMap(g => g.shards.map((s, i) => [`postings/${g.from}-${g.to}/${i}`, s] as const)),
      ...SIDE_TREES.map(t => [t, root[t]] as const)
    ])
    assert.deepEqual(Object.keys(roots).sort(), Object.keys(documents.trees).sort())
    for (const [name, cid] of Object.entries(roots)) {
      assert.equal(cid.toString(), documents.trees[name].root)
      const got: Array<[string, string]> = []
      for await (const e of entries(store, cid)) got.push([hex(e.key), hex(e.value)])
      assert.deepEqual(got, documents.trees[name].entries, name)
    }
  })

  it('a manifest of the documents index, signed with the test key, is the recorded block and verifies', async () => {
    assert.deepEqual(await buildManifestVector(documents), manifest, REGENERATE)
    const cid = CID.parse(manifest.cid)
    const bytes = new Uint8Array(Buffer.from(manifest.block, 'hex'))
    const m = await verifyManifest(cid, bytes, { publicKey: new Uint8Array(Buffer.from(manifest.publicKey, 'hex')) })
    assert.equal(m.index.toString(), documents.root)
    // The block is { manifest, signature } with the signature over exactly the recorded signed bytes.
    const block = dagCbor.decode(bytes) as { manifest: unknown; signature: Uint8Array }
    assert.equal(hex(dagCbor.encode(block.manifest)), manifest.signed)
    assert.equal(hex(block.signature), manifest.signature)
  })

  it('the tiny WARC ingests to the recorded root', async () => {
    const r = await tinyWarcRoot()
    assert.equal(r.documents, tiny.documents)
    assert.equal(r.captures, tiny.captures)
    assert.equal(r.root, tiny.root, REGENERATE)
  })
})
