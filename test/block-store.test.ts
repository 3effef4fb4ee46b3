// The on-disk block store: loose files and pack files side by side, as ingest, merges, helia and the gateway
// use them. Packs must be read back byte for byte, seen by stores opened before them, left out when
// abandoned, and a damaged pack must cost its own blocks only.
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { identity } from 'multiformats/hashes/identity'
import { sha256 } from 'multiformats/hashes/sha2'
import { NodeStore, TreeBuilder, entries } from '../index-core/prolly/index.ts'
import { TREE_CONFIGS } from '../index-core/index/index.ts'
import { openFolderBlocks, openIndexDir, compactPacks, PACKS_DIR, PackedBlockstore, storeUsage } from '../index-core/store/index.ts'
import { equalBytes } from '../index-core/bytes.ts'
import { withTmp } from './helpers.ts'

async function block(n: number, size = 100): Promise<{ cid: CID; bytes: Uint8Array }> {
  const bytes = dagCbor.encode({ n, pad: 'x'.repeat(size) })
  return { cid: CID.createV1(dagCbor.code, await sha256.digest(bytes)), bytes }
}

async function packNames(dir: string): Promise<string[]> {
  return (await readdir(path.join(dir, PACKS_DIR)).catch(() => [] as string[])).sort()
}

describe('block store', () => {
  it('a pack holds every block put into it, read back byte for byte by a store opened before it', async () => {
    await withTmp(async dir => {
      const reader = await openFolderBlocks(dir)
      const writer = await openFolderBlocks(dir, { pack: true })
      try {
        // Sizes around the write buffer, so blocks straddle and exceed it.
        const blocks = await Promise.all([1, 2, 3, 4].map(async n => await block(n, n === 4 ? 3 * 1024 * 1024 : 200_000 * n)))
        for (const b of blocks) await writer.store.put(b.cid, b.bytes)
        await writer.store.put(blocks[0].cid, blocks[0].bytes) // again: kept once
        assert.deepEqual(await writer.store.get(blocks[3].cid), blocks[3].bytes, 'the writer reads its own pack before it is in place')
        assert.equal(await reader.store.get(blocks[0].cid), undefined, 'nothing is visible before commit')
        writer.store.commit()
        assert.equal((await packNames(dir)).length, 1)
        for (const b of blocks) {
          assert.deepEqual(await reader.store.get(b.cid), b.bytes)
          assert.equal(await reader.store.has(b.cid), true)
        }
        const usage = await storeUsage(dir)
        assert.equal(usage.blocks, 4, 'the duplicate put was not stored twice')
        assert.equal(usage.bytes, (await stat(path.join(dir, PACKS_DIR, (await packNames(dir))[0]))).size)
        assert.equal(writer.store.bytesAdded, usage.bytes)
      } finally {
        await writer.close()
        await reader.close()
      }
    })
  })

  it('the same blocks make the same pack, and a block already packed is not written again', async () => {
    await withTmp(async dir => {
      const blocks = await Promise.all([5, 6, 7].map(async n => await block(n)))
      for (const order of [blocks, [...blocks].reverse()]) {
        await withTmp(async other => {
          const s = await openFolderBlocks(other, { pack: true })
          for (const b of order) await s.store.put(b.cid, b.bytes)
          await s.close()
          const names = await packNames(other)
          const mine = await openFolderBlocks(dir, { pack: true })
          for (const b of order) await mine.store.put(b.cid, b.bytes)
          await mine.close()
          assert.deepEqual(await packNames(dir), names, 'one pack, named by its blocks whatever their order')
        })
      }
      const again = await openFolderBlocks(dir, { pack: true })
      for (const b of blocks) await again.store.put(b.cid, b.bytes)
      assert.equal(again.store.bytesAdded, 0)
      await again.close()
      // Two writers that pack the same blocks at the same moment (two trees of one ingest can): one pack, counted once.
      await withTmp(async other => {
        const [x, y] = [await openFolderBlocks(other, { pack: true }), await openFolderBlocks(other, { pack: true })]
        for (const s of [x, y]) for (const b of blocks) await s.store.put(b.cid, b.bytes)
        await x.close()
        await y.close()
        const usage = await storeUsage(other)
        assert.equal(usage.blocks, 3)
        assert.equal(x.store.bytesAdded + y.store.bytesAdded, usage.bytes, 'the second pack of the same blocks adds nothing')
      })
      const loose = await openFolderBlocks(dir)
      await loose.store.put(blocks[0].cid, blocks[0].bytes)
      await loose.close()
      assert.deepEqual(await storeUsage(dir), { blocks: 3, bytes: (await storeUsage(dir)).bytes }, 'no loose copy of a packed block')
      assert.equal((await readdir(dir)).filter(n => n !== PACKS_DIR).length, 0)
    })
  })

  it('an abandoned pack leaves nothing behind; blocks that cannot be packed go loose', async () => {
    await withTmp(async dir => {
      const s = await openFolderBlocks(dir, { pack: true })
      const b = await block(8)
      await s.store.put(b.cid, b.bytes)
      const bytes = new TextEncoder().encode('not sha2-256')
      const id = CID.createV1(raw.code, identity.digest(bytes))
      await s.store.put(id, bytes)
      s.store.abort()
      await s.close()
      assert.deepEqual(await readdir(path.join(dir, PACKS_DIR)), [], 'no pack, no temporary file')
      const r = await openFolderBlocks(dir)
      assert.equal(await r.store.get(b.cid), undefined)
      assert.deepEqual(await r.store.get(id), bytes)
      await r.close()
    })
  })

  it('a truncated or foreign pack is set aside with its reason; other packs and loose blocks still read', async () => {
    await withTmp(async dir => {
      const good = await block(9)
      const lost = await block(10)
      for (const b of [good, lost]) {
        const s = await openFolderBlocks(dir, { pack: true })
        await s.store.put(b.cid, b.bytes)
        await s.close()
      }
      const names = await packNames(dir)
      assert.equal(names.length, 2)
      await truncate(path.join(dir, PACKS_DIR, names[1]), 30)
      await writeFile(path.join(dir, PACKS_DIR, 'foreign.pack'), 'hello, I am not a pack at all, just text')
      const s = await openFolderBlocks(dir)
      try {
        assert.equal(s.store.disk.badPacks.size, 2)
        assert.match([...s.store.disk.badPacks.values()].join('\n'), /too short|bad trailer|does not fit/)
        const survivors = [good, lost].filter(b => s.store.disk.packed(b.cid))
        assert.equal(survivors.length, 1, 'the intact pack still reads')
        assert.deepEqual(await s.store.get(survivors[0].cid), survivors[0].bytes)
      } finally {
        await s.close()
      }
    })
  })

  it('a pack whose block bytes were altered is caught when the block is read, not trusted', async () => {
    await withTmp(async dir => {
      const b = await block(11, 500)
      const s = await openFolderBlocks(dir, { pack: true })
      await s.store.put(b.cid, b.bytes)
      await s.close()
      const file = path.join(dir, PACKS_DIR, (await packNames(dir))[0])
      const bytes = await readFile(file)
      bytes[8 + 100] ^= 0xff // inside the block's bytes
      await writeFile(file, bytes)
      const r = await openFolderBlocks(dir)
      try {
        await assert.rejects(new NodeStore(r.store).load(b.cid, null, undefined, true), /do not match the CID/)
      } finally {
        await r.close()
      }
    })
  })

  it('serves packed and loose blocks through interface-blockstore, as helia reads them', async () => {
    await withTmp(async dir => {
      const packed = await block(12)
      const loose = await block(13)
      const p = await openFolderBlocks(dir, { pack: true })
      await p.store.put(packed.cid, packed.bytes)
      await p.close()
      const l = await openFolderBlocks(dir)
      await l.store.put(loose.cid, loose.bytes)
      await l.close()
      const bs = new PackedBlockstore(dir)
      await bs.open()
      try {
        for (const b of [packed, loose]) {
          const chunks: Uint8Array[] = []
          for await (const c of bs.get(b.cid)) chunks.push(c)
          assert.deepEqual(Buffer.concat(chunks), Buffer.from(b.bytes))
          assert.equal(await bs.has(b.cid), true)
        }
        const missing = await block(14)
        await assert.rejects(
          async () => {
            for await (const _ of bs.get(missing.cid)) {
              /* drain */
            }
          },
          { name: 'NotFoundError' }
        )
        const all: string[] = []
        for await (const pair of bs.getAll()) all.push(pair.cid.multihash.toString())
        assert.deepEqual(all.sort(), [packed, loose].map(b => b.cid.multihash.toString()).sort())
      } finally {
        await bs.close()
      }
    })
  })

  it('a tree built into a pack reads back whole', async () => {
    await withTmp(async dir => {
      const w = await openFolderBlocks(dir, { pack: true })
      const b = new TreeBuilder(new NodeStore(w.store), TREE_CONFIGS.docvalues)
      const want: string[] = []
      for (let i = 0; i < 5000; i++) {
        const k = `key-${String(i).padStart(6, '0')}`
        want.push(k)
        if (b.addSync(new TextEncoder().encode(k), new TextEncoder().encode(`value ${i}`))) await b.flush()
      }
      const root = await b.finish()
      w.store.commit()
      await w.close()
      const r = await openFolderBlocks(dir)
      try {
        const got: string[] = []
        for await (const e of entries(new NodeStore(r.store), root)) got.push(new TextDecoder().decode(e.key))
        assert.deepEqual(got, want)
        assert.ok((await storeUsage(dir)).blocks > 10)
      } finally {
        await r.close()
      }
    })
  })

  it("a crashed writer's temporary files are removed by the next writer, never by a reader", async () => {
    await withTmp(async dir => {
      const leftovers = [path.join(dir, 'tmp', 'ingest-1-1', 'run-000000.run'), path.join(dir, 'blocks', PACKS_DIR, '.1-0-0.tmp')]
      const b = await block(15)
      const s = await openFolderBlocks(path.join(dir, 'blocks'), { pack: true })
      await s.store.put(b.cid, b.bytes)
      await s.close()
      for (const f of leftovers) {
        await mkdir(path.dirname(f), { recursive: true })
        await writeFile(f, 'partial')
      }
      const exists = async (f: string): Promise<boolean> =>
        await stat(f).then(
          () => true,
          () => false
        )
      const reader = await openIndexDir(dir, { write: false })
      await reader.close()
      for (const f of leftovers) assert.equal(await exists(f), true, `${f} kept by a reader`)
      const writer = await openIndexDir(dir, { write: true })
      try {
        for (const f of leftovers) assert.equal(await exists(f), false, `${f} removed by the writer`)
        assert.deepEqual(await writer.blocks.store.get(b.cid), b.bytes, 'the finished pack is kept')
      } finally {
        await writer.close()
      }
    })
  })

  it('past a bound, the smallest packs merge into one; every block still reads, also through a store opened before', async () => {
    await withTmp(async dir => {
      const all: Array<{ cid: CID; bytes: Uint8Array }> = []
      for (let i = 0; i < 12; i++) {
        const s = await openFolderBlocks(dir, { pack: true })
        // Packs of different sizes, and one block in two packs.
        const blocks = await Promise.all(Array.from({ length: 1 + (i % 4) }, async (_, j) => await block(100 * i + j, 50 * (i + 1))))
        if (i === 11) blocks.push(all[0])
        for (const b of blocks) await s.store.put(b.cid, b.bytes)
        await s.close()
        all.push(...blocks.filter(b => !all.includes(b)))
      }
      await writeFile(path.join(dir, PACKS_DIR, 'foreign.pack'), 'not a pack')
      const before = await storeUsage(dir)
      const early = await openFolderBlocks(dir)
      assert.deepEqual(
        compactPacks(dir, { maxPacks: 12, target: 4 }),
        { packsBefore: 13, packsAfter: 13, bytesRemoved: 0, bytesAdded: 0 },
        'at the bound, nothing moves'
      )
      const c = compactPacks(dir, { maxPacks: 10, target: 4 })
      assert.equal(c.packsBefore, 13)
      assert.equal(c.packsAfter, 5, 'four packs, and the foreign file left where it was')
      assert.ok((await packNames(dir)).includes('foreign.pack'))
      const after = await storeUsage(dir)
      assert.equal(after.blocks, all.length, 'one copy of each block')
      assert.equal(after.bytes, before.bytes - c.bytesRemoved + c.bytesAdded)
      const late = await openFolderBlocks(dir)
      try {
        for (const b of all) {
          assert.ok(equalBytes((await early.store.get(b.cid))!, b.bytes), 'a reader from before keeps reading')
          assert.ok(equalBytes((await late.store.get(b.cid))!, b.bytes))
        }
        // Its next look at the folder (a miss) lets go of the merged-away packs and opens the new one.
        assert.equal(early.store.disk.packs.length, 12)
        assert.equal(await early.store.get((await block(99_999)).cid), undefined)
        assert.equal(early.store.disk.packs.length, 4)
        for (const b of all) assert.ok(equalBytes((await early.store.get(b.cid))!, b.bytes))
      } finally {
        await early.close()
        await late.close()
      }
    })
  })

  it('reads under way when a store closes finish with their bytes', async () => {
    await withTmp(async dir => {
      const blocks = await Promise.all([1, 2, 3, 4, 5, 6].map(async n => await block(1000 + n, 100_000)))
      const w = await openFolderBlocks(dir, { pack: true })
      for (const b of blocks) await w.store.put(b.cid, b.bytes)
      await w.close()
      const r = await openFolderBlocks(dir)
      const reads = blocks.map(async b => await r.store.get(b.cid))
      await r.close()
      const got = await Promise.all(reads)
      blocks.forEach((b, i) => {
        assert.ok(equalBytes(got[i]!, b.bytes))
      })
    })
  })
})
