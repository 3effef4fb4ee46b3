// A crawl file's CID enters the index (the files tree), so adding it through @helia/unixfs must give the CIDs
// the pinned settings always gave: the values below were computed with ipfs-unixfs-importer called directly,
// as ingest did before it used @helia/unixfs. Single-block files are also checked against a CID computed
// without any UnixFS library, and a multi-block file is read back through the exporter.
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import * as dagPb from '@ipld/dag-pb'
import { exporter } from 'ipfs-unixfs-exporter'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { concatBytes, equalBytes } from '../index-core/bytes.ts'
import { MemoryBlocks } from '../index-core/store/index.ts'
import { importCrawlFile } from '../index-core/index/index.ts'
import { withTmp } from './helpers.ts'

const TINY_WARC = fileURLToPath(new URL('./vectors/tiny.warc.gz', import.meta.url))

/** Deterministic bytes (an LCG's high bytes). */
function bytesOf(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    b[i] = x >>> 24
  }
  return b
}

async function rawCid(bytes: Uint8Array): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(bytes))
}

async function added(file: string): Promise<{ cid: CID; size: number; store: MemoryBlocks }> {
  const store = new MemoryBlocks()
  const { cid, size } = await importCrawlFile(file, {
    put: async (c, bytes) => {
      await store.put(c, bytes)
      return c
    }
  })
  return { cid, size, store }
}

describe('crawl file CIDs', () => {
  it('files of one block (empty, exactly 1 MiB, the tiny vector WARC) are raw blocks: the CID of their bytes', async () => {
    await withTmp(async dir => {
      const cases: Array<[string, Uint8Array, string]> = [
        [path.join(dir, 'empty'), new Uint8Array(0), 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'],
        [path.join(dir, 'one-mib'), bytesOf(1_048_576, 9), 'bafkreifkckneqb262a2krxutlygqnbnfysvnk5jrdoj37wqq2t47sqgsam']
      ]
      for (const [file, bytes] of cases) await writeFile(file, bytes)
      cases.push([TINY_WARC, new Uint8Array(await readFile(TINY_WARC)), 'bafkreighpm2ukbxfg2ahweseyrjopdw5f7oi44brvgemqjuknrz2gvrisu'])
      for (const [file, bytes, pinned] of cases) {
        const a = await added(file)
        assert.equal(a.cid.toString(), pinned, file)
        assert.ok(a.cid.equals(await rawCid(bytes)), `${file}: the raw CID of its bytes`)
        assert.equal(a.size, bytes.length)
        assert.equal(a.store.size, 1)
      }
    })
  })

  it('a file of several chunks: 1 MiB raw leaves under one dag-pb root, the pinned CID, read back whole', async () => {
    await withTmp(async dir => {
      const bytes = bytesOf(2_500_000, 7)
      const file = path.join(dir, 'three-chunks')
      await writeFile(file, bytes)
      const a = await added(file)
      assert.equal(a.cid.toString(), 'bafybeidbpi3keelrc6kvnveacvnoq45qeigh3mhlrewqb5xziwjqlqbocm')
      assert.equal(a.cid.code, dagPb.code)
      const root = dagPb.decode((await a.store.get(a.cid))!)
      const chunks = [bytes.subarray(0, 1 << 20), bytes.subarray(1 << 20, 2 << 20), bytes.subarray(2 << 20)]
      assert.deepEqual(
        root.Links.map(l => l.Hash.toString()),
        await Promise.all(chunks.map(async c => (await rawCid(c)).toString()))
      )
      assert.equal(a.store.size, 4)
      const entry = await exporter(a.cid, {
        get: async function* (c: CID) {
          yield (await a.store.get(c))!
        }
      })
      assert.equal(entry.type, 'file')
      if (entry.type !== 'file') return
      const parts: Uint8Array[] = []
      for await (const p of entry.content()) parts.push(p)
      assert.ok(equalBytes(concatBytes(parts), bytes))
    })
  })

  it('adding without a store (as ingest does) gives the same CID', async () => {
    const { cid } = await importCrawlFile(TINY_WARC)
    assert.equal(cid.toString(), (await added(TINY_WARC)).cid.toString())
  })
})
