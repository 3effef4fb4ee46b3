import assert from 'node:assert/strict'
import { it } from 'node:test'
import { prefixEnd } from '../index-core/bytes.ts'

it('prefixEnd never changes its input, even a Node Buffer (whose slice() is a view)', () => {
  const key = Buffer.from([1, 2, 0xff])
  assert.deepEqual([...prefixEnd(key)!], [1, 3])
  assert.deepEqual([...key], [1, 2, 0xff])
  assert.equal(prefixEnd(Buffer.from([0xff, 0xff])), null)
})
