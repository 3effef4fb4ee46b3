// The IPNS records an institution's server holds, by IPNS name: its own (refs/ipns-record, written by
// publish) and the last verified record of each partner it follows (refs/partners/<partner>.ipns-record,
// kept by fetch or pushed by the partner), so standard clients resolve those names through its
// Delegated Routing API and gateway. A name is a key: only a partner's key in partners.json is kept.

import { open } from 'node:fs/promises'
import { makeDirDurable, writeFileDurable } from '../../index-core/store/index.ts'
import path from 'node:path'
import { base36 } from 'multiformats/bases/base36'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import { equalBytes } from '../../index-core/bytes.ts'
import { IPNS_RECORD_FILE, MAX_IPNS_RECORD_BYTES } from './ipns.ts'
import { PartnerList, publicKeyBytes } from './partners.ts'
import { peerIdOf } from './peer-key.ts'
import { checkName } from './refs.ts'

/** Whose a name is: the institution's own, or a followed partner's. */
export type NameHolder =
  | { readonly kind: 'own'; readonly publicKey: Uint8Array }
  | { readonly kind: 'partner'; readonly partner: string; readonly publicKey: Uint8Array }

const nameBase = base36.decoder.or(base58btc.decoder)

/** The multihash an IPNS name encodes: a base58btc peer ID (12D3Koo...) or a libp2p-key CID (k51..., bafz...). */
export function ipnsNameMultihash(name: string): Uint8Array | null {
  try {
    if (name.startsWith('1') || name.startsWith('Qm')) return base58btc.baseDecode(name)
    const cid = name.startsWith('b') ? CID.parse(name) : CID.parse(name, nameBase)
    return cid.code === 0x72 ? cid.multihash.bytes : null // 0x72: libp2p-key
  } catch {
    return null
  }
}

/** A small file's bytes; an error when it is larger than `max` (ENOENT when it does not exist). */
export async function readBounded(file: string, max: number): Promise<Uint8Array> {
  const fh = await open(file, 'r')
  try {
    const { size } = await fh.stat()
    if (size > max) throw new Error(`${file} has ${size} bytes, more than ${max}`)
    return new Uint8Array(await fh.readFile())
  } finally {
    await fh.close()
  }
}

const absentAsUndefined = (err: unknown): undefined => {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
  throw err
}

/** The raw Ed25519 public key in the directory's identity.json; undefined when there is none. */
export async function identityPublicKey(indexDir: string): Promise<Uint8Array | undefined> {
  const bytes = await readBounded(path.join(indexDir, 'identity.json'), 64 * 1024).catch(absentAsUndefined)
  if (bytes === undefined) return undefined
  const info = JSON.parse(Buffer.from(bytes).toString('utf8')) as { publicKey?: unknown }
  if (typeof info.publicKey !== 'string') return undefined
  const key = new Uint8Array(Buffer.from(info.publicKey, 'base64'))
  return key.length === 32 ? key : undefined
}

const nameIs = (want: Uint8Array, key: Uint8Array): boolean => equalBytes(want, peerIdOf(key).toMultihash().bytes)

/** Whether `name` is the peer ID (federation/trust/peer-key.ts) of the public key in the directory's identity.json. */
export async function isIdentityIpnsName(name: string, indexDir: string): Promise<boolean> {
  const want = ipnsNameMultihash(name)
  const key = want === null ? undefined : await identityPublicKey(indexDir)
  return want !== null && key !== undefined && nameIs(want, key)
}

/** The sequence number of a marshalled record (already verified, or read back from our own files). */
export async function recordSequence(bytes: Uint8Array): Promise<bigint> {
  const { unmarshalIPNSRecord } = await import('ipns')
  return unmarshalIPNSRecord(bytes).sequence
}

export class IpnsRecordStore {
  readonly indexDir: string
  readonly #isOwn: (name: string, indexDir: string) => Promise<boolean>

  constructor(indexDir: string, isOwn: (name: string, indexDir: string) => Promise<boolean> = isIdentityIpnsName) {
    this.indexDir = indexDir
    this.#isOwn = isOwn
  }

  /** Whose `name` is; null for a name that is neither the institution's nor a followed partner's. */
  async holder(name: string): Promise<NameHolder | null> {
    const want = ipnsNameMultihash(name)
    if (want === null) return null
    if (await this.#isOwn(name, this.indexDir)) {
      const key = await identityPublicKey(this.indexDir)
      return key === undefined ? null : { kind: 'own', publicKey: key }
    }
    for (const p of await new PartnerList(this.indexDir).all()) {
      const key = publicKeyBytes(p)
      if (nameIs(want, key)) return { kind: 'partner', partner: p.name, publicKey: key }
    }
    return null
  }

  #file(h: NameHolder): string {
    return h.kind === 'own'
      ? path.join(this.indexDir, IPNS_RECORD_FILE)
      : path.join(this.indexDir, 'refs', 'partners', `${checkName(h.partner, 'partner')}.ipns-record`)
  }

  /** The record held for that name; undefined when none is. */
  async get(h: NameHolder): Promise<Uint8Array | undefined> {
    return await readBounded(this.#file(h), MAX_IPNS_RECORD_BYTES).catch(absentAsUndefined)
  }

  /**
   * Keeps a partner's verified record unless the one held is newer (a fetch may find an older record than
   * the partner pushed); replaces the file atomically. Returns whether it was written.
   */
  async keepPartner(partner: string, bytes: Uint8Array): Promise<boolean> {
    const h: NameHolder = { kind: 'partner', partner, publicKey: new Uint8Array(0) }
    const held = await this.get(h)
    if (held !== undefined && (await recordSequence(held)) > (await recordSequence(bytes))) return false
    const file = this.#file(h)
    await makeDirDurable(path.dirname(file))
    await writeFileDurable(file, bytes)
    return true
  }
}
