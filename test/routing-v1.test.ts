// The Delegated Routing V1 HTTP API of `canopy serve`, over real HTTP on loopback: IPNS records of the
// institution and of a partner (kept when fetched, or pushed by PUT and checked), providers of held blocks,
// content negotiation, cache headers and the spec's error codes.
import assert from 'node:assert/strict'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import * as dagCbor from '@ipld/dag-cbor'
import type { FastifyInstance } from 'fastify'
import { unmarshalIPNSRecord } from 'ipns'
import { base32 } from 'multiformats/bases/base32'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import os from 'node:os'
import { equalBytes } from '../index-core/bytes.ts'
import { ingest } from '../ingest/index.ts'
import { createIpnsRecord, IPNS_RECORD_FILE } from '../federation/trust/ipns.ts'
import { openInstitution, fetchPartner, publish } from '../federation/operations/index.ts'
import { ipnsNameOf, peerIdOf } from '../federation/trust/index.ts'
import { IndexRegistry, buildServer } from '../search-api/index.ts'
import { SAMPLE_CRAWL } from '../bin/commands/start.ts'
import { serveIndex } from './serve-index.ts'
import type { Served } from './serve-index.ts'

let tmp: string
let aDir: string
let bDir: string
let bServed: Served
let registry: IndexRegistry
let app: FastifyInstance
let base: string
let aName: string
let bName: string
let aKey: Uint8Array
let bKey: Uint8Array
let bSeed: Uint8Array
let bManifest: CID
let root: CID

async function call(p: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; bytes: Uint8Array; json: any }> {
  const r = await fetch(base + p, init)
  const bytes = new Uint8Array(await r.arrayBuffer())
  const json = r.headers.get('content-type')?.startsWith('application/json') === true ? JSON.parse(Buffer.from(bytes).toString('utf8')) : null
  return { status: r.status, headers: r.headers, bytes, json }
}

const put = async (name: string, body: Uint8Array, type = 'application/vnd.ipfs.ipns-record', url = base): Promise<number> =>
  (await fetch(`${url}/routing/v1/ipns/${name}`, { method: 'PUT', headers: { 'content-type': type }, body: Buffer.from(body) })).status

describe('Delegated Routing V1 API', { timeout: 300_000 }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-routing-'))
    aDir = path.join(tmp, 'a')
    bDir = path.join(tmp, 'b')
    await Promise.all([
      ingest({ inputs: [SAMPLE_CRAWL], index: aDir, workers: 1, institution: 'A' }),
      ingest({ inputs: [SAMPLE_CRAWL], index: bDir, workers: 1, institution: 'B' })
    ])
    // B publishes and serves its gateway; A follows B by key and gateway, and fetches (keeping B's record).
    const b = await openInstitution(bDir, { write: true, name: 'B' })
    try {
      bManifest = CID.parse((await publish(b)).manifest)
      bKey = b.identity.publicKey
      bSeed = b.identity.privateSeed()
    } finally {
      await b.close()
    }
    bServed = await serveIndex('b', bDir)
    const a = await openInstitution(aDir, { write: true, name: 'A' })
    try {
      await publish(a)
      aKey = a.identity.publicKey
      await a.partners.put({ name: 'B', publicKey: Buffer.from(bKey).toString('base64'), sources: [{ kind: 'gateway', url: bServed.base }] })
      await fetchPartner(a, await a.partners.get('B'))
    } finally {
      await a.close()
    }
    aName = ipnsNameOf(aKey)
    bName = ipnsNameOf(bKey)
    registry = await IndexRegistry.open([{ name: 'a', kind: 'local', path: aDir }])
    root = registry.get().reader.cid
    app = await buildServer({ registry })
    base = await app.listen({ host: '127.0.0.1', port: 0 })
  })
  after(async () => {
    await app?.close()
    await registry?.close()
    await bServed?.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it("serves the institution's record under any spelling of its name, with the record's TTL, an ETag and Vary", async () => {
    const own = new Uint8Array(await readFile(path.join(aDir, IPNS_RECORD_FILE)))
    const peer = peerIdOf(aKey)
    for (const name of [aName, peer.toString(), peer.toCID().toString(base32)]) {
      const r = await call(`/routing/v1/ipns/${name}`, { headers: { accept: 'application/vnd.ipfs.ipns-record' } })
      assert.equal(r.status, 200, name)
      assert.equal(r.headers.get('content-type'), 'application/vnd.ipfs.ipns-record')
      assert.ok(equalBytes(r.bytes, own))
    }
    const r = await call(`/routing/v1/ipns/${aName}`, { headers: { accept: 'application/vnd.ipfs.ipns-record' } })
    const ttl = Number((unmarshalIPNSRecord(own).ttl ?? 0n) / 1_000_000_000n)
    assert.equal(r.headers.get('cache-control'), `public, max-age=${ttl > 0 ? ttl : 60}`)
    assert.match(r.headers.get('vary') ?? '', /accept/i)
    assert.equal((await call(`/routing/v1/ipns/${aName}`, { headers: { 'if-none-match': r.headers.get('etag')! } })).status, 304)
    const json = await call(`/routing/v1/ipns/${aName}`, { headers: { accept: 'application/json' } })
    assert.equal(json.status, 406)
    assert.match(json.json.message, /application\/vnd\.ipfs\.ipns-record/)
  })

  it("serves the partner's last verified record, kept by fetch; 404 for other names", async () => {
    const kept = new Uint8Array(await readFile(path.join(aDir, 'refs', 'partners', 'B.ipns-record')))
    assert.ok(equalBytes(kept, new Uint8Array(await readFile(path.join(bDir, IPNS_RECORD_FILE)))), "fetch kept B's record as B published it")
    const r = await call(`/routing/v1/ipns/${bName}`, { headers: { accept: 'application/vnd.ipfs.ipns-record' } })
    assert.equal(r.status, 200)
    assert.ok(equalBytes(r.bytes, kept))
    assert.equal((await call(`/ipns/${bName}?format=ipns-record`)).status, 200, 'the gateway answers for the partner too')
    const stranger = ipnsNameOf(new Uint8Array(32).fill(7))
    const none = await call(`/routing/v1/ipns/${stranger}`)
    assert.equal(none.status, 404)
    assert.equal(none.headers.get('cache-control'), 'public, max-age=60')
    assert.equal((await call('/routing/v1/ipns/not-a-name')).status, 404)
  })

  it("takes a partner's pushed record only when it verifies and is newer, and keeps it", async () => {
    const held = await readFile(path.join(aDir, 'refs', 'partners', 'B.ipns-record'))
    assert.equal(await put(bName, held), 200, 'the record held again: nothing to do')
    const newer = await createIpnsRecord(bSeed, bManifest, 2)
    assert.equal(await put(bName, newer, 'application/json'), 406)
    assert.equal(await put(bName, await createIpnsRecord(bSeed, bManifest, 1, { lifetimeMs: 60_000 })), 400, 'same sequence: not newer')
    assert.equal(await put(bName, await createIpnsRecord(new Uint8Array(32).fill(9), bManifest, 5)), 400, 'signed by another key')
    const forged = new Uint8Array(newer)
    forged[forged.length - 3] ^= 1
    assert.equal(await put(bName, forged), 400, 'a changed byte')
    assert.equal(await put(bName, new Uint8Array(11 * 1024)), 413)
    assert.equal(await put(aName, await createIpnsRecord(bSeed, bManifest, 3)), 403, 'the own name is published, not pushed')
    assert.equal(await put(ipnsNameOf(new Uint8Array(32).fill(9)), await createIpnsRecord(new Uint8Array(32).fill(9), bManifest, 5)), 403, 'not a partner')

    assert.equal(await put(bName, newer), 200)
    const r = await call(`/routing/v1/ipns/${bName}`)
    assert.ok(equalBytes(r.bytes, newer))
    assert.ok(equalBytes(new Uint8Array(await readFile(path.join(aDir, 'refs', 'partners', 'B.ipns-record'))), newer))
    assert.equal(await put(bName, await createIpnsRecord(bSeed, bManifest, 1)), 400, 'older than the one held: a replay')
  })

  it('limits record pushes per client', async () => {
    const limited = await buildServer({ registry, routing: { putsPerMinute: 2 } })
    try {
      const url = await limited.listen({ host: '127.0.0.1', port: 0 })
      const codes = []
      for (let i = 0; i < 3; i++) codes.push(await put(bName, new Uint8Array([1, 2, 3]), undefined, url))
      assert.deepEqual(codes, [400, 400, 429])
    } finally {
      await limited.close()
    }
  })

  it('names this node as provider of a held block (gateway URL, and bitswap when a node runs), and no one otherwise', async () => {
    const r = await call(`/routing/v1/providers/${root.toString()}`, { headers: { accept: 'application/json' } })
    assert.equal(r.status, 200)
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/)
    assert.match(r.headers.get('vary') ?? '', /accept/i)
    assert.match(r.headers.get('cache-control') ?? '', /max-age=300/)
    const port = new URL(base).port
    assert.deepEqual(r.json, {
      Providers: [{ Schema: 'peer', ID: peerIdOf(aKey).toString(), Addrs: [`/ip4/127.0.0.1/tcp/${port}/http`], Protocols: ['transport-ipfs-gateway-http'] }]
    })

    const nd = await call(`/routing/v1/providers/${root.toString()}`, { headers: { accept: 'application/x-ndjson, application/json;q=0.8' } })
    assert.equal(nd.headers.get('content-type'), 'application/x-ndjson')
    const lines = Buffer.from(nd.bytes)
      .toString('utf8')
      .split('\n')
      .filter(l => l !== '')
    assert.deepEqual(
      lines.map(l => JSON.parse(l)),
      r.json.Providers
    )

    const absent = CID.createV1(dagCbor.code, await sha256.digest(dagCbor.encode({ absent: true })))
    const empty = await call(`/routing/v1/providers/${absent.toString()}`)
    assert.equal(empty.status, 200, 'IPIP-513: an empty answer is a 200')
    assert.deepEqual(empty.json, { Providers: [] })
    assert.match(empty.headers.get('cache-control') ?? '', /max-age=15/)
    assert.equal((await call(`/routing/v1/providers/${root.toString()}?filter-protocols=transport-bitswap`)).json.Providers.length, 0)
    assert.equal((await call(`/routing/v1/providers/${root.toString()}?filter-addrs=!http`)).json.Providers.length, 0)
    assert.equal((await call('/routing/v1/providers/not-a-cid')).status, 422)
    assert.equal((await call(`/routing/v1/peers/${peerIdOf(aKey).toString()}`)).status, 501)

    const withNode = await buildServer({
      registry,
      routing: { libp2pAddrs: () => [`/ip4/127.0.0.1/tcp/4001/p2p/${peerIdOf(aKey).toString()}`], gatewayUrl: 'https://gw.example.org' }
    })
    try {
      const url = await withNode.listen({ host: '127.0.0.1', port: 0 })
      const p = (await (await fetch(`${url}/routing/v1/providers/${root.toString()}`)).json()) as { Providers: Array<{ Addrs: string[]; Protocols: string[] }> }
      assert.deepEqual(p.Providers[0].Addrs, ['/ip4/127.0.0.1/tcp/4001', '/dns/gw.example.org/tcp/443/https'])
      assert.deepEqual(p.Providers[0].Protocols, ['transport-bitswap', 'transport-ipfs-gateway-http'])
    } finally {
      await withNode.close()
    }
  })

  it('documents the routing routes in the OpenAPI document', async () => {
    const o = await call('/api/v1/openapi.json')
    for (const p of ['/routing/v1/ipns/{name}', '/routing/v1/providers/{cid}']) assert.ok(p in o.json.paths, p)
    assert.ok('put' in o.json.paths['/routing/v1/ipns/{name}'])
  })
})
