// A whole copy of a partner's index (merge --head, fetch --all) streamed as one CAR from a real `canopy serve`
// gateway instead of one request per block; a stream cut short, one carrying blocks nobody asked for, and
// one carrying a forged block leave a whole, verified copy holding only the DAG's blocks; an update whose
// blocks are mostly held is walked block by block, not streamed.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { CarWriter } from '@ipld/car/writer'
import * as dagCbor from '@ipld/dag-cbor'
import type { FastifyInstance } from 'fastify'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { MemoryBlocks } from '../index-core/store/index.ts'
import type { BlockAccess } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'
import { copyDag, walkDag, FetchingBlocks } from '../federation/blocks/index.ts'
import type { DagStream, BlockFetcher } from '../federation/blocks/index.ts'
import { gatewayDag, gatewayFetcher } from '../federation/net/index.ts'
import { IndexRegistry, buildServer } from '../search-api/index.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))

let tmp: string
let registry: IndexRegistry
let app: FastifyInstance
let base: string
let root: CID
/** Every block of the served index, by CID string. */
const dag = new Map<string, Uint8Array>()

function source(): BlockAccess {
  return registry.dir().blocks.store
}

/** A gateway fetcher that counts the block requests it makes. */
function counted(f: BlockFetcher): { fetch: BlockFetcher; calls: () => number } {
  let n = 0
  return {
    fetch: async (cid, signal) => {
      n++
      return await f(cid, signal)
    },
    calls: () => n
  }
}

/** A CAR of `blocks` in order, as a stream a hostile source would send. */
function carOf(blocks: Array<{ cid: CID; bytes: Uint8Array }>): DagStream {
  return async r => {
    const { writer, out } = CarWriter.create([r])
    void (async () => {
      for (const b of blocks) await writer.put(b)
      await writer.close()
    })()
    return out
  }
}

/** The DAG's blocks, breadth first (the order Canopy's gateway streams them). */
async function inOrder(): Promise<Array<{ cid: CID; bytes: Uint8Array }>> {
  const out: Array<{ cid: CID; bytes: Uint8Array }> = []
  await walkDag(source(), [root], (cid, bytes) => {
    out.push({ cid, bytes })
  })
  return out
}

function assertWholeCopy(local: MemoryBlocks): void {
  assert.equal(local.size, dag.size, 'the copy holds as many blocks as the DAG')
  for (const [k, bytes] of dag) assert.deepEqual(local.blocks.get(k), bytes, `block ${k}`)
}

describe('copying a whole DAG from a partner', { timeout: 180_000 }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-dag-copy-'))
    await ingest({ inputs: [SAMPLE], index: path.join(tmp, 'kb'), workers: 1, institution: 'KB' })
    registry = await IndexRegistry.open([{ name: 'kb', kind: 'local', path: path.join(tmp, 'kb') }])
    app = await buildServer({ registry })
    base = await app.listen({ host: '127.0.0.1', port: 0 })
    root = registry.get().reader.cid
    await walkDag(source(), [root], (cid, bytes) => {
      dag.set(cid.toString(), bytes)
    })
  })
  after(async () => {
    await app.close()
    await registry.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it('streams a first copy from the gateway as one CAR, with a block request only for the top of the DAG', async () => {
    const local = new MemoryBlocks()
    const f = counted(gatewayFetcher(base))
    const r = await copyDag(new FetchingBlocks(local, f.fetch), root, [gatewayDag(base)])
    assertWholeCopy(local)
    assert.deepEqual(r.streamErrors, [])
    assert.equal(r.blocks, dag.size)
    assert.equal(r.streamed + f.calls(), dag.size, 'each block came once: by a request or in the stream')
    assert.ok(f.calls() < dag.size / 10, `${f.calls()} block requests for ${dag.size} blocks`)
  })

  it('walks block by block what a stream cut short left out', async () => {
    const small = await buildServer({ registry, gateway: { maxCarBlocks: Math.floor(dag.size * 0.6) } })
    try {
      const url = await small.listen({ host: '127.0.0.1', port: 0 })
      const local = new MemoryBlocks()
      const f = counted(gatewayFetcher(url))
      const r = await copyDag(new FetchingBlocks(local, f.fetch), root, [gatewayDag(url)])
      assertWholeCopy(local)
      assert.ok(r.streamed > 0 && r.streamed < dag.size * 0.6, `${r.streamed} of ${dag.size} blocks streamed`)
      assert.equal(r.streamed + f.calls(), dag.size)
    } finally {
      await small.close()
    }
  })

  it("keeps only the asked DAG's blocks from a stream that sends others, and refuses a forged one", async () => {
    const blocks = await inOrder()
    const stray = dagCbor.encode({ stray: 'not part of the index' })
    const strayCid = CID.create(1, dagCbor.code, await sha256.digest(stray))
    const withStray = [...blocks.slice(0, 5), { cid: strayCid, bytes: stray }, ...blocks.slice(5)]
    const local = new MemoryBlocks()
    const r = await copyDag(new FetchingBlocks(local, gatewayFetcher(base)), root, [carOf(withStray)])
    assertWholeCopy(local)
    assert.equal(r.unasked, 1)
    assert.equal(await local.has(strayCid), false)

    // A forged block deep in the DAG: the stream is given up there, and the walk fetches what it lacks.
    const at = Math.floor(blocks.length / 2)
    const forged = blocks.map((b, i) => (i === at ? { cid: b.cid, bytes: dagCbor.encode({ forged: true }) } : b))
    const local2 = new MemoryBlocks()
    const fetching = new FetchingBlocks(local2, gatewayFetcher(base))
    const r2 = await copyDag(fetching, root, [carOf(forged)])
    assertWholeCopy(local2)
    assert.equal(r2.streamErrors.length, 1)
    assert.match(r2.streamErrors[0], /does not match its CID/)
    assert.equal(fetching.stats.refused, 1)
  })

  it('walks an update block by block when most of it is already held, without streaming', async () => {
    const local = new MemoryBlocks()
    for (const [k, bytes] of dag) if (k !== root.toString()) await local.put(CID.parse(k), bytes)
    let streamed = false
    const f = counted(gatewayFetcher(base))
    const r = await copyDag(new FetchingBlocks(local, f.fetch), root, [
      async (c, s) => {
        streamed = true
        return await gatewayDag(base)(c, s)
      }
    ])
    assertWholeCopy(local)
    assert.equal(streamed, false)
    assert.equal(r.streamed, 0)
    assert.equal(f.calls(), 1, 'only the one block missing was fetched')
  })
})
