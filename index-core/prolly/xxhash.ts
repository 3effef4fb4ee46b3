// xxHash32 (https://github.com/Cyan4973/xxHash, XXH32): the chunk-boundary hash.
// Chosen over a cryptographic hash because it is fast, fully specified and easy to reimplement in any
// language; hostile keys that game it are contained by the node-size rails, not by the hash.

const P1 = 0x9e3779b1
const P2 = 0x85ebca77
const P3 = 0xc2b2ae3d
const P4 = 0x27d4eb2f
const P5 = 0x165667b1

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r))
}

function read32(d: Uint8Array, i: number): number {
  return d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24)
}

function round(acc: number, input: number): number {
  acc = (acc + Math.imul(input, P2)) | 0
  return Math.imul(rotl(acc, 13), P1)
}

/** XXH32 of `data` with a 32-bit `seed`, as an unsigned 32-bit integer. */
export function xxh32(data: Uint8Array, seed: number): number {
  const len = data.length
  let i = 0
  let h: number
  if (len >= 16) {
    let v1 = (seed + P1 + P2) | 0
    let v2 = (seed + P2) | 0
    let v3 = seed | 0
    let v4 = (seed - P1) | 0
    const limit = len - 16
    while (i <= limit) {
      v1 = round(v1, read32(data, i))
      v2 = round(v2, read32(data, i + 4))
      v3 = round(v3, read32(data, i + 8))
      v4 = round(v4, read32(data, i + 12))
      i += 16
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0
  } else {
    h = (seed + P5) | 0
  }
  h = (h + len) | 0
  while (i + 4 <= len) {
    h = (h + Math.imul(read32(data, i), P3)) | 0
    h = Math.imul(rotl(h, 17), P4)
    i += 4
  }
  while (i < len) {
    h = (h + Math.imul(data[i], P5)) | 0
    h = Math.imul(rotl(h, 11), P1)
    i++
  }
  h ^= h >>> 15
  h = Math.imul(h, P2)
  h ^= h >>> 13
  h = Math.imul(h, P3)
  h ^= h >>> 16
  return h >>> 0
}
