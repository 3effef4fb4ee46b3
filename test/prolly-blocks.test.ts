// Node encoding and the rejection of corrupted, truncated, oversized and forged blocks.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as dagCbor from '@ipld/dag-cbor'
import fc from 'fast-check'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { compareBytes, utf8 } from '../index-core/bytes.ts'
import { isNaturalBoundary } from '../index-core/prolly/chunker.ts'
import { buildTree, DEFAULT_CONFIG, entries, get, makeConfig, merge, NodeStore, TreeFormatError, verifyTree } from '../index-core/prolly/index.ts'
import type { TreeConfig } from '../index-core/prolly/index.ts'
import { BYTES_BOUNDARY_RULE, encodeNode, nodeToDataModel } from '../index-core/prolly/node-codec.ts'
import type { ProllyNode } from '../index-core/prolly/node-codec.ts'
import { MemoryBlocks } from '../index-core/store/index.ts'

async function putRaw(mem: MemoryBlocks, bytes: Uint8Array): Promise<CID> {
  const cid = CID.createV1(dagCbor.code, await sha256.digest(bytes))
  await mem.put(cid, bytes)
  return cid
}

function seqEntries(n: number, keyPrefix = 'key-'): Array<{ key: Uint8Array; value: Uint8Array }> {
  const out = Array.from({ length: n }, (_, i) => ({ key: utf8(keyPrefix + String(i).padStart(8, '0')), value: utf8('v' + i) }))
  return out.sort((a, b) => compareBytes(a.key, b.key))
}

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.ok(err instanceof TreeFormatError, `expected TreeFormatError, got ${err.name}: ${err.message}`)
    assert.match(err.message, pattern)
    return true
  })
}

describe('node codec', () => {
  it('encodes every node exactly as @ipld/dag-cbor does', () => {
    const arbKeys = fc.uniqueArray(fc.uint8Array({ maxLength: 40, max: 3 }), { minLength: 1, maxLength: 50, comparator: (a, b) => compareBytes(a, b) === 0 })
    const cid = CID.parse('bafyreia6abe3bqsbgbnbh5hrfs5det3d26ao75c4pnax3w6t5roiv2fkl4')
    fc.assert(
      fc.property(
        arbKeys,
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 50, maxLength: 50 }),
        fc.array(fc.integer({ min: 1, max: 2 ** 40 }), { minLength: 50, maxLength: 50 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 30 }),
        (keys, values, counts, root, level) => {
          keys.sort(compareBytes)
          const cfg = root ? DEFAULT_CONFIG : null
          const node: ProllyNode =
            level === 0
              ? { kind: 'leaf', level: 0, keys, values: values.slice(0, keys.length), cfg }
              : {
                  kind: 'branch',
                  level,
                  keys,
                  children: keys.map(() => cid),
                  aggs: counts.slice(0, keys.length).map((c, i) => (level % 2 === 0 ? [c] : [c, i, c * 3])),
                  cfg
                }
          assert.deepEqual(Buffer.from(encodeNode(node)), Buffer.from(dagCbor.encode(nodeToDataModel(node))))
        }
      ),
      { seed: 7, numRuns: 300 }
    )
  })
})

describe('bad blocks are rejected with a clear error', () => {
  it('a corrupted block (bytes no longer match the CID)', async () => {
    const mem = new MemoryBlocks()
    const root = await buildTree(new NodeStore(mem), seqEntries(2000))
    // Flip one byte in every non-root block: any read below the root must fail, never return wrong data.
    for (const [k, b] of mem.blocks)
      if (k !== root.toString()) {
        const c = b.slice()
        c[c.length >> 1] ^= 0x40
        mem.blocks.set(k, c)
      }
    await rejects(get(new NodeStore(mem), root, utf8('key-00000010')), /do not match the CID/)
  })

  it('a truncated block', async () => {
    const mem = new MemoryBlocks()
    const store = new NodeStore(mem)
    const root = await buildTree(store, seqEntries(10))
    const bytes = (await mem.get(root))!
    const cut = await putRaw(mem, bytes.subarray(0, bytes.length - 7))
    await rejects(get(new NodeStore(mem), cut, utf8('x')), /not valid dag-cbor/)
  })

  it('an oversized block, whatever its root claims', async () => {
    const mem = new MemoryBlocks()
    const huge = dagCbor.encode([0, [0], [utf8('k')], [new Uint8Array(2 * 1024 * 1024)], null, null])
    const cid = await putRaw(mem, huge)
    await rejects(get(new NodeStore(mem), cid, utf8('k')), /exceeds the limit/)
    // A root that claims a larger maxBytes than any reader accepts.
    const claim = dagCbor.encode([
      0,
      [0],
      [utf8('k')],
      [utf8('v')],
      null,
      { ...(nodeToDataModel({ kind: 'leaf', level: 0, keys: [], values: [], cfg: DEFAULT_CONFIG })[5] as object), maxBytes: 4 * 1024 * 1024 }
    ])
    await rejects(get(new NodeStore(mem), await putRaw(mem, claim), utf8('k')), /maxBytes/)
    // A child block above the tree's maxBytes, linked from a well-formed root.
    const small = makeConfig({ maxBytes: 2048, maxEntryBytes: 256, minBytes: 0 })
    const bigLeaf = encodeNode({ kind: 'leaf', level: 0, keys: [utf8('a')], values: [new Uint8Array(3000)], cfg: null })
    const child = await putRaw(mem, bigLeaf)
    const parent = encodeNode({ kind: 'branch', level: 1, keys: [utf8('a'), utf8('b')], children: [child, child], aggs: [[1], [1]], cfg: small })
    await rejects(get(new NodeStore(mem), await putRaw(mem, parent), utf8('a')), /exceeds the limit of 2048/)
  })

  it('forged but hash-consistent nodes', async () => {
    const mem = new MemoryBlocks()
    const cfgMap = nodeToDataModel({ kind: 'leaf', level: 0, keys: [], values: [], cfg: DEFAULT_CONFIG })[5]
    const cases: Array<[string, unknown, RegExp]> = [
      ['unsorted keys', [0, [0, 0], [utf8('b'), utf8('a')], [utf8('1'), utf8('2')], null, cfgMap], /not strictly increasing/],
      ['duplicate keys', [0, [0, 1], [utf8('a'), new Uint8Array()], [utf8('1'), utf8('2')], null, cfgMap], /not strictly increasing/],
      ['non-maximal prefix', [0, [0, 0], [utf8('ab'), utf8('ac')], [utf8('1'), utf8('2')], null, cfgMap], /not maximal/],
      ['root without config', [0, [0], [utf8('a')], [utf8('1')], null, null], /no config/],
      ['unknown format version', [0, [0], [utf8('a')], [utf8('1')], null, { ...(cfgMap as object), format: 99 }], /format version 99/],
      ['wrong shape', { hello: 'world' }, /6-element array/],
      ['leaf with counts', [0, [0], [utf8('a')], [utf8('1')], [1], cfgMap], /leaf with counts/],
      ['value not bytes', [0, [0], [utf8('a')], ['text'], null, cfgMap], /not bytes/],
      ['absurd level', [99, [0], [utf8('a')], [utf8('1')], [1], cfgMap], /level 99/],
      ['leafBytes without its rule', [0, [0], [utf8('a')], [utf8('1')], null, { ...(cfgMap as object), leafBytes: 4096 }], /come together/],
      [
        'unknown leaf rule',
        [0, [0], [utf8('a')], [utf8('1')], null, { ...(cfgMap as object), leafBytes: 4096, leafBoundary: 'whatever' }],
        /unknown leaf boundary rule/
      ],
      [
        'zero leafBytes',
        [0, [0], [utf8('a')], [utf8('1')], null, { ...(cfgMap as object), leafBytes: 0, leafBoundary: BYTES_BOUNDARY_RULE }],
        /leafBytes must be a positive integer/
      ],
      [
        'leafBytes above any block',
        [0, [0], [utf8('a')], [utf8('1')], null, { ...(cfgMap as object), leafBytes: 2 ** 21, leafBoundary: BYTES_BOUNDARY_RULE }],
        /leafBytes above the largest block/
      ]
    ]
    for (const [what, data, pattern] of cases) {
      await rejects(get(new NodeStore(mem), await putRaw(mem, dagCbor.encode(data as never)), utf8('a')), pattern).catch((err: Error) => {
        throw new Error(`${what}: ${err.message}`)
      })
    }
    // Non-canonical: the same content with an integer written in a longer form than needed.
    const good = encodeNode({ kind: 'leaf', level: 0, keys: [utf8('a')], values: [utf8('1')], cfg: DEFAULT_CONFIG })
    const loose = new Uint8Array([good[0], 0x18, 0x00, ...good.subarray(2)]) // level 0 as a one-byte-argument uint
    await assert.rejects(get(new NodeStore(mem), await putRaw(mem, loose), utf8('a')), /canonical|dag-cbor|minimal/i)
  })

  it('a child that lies about its count, start, or range, or is chunked wrongly', async () => {
    const mem = new MemoryBlocks()
    const store = new NodeStore(mem)
    const cfg = makeConfig({ minBytes: 0 })
    // Keys sorted as strings; pick some that are natural leaf boundaries and some that are not (and that
    // are not level-1 boundaries either, so the forged parents are themselves well chunked).
    const ks = Array.from({ length: 2000 }, (_, i) => 'k' + String(i).padStart(5, '0'))
    const isB = (k: string): boolean => isNaturalBoundary(utf8(k), 0, cfg, 0)
    const plain = (k: string): boolean => !isB(k) && !isNaturalBoundary(utf8(k), 1, cfg, 0)
    const n1 = ks.find(plain)!
    const b2 = ks.find(k => k > n1 && isB(k))!
    const b3 = ks.find(k => k > b2 && isB(k))!
    const n4 = ks.find(k => k > b3 && plain(k))!
    const leaf = async (keys: string[]): Promise<CID> =>
      await putRaw(mem, encodeNode({ kind: 'leaf', level: 0, keys: keys.map(utf8), values: keys.map(() => utf8('v')), cfg: null }))
    const A = await leaf([n1, b3]) // a valid leaf: ends at a boundary, none inside
    const B = await leaf([n4])
    const B2 = await leaf([b2])
    const parent = async (keys: string[], children: CID[], counts: number[]): Promise<CID> =>
      await putRaw(mem, encodeNode({ kind: 'branch', level: 1, keys: keys.map(utf8), children, aggs: counts.map(c => [c]), cfg }))
    const walk = async (root: CID): Promise<void> => {
      for await (const _ of entries(store, root)) {
        /* read all */
      }
    }
    await walk(await parent([n1, n4], [A, B], [2, 1])) // the honest tree reads fine
    await rejects(walk(await parent([n1, n4], [A, B], [5, 1])), /holds 2 entries, its parent says 5/)
    // In a summed tree, a parent that lies about a child's sums is caught the same way.
    const scfg = makeConfig({ minBytes: 0, sums: 1 })
    const sleaf = await putRaw(
      mem,
      encodeNode({ kind: 'leaf', level: 0, keys: [utf8(n1), utf8(b3)], values: [new Uint8Array([5]), new Uint8Array([7])], cfg: null })
    )
    const sleaf2 = await putRaw(mem, encodeNode({ kind: 'leaf', level: 0, keys: [utf8(n4)], values: [new Uint8Array([1])], cfg: null }))
    const sroot = (s: number): Promise<CID> =>
      putRaw(
        mem,
        encodeNode({
          kind: 'branch',
          level: 1,
          keys: [utf8(n1), utf8(n4)],
          children: [sleaf, sleaf2],
          aggs: [
            [2, s],
            [1, 1]
          ],
          cfg: scfg
        })
      )
    await walk(await sroot(12))
    await rejects(walk(await sroot(13)), /sums to \[2,12\], its parent says \[2,13\]/)
    await rejects(walk(await parent([n1, b3 + '0'], [A, B], [2, 1])), /does not start at its parent's key/)
    await rejects(walk(await parent([n1, b2], [A, B2], [2, 1])), /overlaps its right sibling/)
    // b2 is a boundary, so a leaf holding b2 then b3 should have been cut after b2.
    const forged = await putRaw(mem, encodeNode({ kind: 'leaf', level: 0, keys: [utf8(b2), utf8(b3)], values: [utf8('1'), utf8('2')], cfg }))
    await rejects(get(store, forged, utf8('x')), /should have been cut/)
  })
})

describe('hostile keys cannot make huge or tiny nodes', () => {
  const cfg: TreeConfig = DEFAULT_CONFIG
  it('keys that never hit a boundary are cut by the size rail', async () => {
    const keys: Uint8Array[] = []
    for (let i = 0; keys.length < 3000; i++) {
      const key = utf8('never-' + String(i).padStart(7, '0'))
      if (!isNaturalBoundary(key, 0, cfg, 0)) keys.push(key)
    }
    const store = new NodeStore(new MemoryBlocks())
    const root = await buildTree(
      store,
      keys.map(key => ({ key, value: new Uint8Array(8) }))
    )
    const s = await verifyTree(store, root)
    assert.ok(Math.max(...s.leafSizes) <= cfg.maxBytes)
    assert.ok(s.leaves > 1, 'the rail split the leaves')
  })

  it('keys that always hit a boundary still make nodes of at least minBytes', async () => {
    const keys: Uint8Array[] = []
    for (let i = 0; keys.length < 400; i++) {
      const key = utf8('always-' + String(i).padStart(7, '0'))
      if (isNaturalBoundary(key, 0, cfg, 0)) keys.push(key)
    }
    const store = new NodeStore(new MemoryBlocks())
    const root = await buildTree(
      store,
      keys.map(key => ({ key, value: new Uint8Array(8) }))
    )
    const s = await verifyTree(store, root)
    const allButLast = s.leafSizes.slice(0, -1)
    assert.ok(allButLast.length > 2)
    for (const size of allButLast) assert.ok(size >= cfg.minBytes, `leaf of ${size} bytes`)
  })

  it('an entry over maxEntryBytes is refused, leaving the builder unchanged', async () => {
    const store = new NodeStore(new MemoryBlocks())
    await assert.rejects(buildTree(store, [{ key: utf8('k'), value: new Uint8Array(DEFAULT_CONFIG.maxEntryBytes) }]), /exceeds maxEntryBytes/)
  })

  it('trees with different configs are not merged', async () => {
    const store = new NodeStore(new MemoryBlocks())
    const a = await buildTree(store, seqEntries(5), DEFAULT_CONFIG)
    const b = await buildTree(store, seqEntries(5), makeConfig({ leafFanout: 10 }))
    await assert.rejects(
      merge(store, a, b, (_k, x) => x),
      /different configs/
    )
  })

  it('refuses configs whose trees could not end: no leaf fan-out, or branches of one child', () => {
    assert.throws(() => makeConfig({ leafFanout: 0 }), TreeFormatError)
    assert.throws(() => makeConfig({ branchFanout: 1 }), TreeFormatError)
    assert.equal(makeConfig({ leafFanout: 1 }).leafFanout, 1)
  })
})
