// CAR exchange on a real index: an export imports into an empty store and searches the same; tampered,
// truncated, oversized and incomplete CARs are refused and leave the target store exactly as it was.
import assert from 'node:assert/strict'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { after, before, describe, it } from 'node:test'
import { CarBlockIterator } from '@ipld/car/iterator'
import { CarIndexer } from '@ipld/car/indexer'
import { CarWriter } from '@ipld/car/writer'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { NodeStore } from '../index-core/prolly/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import { MemoryBlocks, UnionBlocks, openIndexDir, storeUsage } from '../index-core/store/index.ts'
import type { BlockAccess, IndexDir } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'
import { CarError, exportCar, importCar } from '../federation/blocks/car.ts'
import { signManifest } from '../federation/trust/index.ts'
import { loadOrCreateIdentity } from '../federation/identity/index.ts'
import { warc } from './helpers.ts'

const CRAWL = warc('netarchivesuite__jwat/jwat-gzip__src__test__resources__IAH-20080430204825-00000-blackbook.warc.gz')
const OTHER_CRAWL = warc('webrecorder__warcio/test__data__example.warc.gz')

let tmp: string
let source: IndexDir
let root: CID
let car: string

/** Every file under a block store's folder, with its size: what "unchanged" means for a store on disk. */
async function listing(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.push(`${path.relative(dir, path.join(e.parentPath, e.name))}:${(await stat(path.join(e.parentPath, e.name))).size}`)
  }
  return out.sort()
}

async function topHits(store: BlockAccess, cid: CID, q: string): Promise<{ total: number; urls: string[] }> {
  const r = await search(await IndexReader.open(new NodeStore(store), cid), { q, pageSize: 10 })
  return { total: r.total, urls: r.hits.map(h => h.url) }
}

/** Writes a CAR with these roots and blocks (no checks: the way a hostile partner would). */
async function writeCar(
  file: string,
  roots: CID[],
  blocks: AsyncIterable<{ cid: CID; bytes: Uint8Array }> | Iterable<{ cid: CID; bytes: Uint8Array }>
): Promise<void> {
  const { writer, out } = CarWriter.create(roots)
  const done = pipeline(Readable.from(out), createWriteStream(file))
  for await (const b of blocks) await writer.put(b)
  await writer.close()
  await done
}

async function* blocksOf(file: string): AsyncGenerator<{ cid: CID; bytes: Uint8Array }> {
  for await (const b of await CarBlockIterator.fromIterable(createReadStream(file))) yield b
}

/** Opens a fresh target index directory that already holds another index, runs `f`, and checks it is unchanged. */
async function refusedLeavesTargetAlone(name: string, file: string, expect: RegExp): Promise<void> {
  const target = path.join(tmp, name)
  await ingest({ inputs: [OTHER_CRAWL], index: target, workers: 1 })
  const dir = await openIndexDir(target, { write: true })
  try {
    const before = await listing(dir.blocksDir)
    assert.ok(before.length > 0)
    await assert.rejects(importCar(file, dir.blocks.store), (err: Error) => {
      assert.ok(err instanceof CarError, `${err.name}: ${err.message}`)
      assert.match(err.message, expect)
      return true
    })
    assert.deepEqual(await listing(dir.blocksDir), before, 'the target store is exactly as before')
  } finally {
    await dir.close()
  }
}

describe('CAR export and import', { timeout: 300_000 }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-car-'))
    await ingest({ inputs: [CRAWL], index: path.join(tmp, 'source'), workers: 1, institution: 'KB' })
    source = await openIndexDir(path.join(tmp, 'source'), { write: false })
    root = (await source.head())!
    car = path.join(tmp, 'index.car')
  })
  after(async () => {
    await source.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it('exports every block of an index; the CAR imports into an empty store, which opens and searches the same', async () => {
    const sourceBlocks = (await storeUsage(source.blocksDir)).blocks
    const out = await exportCar(source.blocks.store, [root], car)
    assert.equal(out.blocks, sourceBlocks, 'the export holds every block of the index')
    assert.deepEqual((await (await CarBlockIterator.fromIterable(createReadStream(car))).getRoots()).map(String), [root.toString()])
    const target = await openIndexDir(path.join(tmp, 'imported'), { write: true })
    try {
      const r = await importCar(car, target.blocks.store)
      assert.deepEqual(r.roots.map(String), [root.toString()])
      assert.equal(r.blocks, out.blocks)
      assert.equal(r.bytes, out.bytes)
      assert.equal(r.written, out.blocks)
      assert.equal(r.unreferenced, 0)
      assert.equal((await storeUsage(target.blocksDir)).blocks, sourceBlocks)
      for (const q of ['book', 'internet archive', 'news']) {
        const want = await topHits(source.blocks.store, root, q)
        assert.ok(want.total > 0, q)
        assert.deepEqual(await topHits(target.blocks.store, r.roots[0], q), want, q)
      }
      // Importing again writes nothing new.
      assert.equal((await importCar(car, target.blocks.store)).written, 0)
    } finally {
      await target.close()
    }
  })

  it('exports a manifest with its index but not the manifests before it', async () => {
    const id = await loadOrCreateIdentity(path.join(tmp, 'identity'), 'KB')
    const base = {
      index: root,
      indexFormat: 1,
      analyzer: 'a',
      extraction: 'e',
      stats: { documents: 1, captures: 1, postings: 1 },
      time: '2024-01-01T00:00:00Z',
      sources: []
    }
    const m1 = await signManifest(id, { ...base, seq: 1, previous: null })
    const m2 = await signManifest(id, { ...base, seq: 2, previous: m1.cid })
    const store = new MemoryBlocks()
    await store.put(m1.cid, m1.bytes)
    await store.put(m2.cid, m2.bytes)
    const withManifests = new UnionBlocks([store, source.blocks.store])
    const file = path.join(tmp, 'manifest.car')
    const out = await exportCar(withManifests, [m2.cid], file)
    const cids = new Set<string>()
    for await (const b of blocksOf(file)) cids.add(b.cid.toString())
    assert.ok(cids.has(m2.cid.toString()) && cids.has(root.toString()))
    assert.ok(!cids.has(m1.cid.toString()), 'the previous manifest is history, not exported')
    assert.equal(out.blocks, (await storeUsage(source.blocksDir)).blocks + 1)
    const target = new MemoryBlocks()
    const r = await importCar(file, target)
    assert.equal(r.blocks, out.blocks, 'a manifest without its history is complete')
    assert.ok(await target.has(m2.cid))
  })

  it('exports the root blocks alone with scope "block", and fails (leaving no file) when a block is missing', async () => {
    const file = path.join(tmp, 'block.car')
    const r = await exportCar(source.blocks.store, [root], file, { scope: 'block' })
    assert.equal(r.blocks, 1)
    const sparse = new MemoryBlocks()
    await sparse.put(root, (await source.blocks.store.get(root))!)
    const broken = path.join(tmp, 'broken.car')
    await assert.rejects(exportCar(sparse, [root], broken), /missing/)
    await assert.rejects(stat(broken), { code: 'ENOENT' })
    assert.deepEqual(
      (await readdir(tmp)).filter(f => f.includes('.tmp')),
      []
    )
    await assert.rejects(exportCar(source.blocks.store, [root], path.join(tmp, 'big.car'), { maxBytes: 10_000 }), /more than 10000 bytes/)
    // A destination that fails (here: a folder that does not exist) ends the export with its error.
    await assert.rejects(exportCar(source.blocks.store, [root], path.join(tmp, 'no-such-folder', 'x.car')), { code: 'ENOENT' })
    // So does a cancelled one.
    await assert.rejects(
      exportCar(source.blocks.store, [root], path.join(tmp, 'cancelled.car'), { signal: AbortSignal.abort(new Error('cancelled')) }),
      /cancelled/
    )
  })

  it('refuses a CAR with a tampered block', async () => {
    const file = path.join(tmp, 'tampered.car')
    const bytes = new Uint8Array(await readFile(car))
    let last: { blockOffset: number; blockLength: number } | undefined
    for await (const e of await CarIndexer.fromIterable(createReadStream(car))) last = e
    bytes[last!.blockOffset + Math.floor(last!.blockLength / 2)] ^= 0x01
    await writeFile(file, bytes)
    await refusedLeavesTargetAlone('t-tampered', file, /does not match its CID/)
  })

  it('refuses a truncated CAR, cut inside a block or between blocks', async () => {
    const size = (await stat(car)).size
    const inside = path.join(tmp, 'truncated.car')
    await writeFile(inside, await readFile(car))
    await truncate(inside, size - 100)
    await refusedLeavesTargetAlone('t-truncated', inside, /truncated or malformed/)
    // Cut at a section boundary the CAR still parses: only the completeness check can tell.
    const entries: Array<{ offset: number }> = []
    for await (const e of await CarIndexer.fromIterable(createReadStream(car))) entries.push(e)
    const boundary = path.join(tmp, 'truncated-boundary.car')
    await writeFile(boundary, await readFile(car))
    await truncate(boundary, entries[Math.floor(entries.length / 2)].offset)
    await refusedLeavesTargetAlone('t-boundary', boundary, /does not hold the whole DAG/)
  })

  it('refuses a CAR with an oversized block, and one beyond the block or byte bounds', async () => {
    const big = new Uint8Array(3 << 20).fill(7)
    const cid = CID.createV1(raw.code, await sha256.digest(big))
    const file = path.join(tmp, 'oversized.car')
    await writeCar(file, [cid], [{ cid, bytes: big }])
    await refusedLeavesTargetAlone('t-oversized', file, /limit/)
    const dir = await openIndexDir(path.join(tmp, 't-bounds'), { write: true })
    try {
      await assert.rejects(importCar(car, dir.blocks.store, { maxBlocks: 10 }), /more than 10 blocks/)
      await assert.rejects(importCar(car, dir.blocks.store, { maxBytes: 100_000 }), /more than 100000 bytes/)
      assert.deepEqual(await listing(dir.blocksDir), [])
    } finally {
      await dir.close()
    }
  })

  it("refuses a CAR missing blocks of its root's DAG", async () => {
    const file = path.join(tmp, 'incomplete.car')
    let i = 0
    const skipOne = async function* (): AsyncGenerator<{ cid: CID; bytes: Uint8Array }> {
      for await (const b of blocksOf(car)) if (i++ !== 7) yield b
    }
    await writeCar(file, [root], skipOne())
    await refusedLeavesTargetAlone('t-incomplete', file, /does not hold the whole DAG of its roots: block .* is missing/)
  })
})
