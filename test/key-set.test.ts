import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { ByteKeySet } from '../ingest/key-set.ts'

describe('ByteKeySet (what an ingest remembers of each document)', () => {
  it('agrees with a Set of the same keys through growth, with keys that share their hash bytes', () => {
    const set = new ByteKeySet(10)
    const ref = new Set<string>()
    const keys: Buffer[] = []
    for (let i = 0; i < 20_000; i++) {
      // One key in four copies an earlier key's last four bytes (its slot), with other leading bytes.
      const k = randomBytes(10)
      if (i % 4 === 0 && keys.length > 0) keys[(i * 7919) % keys.length].copy(k, 6, 6, 10)
      if (i % 5 === 0 && keys.length > 0) keys[(i * 104729) % keys.length].copy(k) // and some keys again
      keys.push(k)
      const fresh = !ref.has(k.toString('hex'))
      assert.equal(set.add(k), fresh, `add says whether key ${i} is new`)
      ref.add(k.toString('hex'))
    }
    assert.equal(set.size, ref.size)
    for (const k of keys) assert.equal(set.has(k), true)
    for (let i = 0; i < 2_000; i++) {
      const k = randomBytes(10)
      assert.equal(set.has(k), ref.has(k.toString('hex')))
    }
  })

  it('refuses a key of another width', () => {
    const set = new ByteKeySet(16)
    assert.throws(() => set.add(new Uint8Array(10)), RangeError)
    assert.throws(() => new ByteKeySet(3), RangeError)
  })
})
