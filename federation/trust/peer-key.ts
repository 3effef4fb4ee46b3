// The institution's Ed25519 identity as a libp2p key: the peer ID, and so the IPNS name, are functions of
// the public key a partner already knows from the manifest.

import { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey, PeerId } from '@libp2p/interface'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { base36 } from 'multiformats/bases/base36'
import type { Identity } from '../identity/index.ts'
import { IdentityError } from '../identity/index.ts'

/** The libp2p private key of an identity (or of a raw 32-byte Ed25519 seed). */
export async function libp2pPrivateKey(identity: Identity | Uint8Array): Promise<Ed25519PrivateKey> {
  const seed = identity instanceof Uint8Array ? identity : identity.privateSeed()
  if (seed.length !== 32) throw new IdentityError('an Ed25519 seed has 32 bytes')
  return await generateKeyPairFromSeed('Ed25519', seed)
}

/** The peer ID of a raw 32-byte Ed25519 public key. */
export function peerIdOf(publicKey: Uint8Array): PeerId {
  if (publicKey.length !== 32) throw new IdentityError('an Ed25519 public key has 32 bytes')
  return peerIdFromPublicKey(publicKeyFromRaw(publicKey))
}

/** The IPNS name of a public key, as used in /ipns/<name> paths: the peer ID as a base36 CIDv1 (k51...). */
export function ipnsNameOf(publicKey: Uint8Array): string {
  return peerIdOf(publicKey).toCID().toString(base36)
}
