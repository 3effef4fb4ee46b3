// Byte-string helpers shared by every tree and codec in index-core.

/** Bytewise (unsigned, lexicographic) order: the only key order Canopy uses. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i]
    if (d !== 0) return d
  }
  return a.length - b.length
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export function commonPrefixLength(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length
  let i = 0
  while (i < n && a[i] === b[i]) i++
  return i
}

/** The smallest key greater than every key starting with `prefix`, or null if there is none (all 0xff). */
export function prefixEnd(prefix: Uint8Array): Uint8Array | null {
  let i = prefix.length - 1
  while (i >= 0 && prefix[i] === 0xff) i--
  if (i < 0) return null
  // An explicit copy: on a Node Buffer, slice() is a view, and incrementing it would corrupt the caller's key.
  const out = new Uint8Array(i + 1)
  out.set(prefix.subarray(0, i + 1))
  out[i]++
  return out
}

export function concatBytes(parts: readonly Uint8Array[], total?: number): Uint8Array {
  if (parts.length === 1) return parts[0]
  let n = total ?? 0
  if (total === undefined) for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

const encoder = new TextEncoder()
export function utf8(s: string): Uint8Array {
  return encoder.encode(s)
}
const decoder = new TextDecoder('utf-8', { fatal: false })
export function fromUtf8(b: Uint8Array): string {
  return decoder.decode(b)
}

export function toHex(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16)
  return s
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** RFC 4648 base32, upper case, unpadded: how WARC writers spell sha1 digests. */
export function base32(bytes: Uint8Array): string {
  let out = ''
  let bits = 0
  let value = 0
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff
    bits += 8
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31]
  return out
}
