// An institution's identity: an Ed25519 key pair created on first use and kept in its data folder (the
// private key readable by its owner only). Partners know an institution by its public key.

import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { makeDirDurable, writeFileDurable } from '../../index-core/store/index.ts'
import { UserError } from '../../index-core/user-error.ts'

export interface Identity {
  readonly name: string
  /** Raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array
  sign(data: Uint8Array): Uint8Array
  /** The 32-byte Ed25519 private seed, from which the libp2p key (peer ID, IPNS name) is derived. Never send it. */
  privateSeed(): Uint8Array
}

export class IdentityError extends UserError {
  override name = 'IdentityError'
}

/** The raw 32-byte key inside an Ed25519 SPKI DER encoding (which always ends with it). */
function rawPublicKey(k: KeyObject): Uint8Array {
  const der = k.export({ format: 'der', type: 'spki' })
  return new Uint8Array(der.subarray(der.length - 32))
}

/** An Ed25519 public key object from the raw 32 bytes. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new IdentityError('an Ed25519 public key has 32 bytes')
  const prefix = Buffer.from('302a300506032b6570032100', 'hex') // SPKI header of Ed25519
  return createPublicKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'spki' })
}

export function verifySignature(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, data, publicKeyFromRaw(publicKey), signature)
  } catch {
    return false
  }
}

/** The raw 32-byte seed inside an Ed25519 PKCS#8 DER encoding (which always ends with it). */
function rawPrivateSeed(k: KeyObject): Uint8Array {
  const der = k.export({ format: 'der', type: 'pkcs8' })
  return new Uint8Array(der.subarray(der.length - 32))
}

function identityOf(name: string, priv: KeyObject): Identity {
  return {
    name,
    publicKey: rawPublicKey(createPublicKey(priv)),
    sign: data => new Uint8Array(sign(null, data, priv)),
    privateSeed: () => rawPrivateSeed(priv)
  }
}

/** Loads the identity in `dir`, creating it (with `name`) on first use. */
export async function loadOrCreateIdentity(dir: string, name: string): Promise<Identity> {
  const keyFile = path.join(dir, 'identity.key')
  const infoFile = path.join(dir, 'identity.json')
  await makeDirDurable(dir)
  let pem: string | null = null
  try {
    pem = await readFile(keyFile, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  if (pem !== null) {
    const info = JSON.parse(await readFile(infoFile, 'utf8')) as { name: string }
    return identityOf(info.name, createPrivateKey(pem))
  }
  if (name.trim() === '' || name.length > 128) throw new IdentityError('an institution name has 1 to 128 characters')
  const { privateKey } = generateKeyPairSync('ed25519')
  // 'keep': never overwrite a key that appeared meanwhile; 0600: the private key is the owner's alone.
  if (!(await writeFileDurable(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { placement: 'keep', mode: 0o600 }))) {
    throw Object.assign(new IdentityError(`${keyFile} appeared while this identity was being created; run again to use it`), { code: 'EEXIST' })
  }
  const id = identityOf(name, privateKey)
  await writeFileDurable(infoFile, JSON.stringify({ name, publicKey: Buffer.from(id.publicKey).toString('base64') }, null, 2) + '\n')
  return id
}

/** The name of the identity kept in `dir`, or null when none was created there. */
export async function identityName(dir: string): Promise<string | null> {
  try {
    const info = JSON.parse(await readFile(path.join(dir, 'identity.json'), 'utf8')) as { name?: unknown }
    return typeof info.name === 'string' ? info.name : null
  } catch {
    return null
  }
}
