// The Delegated Routing V1 HTTP API (specs.ipfs.tech/routing/http-routing-v1/), the part standard IPFS
// clients (helia, verified-fetch, kubo) use to find where a CID is and what an IPNS name points at:
//   GET /routing/v1/ipns/{name}       the signed record held for that name (own, or a followed partner's)
//   PUT /routing/v1/ipns/{name}       a partner pushes its newer record (verified against the name's key)
//   GET /routing/v1/providers/{cid}   this node, when it holds the block: its peer ID, libp2p addresses
//                                     (bitswap) and the gateway's URL (trustless gateway over HTTP)
// Written here rather than mounted from @helia/delegated-routing-v1-http-api-server: see docs/decisions.md.

import { createHash } from 'node:crypto'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type {} from '@fastify/rate-limit'
import { unmarshalIPNSRecord } from 'ipns'
import { base32 } from 'multiformats/bases/base32'
import { base36 } from 'multiformats/bases/base36'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import type { BlockAccess } from '../index-core/store/index.ts'
import {
  IpnsError,
  MAX_IPNS_RECORD_BYTES,
  verifyIpnsRecord,
  identityPublicKey,
  IpnsRecordStore,
  recordSequence,
  peerIdOf,
  Refs
} from '../federation/trust/index.ts'
import { errorSchema } from './schemas.ts'

export interface RoutingOptions {
  /** The gateway's base URL as clients reach it (default: the address the request came in on, over http). */
  readonly gatewayUrl?: string
  /** The libp2p node's multiaddrs, when one runs with this server (then bitswap is offered too). */
  readonly libp2pAddrs?: () => readonly string[]
  /** Record pushes (PUT) per minute per client. */
  readonly putsPerMinute?: number
  /** Routing requests per minute per client. */
  readonly requestsPerMinute?: number
}

export interface RoutingPluginOptions extends RoutingOptions {
  /** The institution's data folder: identity, refs, partners. */
  readonly indexDir: string
  /** The blocks this server holds (the gateway's store). */
  readonly store: BlockAccess
  readonly isOwnIpnsName?: (name: string, indexDir: string) => Promise<boolean>
}

const IPNS_RECORD = 'application/vnd.ipfs.ipns-record'
const JSON_TYPE = 'application/json'
const NDJSON = 'application/x-ndjson'
const BITSWAP = 'transport-bitswap'
const GATEWAY = 'transport-ipfs-gateway-http'
/** As boxo's server: providers found are cached for 5 minutes, an empty answer for 15 seconds. */
const CACHE_FOUND = 'public, max-age=300, stale-while-revalidate=172800, stale-if-error=172800'
const CACHE_EMPTY = 'public, max-age=15, stale-while-revalidate=172800, stale-if-error=172800'

/** The Peer Schema record of the spec. */
export interface PeerRecord {
  readonly Schema: 'peer'
  readonly ID: string
  readonly Addrs: string[]
  readonly Protocols: string[]
}

const anyBase = base32.decoder.or(base36.decoder).or(base58btc.decoder)

function fail(reply: FastifyReply, status: number, error: string, message: string, cache = 'no-store'): FastifyReply {
  return reply.status(status).type('application/json; charset=utf-8').header('cache-control', cache).send({ error, message, position: null })
}

/** The q-value the Accept header gives `type` (exact, type/*, then * / *); 0 when it is not acceptable. */
function acceptQ(accept: string | undefined, type: string): number {
  if (accept === undefined || accept.trim() === '') return 1
  let best = -1
  let q = 0
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';').map(s => s.trim().toLowerCase())
    const specificity = range === type ? 3 : range === `${type.split('/')[0]}/*` ? 2 : range === '*/*' ? 1 : 0
    if (specificity <= best || specificity === 0) continue
    const qp = params.find(p => p.startsWith('q='))
    best = specificity
    q = qp === undefined ? 1 : Number(qp.slice(2)) || 0
  }
  return q
}

/** http://127.0.0.1:8080/ as a multiaddr: /ip4/127.0.0.1/tcp/8080/http. */
export function urlMultiaddr(url: string): string {
  const u = new URL(url)
  const host = u.hostname.replace(/^\[|\]$/g, '')
  const proto = u.protocol === 'https:' ? 'https' : 'http'
  const port = u.port !== '' ? u.port : proto === 'https' ? '443' : '80'
  const kind = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? 'ip4' : host.includes(':') ? 'ip6' : 'dns'
  return `/${kind}/${host}/tcp/${port}/${proto}`
}

/** IPIP-484 filters: a comma list of names; `!name` excludes; `unknown` matches a record without protocols. */
function filterList(q: string | undefined): { include: string[]; exclude: string[] } | null {
  if (q === undefined || q === '') return null
  const all = q
    .split(',')
    .map(s => s.trim().toLowerCase())
    .filter(s => s !== '')
  return { include: all.filter(s => !s.startsWith('!')), exclude: all.filter(s => s.startsWith('!')).map(s => s.slice(1)) }
}

function applyFilters(r: PeerRecord, addrsQ: string | undefined, protocolsQ: string | undefined): PeerRecord | null {
  const protocols = filterList(protocolsQ)
  if (protocols !== null && protocols.include.length > 0) {
    const names = r.Protocols.length === 0 ? ['unknown'] : r.Protocols
    if (!names.some(p => protocols.include.includes(p))) return null
  }
  const addrs = filterList(addrsQ)
  if (addrs === null) return r
  const parts = (a: string): string[] => a.split('/').filter(s => s !== '')
  const kept = r.Addrs.filter(
    a => !addrs.exclude.some(x => parts(a).includes(x)) && (addrs.include.length === 0 || addrs.include.some(x => parts(a).includes(x)))
  )
  return kept.length === 0 ? null : { ...r, Addrs: kept }
}

export const routingV1: FastifyPluginAsync<RoutingPluginOptions> = async (app, opts) => {
  const { indexDir, store } = opts
  const records = new IpnsRecordStore(indexDir, opts.isOwnIpnsName)
  const config = { rateLimit: { max: opts.requestsPerMinute ?? 30_000, timeWindow: '1 minute' } }
  const putConfig = { rateLimit: { max: opts.putsPerMinute ?? 30, timeWindow: '1 minute' } }

  // Bodies are records: bytes, whatever the content type says (the handler answers 406 for a wrong one).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_IPNS_RECORD_BYTES }, (_req, body, done) => {
    done(null, body)
  })

  const nameParams = { type: 'object', properties: { name: { type: 'string', maxLength: 200 } }, required: ['name'] } as const

  app.get<{ Params: { name: string } }>(
    '/routing/v1/ipns/:name',
    {
      config,
      schema: {
        tags: ['Delegated routing'],
        summary: "The signed IPNS record of a name: the institution's, or a followed partner's (Delegated Routing V1)",
        description: "application/vnd.ipfs.ipns-record; verify it against the name's key. Cache-Control follows the record's TTL.",
        params: nameParams,
        response: { 400: errorSchema, 404: errorSchema, 406: errorSchema }
      }
    },
    async (req, reply) => {
      reply.header('vary', 'Accept')
      if (acceptQ(req.headers.accept, IPNS_RECORD) <= 0) {
        return fail(reply, 406, 'not-acceptable', `IPNS names are answered as signed records: retry with Accept: ${IPNS_RECORD}`)
      }
      const { name } = req.params
      const holder = await records.holder(name)
      const record = holder === null ? undefined : await records.get(holder)
      // The spec's default TTL for an answer without one, the 404 included.
      if (record === undefined) return fail(reply, 404, 'not-found', `No IPNS record for ${name.slice(0, 100)} here`, 'public, max-age=60')
      const etag = `"${createHash('sha256').update(record).digest('hex')}"`
      reply.header('etag', etag)
      const inm = req.headers['if-none-match']
      if (inm?.split(',').some(t => t.trim().replace(/^W\//, '') === etag)) return await reply.status(304).send()
      const ttlNs = unmarshalIPNSRecord(record).ttl ?? 0n
      const ttl = ttlNs > 0n ? Number(ttlNs / 1_000_000_000n) : 60
      return await reply
        .type(IPNS_RECORD)
        .header('cache-control', `public, max-age=${Math.max(1, Math.min(ttl, 86_400))}`)
        .header('content-disposition', `attachment; filename="${name}.ipns-record"`)
        .header('x-content-type-options', 'nosniff')
        .send(Buffer.from(record))
    }
  )

  app.put<{ Params: { name: string }; Body: Buffer }>(
    '/routing/v1/ipns/:name',
    {
      config: putConfig,
      bodyLimit: MAX_IPNS_RECORD_BYTES,
      schema: {
        tags: ['Delegated routing'],
        summary: "Push a followed partner's newer IPNS record (Delegated Routing V1)",
        description:
          `Body: the record (Content-Type: ${IPNS_RECORD}, at most ${MAX_IPNS_RECORD_BYTES} bytes). Kept only for a partner in partners.json, ` +
          "when it validates against the name's key and is newer than the record held (and than the last manifest accepted). " +
          "The institution's own name is published with canopy publish, not here.",
        params: nameParams,
        response: { 400: errorSchema, 403: errorSchema, 406: errorSchema, 413: errorSchema }
      }
    },
    async (req, reply) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
      if (type !== IPNS_RECORD) return fail(reply, 406, 'not-acceptable', `Send the record with Content-Type: ${IPNS_RECORD}`)
      const { name } = req.params
      const holder = await records.holder(name)
      if (holder === null) return fail(reply, 403, 'not-a-partner', `${name.slice(0, 100)} is not the name of a partner this institution follows`)
      if (holder.kind === 'own') return fail(reply, 403, 'own-name', "This institution's own record is published with canopy publish")
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) return fail(reply, 400, 'bad-record', 'The body must be the IPNS record')
      const bytes = new Uint8Array(req.body)
      const held = await records.get(holder)
      const accepted = await new Refs(indexDir).partner(holder.partner)
      if (held !== undefined && Buffer.from(held).equals(req.body)) return await reply.status(200).header('cache-control', 'no-store').send()
      let seq: number
      try {
        seq = (await verifyIpnsRecord(bytes, holder.publicKey, { minSeq: accepted?.seq })).seq
      } catch (err) {
        if (err instanceof IpnsError) return fail(reply, 400, 'bad-record', err.message)
        return fail(reply, 400, 'bad-record', 'Not an IPNS record')
      }
      const heldSeq = held === undefined ? undefined : await recordSequence(held)
      if (heldSeq !== undefined && BigInt(seq) <= heldSeq) {
        return fail(reply, 400, 'stale-record', `Sequence ${seq} is not newer than the record held (${heldSeq})`)
      }
      await records.keepPartner(holder.partner, bytes)
      req.log.info(`kept the IPNS record of partner ${holder.partner}, sequence ${seq}`)
      return await reply.status(200).header('cache-control', 'no-store').send()
    }
  )

  /** This node as a provider: undefined without an identity (no peer ID to name). */
  const self = async (req: FastifyRequest): Promise<PeerRecord | undefined> => {
    const key = await identityPublicKey(indexDir)
    if (key === undefined) return undefined
    const local = req.socket.localAddress ?? '127.0.0.1'
    const gatewayUrl = opts.gatewayUrl ?? `http://${local.includes(':') ? `[${local}]` : local}:${req.socket.localPort ?? 80}`
    const libp2p = (opts.libp2pAddrs?.() ?? []).map(a => a.replace(/\/p2p\/[^/]+$/, ''))
    return {
      Schema: 'peer',
      ID: peerIdOf(key).toString(),
      Addrs: [...libp2p, urlMultiaddr(gatewayUrl)],
      // Bitswap only when a node is known to listen: without its addresses a client could not reach it.
      Protocols: libp2p.length > 0 ? [BITSWAP, GATEWAY] : [GATEWAY]
    }
  }

  app.get<{ Params: { cid: string }; Querystring: { 'filter-addrs'?: string; 'filter-protocols'?: string } }>(
    '/routing/v1/providers/:cid',
    {
      config,
      schema: {
        tags: ['Delegated routing'],
        summary: 'Who provides a CID: this node, when it holds the block (Delegated Routing V1)',
        description:
          'application/json (up to 100 records) or, with Accept: application/x-ndjson, one record per line. ' +
          'An empty answer is 200 with no providers (IPIP-513). filter-addrs and filter-protocols as in IPIP-484.',
        params: { type: 'object', properties: { cid: { type: 'string', maxLength: 200 } }, required: ['cid'] },
        querystring: {
          type: 'object',
          properties: { 'filter-addrs': { type: 'string', maxLength: 500 }, 'filter-protocols': { type: 'string', maxLength: 500 } }
        },
        response: { 422: errorSchema }
      }
    },
    async (req, reply) => {
      reply.header('vary', 'Accept')
      let cid: CID
      try {
        cid = CID.parse(req.params.cid, anyBase)
      } catch {
        return fail(reply, 422, 'bad-cid', `"${req.params.cid.slice(0, 100)}" is not a CID`)
      }
      const me = (await store.has(cid)) ? await self(req) : undefined
      const found = me === undefined ? null : applyFilters(me, req.query['filter-addrs'], req.query['filter-protocols'])
      const providers = found === null ? [] : [found]
      reply.header('cache-control', providers.length > 0 ? CACHE_FOUND : CACHE_EMPTY)
      // Streaming only when asked for, and preferred to JSON (the spec: never unasked).
      const nd = acceptQ(req.headers.accept, NDJSON)
      if (req.headers.accept?.toLowerCase().includes(NDJSON) === true && nd > 0 && nd >= acceptQ(req.headers.accept, JSON_TYPE)) {
        return await reply.type(NDJSON).send(Buffer.from(providers.map(p => JSON.stringify(p) + '\n').join('')))
      }
      return await reply.type(JSON_TYPE).send({ Providers: providers })
    }
  )

  // The spec: a path or method this server does not support answers 501.
  app.all('/routing/v1/*', { schema: { hide: true } }, async (_req, reply) => {
    return fail(reply, 501, 'not-implemented', 'This Delegated Routing V1 server answers GET /routing/v1/providers/{cid}, GET and PUT /routing/v1/ipns/{name}')
  })
}
