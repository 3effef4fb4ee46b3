// Withdrawals: an institution takes documents out of its index; after a merge they are gone from the
// combined index, whichever older version of that index a partner merged, and whatever the merge order.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { CID } from 'multiformats/cid'
import {
  DOC_ID_BYTES,
  openIndex,
  mergeIndexes,
  loadIndexRoot,
  saveIndexRoot,
  decodeCapture,
  decodeDoc,
  decodeDocValues,
  docKindKey,
  entriesOfKind,
  keyDocId,
  KIND_CAPTURE,
  KIND_RECORD,
  recordKey,
  surt,
  postingTrees
} from '../index-core/index/index.ts'
import type { IndexRoot } from '../index-core/index/index.ts'
import { addWithdrawals, applyWithdrawals, findWithdrawals } from '../index-core/index/withdraw.ts'
import { toHex } from '../index-core/bytes.ts'
import { NodeStore, entries, get, verifyTree } from '../index-core/prolly/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import { MemoryBlocks, UnionBlocks, openIndexDir } from '../index-core/store/index.ts'
import type { IndexDir } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'
import { warc, withTmp } from './helpers.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))
const JAPANESE = warc('chatnoir-eu__chatnoir-resiliparse/tests__data__clueweb-quirk.warc.gz')

let release: () => void
let dirs: IndexDir[] = []
let store: NodeStore
let a: CID
let b: CID

/** Every docId that appears anywhere in the index (postings, docs, captures, text, doc values). */
async function docIdsEverywhere(root: IndexRoot): Promise<Set<string>> {
  const ids = new Set<string>()
  for (const s of postingTrees(root)) for await (const e of entries(store, s)) ids.add(toHex(e.key.subarray(e.key.length - DOC_ID_BYTES)))
  for await (const e of entries(store, root.docs)) ids.add(toHex(keyDocId(e.key)))
  for await (const e of entries(store, root.docvalues)) ids.add(toHex(e.key.subarray(0, DOC_ID_BYTES)))
  return ids
}

async function hostsOf(root: IndexRoot): Promise<Map<string, Uint8Array[]>> {
  const out = new Map<string, Uint8Array[]>()
  for await (const e of entriesOfKind(store, root.docs, KIND_RECORD)) {
    const h = decodeDoc(e.value).host
    out.set(h, [...(out.get(h) ?? []), keyDocId(e.key)])
  }
  return out
}

describe('withdrawals', { timeout: 300_000 }, () => {
  before(async () => {
    // Kept open for the suite; the directories go when withTmp's promise settles.
    await new Promise<void>(resolve => {
      void withTmp(async tmp => {
        await ingest({ inputs: [SAMPLE, JAPANESE], index: `${tmp}/a`, institution: 'A', workers: 2 })
        await ingest({ inputs: [SAMPLE], index: `${tmp}/b`, institution: 'B', workers: 2 })
        dirs = [await openIndexDir(`${tmp}/a`, { write: false }), await openIndexDir(`${tmp}/b`, { write: false })]
        a = (await dirs[0].head())!
        b = (await dirs[1].head())!
        store = new NodeStore(new UnionBlocks([new MemoryBlocks(), dirs[0].blocks.store, dirs[1].blocks.store]))
        resolve()
        await new Promise<void>(r => {
          release = r
        })
        for (const d of dirs) await d.close()
      })
    })
  })
  after(() => {
    release()
  })

  it('removes withdrawn documents everywhere, keeps what a partner also holds, and is not undone by an older merge', async () => {
    const ra = await openIndex(store, a)
    const rb = await openIndex(store, b)
    const hostsA = await hostsOf(ra)
    const hostsB = await hostsOf(rb)
    const onlyA = [...hostsA.keys()].filter(h => !hostsB.has(h))
    const shared = [...hostsA.keys()].filter(h => hostsB.has(h))
    assert.ok(onlyA.length > 0 && shared.length > 0, 'the fixture has hosts only A holds and hosts both hold')
    const goneHost = onlyA[0]
    const keptHost = shared[0]
    const goneIds = hostsA.get(goneHost)!.map(toHex)
    const keptIds = hostsA.get(keptHost)!.map(toHex)

    // A partner merged A's index before the withdrawal.
    const older = await mergeIndexes(store, a, b)

    const sel = { surtPrefixes: [surt(`http://${goneHost}/`)!.replace(/\/$/, ''), surt(`http://${keptHost}/`)!.replace(/\/$/, '')] }
    const found = await findWithdrawals(store, ra, 'A', sel)
    assert.deepEqual(new Set(found.map(w => toHex(w.docId))), new Set([...goneIds, ...keptIds]))
    assert.deepEqual(await findWithdrawals(store, ra, 'B', sel), [], "B holds nothing in A's index to withdraw")
    const aNew = await saveIndexRoot(store.blocks, await addWithdrawals(store, ra, found))
    const raNew = await openIndex(store, aNew)
    const left = await docIdsEverywhere(raNew)
    for (const id of [...goneIds, ...keptIds]) assert.ok(!left.has(id), `withdrawn document ${id} left a trace in A's index`)
    for (const t of [...postingTrees(raNew), raNew.docs, raNew.docvalues, raNew.withdrawn]) await verifyTree(store, t)

    // Merging in any order, with the older combined index too, gives one root.
    const m1 = await mergeIndexes(store, aNew, b)
    const m2 = await mergeIndexes(store, older, aNew)
    const m3 = await mergeIndexes(store, aNew, older)
    const m4 = await mergeIndexes(store, b, await mergeIndexes(store, older, aNew))
    assert.equal(m2.toString(), m1.toString())
    assert.equal(m3.toString(), m1.toString())
    assert.equal(m4.toString(), m1.toString())
    const merged = await openIndex(store, m1)
    assert.equal(
      (await saveIndexRoot(store.blocks, await applyWithdrawals(store, merged))).toString(),
      m1.toString(),
      'applying tombstones twice changes nothing'
    )

    const everywhere = await docIdsEverywhere(merged)
    for (const id of goneIds) assert.ok(!everywhere.has(id), `document ${id} only A held came back after the merge`)
    for (const id of keptIds) {
      const key = Buffer.from(id, 'hex')
      assert.ok((await get(store, merged.docs, recordKey(key))) !== undefined, 'a document B also holds stays')
      const insts = decodeDocValues((await get(store, merged.docvalues, key))!).institutions
      assert.deepEqual(insts, ['B'])
      for await (const e of entries(store, merged.docs, { prefix: docKindKey(key, KIND_CAPTURE) })) assert.equal(decodeCapture(e.value).institution, 'B')
    }

    // Search agrees: A's filter finds none of the withdrawn documents; B's still finds the shared ones.
    const reader = await IndexReader.open(store, m1)
    const byA = await search(reader, { q: `site:${keptHost}`, filters: { institution: 'A' }, pageSize: 100 })
    const byB = await search(reader, { q: `site:${keptHost}`, filters: { institution: 'B' }, pageSize: 100 })
    assert.equal(byA.total, 0)
    assert.ok(byB.total > 0)
    const gone = await search(reader, { q: `site:${goneHost}`, pageSize: 100 })
    assert.equal(gone.total, 0)
    assert.ok(!(await loadIndexRoot(store.blocks, m1)).withdrawn.equals(ra.withdrawn), 'the tombstones travel with the merged index')
  })
})
