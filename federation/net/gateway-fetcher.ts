// Blocks and IPNS records from an IPFS trustless HTTP gateway (a partner's `canopy serve`, or any gateway).
// Bodies are read as a stream and cut off past their size bound, never buffered whole; what comes back is
// still unverified (FetchingBlocks and verifyIpnsRecord check it).

import type { CID } from 'multiformats/cid'
import { concatBytes } from '../../index-core/bytes.ts'
import { readCarStream, BlockRefusedError, MAX_FETCHED_BLOCK_BYTES } from '../blocks/index.ts'
import type { BlockFetcher, FetchHints } from '../blocks/index.ts'
import { MAX_IPNS_RECORD_BYTES } from '../trust/index.ts'
import { UserError } from '../../index-core/user-error.ts'

const RAW = 'application/vnd.ipld.raw'
const CAR = 'application/vnd.ipld.car'
const IPNS_RECORD = 'application/vnd.ipfs.ipns-record'

export class GatewayError extends UserError {
  override name = 'GatewayError'
  /** The HTTP status, or null when the gateway could not be reached. */
  readonly status: number | null

  constructor(message: string, status: number | null, opts?: ErrorOptions) {
    super(message, opts)
    this.status = status
  }
}

/** `url` without trailing slashes, after checking it is an http(s) URL. */
function gatewayBase(url: string): string {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new GatewayError(`gateway URL "${url}" is not a URL`, null)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new GatewayError(`gateway URL "${url}" is not http(s)`, null)
  return url.replace(/\/+$/, '')
}

async function get(url: string, accept: string, signal: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { headers: { accept }, signal })
  } catch (err) {
    if (signal.aborted) throw signal.reason
    throw new GatewayError(`gateway request ${url} failed: ${(err as Error).message}`, null, { cause: err })
  }
}

/** The body, read chunk by chunk; `tooLarge` is thrown (and the transfer cancelled) once it exceeds `max`. */
async function readBounded(res: Response, max: number, tooLarge: () => Error): Promise<Uint8Array> {
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
async function expectOk(res: Response, url: string, type: string): Promise<void> {
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

/** Most CIDs and paths one batch request asks for (the server's bounds, search-api's MAX_BATCH_CIDS and MAX_BATCH_PATHS). */
const MAX_BATCH = 256
const MAX_BATCH_PATHS = 64
/** Most blocks not asked for that one answer may bring: every node of every path (a path is at most a tree's depth). */
const MAX_BATCH_EXTRAS = MAX_BATCH_PATHS * 33

export interface GatewayFetcherOptions {
  readonly maxBlockBytes?: number
  /**
   * Gather the blocks asked for together (in one turn of the event loop) into one request to Canopy's
   * `POST /api/v1/blocks` (default true). A gateway without it answers 404 or 405, and the fetcher then asks
   * it one block at a time, as the trustless gateway spec has it.
   */
  readonly batch?: boolean
}

/**
 * Fetches raw blocks from the gateway at `baseUrl`: 404 is "not there" (undefined), any other failure an
 * error; a body larger than `maxBlockBytes` is cut off as it streams and refused.
 */
export function gatewayFetcher(baseUrl: string, opts: GatewayFetcherOptions = {}): BlockFetcher {
  const base = gatewayBase(baseUrl)
  const max = opts.maxBlockBytes ?? MAX_FETCHED_BLOCK_BYTES
  const one: BlockFetcher = async (cid, signal) => {
    const url = `${base}/ipfs/${cid.toString()}?format=raw`
    const res = await get(url, RAW, signal)
    if (res.status === 404) {
      await res.body?.cancel()
      return undefined
    }
    await expectOk(res, url, RAW)
    return await readBounded(res, max, () => new BlockRefusedError(`block ${cid.toString()} from ${base} is larger than the ${max}-byte limit`))
  }
  return opts.batch === false ? one : batchingFetcher(base, max, one)
}

interface Wanted {
  readonly cid: CID
  readonly signal: AbortSignal
  readonly hints: FetchHints | undefined
  resolve: (bytes: Uint8Array | undefined) => void
  reject: (err: unknown) => void
  settled: boolean
}

const wantsBlock = (w: Wanted): boolean => w.hints?.pathOnly !== true

/** Splits waiters into requests within the server's bounds on CIDs and paths. */
function chunks(ws: readonly Wanted[]): Wanted[][] {
  const out: Wanted[][] = []
  let cur: Wanted[] = []
  let cids = 0
  let paths = 0
  for (const w of ws) {
    if (cids >= MAX_BATCH || paths >= MAX_BATCH_PATHS) {
      out.push(cur)
      cur = []
      cids = 0
      paths = 0
    }
    cur.push(w)
    if (wantsBlock(w)) cids++
    if (w.hints?.path !== undefined) paths++
  }
  if (cur.length > 0) out.push(cur)
  return out
}

/**
 * A fetcher that gathers what is asked in one turn of the event loop and asks for it in one request, with
 * the nodes below each prolly-tree node on its lookup's path (FetchHints.path), so that a lookup costs one
 * round trip, not one per level. Every caller keeps its own signal; the blocks are unverified like any
 * fetched block (FetchingBlocks checks them), and a block the answer leaves out is not held there.
 */
function batchingFetcher(base: string, max: number, one: BlockFetcher): BlockFetcher {
  const url = `${base}/api/v1/blocks`
  let supported = true
  let queue: Wanted[] = []

  const settle = (w: Wanted, bytes: Uint8Array | undefined, err?: unknown): void => {
    if (w.settled) return
    w.settled = true
    if (err !== undefined) w.reject(err)
    else w.resolve(bytes)
  }
  /** One GET per block, as the trustless gateway spec has it; paths alone cannot be asked for that way. */
  const singly = (ws: readonly Wanted[]): void => {
    for (const w of ws) {
      if (!wantsBlock(w)) settle(w, undefined)
      else
        one(w.cid, w.signal).then(
          b => {
            settle(w, b)
          },
          (err: unknown) => {
            settle(w, undefined, err)
          }
        )
    }
  }

  const ask = async (ws: readonly Wanted[]): Promise<void> => {
    // The request ends when every caller has given up, not when the first one does.
    const abort = new AbortController()
    let live = ws.length
    const stops = ws.map(w => {
      const stop = (): void => {
        settle(w, undefined, w.signal.reason)
        if (--live === 0) abort.abort(w.signal.reason)
      }
      w.signal.addEventListener('abort', stop, { once: true })
      return () => {
        w.signal.removeEventListener('abort', stop)
      }
    })
    try {
      await askFor(ws, abort.signal)
    } catch (err) {
      const e =
        err instanceof GatewayError || abort.signal.aborted
          ? err
          : new BlockRefusedError(`block batch from ${base} refused: ${(err as Error).message}`, { cause: err })
      for (const w of ws) settle(w, undefined, e)
    } finally {
      for (const s of stops) s()
    }
  }

  const askFor = async (ws: readonly Wanted[], signal: AbortSignal): Promise<void> => {
    const byCid = new Map<string, Wanted[]>()
    for (const w of ws) {
      if (!wantsBlock(w)) continue
      const k = w.cid.toString()
      const list = byCid.get(k)
      if (list === undefined) byCid.set(k, [w])
      else list.push(w)
    }
    const paths = ws.flatMap(w =>
      w.hints?.path === undefined ? [] : [{ root: w.hints.path.root.toString(), from: w.cid.toString(), key: Buffer.from(w.hints.path.key).toString('base64') }]
    )
    let res: Response
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { accept: CAR, 'content-type': 'application/json' },
        body: JSON.stringify({ cids: [...byCid.keys()], paths }),
        signal
      })
    } catch (err) {
      if (signal.aborted) throw err
      throw new GatewayError(`gateway request ${url} failed: ${(err as Error).message}`, null, { cause: err })
    }
    if (res.status === 404 || res.status === 405) {
      // A gateway without batches (any plain trustless gateway): one block per request from now on.
      await res.body?.cancel()
      supported = false
      singly(ws)
      return
    }
    await expectOk(res, url, CAR)
    if (res.body === null) throw new GatewayError(`gateway answered ${url} with no body`, res.status)
    // A section is a block with its CID in front: bounded like a block, with room for the CID. Callers are
    // answered once the whole answer is in and the paths' nodes are kept: a caller that then descends a path
    // finds them here instead of asking again.
    const got = new Map<string, Uint8Array>()
    const extra = ws.find(w => w.hints?.extra !== undefined)?.hints?.extra
    // A gateway that keeps sending (repeats, blocks nobody asked for) is cut off: an honest answer holds each
    // block asked for once, and the nodes of at most MAX_BATCH_PATHS paths.
    const most = byCid.size + MAX_BATCH_EXTRAS
    let sections = 0
    await readCarStream(res.body, max + 128, signal, async (cid, bytes) => {
      if (++sections > most) throw new BlockRefusedError(`block batch from ${base} holds more than the ${most} blocks it may`)
      const k = cid.toString()
      if (byCid.has(k)) {
        if (!got.has(k)) got.set(k, bytes.slice())
      } else if (extra !== undefined) await extra(cid, bytes.slice())
    })
    for (const [k, bytes] of got) for (const w of byCid.get(k)!) settle(w, bytes)
    for (const w of ws) settle(w, undefined)
  }

  const flush = (): void => {
    const ws = queue.filter(w => !w.settled)
    queue = []
    if (!supported) {
      singly(ws)
      return
    }
    for (const c of chunks(ws)) {
      if (c.length === 1 && c[0].hints?.path === undefined) singly(c)
      else void ask(c)
    }
  }

  return async (cid, signal, hints) => {
    if (!supported) {
      if (hints?.pathOnly === true) return undefined
      return await one(cid, signal)
    }
    signal.throwIfAborted()
    return await new Promise<Uint8Array | undefined>((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush)
      queue.push({ cid, signal, hints, resolve, reject, settled: false })
    })
  }
}

/**
 * The DAG under `root` as a CAR stream from the gateway at `baseUrl` (dag-scope=all): one request for a whole
 * index instead of one per block. The bytes are unverified, and the stream may end early (gateways bound
 * their CARs): the caller verifies each block and checks the copy is whole.
 */
export function gatewayDag(baseUrl: string): (root: CID, signal: AbortSignal) => Promise<AsyncIterable<Uint8Array>> {
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
export async function fetchIpnsRecord(baseUrl: string, name: string, opts: { signal?: AbortSignal; maxBytes?: number } = {}): Promise<Uint8Array> {
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
