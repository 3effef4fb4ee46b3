// The trustless gateway over libp2p (HTTP over libp2p streams, @libp2p/http; protocol id /ipfs/gateway): what
// a partner asks a node for when it copies a whole index, one CAR in one stream instead of a bitswap want per
// block. Only what a copy needs: `GET /ipfs/<cid>` with `Accept: application/vnd.ipld.car` (the DAG under the
// CID; dag-scope is the spec's default, all) or `application/vnd.ipld.raw` (the block). Query strings are not
// read: @libp2p/http's client does not send them. Who may ask is the connection gater's business, as for
// bitswap; the full gateway (paths, ETags, IPNS) is `canopy serve`'s over plain HTTP.

import { PassThrough, Readable } from 'node:stream'
import type { HTTPInit } from '@libp2p/http'
import { responseToStream, streamToRequest, toResource } from '@libp2p/http-utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import type { BlockAccess } from '../../index-core/store/index.ts'
import { exportCar } from '../blocks/index.ts'
import type { DagStream } from '../blocks/index.ts'

export const GATEWAY_PROTOCOL = '/ipfs/gateway'
const CAR = 'application/vnd.ipld.car'
const RAW = 'application/vnd.ipld.raw'

export interface Libp2pGatewayOptions {
  /** Most blocks one CAR holds (a larger DAG's stream is cut off: the client fetches the rest by bitswap). */
  readonly maxCarBlocks?: number
  /** CARs streaming at once; more answer 503. */
  readonly maxConcurrentCars?: number
}

function text(status: number, message: string): Response {
  return new Response(message + '\n', { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } })
}

/** Answers one request over the node's blocks. */
export function gatewayHandler(blocks: BlockAccess, opts: Libp2pGatewayOptions = {}): (req: Request) => Promise<Response> {
  const maxCarBlocks = opts.maxCarBlocks ?? 2_000_000
  const maxConcurrentCars = opts.maxConcurrentCars ?? 4
  let streaming = 0
  return async req => {
    if (req.method !== 'GET') return text(405, 'only GET')
    const m = /^\/ipfs\/([A-Za-z0-9]+)$/.exec(new URL(req.url).pathname)
    if (m === null) return text(404, 'ask for /ipfs/<cid>')
    let cid: CID
    try {
      cid = CID.parse(m[1])
    } catch {
      return text(400, 'not a CID')
    }
    const accept = req.headers.get('accept') ?? ''
    if (accept.includes(RAW)) {
      const b = await blocks.get(cid)
      return b === undefined
        ? text(404, 'block not held here')
        : new Response(b as Uint8Array<ArrayBuffer>, { headers: { 'content-type': RAW, 'cache-control': 'public, max-age=29030400, immutable' } })
    }
    if (!accept.includes(CAR)) return text(400, `ask for ${CAR} or ${RAW} (Accept)`)
    if (!(await blocks.has(cid))) return text(404, 'root not held here')
    if (streaming >= maxConcurrentCars) return text(503, 'too many CARs at once; try again shortly')
    streaming++
    const out = new PassThrough()
    // A missing block or the bound cuts the stream: the client sees an incomplete CAR and fetches the rest.
    exportCar(blocks, [cid], out, { maxBlocks: maxCarBlocks })
      .catch((err: unknown) => {
        out.destroy(err as Error)
      })
      .finally(() => {
        streaming--
      })
    return new Response(Readable.toWeb(out) as ReadableStream<Uint8Array>, { headers: { 'content-type': `${CAR}; version=1; order=unk; dups=n` } })
  }
}

/**
 * @libp2p/http's options for a node serving `blocks`: requests its own routes do not take (all but the
 * .well-known protocol list) go to the gateway, and the list names the gateway.
 */
export function gatewayServer(blocks: BlockAccess, opts: Libp2pGatewayOptions = {}): HTTPInit & { readonly handler: (req: Request) => Promise<Response> } {
  const handler = gatewayHandler(blocks, opts)
  return {
    handler,
    server: {
      async inject(info, stream) {
        await responseToStream(await handler(streamToRequest(info, stream)), stream)
        await stream.close()
      }
    }
  }
}

/** Fetches over HTTP over libp2p: what the node's http service offers, typed as much as needed here. */
export interface HttpClient {
  fetch(resource: Multiaddr[] | URL, init?: RequestInit): Promise<Response>
}

/** The DAG under a root as a CAR stream from the node at `ma` (its /p2p/ address). */
export function libp2pDag(http: HttpClient, ma: Multiaddr): DagStream {
  return async (root, signal) => {
    const res = await http.fetch(toResource(ma, `/ipfs/${root.toString()}`) as Multiaddr[], { headers: { accept: CAR }, signal })
    if (res.status !== 200 || !(res.headers.get('content-type') ?? '').startsWith(CAR) || res.body === null) {
      await res.body?.cancel()
      throw new Error(`the partner's libp2p gateway answered ${res.status} to a CAR of ${root.toString()}`)
    }
    return res.body
  }
}
