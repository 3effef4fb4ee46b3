// Golden vectors: the root CIDs of fixed entry sets must not change unless the format version does.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { buildTree, info, mutate, NodeStore, PROLLY_FORMAT, sortEdits } from '../index-core/prolly/index.ts'
import { MemoryBlocks } from '../index-core/store/index.ts'
import { VECTORS } from './vectors/prolly-vectors.ts'

const expected = JSON.parse(readFileSync(new URL('./vectors/prolly.json', import.meta.url), 'utf8')) as Record<
  string,
  { root: string; entries: number; depth: number }
>

describe(`prolly golden vectors (format ${PROLLY_FORMAT})`, () => {
  it('every vector has an expected root', () => {
    assert.deepEqual(Object.keys(expected).sort(), VECTORS.map(v => v.name).sort())
  })
  for (const v of VECTORS) {
    it(v.name, async () => {
      const store = new NodeStore(new MemoryBlocks())
      const entries = v.entries()
      const root = await buildTree(store, entries, v.cfg)
      const want = expected[v.name]
      assert.equal(
        root.toString(),
        want.root,
        'root CID changed: if the encoding or chunking changed on purpose, bump PROLLY_FORMAT and regenerate test/vectors/prolly.json'
      )
      const i = await info(store, root)
      assert.equal(i.count, want.entries)
      assert.equal(i.depth, want.depth)
      // The same set reached by mutation from the empty tree (reverse halves) gives the same root.
      const empty = await buildTree(store, [], v.cfg)
      const half = entries.length >> 1
      let r = await mutate(store, empty, sortEdits(entries.slice(half).map(e => ({ key: e.key, value: e.value }))))
      r = await mutate(store, r, sortEdits(entries.slice(0, half).map(e => ({ key: e.key, value: e.value }))))
      assert.equal(r.toString(), want.root)
    })
  }
})
