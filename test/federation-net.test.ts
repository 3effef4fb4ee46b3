// Federation over the network, with real helia nodes in separate processes on 127.0.0.1, each under the net
// guard: institution A ingests a crawl, signs a manifest and publishes its IPNS record; partner B knows only
// A's public key and address, resolves the record over libp2p, verifies the manifest, searches A's index
// fetching only what the query reads, copies all of it, and refuses tampered blocks and replayed names.
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { walkDag } from '../federation/blocks/index.ts'
import { createIpnsRecord, IPNS_RECORD_FILE, ipnsRecordKey, MAX_IPNS_RECORD_BYTES, verifyIpnsRecord } from '../federation/trust/ipns.ts'
import { ipnsNameOf, libp2pPrivateKey, peerIdOf } from '../federation/trust/index.ts'
import { multihashToIPNSRoutingKey } from 'ipns'
import { openFolderBlocks } from '../index-core/store/index.ts'
import { Peer } from './fixtures/peer-client.ts'
import { violationsIn } from './net-guard.ts'
import { warc, withTmp } from './helpers.ts'

const CRAWL = warc('netarchivesuite__jwat/jwat-gzip__src__test__resources__IAH-20080430204825-00000-blackbook.warc.gz')

async function dagCborBlock(value: unknown): Promise<{ cid: CID; bytes: Uint8Array }> {
  const bytes = dagCbor.encode(value)
  return { cid: CID.createV1(dagCbor.code, await sha256.digest(bytes)), bytes }
}

describe('federation over libp2p', { timeout: 120_000 }, () => {
  it("B resolves, verifies, searches sparsely and copies A's index; refuses a tampered block and a replayed name; nothing leaves loopback", async () => {
    await withTmp(async tmp => {
      const aDir = path.join(tmp, 'a')
      const a = new Peer('A')
      const b = new Peer('B')
      try {
        // A: ingest, sign, publish, serve. B meanwhile starts its own node.
        const [aInfo] = await Promise.all([
          (async () => {
            const { publicKey, guarded } = await a.call('init', { dir: aDir, name: 'Institution A' })
            assert.equal(guarded, true, 'A runs under the net guard')
            await a.call('ingest', { warc: CRAWL }, 60_000)
            const pub = await a.call('publish', { seq: 1 })
            const started = await a.call('start', { public: true }) // B is no partner of A's: A serves publicly
            return {
              publicKey: publicKey as string,
              manifest: pub.manifest as string,
              index: pub.index as string,
              peerId: started.peerId as string,
              addr: (started.addrs as string[])[0]
            }
          })(),
          (async () => {
            assert.equal((await b.call('init', { dir: path.join(tmp, 'b'), name: 'Institution B' })).guarded, true, 'B runs under the net guard')
            await b.call('start', { listen: [] })
          })()
        ])
        const aKey = new Uint8Array(Buffer.from(aInfo.publicKey, 'base64'))
        // The peer ID (and IPNS name) is a function of the public key in the manifest.
        assert.equal(aInfo.peerId, peerIdOf(aKey).toString())
        assert.match(aInfo.addr, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3Koo/)
        const firstRecord = await readFile(path.join(aDir, IPNS_RECORD_FILE))

        // B knows A's key and address only: the record names the manifest, the manifest the index.
        const r1 = await b.call('resolve', { addr: aInfo.addr, publicKey: aInfo.publicKey })
        assert.equal(r1.manifest, aInfo.manifest)
        assert.equal(r1.seq, 1)
        const m1 = await b.call('manifest', { addr: aInfo.addr, cid: r1.manifest, publicKey: aInfo.publicKey, afterSeq: 0 })
        assert.equal(m1.index, aInfo.index)
        assert.equal(m1.seq, 1)

        // (a) sparse: a search reads a small part of the index.
        const found = await b.call('search', { addr: aInfo.addr, index: m1.index, q: 'nazi warfare' })
        assert.ok((found.total as number) > 0, "the search finds documents in A's index")
        assert.ok(
          (found.urls as string[]).some(u => u.includes('secretarmies')),
          'the page about the book is among the hits'
        )

        // (b) --all: B ends with every block of the index, checked from its own store alone.
        const all = await b.call('walk', { addr: aInfo.addr, index: m1.index }, 60_000)
        const local = await openFolderBlocks(path.join(aDir, 'blocks'))
        let total: number
        try {
          total = (await walkDag(local.store, [CID.parse(aInfo.index)], () => {})).blocks
        } finally {
          await local.close()
        }
        assert.equal(all.blocks, total, "the walk reached every block of A's index")
        assert.equal(all.localBlocks, total, "every block is now in B's store")
        assert.equal(all.documents, (m1.stats as { documents: number }).documents, "the copy opens and verifies, with the manifest's statistics")
        assert.equal((found.fetched as number) + (all.fetched as number), total, 'every block fetched once')
        assert.ok((found.fetched as number) * 4 < total, `the search fetched ${String(found.fetched)} of ${total} blocks`)

        // A tampered block: A holds bytes under a CID they do not hash to (blockstore-fs does not check).
        const genuine = await dagCborBlock({ canopy: 'genuine block' })
        const forged = await dagCborBlock({ canopy: 'forged block' })
        const aBlocks = await openFolderBlocks(path.join(aDir, 'blocks'))
        try {
          await aBlocks.store.put(genuine.cid, forged.bytes)
        } finally {
          await aBlocks.close()
        }
        const tampered = await b.send('get', { addr: aInfo.addr, cid: genuine.cid.toString() })
        assert.equal(tampered.ok, false)
        assert.equal(tampered.error?.name, 'BlockRefusedError', tampered.error?.message)
        assert.equal((await b.call('has', { cid: genuine.cid.toString() })).has, false, 'B keeps nothing of it')
        // A block A does not have: an answer (DONT_HAVE), not a wait for the timeout.
        const absent = await dagCborBlock({ canopy: 'nobody has this' })
        assert.equal((await b.call('get', { addr: aInfo.addr, cid: absent.cid.toString() })).found, false)

        // A publishes again; B accepts the newer name and manifest...
        const pub2 = await a.call('publish', { seq: 2 })
        const r2 = await b.call('resolve', { addr: aInfo.addr, publicKey: aInfo.publicKey, minSeq: r1.seq })
        assert.deepEqual([r2.manifest, r2.seq], [pub2.manifest, 2])
        await b.call('manifest', { addr: aInfo.addr, cid: r2.manifest, publicKey: aInfo.publicKey, afterSeq: r1.seq })
        // ...and refuses the older record when it is served again, and the older manifest.
        await writeFile(path.join(aDir, IPNS_RECORD_FILE), firstRecord)
        const replayed = await b.send('resolve', { addr: aInfo.addr, publicKey: aInfo.publicKey, minSeq: r2.seq })
        assert.equal(replayed.ok, false)
        assert.match(replayed.error!.message, /sequence 1 is older than 2/)
        const oldManifest = await b.send('manifest', { addr: aInfo.addr, cid: r1.manifest, publicKey: aInfo.publicKey, afterSeq: r2.seq })
        assert.equal(oldManifest.ok, false)
        assert.match(oldManifest.error!.message, /not newer/)
        // A record signed by another key, served at A's address, is refused.
        const mallory = await createIpnsRecord(crypto.getRandomValues(new Uint8Array(32)), CID.parse(String(r2.manifest)), 99)
        await writeFile(path.join(aDir, IPNS_RECORD_FILE), mallory)
        const forgedName = await b.send('resolve', { addr: aInfo.addr, publicKey: aInfo.publicKey })
        assert.equal(forgedName.ok, false)
        assert.equal(forgedName.error?.name, 'IpnsError')

        await Promise.all([a.call('stop'), b.call('stop')])
      } finally {
        await Promise.all([a.close(), b.close()])
      }
      for (const p of [a, b]) assert.deepEqual(violationsIn(p.stderr), [], `${p.name} tried to reach beyond loopback`)
    })
  })

  it('verifies IPNS records against the expected key: signature, key, expiry, value, size, sequence', async () => {
    const seed = crypto.getRandomValues(new Uint8Array(32))
    const key = (await libp2pPrivateKey(seed)).publicKey.raw
    const other = (await libp2pPrivateKey(crypto.getRandomValues(new Uint8Array(32)))).publicKey.raw
    const manifest = (await dagCborBlock({ canopy: 'manifest' })).cid
    const rec = await createIpnsRecord(seed, manifest, 5)
    const ok = await verifyIpnsRecord(rec, key, { minSeq: 5 })
    assert.ok(ok.manifest.equals(manifest))
    assert.equal(ok.seq, 5)
    assert.ok(ok.expires.getTime() > Date.now() + 300 * 24 * 3600_000, 'valid for about a year')
    await assert.rejects(verifyIpnsRecord(rec, other), /IPNS record refused/)
    await assert.rejects(verifyIpnsRecord(rec, key, { minSeq: 6 }), /older than 6/)
    await assert.rejects(verifyIpnsRecord(await createIpnsRecord(seed, manifest, 1, { lifetimeMs: -1000 }), key), /expired/)
    const flipped = rec.slice()
    flipped[flipped.length - 10] ^= 1
    await assert.rejects(verifyIpnsRecord(flipped, key), /IPNS record refused/)
    await assert.rejects(verifyIpnsRecord(new Uint8Array(MAX_IPNS_RECORD_BYTES + 1), key), /more than/)
    // The fetch key and the name both come from the public key alone.
    assert.deepEqual(ipnsRecordKey(key).subarray(0, 6), new TextEncoder().encode('/ipns/'))
    // written by hand so that the ipns package loads only when a record is made or checked: the same bytes
    assert.deepEqual(ipnsRecordKey(key), multihashToIPNSRoutingKey(peerIdOf(key).toMultihash()))
    assert.match(ipnsNameOf(key), /^k51/)
    assert.notEqual(ipnsNameOf(key), ipnsNameOf(other))
  })
})
