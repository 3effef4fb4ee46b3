// Interop with standard IPFS tools, as an outside client sees Canopy: a Canopy institution in its own process
// (fixtures/peer.ts: node and HTTP server), and clients with no Canopy code (fixtures/ipfs-client.ts), both
// under the net guard: a plain helia node copies a published index over bitswap, @helia/verified-fetch reads
// ipfs:// and ipns:// through the gateway and the Delegated Routing API, and an exported CAR reads back with
// @ipld/car and the ipfs-car CLI.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { CarBlockIterator } from '@ipld/car/iterator'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { SAMPLE_CRAWL } from '../bin/commands/start.ts'
import { currentVersionLinks, walkDag } from '../federation/blocks/index.ts'
import { ipnsNameOf } from '../federation/trust/index.ts'
import { openFolderBlocks } from '../index-core/store/index.ts'
import { Child } from './fixtures/child.ts'
import { violationsIn } from './net-guard.ts'
import { withTmp } from './helpers.ts'

const run = promisify(execFile)
const PEER = fileURLToPath(new URL('./fixtures/peer.ts', import.meta.url))
const CLIENT = fileURLToPath(new URL('./fixtures/ipfs-client.ts', import.meta.url))
const CANOPY = fileURLToPath(new URL('../bin/canopy.mjs', import.meta.url))
const IPFS_CAR = fileURLToPath(new URL('../node_modules/ipfs-car/bin.js', import.meta.url))

const hex = async (b: Uint8Array): Promise<string> => Buffer.from((await sha256.digest(b)).digest).toString('hex')

describe('interop with standard IPFS tools', { timeout: 300_000 }, () => {
  it('a plain helia node copies the index over bitswap, verified-fetch reads ipfs:// and ipns://, and CARs read back with @ipld/car and ipfs-car', async () => {
    await withTmp(async tmp => {
      const dir = path.join(tmp, 'a')
      const canopy = new Child('canopy', PEER)
      const client = new Child('client', CLIENT)
      try {
        const { publicKey } = await canopy.call('init', { dir, name: 'Institution A' })
        await canopy.call('ingest', { warc: SAMPLE_CRAWL }, 120_000)
        const pub = await canopy.call('publish', { seq: 1 })
        const { addrs } = await canopy.call('start', { public: true }) // the client is nobody's partner: a public node serves it
        const { base } = await canopy.call('http')
        const index = CID.parse(pub.index as string)
        const manifest = CID.parse(pub.manifest as string)
        const name = ipnsNameOf(new Uint8Array(Buffer.from(publicKey as string, 'base64')))

        // What the clients should find, from the institution's own store.
        const local = await openFolderBlocks(path.join(dir, 'blocks'))
        let expected: { blocks: number; bytes: number }
        let manifestBytes: Uint8Array
        let rootBytes: Uint8Array
        try {
          expected = await walkDag(local.store, [index], () => {})
          manifestBytes = (await local.store.get(manifest))!
          rootBytes = (await local.store.get(index))!
        } finally {
          await local.close()
        }

        // (1) bitswap: every block of the index, each verified by the client.
        const walked = await client.call('bitswap-walk', { addr: (addrs as string[])[0], root: index.toString() }, 120_000)
        assert.equal(walked.blocks, expected.blocks)
        assert.equal(walked.bytes, expected.bytes)

        // (2) verified-fetch, given only Canopy's URL as gateway and router.
        const { results } = (await client.call(
          'verified-fetch',
          {
            gateway: base,
            urls: [
              { url: `ipfs://${index.toString()}`, accept: 'application/vnd.ipld.raw' },
              { url: `ipns://${name}`, accept: 'application/vnd.ipld.raw' },
              { url: `ipfs://${index.toString()}`, accept: 'application/vnd.ipld.car' }
            ]
          },
          180_000
        )) as { results: Array<{ url: string; status: number; sha256: string; carBlocks: number | null }> }
        assert.equal(results[0].status, 200, 'ipfs://')
        assert.equal(results[0].sha256, await hex(rootBytes))
        assert.equal(results[1].status, 200, 'ipns:// resolves through the routing API to the manifest')
        assert.equal(results[1].sha256, await hex(manifestBytes))
        assert.equal(results[2].status, 200, 'a CAR of the whole index')
        assert.equal(results[2].carBlocks, expected.blocks)

        // (3) canopy export, read back with @ipld/car alone and with the ipfs-car CLI.
        const car = path.join(tmp, 'a.car')
        await canopy.close() // export opens the folder itself
        await run(process.execPath, [CANOPY, 'export', '--index', dir, '--out', car])
        const reader = await CarBlockIterator.fromBytes(await readFile(car))
        assert.deepEqual((await reader.getRoots()).map(String), [manifest.toString()])
        let n = 0
        for await (const { cid, bytes } of reader) {
          assert.equal(await hex(bytes), Buffer.from(cid.multihash.digest).toString('hex'), cid.toString())
          n++
        }
        // The export is the manifest and the current index (not the manifest's history).
        const exportStore = await openFolderBlocks(path.join(dir, 'blocks'))
        let exported: number
        try {
          exported = (await walkDag(exportStore.store, [manifest], () => {}, { follow: currentVersionLinks })).blocks
        } finally {
          await exportStore.close()
        }
        assert.equal(n, exported)
        assert.equal(exported, expected.blocks + 1)
        const roots = (await run(process.execPath, [IPFS_CAR, 'roots', car])).stdout.trim().split('\n')
        assert.deepEqual(roots, [manifest.toString()])
        const blocks = (await run(process.execPath, [IPFS_CAR, 'blocks', car], { maxBuffer: 64 * 1024 * 1024 })).stdout.trim().split('\n')
        assert.equal(blocks.length, exported)
      } finally {
        await client.close()
        await canopy.close()
      }
      const violations = [...violationsIn(canopy.stderr), ...violationsIn(client.stderr)]
      assert.deepEqual(violations, [], 'nothing left loopback')
    })
  })
})
