// XXH32 against the xxHash author's published sanity vectors (xxHash's cli/xsum_sanity_check.c,
// XSUM_XXH32_testdata): chunk boundaries, and so every prolly root, depend on this hash being XXH32 exactly.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { xxh32 } from '../index-core/prolly/index.ts'

const PRIME32 = 2654435761n
const PRIME64 = 11400714785074694797n

/** XSUM_fillTestBuffer: byte i is the top byte of PRIME32 · PRIME64^i (mod 2^64). */
function sanityBuffer(len: number): Uint8Array {
  const out = new Uint8Array(len)
  let gen = PRIME32
  for (let i = 0; i < len; i++) {
    out[i] = Number(gen >> 56n)
    gen = (gen * PRIME64) & 0xffffffffffffffffn
  }
  return out
}

// [length, seed, XXH32]: lengths 0 and 1 (tail bytes only), 14 (4-byte lanes and tail), 222 (16-byte stripes).
const VECTORS: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 0x02cc5d05],
  [0, 2654435761, 0x36b78ae7],
  [1, 0, 0xcf65b03e],
  [1, 2654435761, 0xb4545aa4],
  [14, 0, 0x1208e7e2],
  [14, 2654435761, 0x6af1d1fe],
  [222, 0, 0x5bd11dbd],
  [222, 2654435761, 0x58803c5f]
]

it('xxh32 gives the published XXH32 sanity values', () => {
  const buf = sanityBuffer(222)
  for (const [len, seed, want] of VECTORS) {
    assert.equal(xxh32(buf.subarray(0, len), seed), want, `XXH32(${len} bytes, seed ${seed})`)
  }
})

it("xxh32 reads a subarray from its own offset, not its buffer's start", () => {
  // Keys reach the hash as views into larger buffers (node decoding); the offset must not leak in.
  const buf = sanityBuffer(240)
  const shifted = new Uint8Array(240 + 3)
  shifted.set(buf, 3)
  assert.equal(xxh32(shifted.subarray(3, 3 + 222), 0), 0x5bd11dbd)
})
