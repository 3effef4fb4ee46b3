// Property tests: every way of arriving at an entry set gives the root CID of a fresh build of that set.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import type { CID } from 'multiformats/cid'
import { compareBytes, toHex } from '../index-core/bytes.ts'
import {
  buildTree,
  count,
  diff,
  diffEdits,
  entries,
  floor,
  get,
  getSorted,
  info,
  makeConfig,
  merge,
  mergeAll,
  mutate,
  NodeStore,
  RangeReader,
  sortEdits,
  verifyTree
} from '../index-core/prolly/index.ts'
import { encodeVarints } from '../index-core/varint.ts'
import type { Edit, Entry, TreeConfig } from '../index-core/prolly/index.ts'
import { MemoryBlocks } from '../index-core/store/index.ts'

// Small nodes so that a few hundred entries make trees several levels deep and exercise every rule.
const SMALL: TreeConfig = makeConfig({ leafFanout: 4, branchFanout: 3, minBytes: 24, maxBytes: 1024, maxEntryBytes: 128 })
const SEED = 20261121
const RUNS = Number(process.env.PROPERTY_RUNS ?? 60)

const arbKey = fc.uint8Array({ minLength: 0, maxLength: 6, max: 7 }) // low alphabet: shared prefixes, collisions
const arbValue = fc.uint8Array({ minLength: 0, maxLength: 5 })
// size 'max': lengths spread over the whole range (fast-check's default keeps arrays tiny).
const arbEntries = fc.array(fc.tuple(arbKey, arbValue), { maxLength: 400, size: 'max' })

type Model = Map<string, { key: Uint8Array; value: Uint8Array }>

function modelOf(pairs: Array<[Uint8Array, Uint8Array]>): Model {
  const m: Model = new Map()
  for (const [key, value] of pairs) m.set(toHex(key), { key, value })
  return m
}

function sorted(m: Model): Entry[] {
  return [...m.values()].sort((a, b) => compareBytes(a.key, b.key))
}

function newStore(): NodeStore {
  return new NodeStore(new MemoryBlocks())
}

async function fresh(store: NodeStore, m: Model): Promise<CID> {
  return await buildTree(store, sorted(m), SMALL)
}

async function collect(store: NodeStore, root: CID): Promise<Entry[]> {
  const out: Entry[] = []
  for await (const e of entries(store, root)) out.push(e)
  return out
}

/** A fresh build of the pairs (the last value of a key wins), checked node by node, holding them all. */
async function buildChecked(
  pairs: Array<[Uint8Array, Uint8Array]>,
  cfg: TreeConfig
): Promise<{ store: NodeStore; all: Entry[]; root: CID; stats: Awaited<ReturnType<typeof verifyTree>> }> {
  const store = newStore()
  const all = sorted(modelOf(pairs))
  const root = await buildTree(store, all, cfg)
  const stats = await verifyTree(store, root)
  assert.equal(stats.entries, all.length)
  return { store, all, root, stats }
}

/**
 * The entries split into parts, built apart and merged (the later part wins), or inserted into the first
 * part, give `root`, the build of them all.
 */
async function partsGiveBuild(store: NodeStore, all: Entry[], root: CID, cfg: TreeConfig, parts: number): Promise<void> {
  const slices = Array.from({ length: parts }, (_, i) => all.filter((_, j) => j % parts === i))
  let merged = await buildTree(store, slices[0], cfg)
  let inserted = merged
  for (const sl of slices.slice(1)) {
    merged = await merge(store, merged, await buildTree(store, sl, cfg), (_k, _a, b) => b)
    inserted = await mutate(store, inserted, sortEdits(sl.map(e => ({ key: e.key, value: e.value }))))
  }
  assert.equal(merged.toString(), root.toString())
  assert.equal(inserted.toString(), root.toString())
}

describe('prolly tree properties', () => {
  it('a build holds exactly its entries, every node validates, and it writes no block the tree does not name', async () => {
    let deepest = 0
    let railCuts = 0
    await fc.assert(
      fc.asyncProperty(arbEntries, async pairs => {
        const blocks = new MemoryBlocks()
        const store = new NodeStore(blocks)
        const m = modelOf(pairs)
        const root = await fresh(store, m)
        const got = await collect(store, root)
        assert.deepEqual(
          got.map(e => toHex(e.key) + '=' + toHex(e.value)),
          sorted(m).map(e => toHex(e.key) + '=' + toHex(e.value))
        )
        const stats = await verifyTree(store, root)
        assert.equal(stats.entries, m.size)
        assert.equal(blocks.blocks.size, stats.leafSizes.length + stats.branchSizes.length, 'blocks written beside the tree')
        for (const s of [...stats.leafSizes, ...stats.branchSizes]) assert.ok(s <= SMALL.maxBytes)
        deepest = Math.max(deepest, stats.depth)
        railCuts += stats.branchSizes.filter(s => s > 384).length
      }),
      { seed: SEED, numRuns: RUNS }
    )
    // The generated sets must be large enough to exercise deep trees and the size rail, or the other
    // properties prove little.
    assert.ok(deepest >= 4, `deepest tree only ${deepest} levels`)
    assert.ok(railCuts > 0, 'no node was cut by the size rail')
  })

  it('inserting in any order and any batches gives the root of a fresh build', async () => {
    await fc.assert(
      fc.asyncProperty(arbEntries, fc.integer({ min: 1, max: 8 }), fc.infiniteStream(fc.nat()), async (pairs, batches, rnd) => {
        const store = newStore()
        let root = await buildTree(store, [], SMALL)
        const shuffled = [...pairs]
        const r = rnd[Symbol.iterator]()
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = r.next().value % (i + 1)
          ;[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]
        }
        const size = Math.ceil(shuffled.length / batches)
        for (let i = 0; i < shuffled.length; i += size) {
          // Within a batch the last write of a key wins; across batches, later batches win: the same as the model
          // only if we apply the model in the same order, so rebuild the model from the shuffled order.
          root = await mutate(store, root, sortEdits(shuffled.slice(i, i + size).map(([key, value]) => ({ key, value }))))
        }
        const expected = await fresh(store, modelOf(shuffled))
        assert.equal(root.toString(), expected.toString())
      }),
      { seed: SEED, numRuns: RUNS }
    )
  })

  it('with a leaf fan-out of 1, leaves end as soon as they reach minBytes, and merges and inserts still give the fresh build', async () => {
    const ONE: TreeConfig = makeConfig({ leafFanout: 1, branchFanout: 3, minBytes: 24, maxBytes: 1024, maxEntryBytes: 128 })
    await fc.assert(
      fc.asyncProperty(arbEntries, fc.integer({ min: 2, max: 5 }), async (pairs, parts) => {
        const { store, all, root, stats } = await buildChecked(pairs, ONE)
        // Every leaf but the last reached minBytes with its last entry, and not before.
        for (const s of stats.leafSizes.slice(0, -1)) assert.ok(s >= ONE.minBytes, `leaf of ${s} bytes`)
        await partsGiveBuild(store, all, root, ONE, parts)
      }),
      { seed: SEED, numRuns: RUNS }
    )
  })

  it('leaves cut by bytes average about minBytes + leafBytes whatever their entries, and merges, inserts and deletes still give the fresh build', async () => {
    const BYTES: TreeConfig = makeConfig({ leafFanout: 4, branchFanout: 3, minBytes: 16, maxBytes: 1024, maxEntryBytes: 128, leafBytes: 48 })
    // Entries of very different sizes: a count rule would make leaves of very different sizes.
    const arbMixed = fc.array(fc.tuple(arbKey, fc.oneof(fc.uint8Array({ maxLength: 2 }), fc.uint8Array({ minLength: 20, maxLength: 60 }))), {
      maxLength: 400,
      size: 'max'
    })
    let leaves = 0
    let leafBytes = 0
    await fc.assert(
      fc.asyncProperty(arbMixed, fc.integer({ min: 2, max: 5 }), async (pairs, parts) => {
        const { store, all, root, stats } = await buildChecked(pairs, BYTES)
        for (const s of stats.leafSizes.slice(0, -1)) {
          leaves++
          leafBytes += s
        }
        await partsGiveBuild(store, all, root, BYTES, parts)
        // Deleting a part gives the build of the rest.
        const deleted = await mutate(store, root, sortEdits(all.filter((_, j) => j % parts === 0).map(e => ({ key: e.key, value: null }))))
        assert.equal(
          deleted.toString(),
          (
            await buildTree(
              store,
              all.filter((_, j) => j % parts !== 0),
              BYTES
            )
          ).toString()
        )
      }),
      { seed: SEED, numRuns: RUNS }
    )
    const mean = leafBytes / leaves
    assert.ok(mean > 48 && mean < 160, `leaves average ${mean.toFixed(0)} bytes`)
  })

  it('random put/delete sequences give the root of a fresh build of the final set', async () => {
    const arbOp = fc.tuple(arbKey, fc.option(arbValue, { freq: 3 }))
    await fc.assert(
      fc.asyncProperty(arbEntries, fc.array(fc.array(arbOp, { maxLength: 60, size: 'max' }), { maxLength: 6 }), async (initial, batches) => {
        const store = newStore()
        const m = modelOf(initial)
        let root = await fresh(store, m)
        for (const batch of batches) {
          const edits: Edit[] = batch.map(([key, value]) => ({ key, value }))
          root = await mutate(store, root, sortEdits(edits))
          for (const e of edits) {
            if (e.value === null) m.delete(toHex(e.key))
            else m.set(toHex(e.key), { key: e.key, value: e.value })
          }
          assert.equal(root.toString(), (await fresh(store, m)).toString())
        }
        await verifyTree(store, root)
      }),
      { seed: SEED, numRuns: RUNS }
    )
  })

  // A commutative, associative, idempotent rule: the bytewise larger value wins.
  const maxRule = (_k: Uint8Array, a: Uint8Array, b: Uint8Array): Uint8Array => (compareBytes(a, b) >= 0 ? a : b)

  it('splitting a set into N trees and merging them in any order and grouping gives the fresh build', async () => {
    await fc.assert(
      fc.asyncProperty(arbEntries, fc.integer({ min: 1, max: 5 }), fc.infiniteStream(fc.nat()), async (pairs, parts, rnd) => {
        const store = newStore()
        const r = rnd[Symbol.iterator]()
        // Parts may overlap (a key in several parts, possibly with different values).
        const split: Array<Array<[Uint8Array, Uint8Array]>> = Array.from({ length: parts }, () => [])
        for (const p of pairs) {
          split[r.next().value % parts].push(p)
          if (r.next().value % 4 === 0) split[r.next().value % parts].push([p[0], p[1].slice().reverse()])
        }
        const union: Model = new Map()
        for (const part of split) {
          for (const [key, value] of part) {
            const prev = union.get(toHex(key))
            if (prev === undefined || compareBytes(value, prev.value) > 0) union.set(toHex(key), { key, value })
          }
        }
        // Within one part, the larger value of a key wins too.
        const roots = await Promise.all(
          split.map(async part => {
            const m: Model = new Map()
            for (const [key, value] of part) {
              const prev = m.get(toHex(key))
              if (prev === undefined || compareBytes(value, prev.value) > 0) m.set(toHex(key), { key, value })
            }
            return await fresh(store, m)
          })
        )
        // Merge in a random grouping: repeatedly merge two random trees of the pool.
        const pool = [...roots]
        while (pool.length > 1) {
          const i = r.next().value % pool.length
          const a = pool.splice(i, 1)[0]
          const j = r.next().value % pool.length
          const b = pool.splice(j, 1)[0]
          pool.push(r.next().value % 2 === 0 ? await merge(store, a, b, maxRule) : await merge(store, b, a, maxRule))
        }
        assert.equal(pool[0].toString(), (await fresh(store, union)).toString())
        // All at once (the largest kept, the rest streamed into one tree) gives it too.
        assert.equal((await mergeAll(store, roots, maxRule)).toString(), pool[0].toString())
      }),
      { seed: SEED, numRuns: RUNS }
    )
  })

  it('merge is commutative and associative for a commutative, associative rule', async () => {
    await fc.assert(
      fc.asyncProperty(arbEntries, arbEntries, arbEntries, async (pa, pb, pc) => {
        const store = newStore()
        const [a, b, c] = await Promise.all([pa, pb, pc].map(async p => await fresh(store, modelOf(p))))
        assert.equal((await merge(store, a, b, maxRule)).toString(), (await merge(store, b, a, maxRule)).toString())
        const left = await merge(store, await merge(store, a, b, maxRule), c, maxRule)
        const right = await merge(store, a, await merge(store, b, c, maxRule), maxRule)
        assert.equal(left.toString(), right.toString())
      }),
      { seed: SEED, numRuns: RUNS }
    )
  })

  it('diff(a, b) lists exactly the changes, and applying it to a gives b', async () => {
    await fc.assert(
      fc.asyncProperty(arbEntries, arbEntries, async (pa, pb) => {
        const store = newStore()
        const ma = modelOf(pa)
        const mb = modelOf(pb)
        const a = await fresh(store, ma)
        const b = await fresh(store, mb)
        const expected: string[] = []
        const keys = new Set([...ma.keys(), ...mb.keys()])
        for (const k of [...keys].sort()) {
          const x = ma.get(k)
          const y = mb.get(k)
          if (x !== undefined && y !== undefined && toHex(x.value) === toHex(y.value)) continue
          expected.push(`${k}:${x === undefined ? '-' : toHex(x.value)}>${y === undefined ? '-' : toHex(y.value)}`)
        }
        const got: string[] = []
        for await (const ch of diff(store, a, b)) {
          got.push(`${toHex(ch.key)}:${ch.before === null ? '-' : toHex(ch.before)}>${ch.after === null ? '-' : toHex(ch.after)}`)
        }
        // Hex strings of equal-length prefixes sort like bytes; compare as sets in byte order.
        assert.deepEqual(
          got,
          expected.sort((p, q) => compareBytes(Buffer.from(p.split(':')[0], 'hex'), Buffer.from(q.split(':')[0], 'hex')))
        )
        assert.equal((await mutate(store, a, diffEdits(store, a, b))).toString(), b.toString())
      }),
      { seed: SEED, numRuns: RUNS }
    )
  })

  it('get, range scans and counts agree with a sorted model', async () => {
    await fc.assert(
      fc.asyncProperty(arbEntries, arbKey, arbKey, async (pairs, k1, k2) => {
        const store = newStore()
        const m = modelOf(pairs)
        const root = await fresh(store, m)
        const all = sorted(m)
        const [lo, hi] = compareBytes(k1, k2) <= 0 ? [k1, k2] : [k2, k1]
        const inRange = all.filter(e => compareBytes(e.key, lo) >= 0 && compareBytes(e.key, hi) < 0)
        const scanned: string[] = []
        for await (const e of entries(store, root, { gte: lo, lt: hi })) scanned.push(toHex(e.key))
        assert.deepEqual(
          scanned,
          inRange.map(e => toHex(e.key))
        )
        // Read in batches: the same entries, every batch but the last at least as many as asked.
        const batches: string[][] = []
        const reader = await RangeReader.open(store, root, { gte: lo, lt: hi })
        while (!reader.done) batches.push((await reader.take(3)).map(e => toHex(e.key)))
        assert.deepEqual(
          batches.flat(),
          inRange.map(e => toHex(e.key))
        )
        for (const b of batches.slice(0, -1)) assert.ok(b.length >= 3)
        assert.equal(await count(store, root, { gte: lo, lt: hi }), inRange.length)
        const withPrefix = all.filter(e => toHex(e.key).startsWith(toHex(k1)))
        assert.equal(await count(store, root, { prefix: k1 }), withPrefix.length)
        const pref: string[] = []
        for await (const e of entries(store, root, { prefix: k1 })) pref.push(toHex(e.key))
        assert.deepEqual(
          pref,
          withPrefix.map(e => toHex(e.key))
        )
        const hit = m.get(toHex(k1))
        const v = await get(store, root, k1)
        assert.equal(v === undefined ? undefined : toHex(v), hit === undefined ? undefined : toHex(hit.value))
        const below = all.filter(e => compareBytes(e.key, k1) <= 0).at(-1)
        const fl = await floor(store, root, k1)
        assert.equal(fl === undefined ? undefined : toHex(fl.key), below === undefined ? undefined : toHex(below.key))
        // Sorted lookups of a mix of present and absent keys with one finger-search cursor.
        const probe = [...new Set([...all.filter((_, i) => i % 3 === 0).map(e => toHex(e.key)), toHex(k1), toHex(k2)])]
          .sort()
          .map(h => Buffer.from(h, 'hex'))
          .sort(compareBytes)
        const found: string[] = []
        for await (const e of getSorted(store, root, probe)) found.push(toHex(e.key))
        assert.deepEqual(
          found,
          probe.filter(k => m.has(toHex(k))).map(k => toHex(k))
        )
      }),
      { seed: SEED, numRuns: RUNS }
    )
  })
})

describe('trees with summed columns', () => {
  const SUMS: TreeConfig = makeConfig({ leafFanout: 4, branchFanout: 3, minBytes: 24, maxBytes: 1024, maxEntryBytes: 128, sums: 2 })
  const arbSummed = fc.array(fc.tuple(arbKey, fc.nat({ max: 5000 }), fc.nat({ max: 3 }), arbValue), { maxLength: 300, size: 'max' })
  const entry = (key: Uint8Array, a: number, b: number, rest: Uint8Array): Entry => ({ key, value: new Uint8Array([...encodeVarints([a, b]), ...rest]) })

  it('the root holds the exact totals after any sequence of merges and mutations', async () => {
    await fc.assert(
      fc.asyncProperty(arbSummed, arbSummed, async (xs, ys) => {
        const store = newStore()
        const model = new Map<string, { e: Entry; a: number; b: number }>()
        const mx = new Map<string, { e: Entry; a: number; b: number }>()
        for (const [k, a, b, r] of xs) mx.set(toHex(k), { e: entry(k, a, b, r), a, b })
        const my = new Map<string, { e: Entry; a: number; b: number }>()
        for (const [k, a, b, r] of ys) my.set(toHex(k), { e: entry(k, a, b, r), a, b })
        const build = async (m: Map<string, { e: Entry }>): Promise<CID> =>
          await buildTree(
            store,
            [...m.values()].map(x => x.e).sort((p, q) => compareBytes(p.key, q.key)),
            SUMS
          )
        const x = await build(mx)
        const y = await build(my)
        // y wins on shared keys
        for (const [k, v] of mx) model.set(k, v)
        for (const [k, v] of my) model.set(k, v)
        const merged = await merge(store, x, y, (_k, _a, b) => b)
        assert.equal(merged.toString(), (await build(model)).toString())
        const total = (m: Map<string, { a: number; b: number }>): number[] => {
          let a = 0
          let b = 0
          for (const v of m.values()) {
            a += v.a
            b += v.b
          }
          return [a, b]
        }
        assert.deepEqual((await info(store, merged)).sums, total(model))
        // delete every other key of y
        const dels = [...my.values()].filter((_, i) => i % 2 === 0).map(v => ({ key: v.e.key, value: null }))
        const after = await mutate(store, merged, sortEdits(dels))
        for (const d of dels) model.delete(toHex(d.key))
        assert.deepEqual((await info(store, after)).sums, total(model))
        assert.equal((await info(store, after)).count, model.size)
        await verifyTree(store, after)
      }),
      { seed: SEED, numRuns: RUNS }
    )
  })

  it('a value that does not start with the summed varints is refused', async () => {
    await assert.rejects(buildTree(newStore(), [{ key: new Uint8Array([1]), value: new Uint8Array([0x80]) }], SUMS), /varints/)
  })
})
