// Document identity: one document per (URL, payload digest), as the WARC world counts them. The URL is taken
// in its SURT form so http/https and www variants of one page are one document, and the digest is normalised
// so hex and base32 spellings agree. Two institutions that crawl the same bytes at the same URL therefore
// produce the same identifier, whatever their crawler or arrival order.

import { hash } from 'node:crypto'
import { base32 } from '../bytes.ts'
import { DOC_ID_BYTES, URL_KEY_BYTES } from './schema.ts'

const ALGORITHMS: Record<string, { name: string; bytes: number }> = {
  sha1: { name: 'sha1', bytes: 20 },
  'sha-1': { name: 'sha1', bytes: 20 },
  sha256: { name: 'sha256', bytes: 32 },
  'sha-256': { name: 'sha256', bytes: 32 },
  sha512: { name: 'sha512', bytes: 64 },
  'sha-512': { name: 'sha512', bytes: 64 },
  md5: { name: 'md5', bytes: 16 }
}

/**
 * 'sha1:ABC…' in canonical form: lower-case algorithm, upper-case unpadded base32 value (hex values are
 * converted). Unknown algorithms keep their text; null for something that is not a digest at all.
 */
export function normalizeDigest(digest: string): string | null {
  const m = /^\s*([A-Za-z0-9-]+)\s*[:=]\s*([A-Za-z0-9+/=_-]+)\s*$/.exec(digest)
  if (m === null) return null
  const algo = ALGORITHMS[m[1].toLowerCase()]
  const value = m[2]
  if (algo === undefined) return `${m[1].toLowerCase()}:${value}`
  if (/^[0-9a-fA-F]+$/.test(value) && value.length === algo.bytes * 2) {
    return `${algo.name}:${base32(Buffer.from(value, 'hex'))}`
  }
  const b32 = value.toUpperCase().replace(/=+$/, '')
  if (/^[A-Z2-7]+$/.test(b32)) return `${algo.name}:${b32}`
  // base64 spellings (some writers): decode and re-encode.
  const raw = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
  if (raw.length === algo.bytes) return `${algo.name}:${base32(raw)}`
  return `${algo.name}:${value}`
}

/** The URL key every document of one URL (SURT) starts with. */
export function urlKeyOf(surt: string): Uint8Array {
  // One-shot hashing of the joined string: the same bytes as hashing the parts in turn, without a Hash object
  // (about half the cost; ingest names every capture this way).
  const h = hash('sha256', 'canopy-url/1\n' + surt, 'buffer')
  return new Uint8Array(h.buffer, h.byteOffset, URL_KEY_BYTES).slice()
}

/** The document identifier of (SURT, normalised payload digest): its URL key, then a hash of both. */
export function docIdOf(surt: string, digest: string): Uint8Array {
  const id = new Uint8Array(DOC_ID_BYTES)
  id.set(urlKeyOf(surt))
  const h = hash('sha256', 'canopy-doc/1\n' + surt + '\n' + digest, 'buffer')
  id.set(h.subarray(0, DOC_ID_BYTES - URL_KEY_BYTES), URL_KEY_BYTES)
  return id
}
