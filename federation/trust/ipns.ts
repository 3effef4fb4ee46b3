// The institution's IPNS name points at its latest manifest: a record (package `ipns`) with value
// /ipfs/<manifest CID> and sequence = the manifest's seq, signed by the identity key, kept in
// refs/ipns-record. The node serves it over @libp2p/fetch under the standard key /ipns/<peer id multihash>;
// the gateway serves the same bytes at /ipns/<name>. A partner checks a record against the public key it
// already knows (signature, key, expiry) and refuses one older than the last it accepted.

import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeDirDurable, writeFileDurable } from '../../index-core/store/index.ts'
import type { LookupFunction } from '@libp2p/fetch'
import { CID } from 'multiformats/cid'
import { concatBytes, equalBytes, utf8 } from '../../index-core/bytes.ts'
import type { Identity } from '../identity/index.ts'
import type { CanopyNode } from '../net/index.ts'
import { parsePeerAddr } from './peer-addr.ts'
import { libp2pPrivateKey, peerIdOf } from './peer-key.ts'
import { UserError } from '../../index-core/user-error.ts'

/** Where the record is kept, relative to the data folder. */
export const IPNS_RECORD_FILE = join('refs', 'ipns-record')
/** @libp2p/fetch key prefix of IPNS records. */
export const IPNS_KEY_PREFIX = '/ipns/'
export const DEFAULT_IPNS_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000
/** The `ipns` package's own limit on a marshalled record. */
export const MAX_IPNS_RECORD_BYTES = 10 * 1024

export class IpnsError extends UserError {
  override name = 'IpnsError'
}

export interface ResolvedName {
  /** The manifest the record points at (fetch it, then verifyManifest with the same key). */
  readonly manifest: CID
  readonly seq: number
  /** When the record stops being valid. */
  readonly expires: Date
  /** The marshalled record itself, as verified (kept, and served to others, as the partner's latest). */
  readonly record: Uint8Array
}

// The `ipns` package (some 170 modules with its dependencies) loads on first use: commands that only read refs
// (search, ingest, gc) load this folder's face without it.
const ipnsLibrary = async () => await import('ipns')

const ROUTING_PREFIX = utf8('/ipns/')

/**
 * The fetch key of a public key's record: /ipns/ followed by the peer ID's multihash bytes (what the `ipns`
 * package's multihashToIPNSRoutingKey gives; test/federation-net.test.ts compares the two).
 */
export function ipnsRecordKey(publicKey: Uint8Array): Uint8Array {
  return concatBytes([ROUTING_PREFIX, peerIdOf(publicKey).toMultihash().bytes])
}

/** A marshalled, signed IPNS record naming `manifest` with sequence `seq`. */
export async function createIpnsRecord(identity: Identity | Uint8Array, manifest: CID, seq: number, opts: { lifetimeMs?: number } = {}): Promise<Uint8Array> {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new IpnsError(`sequence ${seq} is not a non-negative integer`)
  const key = await libp2pPrivateKey(identity)
  const { createIPNSRecord, marshalIPNSRecord } = await ipnsLibrary()
  const record = await createIPNSRecord(key, `/ipfs/${manifest.toString()}`, BigInt(seq), opts.lifetimeMs ?? DEFAULT_IPNS_LIFETIME_MS)
  return marshalIPNSRecord(record)
}

/** Creates the record and replaces refs/ipns-record with it atomically and durably; returns its bytes. */
export async function publishIpnsRecord(
  indexDir: string,
  identity: Identity | Uint8Array,
  manifest: CID,
  seq: number,
  opts: { lifetimeMs?: number } = {}
): Promise<Uint8Array> {
  const bytes = await createIpnsRecord(identity, manifest, seq, opts)
  await writeIpnsRecord(indexDir, bytes)
  return bytes
}

/** Replaces refs/ipns-record with `bytes` atomically. */
export async function writeIpnsRecord(indexDir: string, bytes: Uint8Array): Promise<void> {
  const file = join(indexDir, IPNS_RECORD_FILE)
  await makeDirDurable(join(indexDir, 'refs'))
  await writeFileDurable(file, bytes)
}

/** The published record, or undefined when none was published yet. */
export async function readIpnsRecord(indexDir: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(join(indexDir, IPNS_RECORD_FILE)))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** Serves the institution's own record (read at each request, so a new publication is served at once). */
export function ipnsLookup(indexDir: string, publicKey: Uint8Array): LookupFunction {
  const own = ipnsRecordKey(publicKey)
  return async key => (equalBytes(key, own) ? await readIpnsRecord(indexDir) : undefined)
}

/**
 * Checks a marshalled record against the partner's public key: size, that it is that key's record, the
 * signature, expiry, a value of /ipfs/<CID>, and (given minSeq) that it is not older than the last accepted.
 */
export async function verifyIpnsRecord(bytes: Uint8Array, publicKey: Uint8Array, opts: { minSeq?: number } = {}): Promise<ResolvedName> {
  if (bytes.length > MAX_IPNS_RECORD_BYTES) throw new IpnsError(`IPNS record refused: ${bytes.length} bytes is more than ${MAX_IPNS_RECORD_BYTES}`)
  try {
    // Derives the key from the routing key (the expected public key) and checks the record's embedded key,
    // if any, against it; then the V2 signature and the expiry.
    const { ipnsValidator } = await import('ipns/validator')
    await ipnsValidator(ipnsRecordKey(publicKey), bytes)
  } catch (err) {
    throw new IpnsError(`IPNS record refused: ${(err as Error).message}`)
  }
  const record = (await ipnsLibrary()).unmarshalIPNSRecord(bytes)
  const m = /^\/ipfs\/([^/]+)$/.exec(record.value)
  let manifest: CID | null = null
  try {
    manifest = m === null ? null : CID.parse(m[1])
  } catch {
    manifest = null
  }
  if (manifest === null) throw new IpnsError(`IPNS record refused: value ${JSON.stringify(record.value.slice(0, 100))} is not /ipfs/<CID>`)
  if (record.sequence > BigInt(Number.MAX_SAFE_INTEGER)) throw new IpnsError('IPNS record refused: sequence out of range')
  const seq = Number(record.sequence)
  if (opts.minSeq !== undefined && seq < opts.minSeq) {
    throw new IpnsError(`IPNS record refused: sequence ${seq} is older than ${opts.minSeq}, the last accepted (an older record replayed)`)
  }
  return { manifest, seq, expires: new Date(record.validity), record: bytes }
}

/**
 * Fetches a partner's record over libp2p from `peerAddr` (for /p2p/<peer id> alone, from the DHT) and
 * verifies it against the partner's public key.
 */
export async function resolvePartner(
  node: CanopyNode,
  peerAddr: string,
  publicKey: Uint8Array,
  opts: { minSeq?: number; signal?: AbortSignal } = {}
): Promise<ResolvedName> {
  const { ma, routed } = parsePeerAddr(peerAddr)
  if (routed) return await node.resolveName(publicKey, opts)
  const bytes = await node.libp2p.services.fetch.fetch(ma, ipnsRecordKey(publicKey), { signal: opts.signal ?? AbortSignal.timeout(30_000) })
  if (bytes === undefined) throw new IpnsError(`partner at ${peerAddr} has no IPNS record for that key`)
  return await verifyIpnsRecord(bytes, publicKey, opts)
}
