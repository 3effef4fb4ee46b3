// bench/updates.ts (through tools/dag-blocks.ts) reports what a mirror fetches after an update as the blocks of the new index's DAG that
// the old one does not hold, per tree. Checked here against the reachability walk gc uses, on real crawls.
import assert from 'node:assert/strict'
import { cp } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import { CID } from 'multiformats/cid'
import { dagBlocks, TREES } from '../tools/dag-blocks.ts'
import { markReachable } from '../federation/maintenance/reachable.ts'
import { openIndexDir } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'
import { warc, withTmp } from './helpers.ts'

const FIRST = warc('castorini__anserini/src__test__resources__sample_docs__commoncrawl__warc__collection1__segment1.warc.gz')
const SECOND = warc('castorini__anserini/src__test__resources__sample_docs__cw09__collection1__segment1.warc.gz')

describe('update blocks (tools/dag-blocks.ts, reported by bench/updates.ts)', () => {
  it('counts every block of an index once, and as new exactly the blocks the old index does not reach', async () => {
    await withTmp(async tmp => {
      const a = path.join(tmp, 'a')
      const b = path.join(tmp, 'b')
      const old = CID.parse((await ingest({ inputs: [FIRST], index: a, workers: 1 })).root)
      await cp(a, b, { recursive: true })
      const now = CID.parse((await ingest({ inputs: [SECOND], index: b, workers: 1 })).root)
      assert.notEqual(old.toString(), now.toString())
      const d = await openIndexDir(b, { write: false })
      try {
        const store = d.blocks.store
        const reachOld = await markReachable(store, [{ label: 'old', cid: old, whole: true }])
        const reachNew = await markReachable(store, [{ label: 'new', cid: now, whole: true }])
        const all = await dagBlocks(store, now)
        assert.equal(all.size, reachNew.blocks)
        assert.equal(
          [...all.values()].reduce((s, x) => s + x.bytes, 0),
          reachNew.bytes
        )
        for (const t of TREES)
          assert.ok(
            [...all.values()].some(x => x.tree === t),
            `no block of the ${t} tree`
          )

        const before = await dagBlocks(store, old)
        const fresh = await dagBlocks(store, now, new Set(before.keys()))
        const expected = [...reachNew.keys].filter(k => !reachOld.keys.has(k)).length
        // The root block is always new; the update shares some blocks with the old index and not all.
        assert.equal(fresh.size, expected)
        assert.ok(fresh.size > 1 && fresh.size < all.size, `${fresh.size} new of ${all.size}`)
        for (const [k, x] of fresh) {
          assert.ok(!before.has(k))
          assert.deepEqual(all.get(k), x, 'a new block belongs to the same tree in both walks')
        }
        assert.deepEqual(
          await dagBlocks(store, now, new Set(all.keys())),
          new Map([[now.toString(), all.get(now.toString())]]),
          'nothing but the root block is new against the index itself'
        )
      } finally {
        await d.close()
      }
    })
  })
})
