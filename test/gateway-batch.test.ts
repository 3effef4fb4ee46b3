// Many blocks in one request (`POST /api/v1/blocks` of `canopy serve`, Canopy's extension of the trustless
// gateway) and its client, over real HTTP on loopback: the held blocks of a list, the nodes on a lookup's
// path, bad requests, a cold lookup in a deep tree in one round trip instead of one per level, the fallback
// to one GET per block from a plain gateway, and forged blocks in an answer refused.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { CarBlockIterator } from '@ipld/car/iterator'
import { CarWriter } from '@ipld/car/writer'
import * as dagCbor from '@ipld/dag-cbor'
import type { FastifyInstance } from 'fastify'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { equalBytes, utf8 } from '../index-core/bytes.ts'
import { buildTree, NodeStore, get, getSorted, info, nodesOnPath } from '../index-core/prolly/index.ts'
import { MemoryBlocks } from '../index-core/store/index.ts'
import type { BlockAccess } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'
import { walkDag, BlockRefusedError, FetchingBlocks } from '../federation/blocks/index.ts'
import { gatewayFetcher } from '../federation/net/index.ts'
import { IndexRegistry, buildServer } from '../search-api/index.ts'
import { warc } from './helpers.ts'

const CRAWL = warc('netarchivesuite__jwat/jwat-gzip__src__test__resources__IAH-20080430204825-00000-blackbook.warc.gz')
const N = 60_000

let tmp: string
let registry: IndexRegistry
let app: FastifyInstance
let base: string
/** A tree of N entries, deep enough that a lookup reads three levels, in the served index's blocks. */
let tree: CID
let treeBlocks: CID[]
const key = (i: number): Uint8Array => utf8(`key-${String(i).padStart(8, '0')}`)
const value = (i: number): Uint8Array => utf8(`value ${i}`)

const store = (): BlockAccess => registry.dir().blocks.store

/** Calls `f` while counting the HTTP requests this process makes (the gateway client uses fetch). */
async function counting<T>(f: () => Promise<T>): Promise<{ result: T; requests: Array<{ method: string; url: string }> }> {
  const real = globalThis.fetch
  const requests: Array<{ method: string; url: string }> = []
  globalThis.fetch = async (input, init) => {
    requests.push({ method: init?.method ?? 'GET', url: String(input) })
    return await real(input, init)
  }
  try {
    return { result: await f(), requests }
  } finally {
    globalThis.fetch = real
  }
}

async function post(body: unknown): Promise<Response> {
  return await fetch(`${base}/api/v1/blocks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/vnd.ipld.car' },
    body: JSON.stringify(body)
  })
}

/** The blocks of a CAR answer, each checked against its CID. */
async function carBlocks(res: Response): Promise<Map<string, Uint8Array>> {
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', /^application\/vnd\.ipld\.car/)
  const out = new Map<string, Uint8Array>()
  for await (const { cid, bytes } of await CarBlockIterator.fromBytes(new Uint8Array(await res.arrayBuffer()))) {
    assert.ok(equalBytes((await sha256.digest(bytes)).digest, cid.multihash.digest), `block ${cid.toString()} matches its CID`)
    out.set(cid.toString(), bytes)
  }
  return out
}

/** A plain HTTP server on loopback answering every request with `handler`. */
async function serverOf(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

async function carOf(blocks: Array<{ cid: CID; bytes: Uint8Array }>): Promise<Uint8Array> {
  const { writer, out } = CarWriter.create([blocks[0].cid])
  const parts: Uint8Array[] = []
  const reading = (async () => {
    for await (const p of out) parts.push(p)
  })()
  for (const b of blocks) await writer.put(b)
  await writer.close()
  await reading
  return new Uint8Array(Buffer.concat(parts))
}

describe('many blocks in one request', { timeout: 300_000 }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-batch-'))
    const served = path.join(tmp, 'kb')
    await ingest({ inputs: [CRAWL], index: served, workers: 1, institution: 'KB' })
    registry = await IndexRegistry.open([{ name: 'kb', kind: 'local', path: served }])
    tree = await buildTree(
      new NodeStore(store()),
      Array.from({ length: N }, (_, i) => ({ key: key(i), value: value(i) }))
    )
    treeBlocks = []
    await walkDag(store(), [tree], cid => {
      treeBlocks.push(cid)
    })
    app = await buildServer({ registry })
    base = await app.listen({ host: '127.0.0.1', port: 0 })
  })
  after(async () => {
    await app.close()
    await registry.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it('answers the held blocks of a list in one CAR, leaving out those it lacks', async () => {
    const missing = CID.createV1(dagCbor.code, await sha256.digest(utf8('not held')))
    const asked = treeBlocks.slice(0, 7)
    const got = await carBlocks(await post({ cids: [...asked, missing, asked[0]].map(String) }))
    assert.deepEqual([...got.keys()].sort(), asked.map(String).sort())
    for (const cid of asked) assert.ok(equalBytes(got.get(cid.toString())!, (await store().get(cid))!))
  })

  it('adds the nodes a lookup of a key reads below a node, as the client would read them', async () => {
    const depth = (await info(new NodeStore(store()), tree)).depth
    assert.ok(depth >= 3, `the tree is ${depth} levels deep`)
    const k = key(41_234)
    const onPath = await nodesOnPath(new NodeStore(store()), tree, k)
    assert.equal(onPath.length, depth)
    const fromRoot = await carBlocks(
      await post({ cids: [], paths: [{ root: tree.toString(), from: tree.toString(), key: Buffer.from(k).toString('base64') }] })
    )
    assert.deepEqual([...fromRoot.keys()].sort(), onPath.slice(1).map(String).sort())
    const fromMiddle = await carBlocks(
      await post({ cids: [onPath[1].toString()], paths: [{ root: tree.toString(), from: onPath[1].toString(), key: Buffer.from(k).toString('base64') }] })
    )
    assert.deepEqual([...fromMiddle.keys()].sort(), onPath.slice(1).map(String).sort())
    // A node off the path, or a root that is no tree held here, adds nothing; the blocks asked for still come.
    const offPath = treeBlocks.find(c => !onPath.some(o => o.equals(c)))!
    const bogus = CID.createV1(dagCbor.code, await sha256.digest(utf8('no tree')))
    const none = await carBlocks(
      await post({
        cids: [offPath.toString()],
        paths: [
          { root: tree.toString(), from: offPath.toString(), key: Buffer.from(k).toString('base64') },
          { root: bogus.toString(), from: bogus.toString(), key: 'AA==' }
        ]
      })
    )
    assert.deepEqual([...none.keys()], [offPath.toString()])
  })

  it('refuses malformed and oversized requests with 400, never cached', async () => {
    for (const body of [
      { cids: ['not-a-cid'] },
      { cids: treeBlocks.slice(0, 1).map(String).concat(Array(256).fill(tree.toString())) },
      { cids: [], paths: Array(65).fill({ root: tree.toString(), from: tree.toString(), key: 'AA==' }) },
      { cid: tree.toString() }
    ]) {
      const r = await post(body)
      assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80))
      assert.equal(r.headers.get('cache-control'), 'no-store')
      await r.arrayBuffer()
    }
  })

  it('makes a cold lookup in a deep tree one request, where block by block it is one per level', async () => {
    const depth = (await info(new NodeStore(store()), tree)).depth
    for (const i of [0, 17_777, N - 1]) {
      const batched = await counting(async () => await get(new NodeStore(new FetchingBlocks(new MemoryBlocks(), gatewayFetcher(base))), tree, key(i)))
      assert.ok(batched.result !== undefined && equalBytes(batched.result, value(i)))
      assert.deepEqual(
        batched.requests.map(r => r.method),
        ['POST']
      )
      const single = await counting(
        async () => await get(new NodeStore(new FetchingBlocks(new MemoryBlocks(), gatewayFetcher(base, { batch: false }))), tree, key(i))
      )
      assert.ok(single.result !== undefined && equalBytes(single.result, value(i)))
      assert.equal(single.requests.length, depth)
    }
  })

  it('asks for the paths of lookups side by side in one request, and the many lookups of doc values in a few', async () => {
    const client = new FetchingBlocks(new MemoryBlocks(), gatewayFetcher(base))
    const wanted = Array.from({ length: 40 }, (_, j) => j * 1499)
    const { result, requests } = await counting(async () => await Promise.all(wanted.map(async i => await get(new NodeStore(client), tree, key(i)))))
    result.forEach((v, j) => {
      assert.ok(v !== undefined && equalBytes(v, value(wanted[j])))
    })
    assert.equal(requests.length, 1)
    assert.equal(client.stats.refused, 0)

    // getSorted (a page's doc values): the paths of every key are asked for up front, 64 to a request.
    const sorted = Array.from({ length: 300 }, (_, j) => key(j * 199))
    const many = new FetchingBlocks(new MemoryBlocks(), gatewayFetcher(base))
    const found = await counting(async () => {
      const out: string[] = []
      for await (const e of getSorted(new NodeStore(many), tree, sorted)) out.push(Buffer.from(e.value).toString())
      return out
    })
    assert.deepEqual(
      found.result,
      sorted.map((_, j) => `value ${j * 199}`)
    )
    const leaves = new Set(await Promise.all(sorted.map(async k => (await nodesOnPath(new NodeStore(store()), tree, k)).at(-1)!.toString())))
    assert.ok(found.requests.length < leaves.size / 4, `${found.requests.length} requests for keys in ${leaves.size} leaves`)
  })

  it('falls back to one GET per block from a gateway without batches', async () => {
    const plain = await serverOf((req, res) => {
      const m = /^\/ipfs\/([a-z0-9]+)\?format=raw$/.exec(req.url ?? '')
      if (req.method !== 'GET' || m === null) {
        res.writeHead(404).end()
        return
      }
      store()
        .get(CID.parse(m[1]))
        .then(
          b => {
            if (b === undefined) {
              res.writeHead(404).end()
              return
            }
            res.writeHead(200, { 'content-type': 'application/vnd.ipld.raw' }).end(b)
          },
          () => {
            res.writeHead(500).end()
          }
        )
    })
    try {
      const client = new FetchingBlocks(new MemoryBlocks(), gatewayFetcher(plain.url))
      const first = await counting(async () => await get(new NodeStore(client), tree, key(5)))
      assert.ok(first.result !== undefined && equalBytes(first.result, value(5)))
      assert.deepEqual(
        first.requests.map(r => r.method),
        ['POST', 'GET', 'GET', 'GET']
      )
      const next = await counting(async () => await get(new NodeStore(client), tree, key(N - 5)))
      assert.ok(next.result !== undefined && equalBytes(next.result, value(N - 5)))
      assert.ok(
        next.requests.every(r => r.method === 'GET'),
        'the batch endpoint is not asked again'
      )
    } finally {
      plain.server.closeAllConnections()
      plain.server.close()
    }
  })

  it('cuts off an answer that keeps sending blocks, asked for or not, and keeps none beyond it', async () => {
    const [a, b] = treeBlocks.slice(0, 2)
    const aBytes = (await store().get(a))!
    const bBytes = (await store().get(b))!
    let sent = 0
    const flood = await serverOf((req, res) => {
      req.resume()
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/vnd.ipld.car; version=1' })
        // The block asked for, then the same and another one over and over.
        const blocks = [
          { cid: a, bytes: aBytes },
          ...Array.from({ length: 20_000 }, (_, i) => (i % 2 === 0 ? { cid: a, bytes: aBytes } : { cid: b, bytes: bBytes }))
        ]
        carOf(blocks).then(
          car => {
            sent = blocks.length
            res.end(car)
          },
          () => res.end()
        )
      })
    })
    try {
      const local = new MemoryBlocks()
      const client = new FetchingBlocks(local, gatewayFetcher(flood.url))
      await assert.rejects(client.getOnPath(a, { root: tree, key: key(1) }), (err: Error) => err instanceof BlockRefusedError && /more than/.test(err.message))
      assert.equal(sent, 20_001)
      assert.ok(local.size <= 1, `kept ${local.size} blocks`)
    } finally {
      flood.server.closeAllConnections()
      flood.server.close()
    }
  })

  it('refuses a forged block in an answer, asked for or on a path, and keeps nothing forged', async () => {
    const [a, b] = treeBlocks.slice(0, 2)
    const bBytes = (await store().get(b))!
    const forged = await serverOf((req, res) => {
      req.resume()
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/vnd.ipld.car; version=1' })
        // `a` carries b's bytes; an unrequested block (as if on a path) carries a's claim with junk.
        carOf([
          { cid: a, bytes: bBytes },
          { cid: b, bytes: utf8('junk') }
        ]).then(
          car => res.end(car),
          () => res.end()
        )
      })
    })
    try {
      const local = new MemoryBlocks()
      const client = new FetchingBlocks(local, gatewayFetcher(forged.url))
      await assert.rejects(client.getOnPath(a, { root: tree, key: key(1) }), BlockRefusedError)
      assert.equal(local.size, 0)
      assert.equal(client.stats.refused, 2)
      assert.equal(client.stats.fetched, 0)
    } finally {
      forged.server.closeAllConnections()
      forged.server.close()
    }
  })
})
