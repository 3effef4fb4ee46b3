// Blocks and IPNS records from an IPFS trustless HTTP gateway (a partner's `canopy serve`, or any gateway).
// Bodies are read as a stream and cut off past their size bound, never buffered whole; what comes back is
// still unverified (FetchingBlockStore and verifyIpnsRecord check it).

import type { CID } from 'multiformats/cid'
import { concatBytes } from '../index-core/bytes.ts'
import { BlockRefusedError, MAX_FETCHED_BLOCK_BYTES } from './fetching-store.ts'
import type { BlockFetcher } from './fetching-store.ts'
import { MAX_IPNS_RECORD_BYTES } from './ipns.ts'
import { UserError } from '../index-core/user-error.ts'

const RAW = 'application/vnd.ipld.raw'
const CAR = 'application/vnd.ipld.car'
const IPNS_RECORD = 'application/vnd.ipfs.ipns-record'

export class GatewayError extends UserError {
  override name = 'GatewayError'
  /** The HTTP status, or null when the gateway could not be reached. */
  readonly status: number | null

  constructor (message: string, status: number | null, opts?: ErrorOptions) {
    super(message, opts)
    this.status = status
  }
}

/** `url` without trailing slashes, after checking it is an http(s) URL. */
function gatewayBase (url: string): string {
  let u: URL
  try { u = new URL(url) } catch { throw new GatewayError(`gateway URL "${url}" is not a URL`, null) }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new GatewayError(`gateway URL "${url}" is not http(s)`, null)
  return url.replace(/\/+$/, '')
}

async function get (url: string, accept: string, signal: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { headers: { accept }, signal })
  } catch (err) {
    if (signal.aborted) throw signal.reason
    throw new GatewayError(`gateway request ${url} failed: ${(err as Error).message}`, null, { cause: err })
  }
}

/** The body, read chunk by chunk; `tooLarge` is thrown (and the transfer cancelled) once it exceeds `max`. */
async function readBounded (res: Response, max: number, tooLarge: () => Error): Promise<Uint8Array> {
  if (Number(res.headers.get('content-length') ?? 0) > max) {
    await res.body?.cancel()
    throw tooLarge()
  }
  if (res.body === null) return new Uint8Array(0)
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > max) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(value)
  }
  return chunks.length === 1 ? chunks[0] : concatBytes(chunks, total)
}

/** Rejects any answer but 200 with the expected content type (after 404, which the caller handles). */
async function expectOk (res: Response, url: string, type: string): Promise<void> {
  if (res.status !== 200) {
    await res.body?.cancel()
    throw new GatewayError(`gateway answered ${res.status} ${res.statusText} to ${url}`, res.status)
  }
  const got = res.headers.get('content-type') ?? ''
  if (got.split(';')[0].trim().toLowerCase() !== type) {
    await res.body?.cancel()
    throw new GatewayError(`gateway answered ${url} with content type "${got}", not ${type}`, res.status)
  }
}

/**
 * Fetches raw blocks from the gateway at `baseUrl`: 404 is "not there" (undefined), any other failure an
 * error; a body larger than `maxBlockBytes` is cut off as it streams and refused.
 */
export function gatewayFetcher (baseUrl: string, opts: { maxBlockBytes?: number } = {}): BlockFetcher {
  const base = gatewayBase(baseUrl)
  const max = opts.maxBlockBytes ?? MAX_FETCHED_BLOCK_BYTES
  return async (cid: CID, signal: AbortSignal): Promise<Uint8Array | undefined> => {
    const url = `${base}/ipfs/${cid.toString()}?format=raw`
    const res = await get(url, RAW, signal)
    if (res.status === 404) {
      await res.body?.cancel()
      return undefined
    }
    await expectOk(res, url, RAW)
    return await readBounded(res, max, () => new BlockRefusedError(`block ${cid.toString()} from ${base} is larger than the ${max}-byte limit`))
  }
}

/**
 * The DAG under `root` as a CAR stream from the gateway at `baseUrl` (dag-scope=all): one request for a whole
 * index instead of one per block. The bytes are unverified, and the stream may end early (gateways bound
 * their CARs): the caller verifies each block and checks the copy is whole.
 */
export function gatewayDag (baseUrl: string): (root: CID, signal: AbortSignal) => Promise<AsyncIterable<Uint8Array>> {
  const base = gatewayBase(baseUrl)
  return async (root, signal) => {
    const url = `${base}/ipfs/${root.toString()}?format=car&dag-scope=all`
    const res = await get(url, CAR, signal)
    await expectOk(res, url, CAR)
    if (res.body === null) throw new GatewayError(`gateway answered ${url} with no body`, res.status)
    return res.body
  }
}

/** The marshalled IPNS record the gateway serves for `name` (unverified: check it with verifyIpnsRecord). */
export async function fetchIpnsRecord (baseUrl: string, name: string, opts: { signal?: AbortSignal, maxBytes?: number } = {}): Promise<Uint8Array> {
  const base = gatewayBase(baseUrl)
  const max = opts.maxBytes ?? MAX_IPNS_RECORD_BYTES
  const url = `${base}/ipns/${encodeURIComponent(name)}?format=ipns-record`
  const res = await get(url, IPNS_RECORD, opts.signal ?? AbortSignal.timeout(30_000))
  if (res.status === 404) {
    await res.body?.cancel()
    throw new GatewayError(`gateway ${base} has no IPNS record for ${name}`, 404)
  }
  await expectOk(res, url, IPNS_RECORD)
  return await readBounded(res, max, () => new GatewayError(`IPNS record for ${name} from ${base} is larger than ${max} bytes`, res.status))
}
