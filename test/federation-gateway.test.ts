// The IPFS trustless gateway of `canopy serve` and its client, over real HTTP on loopback: raw blocks, a
// sparse search through a FetchingBlocks, a forged block refused, CARs that import, IPNS records, and
// the 400/404 cases. A hostile plain-HTTP gateway checks the client's size bound.
import assert from 'node:assert/strict'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { connect } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { once } from 'node:events'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { after, before, describe, it } from 'node:test'
import { CarBlockIterator } from '@ipld/car/iterator'
import * as dagCbor from '@ipld/dag-cbor'
import { generateKeyPair, publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import type { FastifyInstance } from 'fastify'
import { base36 } from 'multiformats/bases/base36'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { equalBytes } from '../index-core/bytes.ts'
import { INDEX_FORMAT } from '../index-core/index/index.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import { MemoryBlocks } from '../index-core/store/index.ts'
import type { BlockAccess } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'
import { importCar, walkDag } from '../federation/blocks/index.ts'
import { BlockRefusedError, FetchingBlocks, MAX_FETCHED_BLOCK_BYTES, PartnerUnavailableError } from '../federation/blocks/fetching-blocks.ts'
import { fetchIpnsRecord, GatewayError, gatewayFetcher } from '../federation/net/gateway-fetcher.ts'
import { publishIpnsRecord, verifyIpnsRecord, signManifest, verifyManifest } from '../federation/trust/index.ts'
import { loadOrCreateIdentity } from '../federation/identity/index.ts'
import type { Identity } from '../federation/identity/index.ts'
import { IndexRegistry, buildServer } from '../search-api/index.ts'
import { warc } from './helpers.ts'

const CRAWL = warc('netarchivesuite__jwat/jwat-gzip__src__test__resources__IAH-20080430204825-00000-blackbook.warc.gz')

let tmp: string
let served: string
let registry: IndexRegistry
let app: FastifyInstance
let base: string
let root: CID
let indexBlocks: CID[]
let id: Identity
let manifest: CID
let ipnsName: string
let ipnsRecord: Uint8Array

const store = (): BlockAccess => registry.dir().blocks.store

async function get(
  p: string,
  headers: Record<string, string> = {},
  method = 'GET'
): Promise<{ status: number; headers: Headers; bytes: Uint8Array; json: any }> {
  const r = await fetch(base + p, { headers, method })
  const bytes = new Uint8Array(await r.arrayBuffer())
  const json = r.headers.get('content-type')?.includes('json') === true && bytes.length > 0 ? JSON.parse(Buffer.from(bytes).toString('utf8')) : null
  return { status: r.status, headers: r.headers, bytes, json }
}

async function download(url: string, file: string): Promise<void> {
  const r = await fetch(url)
  assert.equal(r.status, 200)
  await pipeline(Readable.fromWeb(r.body as import('node:stream/web').ReadableStream), createWriteStream(file))
}

async function topHits(s: BlockAccess, q: string): Promise<string[]> {
  return (await search(await IndexReader.open(new NodeStore(s), root), { q, pageSize: 10 })).hits.map(h => h.url)
}

/** A plain HTTP server on loopback answering every request with `handler`: a gateway that misbehaves. */
async function hostile(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

describe('IPFS trustless gateway', { timeout: 300_000 }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-gateway-'))
    served = path.join(tmp, 'kb')
    await ingest({ inputs: [CRAWL], index: served, workers: 1, institution: 'KB' })
    id = await loadOrCreateIdentity(served, 'KB')
    // The name as libp2p writes it (the gateway derives it its own way).
    ipnsName = peerIdFromPublicKey(publicKeyFromRaw(id.publicKey)).toCID().toString(base36)
    registry = await IndexRegistry.open([{ name: 'kb', kind: 'local', path: served }])
    // Published: a signed manifest naming the index, in the blocks, and the IPNS record naming the manifest.
    const m = await signManifest(id, {
      index: registry.get().reader.cid,
      indexFormat: INDEX_FORMAT,
      analyzer: 'canopy-analyzer/1',
      extraction: 'e',
      stats: { documents: 1, captures: 1, postings: 1 },
      time: new Date().toISOString(),
      seq: 1,
      previous: null,
      sources: []
    })
    await registry.dir().blocks.store.put(m.cid, m.bytes)
    manifest = m.cid
    ipnsRecord = await publishIpnsRecord(served, id, manifest, 1)
    app = await buildServer({ registry })
    base = await app.listen({ host: '127.0.0.1', port: 0 })
    root = registry.get().reader.cid
    indexBlocks = []
    await walkDag(store(), [root], cid => {
      indexBlocks.push(cid)
    })
  })
  after(async () => {
    await app.close()
    await registry.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it("serves raw blocks equal to the store's, by format or Accept, with immutable caching and an ETag", async () => {
    for (const cid of indexBlocks.slice(0, 20)) {
      const r = await get(`/ipfs/${cid.toString()}?format=raw`)
      assert.equal(r.status, 200)
      assert.equal(r.headers.get('content-type'), 'application/vnd.ipld.raw')
      assert.match(r.headers.get('cache-control') ?? '', /immutable/)
      assert.ok(equalBytes(r.bytes, (await store().get(cid))!))
    }
    const byAccept = await get(`/ipfs/${root.toString()}`, { accept: 'text/html;q=0.9, application/vnd.ipld.raw' })
    assert.equal(byAccept.status, 200)
    assert.ok(equalBytes(byAccept.bytes, (await store().get(root))!))
    const etag = byAccept.headers.get('etag')!
    assert.equal(etag, `"${root.toString()}.raw"`)
    assert.equal((await get(`/ipfs/${root.toString()}?format=raw`, { 'if-none-match': etag })).status, 304)
    const head = await get(`/ipfs/${root.toString()}?format=raw`, {}, 'HEAD')
    assert.equal(head.status, 200)
    assert.equal(head.bytes.length, 0)
  })

  it('lets a sparse client search the served index, fetching fewer blocks than it holds', async () => {
    const local = new MemoryBlocks()
    const client = new FetchingBlocks(local, gatewayFetcher(base))
    for (const q of ['book', 'internet archive']) {
      assert.deepEqual(await topHits(client, q), await topHits(store(), q), q)
    }
    assert.ok(client.stats.fetched > 0)
    assert.ok(client.stats.fetched < indexBlocks.length, `fetched ${client.stats.fetched} of ${indexBlocks.length} blocks`)
    assert.equal(local.size, client.stats.fetched)
    assert.equal(client.stats.refused, 0)
  })

  it('a partner that cannot be reached is reported as such, naming the block, and nothing is stored', async () => {
    const gone = await hostile((_req, res) => {
      res.end()
    })
    gone.server.closeAllConnections()
    await new Promise(resolve => gone.server.close(resolve))
    const local = new MemoryBlocks()
    const client = new FetchingBlocks(local, gatewayFetcher(gone.url))
    await assert.rejects(client.get(root), (err: Error) => err instanceof PartnerUnavailableError && err.message.includes(root.toString()))
    assert.equal(local.size, 0)
    assert.deepEqual(client.stats, { fetched: 0, bytesFetched: 0, refused: 0 })
  })

  it('a forged block (written under another CID) is refused by the client, whose store stays clean', async () => {
    const claimed = dagCbor.encode({ canopy: 'claimed' })
    const cid = CID.createV1(dagCbor.code, await sha256.digest(claimed))
    await store().put(cid, dagCbor.encode({ canopy: 'forged' })) // straight into blockstore-fs: no check
    const answer = await get(`/ipfs/${cid.toString()}?format=raw`)
    assert.equal(answer.status, 200, 'the gateway serves what it holds')
    const local = new MemoryBlocks()
    const client = new FetchingBlocks(local, gatewayFetcher(base))
    await assert.rejects(client.get(cid), BlockRefusedError)
    assert.equal(local.size, 0)
    assert.equal(client.stats.refused, 1)
  })

  it('streams a CAR of an index root that importCar takes whole; dag-scope=block holds the root alone', async () => {
    const file = path.join(tmp, 'root.car')
    const head = await fetch(`${base}/ipfs/${root.toString()}?format=car`, { method: 'HEAD' })
    assert.match(head.headers.get('content-type') ?? '', /^application\/vnd\.ipld\.car; version=1/)
    await download(`${base}/ipfs/${root.toString()}?format=car`, file)
    const target = new MemoryBlocks()
    const r = await importCar(file, target)
    assert.deepEqual(r.roots.map(String), [root.toString()])
    assert.equal(r.blocks, indexBlocks.length)
    assert.equal(target.size, indexBlocks.length)
    assert.deepEqual(await topHits(target, 'news'), await topHits(store(), 'news'))

    const byAccept = await get(`/ipfs/${root.toString()}?dag-scope=block`, { accept: 'application/vnd.ipld.car' })
    assert.equal(byAccept.status, 200)
    await writeFile(path.join(tmp, 'block.car'), byAccept.bytes)
    // A root without its DAG is an incomplete CAR for importCar, but it holds exactly one verified block.
    await assert.rejects(importCar(path.join(tmp, 'block.car'), new MemoryBlocks()), /does not hold the whole DAG/)
    const one = await importCar(path.join(tmp, 'block.car'), new MemoryBlocks(), { follow: () => [] })
    assert.equal(one.blocks, 1)
    assert.notEqual(byAccept.headers.get('etag'), head.headers.get('etag'), 'the scope is part of the ETag')
  })

  it('cuts off a CAR beyond its bounds, so the client never gets a complete one', async () => {
    const small = await buildServer({ registry, gateway: { maxCarBlocks: 10 } })
    try {
      const url = await small.listen({ host: '127.0.0.1', port: 0 })
      const file = path.join(tmp, 'cut.car')
      const got = await download(`${url}/ipfs/${root.toString()}?format=car`, file).then(
        () => 'complete',
        () => 'cut'
      )
      if (got === 'complete') await assert.rejects(importCar(file, new MemoryBlocks()), /refused/)
    } finally {
      await small.close()
    }
  })

  it("serves the institution's IPNS record under its name (base36 or base58), and 404 for other names", async () => {
    const r = await get(`/ipns/${ipnsName}?format=ipns-record`)
    assert.equal(r.status, 200)
    assert.equal(r.headers.get('content-type'), 'application/vnd.ipfs.ipns-record')
    assert.ok(equalBytes(r.bytes, ipnsRecord))
    const peerId = peerIdFromPublicKey(publicKeyFromRaw(id.publicKey)).toString()
    assert.match(peerId, /^12D3Koo/)
    assert.equal((await get(`/ipns/${peerId}`, { accept: 'application/vnd.ipfs.ipns-record' })).status, 200)

    // A partner that knows only the public key and the gateway URL: name -> record -> manifest -> index.
    const resolved = await verifyIpnsRecord(await fetchIpnsRecord(base, ipnsName), id.publicKey)
    assert.equal(resolved.manifest.toString(), manifest.toString())
    const client = new FetchingBlocks(new MemoryBlocks(), gatewayFetcher(base))
    const m = await verifyManifest(resolved.manifest, (await client.get(resolved.manifest))!, { publicKey: id.publicKey })
    assert.equal(m.index.toString(), root.toString())

    const other = peerIdFromPublicKey((await generateKeyPair('Ed25519')).publicKey)
      .toCID()
      .toString(base36)
    assert.equal((await get(`/ipns/${other}?format=ipns-record`)).status, 404)
    assert.equal((await get('/ipns/not-a-name?format=ipns-record')).status, 404)
    await assert.rejects(fetchIpnsRecord(base, other), (err: Error) => err instanceof GatewayError && err.status === 404)
    assert.equal((await get(`/ipns/${ipnsName}`)).status, 400, 'without format or Accept')
    assert.equal((await get(`/ipns/${ipnsName}?format=car`)).status, 400)
  })

  it('answers 404 for blocks it lacks and 400 for malformed CIDs or formats, without internals', async () => {
    const absent = CID.createV1(dagCbor.code, await sha256.digest(dagCbor.encode({ absent: true })))
    for (const f of ['raw', 'car']) {
      const r = await get(`/ipfs/${absent.toString()}?format=${f}`)
      assert.equal(r.status, 404, f)
      assert.equal(r.json.error, 'not-found')
    }
    assert.equal(await gatewayFetcher(base)(absent, AbortSignal.timeout(10_000)), undefined)
    for (const p of [
      '/ipfs/not-a-cid?format=raw',
      '/ipfs/bafyfoo?format=car',
      `/ipfs/${root.toString()}`,
      `/ipfs/${root.toString()}?format=json`,
      `/ipfs/${root.toString()}?format=car&car-version=2`
    ]) {
      const r = await get(p)
      assert.equal(r.status, 400, p)
      assert.equal(typeof r.json.message, 'string')
    }
    // An internal failure (a record file larger than any record) answers 500 without detail.
    await writeFile(path.join(served, 'refs', 'ipns-record'), new Uint8Array(64 * 1024))
    try {
      const r = await get(`/ipns/${ipnsName}?format=ipns-record`)
      assert.equal(r.status, 500)
      assert.deepEqual(r.json, { error: 'internal', message: 'Internal error', position: null })
    } finally {
      await writeFile(path.join(served, 'refs', 'ipns-record'), ipnsRecord)
    }
  })

  it('says Vary: Accept when the format comes from Accept, so a shared cache keeps raw and CAR apart', async () => {
    const raw = await get(`/ipfs/${root.toString()}`, { accept: 'application/vnd.ipld.raw' })
    const car = await get(`/ipfs/${root.toString()}?dag-scope=block`, { accept: 'application/vnd.ipld.car' })
    const none = await get(`/ipfs/${root.toString()}`)
    for (const r of [raw, car, none]) assert.match(r.headers.get('vary') ?? '', /accept/i)
    assert.equal(raw.headers.get('content-type'), 'application/vnd.ipld.raw')
    assert.match(car.headers.get('content-type') ?? '', /^application\/vnd\.ipld\.car/)
    const rec = await get(`/ipns/${ipnsName}`, { accept: 'application/vnd.ipfs.ipns-record' })
    assert.match(rec.headers.get('vary') ?? '', /accept/i)
  })

  it('a HEAD of a CAR does not claim a length of 0 (the GET is streamed)', async () => {
    const head = await get(`/ipfs/${root.toString()}?format=car`, {}, 'HEAD')
    assert.equal(head.status, 200)
    assert.notEqual(head.headers.get('content-length'), '0')
    const full = await get(`/ipfs/${root.toString()}?format=car`)
    const len = head.headers.get('content-length')
    if (len !== null) assert.equal(Number(len), full.bytes.length)
  })

  it('answers the /ipfs/bafkqaaa probe (the empty identity block) with 200, raw and CAR', async () => {
    const raw = await get('/ipfs/bafkqaaa?format=raw')
    assert.equal(raw.status, 200)
    assert.equal(raw.bytes.length, 0)
    assert.equal((await get('/ipfs/bafkqaaa?format=raw', {}, 'HEAD')).status, 200)
    const car = await get('/ipfs/bafkqaaa?format=car')
    assert.equal(car.status, 200)
    const blocks = []
    for await (const b of await CarBlockIterator.fromBytes(car.bytes)) blocks.push(b.cid.toString())
    assert.deepEqual(blocks, ['bafkqaaa'])
  })

  it('paths through dag-cbor links for CARs: the blocks on the way, then the DAG at the end; 400 for raw, 404 for no such path', async () => {
    // top --a--> mid --b[0]--> the index root
    const mid = dagCbor.encode({ b: [root, 'x'] })
    const midCid = CID.createV1(dagCbor.code, await sha256.digest(mid))
    const top = dagCbor.encode({ a: midCid, n: 1 })
    const topCid = CID.createV1(dagCbor.code, await sha256.digest(top))
    await store().put(midCid, mid)
    await store().put(topCid, top)
    const one = await get(`/ipfs/${topCid.toString()}/a/b/0?format=car&dag-scope=block`)
    assert.equal(one.status, 200)
    assert.equal(one.headers.get('x-ipfs-path'), `/ipfs/${topCid.toString()}/a/b/0`)
    const order = []
    const it = await CarBlockIterator.fromBytes(one.bytes)
    assert.deepEqual((await it.getRoots()).map(String), [topCid.toString()])
    for await (const b of it) order.push(b.cid.toString())
    assert.deepEqual(order, [topCid, midCid, root].map(String))

    const file = path.join(tmp, 'path.car')
    await download(`${base}/ipfs/${topCid.toString()}/a/b/0?format=car`, file)
    const all = await importCar(file, new MemoryBlocks())
    assert.equal(all.blocks, indexBlocks.length + 2, 'the path blocks and the whole index')

    // A path ending inside a block is that block; a path ending on a link is the linked block.
    const inside = await get(`/ipfs/${topCid.toString()}/a/b/1?format=car`)
    assert.equal(inside.status, 200)
    const mids = []
    for await (const b of await CarBlockIterator.fromBytes(inside.bytes)) mids.push(b.cid.toString())
    assert.deepEqual(mids.slice(0, 2), [topCid, midCid].map(String))
    assert.notEqual(
      one.headers.get('etag'),
      (await get(`/ipfs/${topCid.toString()}?format=car&dag-scope=block`)).headers.get('etag'),
      'the path is part of the ETag'
    )

    assert.equal((await get(`/ipfs/${topCid.toString()}/a/c?format=car`)).status, 404)
    assert.equal((await get(`/ipfs/${topCid.toString()}/a/b/7?format=car`)).status, 404)
    assert.equal((await get(`/ipfs/${topCid.toString()}/a?format=raw`)).status, 400)
  })

  it('answers 412, not 404, for a block it lacks under Cache-Control: only-if-cached', async () => {
    const absent = CID.createV1(dagCbor.code, await sha256.digest(dagCbor.encode({ absent: 'cached' })))
    for (const f of ['raw', 'car']) {
      const r = await get(`/ipfs/${absent.toString()}?format=${f}`, { 'cache-control': 'only-if-cached' })
      assert.equal(r.status, 412, f)
      assert.equal(r.json.error, 'not-cached')
      assert.equal((await get(`/ipfs/${absent.toString()}?format=${f}`, { 'cache-control': 'only-if-cached' }, 'HEAD')).status, 412, `HEAD ${f}`)
      assert.equal((await get(`/ipfs/${root.toString()}?format=${f}&dag-scope=block`, { 'cache-control': 'only-if-cached' })).status, 200, f)
    }
  })

  it('error answers, validation 400s included, are never cached', async () => {
    for (const p of [
      '/ipfs/not-a-cid?format=raw',
      `/ipfs/${root.toString()}?format=json`,
      `/ipfs/${root.toString()}?format=car&car-version=2`,
      `/ipfs/${root.toString()}`
    ]) {
      const r = await get(p)
      assert.equal(r.status, 400, p)
      assert.equal(r.headers.get('cache-control'), 'no-store', p)
    }
  })

  it('CAR clients that read nothing hold no slot for long: the next answers 503 in JSON, and stalled ones are dropped', async () => {
    // A DAG far larger than socket buffers, so an export to a client that does not read cannot finish.
    const leaves: CID[] = []
    for (let i = 0; i < 24; i++) {
      const b = new Uint8Array(1024 * 1024).fill(i)
      const c = CID.createV1(0x55, await sha256.digest(b))
      await store().put(c, b)
      leaves.push(c)
    }
    const bigBytes = dagCbor.encode({ leaves })
    const big = CID.createV1(dagCbor.code, await sha256.digest(bigBytes))
    await store().put(big, bigBytes)
    const slow = await buildServer({ registry, gateway: { maxConcurrentCars: 2, carStallTimeoutMs: 1000 } })
    const sockets: Socket[] = []
    try {
      const url = new URL(await slow.listen({ host: '127.0.0.1', port: 0 }))
      const closed: Array<Promise<unknown>> = []
      for (let i = 0; i < 2; i++) {
        const s = connect(Number(url.port), '127.0.0.1')
        sockets.push(s)
        closed.push(once(s, 'close'))
        s.write(`GET /ipfs/${big.toString()}?format=car HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`)
        s.pause() // never reads
      }
      await new Promise(resolve => setTimeout(resolve, 300))
      const busy = await fetch(`${url.origin}/ipfs/${big.toString()}?format=car`)
      assert.equal(busy.status, 503)
      assert.match(busy.headers.get('content-type') ?? '', /^application\/json/)
      assert.equal(busy.headers.get('cache-control'), 'no-store')
      assert.equal(busy.headers.get('retry-after'), '5')
      assert.equal(((await busy.json()) as { error: string }).error, 'busy')
      // Stalled past the timeout: dropped, and their slots serve others again.
      let ok = busy
      const deadline = Date.now() + 10_000
      while (ok.status === 503 && Date.now() < deadline) {
        await new Promise(resolve => setTimeout(resolve, 250))
        ok = await fetch(`${url.origin}/ipfs/${big.toString()}?format=car`)
        if (ok.status === 503) await ok.arrayBuffer()
      }
      assert.equal(ok.status, 200, 'a slot is free again once the stalled clients are dropped')
      let n = 0
      for await (const _b of await CarBlockIterator.fromIterable(
        Readable.fromWeb(ok.body as import('node:stream/web').ReadableStream) as AsyncIterable<Uint8Array>
      ))
        n++
      assert.equal(n, leaves.length + 1)
      // The stalled clients were cut off: reading now, they find the connection closed before the CAR's end.
      for (const s of sockets) s.resume()
      await Promise.all(closed)
      for (const s of sockets) assert.ok(s.bytesRead < 24 * 1024 * 1024, `a stalled client got ${s.bytesRead} bytes`)
    } finally {
      for (const s of sockets) s.destroy()
      await slow.close()
    }
  })

  it('documents the gateway routes in the OpenAPI document', async () => {
    const o = await get('/api/v1/openapi.json')
    assert.ok('/ipfs/{cid}' in o.json.paths)
    assert.ok('/ipns/{name}' in o.json.paths)
  })
})

const cid = CID.createV1(dagCbor.code, await sha256.digest(new Uint8Array([1])))

describe('gateway client against a misbehaving gateway', { timeout: 60_000 }, () => {
  it('cuts off a body larger than a block may be while it streams, with or without a length', async () => {
    let sent = 0
    const endless = await hostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.ipld.raw' })
      const chunk = new Uint8Array(64 * 1024)
      const push = (): void => {
        while (sent < 64 * MAX_FETCHED_BLOCK_BYTES && res.write(chunk)) sent += chunk.length
        if (sent < 64 * MAX_FETCHED_BLOCK_BYTES) res.once('drain', push)
        else res.end()
      }
      res.on('close', () => {
        res.removeAllListeners('drain')
      })
      push()
    })
    const declared = await hostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.ipld.raw', 'content-length': String(MAX_FETCHED_BLOCK_BYTES + 1) })
      res.end(new Uint8Array(MAX_FETCHED_BLOCK_BYTES + 1))
    })
    try {
      await assert.rejects(gatewayFetcher(endless.url)(cid, AbortSignal.timeout(30_000)), BlockRefusedError)
      assert.ok(sent < 64 * MAX_FETCHED_BLOCK_BYTES, 'the transfer was cancelled, not read to the end')
      await assert.rejects(gatewayFetcher(declared.url)(cid, AbortSignal.timeout(30_000)), BlockRefusedError)
      const local = new MemoryBlocks()
      const client = new FetchingBlocks(local, gatewayFetcher(endless.url))
      await assert.rejects(client.get(cid), BlockRefusedError)
      assert.equal(local.size, 0)
      assert.deepEqual(client.stats, { fetched: 0, bytesFetched: 0, refused: 1 }, 'a refusal by the fetcher is counted')
    } finally {
      endless.server.closeAllConnections()
      endless.server.close()
      declared.server.closeAllConnections()
      declared.server.close()
    }
  })

  it('reports errors, wrong content types and unreachable gateways clearly, and honours the abort signal', async () => {
    const broken = await hostile((req, res) => {
      if (req.url?.includes('slow') === true) return // never answers
      if (req.url?.startsWith('/ipns/') === true) {
        res.writeHead(200, { 'content-type': 'text/html' })
        res.end('<html>')
        return
      }
      res.writeHead(req.url?.includes(cid.toString()) === true ? 500 : 200, { 'content-type': 'text/html' })
      res.end('oops')
    })
    try {
      await assert.rejects(gatewayFetcher(broken.url)(cid, AbortSignal.timeout(10_000)), (err: Error) => err instanceof GatewayError && err.status === 500)
      const other = CID.createV1(dagCbor.code, await sha256.digest(new Uint8Array([2])))
      await assert.rejects(gatewayFetcher(broken.url)(other, AbortSignal.timeout(10_000)), /content type "text\/html"/)
      await assert.rejects(fetchIpnsRecord(broken.url, 'k51x'), /content type/)
      const ac = new AbortController()
      const p = gatewayFetcher(`${broken.url}/slow`)(cid, ac.signal)
      ac.abort(new Error('stop'))
      await assert.rejects(p, /stop/)
      assert.throws(() => gatewayFetcher('ftp://example.org'), GatewayError)
      const closed = await hostile(() => {})
      await new Promise(resolve => closed.server.close(resolve))
      await assert.rejects(gatewayFetcher(closed.url)(cid, AbortSignal.timeout(10_000)), (err: Error) => err instanceof GatewayError && err.status === null)
    } finally {
      broken.server.closeAllConnections()
      broken.server.close()
    }
  })
})
