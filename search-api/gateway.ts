// The IPFS trustless gateway subset over the served index directories' blocks: any IPFS client (or a
// partner's gatewayFetcher) gets raw blocks and CARs it verifies itself, and the institution's IPNS record.
//   GET /ipfs/<cid>?format=raw   one block               (Accept: application/vnd.ipld.raw)
//   GET /ipfs/<cid>?format=car   the DAG under the CID    (Accept: application/vnd.ipld.car; dag-scope=block|entity|all)
//   GET /ipns/<name>?format=ipns-record                   (Accept: application/vnd.ipfs.ipns-record)
//   POST /api/v1/blocks {"cids": [...], "paths": [...]}   a CAR of those blocks held, and of prolly-tree
//                                                          nodes on lookups' paths (Canopy's own)
// Blocks are served as stored; clients verify them (the spec's point: no trust in the gateway).

import { createHash } from 'node:crypto'
import { PassThrough, Readable } from 'node:stream'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type {} from '@fastify/rate-limit'
import * as dagPb from '@ipld/dag-pb'
import { base32 } from 'multiformats/bases/base32'
import { base36 } from 'multiformats/bases/base36'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import { identity } from 'multiformats/hashes/identity'
import { UnionBlocks } from '../index-core/store/index.ts'
import type { BlockAccess } from '../index-core/store/index.ts'
import { exportCar } from '../federation/blocks/index.ts'
import { NodeStore, nodesOnPath } from '../index-core/prolly/index.ts'
import { IpnsRecordStore } from '../federation/trust/index.ts'
import type { IndexRegistry } from './registry.ts'
import { MAX_PATH_SEGMENTS, resolvePath } from './ipld-path.ts'
import { errorSchema } from './schemas.ts'
import { stallWatch } from './stall-watch.ts'

export interface GatewayOptions {
  /** The served index whose directory is the institution's own (its refs/ipns-record); default: the first. */
  readonly index?: string
  /** Most blocks and bytes one CAR response holds; a larger DAG's stream is cut off (an incomplete CAR). */
  readonly maxCarBlocks?: number
  readonly maxCarBytes?: number
  /** CAR responses streaming at once; more answer 503. */
  readonly maxConcurrentCars?: number
  /** A CAR export whose client reads nothing for this long is dropped (its slot freed). */
  readonly carStallTimeoutMs?: number
  /** Gateway requests per minute per client: a partner fetching an index block by block asks a lot. */
  readonly requestsPerMinute?: number
  /** Whether `name` is the institution's IPNS name (by default: derived from identity.json's key). */
  readonly isOwnIpnsName?: (name: string, indexDir: string) => Promise<boolean>
}

export interface GatewayPluginOptions extends GatewayOptions {
  readonly registry: IndexRegistry
}

const RAW = 'application/vnd.ipld.raw'
const CAR = 'application/vnd.ipld.car'
const IPNS_RECORD = 'application/vnd.ipfs.ipns-record'
const MEDIA = { raw: RAW, car: CAR, 'ipns-record': IPNS_RECORD } as const
type Format = keyof typeof MEDIA

const IMMUTABLE = 'public, max-age=29030400, immutable'
/** Most CIDs and paths one POST /api/v1/blocks may ask for (a few hundred kB of blocks in a typical answer). */
export const MAX_BATCH_CIDS = 256
export const MAX_BATCH_PATHS = 64
/** Prolly keys are short (a term, a document key); longer ones are no lookup of Canopy's. */
const MAX_PATH_KEY_BASE64 = 5464
/** A CARv1 with no roots and no blocks: dag-cbor {roots: [], version: 1} after its length. */
const EMPTY_CAR = new Uint8Array([0x11, 0xa2, 0x65, 0x72, 0x6f, 0x6f, 0x74, 0x73, 0x80, 0x67, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x01])

const anyBase = base32.decoder.or(base36.decoder).or(base58btc.decoder)

function parseCid(s: string): CID | null {
  try {
    return CID.parse(s, anyBase)
  } catch {
    return null
  }
}

/** The requested response format: `format` wins over Accept (by q-value); null when none is supported. */
function negotiate(req: FastifyRequest<{ Querystring: { format?: string } }>, allowed: readonly Format[]): Format | null {
  const f = req.query.format
  if (f !== undefined) return (allowed as readonly string[]).includes(f) ? (f as Format) : null
  let best: Format | null = null
  let bestQ = 0
  for (const part of (req.headers.accept ?? '').split(',')) {
    const [type, ...params] = part.split(';').map(s => s.trim().toLowerCase())
    const qParam = params.find(p => p.startsWith('q='))
    const q = qParam === undefined ? 1 : Number(qParam.slice(2))
    const match = allowed.find(a => MEDIA[a] === type)
    if (match !== undefined && q > bestQ) {
      best = match
      bestQ = q
    }
  }
  return best
}

function fail(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.status(status).type('application/json; charset=utf-8').header('cache-control', 'no-store').send({ error, message, position: null })
}

/** Every served directory's blocks, each directory once (indexes may share one data folder), and identity blocks. */
export function servedBlocks(registry: IndexRegistry): BlockAccess {
  const dirs = [
    ...new Map(
      registry.list().map(i => {
        const d = registry.dir(i.name)
        return [d.path, d]
      })
    ).values()
  ]
  return withIdentityBlocks(new UnionBlocks(dirs.map(d => d.blocks.store)))
}

/**
 * A store that also holds every identity-hashed block: its bytes are in its CID. So /ipfs/bafkqaaa (the
 * empty block, the spec's probe of whether a gateway answers at all) answers 200.
 */
export function withIdentityBlocks(store: BlockAccess): BlockAccess {
  const inline = (cid: CID): Uint8Array | undefined => (cid.multihash.code === identity.code ? cid.multihash.digest : undefined)
  return {
    get: async cid => inline(cid) ?? (await store.get(cid)),
    has: async cid => inline(cid) !== undefined || (await store.has(cid)),
    put: async (cid, bytes) => {
      if (inline(cid) === undefined) await store.put(cid, bytes)
    }
  }
}

/** Answers 304 when the client already has this version. */
function notModified(req: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header('etag', etag)
  const inm = req.headers['if-none-match']
  if (inm === undefined) return false
  return inm.trim() === '*' || inm.split(',').some(t => t.trim().replace(/^W\//, '') === etag)
}

const cidParams = { type: 'object', properties: { cid: { type: 'string', maxLength: 200 } }, required: ['cid'] } as const
const ipfsQuery = {
  type: 'object',
  properties: {
    format: { type: 'string', enum: ['raw', 'car'] },
    'dag-scope': { type: 'string', enum: ['block', 'entity', 'all'], description: 'CAR only; default all' },
    'entity-bytes': { type: 'string', maxLength: 100, description: 'CAR only; byte ranges of UnixFS files are not supported' },
    'car-version': { type: 'string', enum: ['1'] },
    'car-order': { type: 'string', maxLength: 10 },
    'car-dups': { type: 'string', maxLength: 10 }
  }
} as const
type IpfsRoute = {
  Params: { cid: string; '*'?: string }
  Querystring: { format?: string; 'dag-scope'?: string; 'entity-bytes'?: string; 'car-version'?: string }
}
const nameParams = { type: 'object', properties: { name: { type: 'string', maxLength: 200 } }, required: ['name'] } as const

export const gateway: FastifyPluginAsync<GatewayPluginOptions> = async (app, opts) => {
  const { registry } = opts
  const ownDir = registry.dir(opts.index).path
  const store = servedBlocks(registry)
  const records = new IpnsRecordStore(ownDir, opts.isOwnIpnsName)
  const maxCarBlocks = opts.maxCarBlocks ?? 200_000
  const maxCarBytes = opts.maxCarBytes ?? 2 * 1024 ** 3
  const maxConcurrentCars = opts.maxConcurrentCars ?? 4
  const config = { rateLimit: { max: opts.requestsPerMinute ?? 30_000, timeWindow: '1 minute' } }
  const carStallMs = opts.carStallTimeoutMs ?? 30_000
  let carsStreaming = 0

  const ipfsSchema = (withPath: boolean) => ({
    tags: ['IPFS gateway'],
    summary: withPath
      ? 'A CAR of the blocks along a path and the DAG at its end (IPFS trustless gateway)'
      : 'A block or a CAR of the DAG under a CID (IPFS trustless gateway)',
    description: withPath
      ? 'Pathing through dag-cbor map keys and list indexes and dag-pb link names, for CARs only (format=car or Accept: application/vnd.ipld.car): ' +
        'the CAR holds the blocks crossed on the way, then the DAG at the end of the path (dag-scope). A raw block request with a path answers 400.'
      : 'Ask for format=raw (one block, application/vnd.ipld.raw) or format=car (application/vnd.ipld.car), ' +
        'by the format parameter or the Accept header. Verify what you get: blocks are served as stored. ' +
        'Cache-Control: only-if-cached answers 412 when the block is not held.',
    params: withPath
      ? { type: 'object', properties: { cid: cidParams.properties.cid, '*': { type: 'string', maxLength: 2000 } }, required: ['cid'] }
      : cidParams,
    querystring: ipfsQuery,
    response: { 400: errorSchema, 404: errorSchema, 412: errorSchema, 503: errorSchema }
  })
  const ipfs = async (req: FastifyRequest<IpfsRoute>, reply: FastifyReply): Promise<FastifyReply> => {
    // The answer depends on Accept unless ?format= says it: a shared cache must keep them apart.
    if (req.query.format === undefined) reply.header('vary', 'Accept')
    const format = negotiate(req, ['raw', 'car'])
    if (format === null) {
      return fail(
        reply,
        400,
        'bad-format',
        'This is a trustless gateway: ask for ?format=raw or ?format=car (or Accept: application/vnd.ipld.raw or application/vnd.ipld.car)'
      )
    }
    const cid = parseCid(req.params.cid)
    if (cid === null) return fail(reply, 400, 'bad-cid', `"${req.params.cid.slice(0, 100)}" is not a CID`)
    const name = cid.toString()
    const rest = req.params['*'] ?? ''
    const segments = rest.split('/').filter(s => s !== '')
    if (segments.length > 0 && format === 'raw') {
      return fail(reply, 400, 'bad-path', 'A raw block is requested by its CID alone (/ipfs/<cid>); paths are for CARs (?format=car)')
    }
    if (segments.length > MAX_PATH_SEGMENTS) return fail(reply, 400, 'bad-path', `A path may have at most ${MAX_PATH_SEGMENTS} segments`)
    const onlyIfCached = /(^|,)\s*only-if-cached\s*(,|$)/i.test(req.headers['cache-control'] ?? '')
    // A non-recursive gateway: a block it lacks is not fetched, so only-if-cached changes only the status.
    const missing = (what: string): FastifyReply =>
      onlyIfCached
        ? fail(reply, 412, 'not-cached', `This gateway does not hold ${what} (only-if-cached)`)
        : fail(reply, 404, 'not-found', `This gateway does not hold ${what}`)
    const ipfsPath = segments.length === 0 ? `/ipfs/${name}` : `/ipfs/${name}/${segments.map(encodeURIComponent).join('/')}`
    reply.header('x-ipfs-path', ipfsPath).header('x-ipfs-roots', name).header('x-content-type-options', 'nosniff')

    if (format === 'raw') {
      const bytes = await store.get(cid)
      if (bytes === undefined) return missing(`block ${name}`)
      if (notModified(req, reply, `"${name}.raw"`)) return await reply.status(304).send()
      return await reply
        .type(RAW)
        .header('cache-control', IMMUTABLE)
        .header('content-disposition', `attachment; filename="${name}.bin"`)
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    }

    // CAR: the spec's dag-scope; `entity` of anything but UnixFS is the block itself, and entity-bytes implies it.
    let scope = req.query['dag-scope'] ?? (req.query['entity-bytes'] !== undefined ? 'entity' : 'all')
    if (!(await store.has(cid))) return missing(`block ${name}`)
    const resolved = segments.length === 0 ? { terminal: cid, pathBlocks: [] } : await resolvePath(store, cid, segments)
    if (resolved === null) return missing(`the path ${ipfsPath}`)
    const { terminal, pathBlocks } = resolved
    if (!(await store.has(terminal))) return missing(`block ${terminal.toString()} at the end of ${ipfsPath}`)
    if (scope === 'entity') {
      if (terminal.code === dagPb.code)
        return fail(reply, 400, 'unsupported', 'dag-scope=entity and entity-bytes are not supported for UnixFS (dag-pb) roots; use dag-scope=all')
      scope = 'block'
    }
    const pathTag = segments.length === 0 ? '' : `.${createHash('sha256').update(ipfsPath).digest('hex').slice(0, 16)}`
    if (notModified(req, reply, `"${name}${pathTag}.car.${scope}"`)) return await reply.status(304).send()
    // Refuse before the CAR headers are set: a JSON error under a CAR content type cannot be serialized.
    if (req.method !== 'HEAD' && carsStreaming >= maxConcurrentCars) {
      reply.removeHeader('etag')
      return fail(reply.header('retry-after', '5'), 503, 'busy', 'Too many CAR exports at once; try again shortly')
    }
    reply.type(`${CAR}; version=1; order=unk; dups=n`).header('cache-control', IMMUTABLE).header('content-disposition', `attachment; filename="${name}.car"`)
    // An empty stream, not an empty body: the GET is streamed without a length, and the HEAD must not claim 0.
    if (req.method === 'HEAD') return await reply.send(Readable.from([]))
    carsStreaming++
    const abort = new AbortController()
    const body = stallWatch(reply.raw, carStallMs, () => {
      req.log.warn(`CAR export of ${ipfsPath} dropped: the client read nothing for ${carStallMs} ms`)
      abort.abort(new Error('client stalled'))
      req.raw.socket.destroy()
    })
    // Once streaming has begun the status is sent: a missing block or an exceeded bound cuts the stream,
    // and the client sees an incomplete CAR (which it must check for anyway).
    exportCar(store, [terminal], body, { scope: scope as 'block' | 'all', maxBlocks: maxCarBlocks, maxBytes: maxCarBytes, pathBlocks, signal: abort.signal })
      .catch((err: unknown) => {
        req.log.warn({ err }, `CAR export of ${ipfsPath} stopped`)
        body.destroy(err as Error)
      })
      .finally(() => {
        carsStreaming--
      })
    return await reply.send(body)
  }
  app.get<IpfsRoute>('/ipfs/:cid', { config, schema: ipfsSchema(false) }, ipfs)
  app.get<IpfsRoute>('/ipfs/:cid/*', { config, schema: ipfsSchema(true) }, ipfs)

  // Many blocks in one request: a search's dependent steps each need tens of blocks at once, and one request
  // per block costs about a millisecond of CPU on each side. Not in the trustless gateway spec (which has no
  // multi-block request): plain gateways lack it and clients fall back to one GET per block.
  // Decoded nodes for path lookups, apart from the search's own caches: a path answer reads a few nodes.
  const nodes = new NodeStore(store, { cacheBytes: 16 * 1024 * 1024 })
  type Path = { root: string; from: string; key: string }
  /** The nodes below `from` on the lookup of `key` under `root` (none when the path does not cross `from`). */
  const pathBelow = async (p: Path): Promise<CID[]> => {
    const root = parseCid(p.root)
    const from = parseCid(p.from)
    if (root === null || from === null) return []
    try {
      const path = await nodesOnPath(nodes, root, Buffer.from(p.key, 'base64'))
      const i = path.findIndex(c => c.equals(from))
      return i < 0 ? [] : path.slice(i + 1)
    } catch {
      return [] // not a tree held here, or not a tree at all: the blocks asked for are still sent
    }
  }

  app.post<{ Body: { cids: string[]; paths?: Path[] } }>(
    '/api/v1/blocks',
    {
      config,
      bodyLimit: 64 * 1024,
      schema: {
        tags: ['IPFS gateway'],
        summary: 'A CAR of the requested blocks this gateway holds (many blocks in one request)',
        description:
          `Up to ${MAX_BATCH_CIDS} CIDs; the CAR (application/vnd.ipld.car, version 1, any order) holds those held here and ` +
          'leaves out the others, which are not held. Each of up to ' +
          String(MAX_BATCH_PATHS) +
          ' paths (a prolly-tree root, a node `from` ' +
          'in that tree and a key in base64) adds the nodes below `from` that a lookup of the key reads, so that a client looking up a key ' +
          'in a remote index pays one round trip, not one per level. Verify every block against its CID.',
        body: {
          type: 'object',
          properties: {
            cids: { type: 'array', maxItems: MAX_BATCH_CIDS, items: { type: 'string', maxLength: 200 } },
            paths: {
              type: 'array',
              maxItems: MAX_BATCH_PATHS,
              items: {
                type: 'object',
                properties: {
                  root: { type: 'string', maxLength: 200 },
                  from: { type: 'string', maxLength: 200 },
                  key: { type: 'string', maxLength: MAX_PATH_KEY_BASE64 }
                },
                required: ['root', 'from', 'key'],
                additionalProperties: false
              }
            }
          },
          required: ['cids'],
          additionalProperties: false
        },
        response: { 400: errorSchema }
      }
    },
    async (req, reply) => {
      const cids: CID[] = []
      for (const s of req.body.cids) {
        const cid = parseCid(s)
        if (cid === null) return fail(reply, 400, 'bad-cid', `"${s.slice(0, 100)}" is not a CID`)
        cids.push(cid)
      }
      for (const below of await Promise.all((req.body.paths ?? []).map(pathBelow))) cids.push(...below)
      const held = [...new Map(cids.map(c => [c.toString(), c])).values()]
      const present = (await Promise.all(held.map(async c => ((await store.has(c)) ? c : null)))).filter(c => c !== null)
      reply.type(`${CAR}; version=1; order=unk; dups=n`).header('cache-control', 'no-store').header('x-content-type-options', 'nosniff')
      if (present.length === 0) return await reply.send(Buffer.from(EMPTY_CAR))
      const body = new PassThrough()
      exportCar(store, present, body, { scope: 'block' }).catch((err: unknown) => {
        req.log.warn({ err }, 'block batch stopped')
        body.destroy(err as Error)
      })
      return await reply.send(body)
    }
  )

  app.get<{ Params: { name: string }; Querystring: { format?: string } }>(
    '/ipns/:name',
    {
      config,
      schema: {
        tags: ['IPFS gateway'],
        summary: "A signed IPNS record: the institution's, or a followed partner's (IPFS trustless gateway)",
        description:
          "Only the record itself (format=ipns-record or Accept: application/vnd.ipfs.ipns-record), for this institution's name and its partners' (the last verified record of each). Verify it against the name's public key.",
        params: nameParams,
        querystring: { type: 'object', properties: { format: { type: 'string', enum: ['ipns-record'] } } },
        response: { 400: errorSchema, 404: errorSchema }
      }
    },
    async (req, reply) => {
      if (req.query.format === undefined) reply.header('vary', 'Accept')
      if (negotiate(req, ['ipns-record']) === null) {
        return fail(
          reply,
          400,
          'bad-format',
          'This gateway serves /ipns/ names as signed records only: ask for ?format=ipns-record (or Accept: application/vnd.ipfs.ipns-record)'
        )
      }
      const { name } = req.params
      const none = (): FastifyReply => fail(reply, 404, 'not-found', `No IPNS record for ${name.slice(0, 100)} here`)
      const holder = await records.holder(name)
      const record = holder === null ? undefined : await records.get(holder)
      if (record === undefined) return none()
      reply.header('x-ipfs-path', `/ipns/${name}`).header('x-content-type-options', 'nosniff')
      if (notModified(req, reply, `"${createHash('sha256').update(record).digest('hex')}"`)) return await reply.status(304).send()
      // A record changes at each publication: caches keep it briefly.
      return await reply
        .type(IPNS_RECORD)
        .header('cache-control', 'public, max-age=60')
        .header('content-disposition', `attachment; filename="${name}.ipns-record"`)
        .send(Buffer.from(record))
    }
  )
}
