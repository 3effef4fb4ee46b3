// A posting list is read best impact first and kept in document order (query/posting-list.ts docOrder): the
// order must be the keys' byte order, with a document's earlier (better) posting first among its two.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { postingKey, DOC_ID_BYTES } from '../index-core/index/index.ts'
import { compareBytes } from '../index-core/bytes.ts'
import { docOrder } from '../index-core/query/posting-list.ts'

const term = new TextEncoder().encode('cell')

describe('posting lists in document order', () => {
  it('orders postings read best first by document bytes, the earlier of equal keys first', () => {
    const posting = fc.record({
      impact: fc.integer({ min: 0, max: 255 }),
      // Few distinct ids, so documents with two postings (two impacts) are common; bytes up to 255 in every place.
      id: fc.oneof(
        fc.uint8Array({ minLength: DOC_ID_BYTES, maxLength: DOC_ID_BYTES }),
        fc.constantFrom(...[0, 1, 128, 255].map(b => new Uint8Array(DOC_ID_BYTES).fill(b)))
      )
    })
    fc.assert(
      fc.property(fc.array(posting, { maxLength: 300 }), ps => {
        const read = ps.map(p => ({ key: postingKey(term, p.impact, p.id), value: new Uint8Array(0) })).sort((a, b) => compareBytes(a.key, b.key))
        const ids = read.map(e => e.key.subarray(e.key.length - DOC_ID_BYTES))
        const want = ids.map((_, i) => i).sort((a, b) => compareBytes(ids[a], ids[b]) || a - b)
        assert.deepEqual([...docOrder(read)], want)
      }),
      { numRuns: 300 }
    )
  })
})
