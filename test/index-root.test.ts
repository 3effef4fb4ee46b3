// The index root (format 11) refuses segments that cannot be a cut of its postings: not aligned blocks of 2^k
// months inside the latest month's calendar tiers, out of order or overlapping, with another number of shards,
// none holding the latest month, or a latest month out of range. Opening an index to write (openIndex) also
// refuses month counts that do not count its documents or whose cut the segments are not. A root forged that way
// names postings a reader would place wrongly, or that a merge would cut wrongly.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import {
  checkMonthCounts,
  cutOf,
  decodeIndexRoot,
  decodeMonthCounts,
  encodeMonthCounts,
  MAX_SEGMENTS,
  openIndex,
  saveIndexRoot
} from '../index-core/index/index.ts'
import type { MonthCounts } from '../index-core/index/index.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { MemoryBlocks } from '../index-core/store/index.ts'
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
  it('the vector root decodes to the cut of its month counts and encodes back to its bytes', () => {
    const r = decodeIndexRoot(rootBytes)
    assert.ok(r.segments.length >= 2)
    const counts = decodeMonthCounts(Buffer.from(documents.blocks[r.months.toString()], 'hex'))
    assert.deepEqual(
      r.segments.map(s => [s.from, s.to]),
      cutOf(counts)
    )
    assert.deepEqual(Buffer.from(encodeIndexRoot(r)), rootBytes)
  })

  const refused: Array<[string, (m: Record<string, unknown>) => void, RegExp]> = [
    ['a segment whose length is not a power of 2', m => (segmentsOf(m)[1].to += 2), /not a block of the tiers/],
    ['a segment not aligned to its length', m => (segmentsOf(m)[1].from -= 1), /not a block of the tiers/],
    [
      'a segment across two blocks of the calendar tiers',
      m => {
        segmentsOf(m).splice(1, 2, { ...segmentsOf(m)[2], from: 576, to: 640 })
      },
      /not a block of the tiers/
    ],
    ['segments out of order', m => segmentsOf(m).reverse(), /not a block of the tiers/],
    ['the same segment twice', m => segmentsOf(m).splice(1, 0, segmentsOf(m)[0]), /not a block of the tiers/],
    ['a segment with a shard missing', m => segmentsOf(m)[1].shards.pop(), /segment 1 malformed/],
    ['a latest month no segment holds', m => (m.latest = (m.latest as number) + 1), /no segment holds the latest month/],
    ['a latest month before the last segment', m => (m.latest = (m.latest as number) - 1), /not a block of the tiers/],
    ['month counts that are not a link', m => (m.months = 'counts'), /months is not a dag-cbor link/],
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

describe('index root size', () => {
  it('refuses to save a root too large for readers, before anything names it', async () => {
    const r = decodeIndexRoot(rootBytes)
    const shards = new Array(256).fill(r.segments[0].shards[0])
    const segments = Array.from({ length: MAX_SEGMENTS }, (_, i) => ({ from: i, to: i + 1, shards }))
    const mem = new MemoryBlocks()
    await assert.rejects(
      saveIndexRoot(mem, { ...r, shardCount: 256, segments }),
      (err: Error) => err instanceof IndexFormatError && /use fewer shards/.test(err.message)
    )
    assert.equal(mem.blocks.size, 0)
  })
})

describe('index month counts', () => {
  /** The vector's blocks in a store, with its root pointing at `counts` instead of its own month counts. */
  async function withCounts(counts: MonthCounts): Promise<{ store: NodeStore; root: CID }> {
    const mem = new MemoryBlocks()
    for (const [cid, hex] of Object.entries(documents.blocks)) await mem.put(CID.parse(cid), Buffer.from(hex, 'hex'))
    const bytes = encodeMonthCounts(counts)
    const link = CID.createV1(dagCbor.code, await sha256.digest(bytes))
    await mem.put(link, bytes)
    const rootBytes2 = tampered(m => (m.months = link))
    const root = CID.createV1(dagCbor.code, await sha256.digest(rootBytes2))
    await mem.put(root, rootBytes2)
    return { store: new NodeStore(mem), root }
  }
  const own = decodeMonthCounts(Buffer.from(documents.blocks[decodeIndexRoot(rootBytes).months.toString()], 'hex'))

  it('opens the vector with its own counts', async () => {
    const { store, root } = await withCounts(own)
    assert.equal((await openIndex(store, root)).segments.length, own.months.length)
  })

  const refused: Array<[string, MonthCounts, RegExp]> = [
    ['counts that do not add up to the documents', { months: own.months, docs: own.docs.map((n, i) => (i === 0 ? n + 1 : n)) }, /do not add up/],
    ['counts of another latest month', { months: [...own.months.slice(0, -1), own.months[own.months.length - 1] + 1], docs: own.docs }, /latest month/],
    ['counts whose cut the segments are not', { months: [own.months[0] + 1, ...own.months.slice(1)], docs: own.docs }, /not the cut of its month counts/]
  ]
  for (const [what, counts, message] of refused) {
    it(`refuses ${what}`, async () => {
      const { store, root } = await withCounts(counts)
      await assert.rejects(openIndex(store, root), (err: Error) => err instanceof IndexFormatError && message.test(err.message))
    })
  }

  it('checks the counts month by month against the doc values, whole or since an earlier root', async () => {
    const real = await withCounts(own)
    const forged = await withCounts({ months: own.months, docs: own.docs.map((n, i) => (i === 1 ? n + 1 : n)) })
    const store = forged.store
    for (const [cid, bytes] of [...(real.store.blocks as MemoryBlocks).blocks]) await store.blocks.put(CID.parse(cid), bytes)
    const [r, f] = [decodeIndexRoot((await store.blocks.get(real.root))!), decodeIndexRoot((await store.blocks.get(forged.root))!)]
    await checkMonthCounts(store, r)
    await checkMonthCounts(store, r, r)
    const said = new RegExp(`month ${own.months[1]} holds ${own.docs[1]}, the counts say ${own.docs[1] + 1}`)
    await assert.rejects(checkMonthCounts(store, f), (err: Error) => err instanceof IndexFormatError && said.test(err.message))
    await assert.rejects(checkMonthCounts(store, f, r), (err: Error) => err instanceof IndexFormatError && said.test(err.message))
  })

  it('refuses counts out of order, of no documents or past December 9999', () => {
    const bad = [
      dagCbor.encode({ canopy: 'months', months: [5, 0], docs: [1, 1] }),
      dagCbor.encode({ canopy: 'months', months: [5], docs: [0] }),
      dagCbor.encode({ canopy: 'months', months: [12 * 8030], docs: [1] }),
      dagCbor.encode({ canopy: 'months', months: [5, 1], docs: [1] })
    ]
    for (const b of bad) assert.throws(() => decodeMonthCounts(b), IndexFormatError)
    assert.deepEqual(decodeMonthCounts(encodeMonthCounts({ months: [3, 700, 701], docs: [2, 9, 1] })), { months: [3, 700, 701], docs: [2, 9, 1] })
  })
})
