// The index root (format 10) refuses any cut of its postings but the one its latest month gives: segments that
// are not blocks of the latest month's calendar tiers, out of order, with another number of shards, or a latest
// month out of range. A root forged that way names postings a reader would place wrongly.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import * as dagCbor from '@ipld/dag-cbor'
import { decodeIndexRoot, tierBlocks } from '../index-core/index/index.ts'
// The root's codec and its error, reached directly (the folder's face exports neither).
import { encodeIndexRoot, IndexFormatError } from '../index-core/index/index-root.ts'
import type { DocumentsVector } from './vectors/documents-vector.ts'

const documents = JSON.parse(readFileSync(new URL('./vectors/documents.json', import.meta.url), 'utf8')) as DocumentsVector
const rootBytes = Buffer.from(documents.blocks[documents.root], 'hex')

/** The vector's root map with `change` applied, encoded as dag-cbor (canonical, so only the change differs). */
function tampered(change: (m: Record<string, unknown>) => void): Uint8Array {
  const m = dagCbor.decode(rootBytes) as Record<string, unknown>
  change(m)
  return dagCbor.encode(m)
}

const segmentsOf = (m: Record<string, unknown>): Array<{ from: number; to: number; shards: unknown[] }> =>
  m.segments as Array<{ from: number; to: number; shards: unknown[] }>

describe('index root segments', () => {
  it('the vector root decodes to the blocks of its latest month and encodes back to its bytes', () => {
    const r = decodeIndexRoot(rootBytes)
    assert.ok(r.segments.length >= 2)
    const blocks = tierBlocks(r.latest).map(b => `${b[0]}-${b[1]}`)
    for (const s of r.segments) assert.ok(blocks.includes(`${s.from}-${s.to}`))
    assert.deepEqual(Buffer.from(encodeIndexRoot(r)), rootBytes)
  })

  const refused: Array<[string, (m: Record<string, unknown>) => void, RegExp]> = [
    ['a segment that is not a block of the cut', m => (segmentsOf(m)[0].to += 1), /not a block of the tiers/],
    ['segments out of order', m => segmentsOf(m).reverse(), /not a block of the tiers/],
    ['the same segment twice', m => segmentsOf(m).splice(1, 0, segmentsOf(m)[0]), /not a block of the tiers/],
    ['a segment with a shard missing', m => segmentsOf(m)[1].shards.pop(), /segment 1 malformed/],
    ['a latest month whose cut the segments do not follow', m => (m.latest = (m.latest as number) + 1), /not a block of the tiers/],
    ['a latest month past December 9999', m => (m.latest = 12 * 8030), /latest month malformed/],
    ['a negative latest month', m => (m.latest = -1), /latest month malformed/],
    ['a shard list where a count belongs', m => (m.shards = segmentsOf(m)[0].shards), /shard count malformed/],
    ['segments that are not a list', m => (m.segments = {}), /segment list malformed/]
  ]
  for (const [what, change, message] of refused) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => decodeIndexRoot(tampered(change)),
        (err: Error) => err instanceof IndexFormatError && message.test(err.message)
      )
    })
  }
})
