// A withdrawal is permanent: ingesting the same crawl again does not bring the withdrawn page back, while the
// institution's other pages are ingested as before (the tiny crawl of test/vectors, through the operations the
// CLI's `withdraw` and `ingest` run).
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { openInstitution, selectionFromUrls, withdraw } from '../federation/operations/index.ts'
import { decodeDoc, entriesOfKind, KIND_CAPTURE, KIND_RECORD, decodeCapture, openIndex } from '../index-core/index/index.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import { openIndexDir } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'
import { withTmp } from './helpers.ts'
import { ensureTinyWarc } from './vectors/tiny-warc.ts'

const FRENCH = 'https://tiny.example/fr/archives.html'
const INSTITUTION = 'Vector Library'

/** URLs of the documents and of the captures in the index at `dir`'s HEAD, and a search's hits. */
async function contents(dir: string, q: string): Promise<{ docs: string[]; captures: string[]; hits: string[] }> {
  const d = await openIndexDir(dir, { write: false })
  try {
    const store = new NodeStore(d.blocks.store)
    const head = (await d.head())!
    const root = await openIndex(store, head)
    const docs: string[] = []
    for await (const e of entriesOfKind(store, root.docs, KIND_RECORD)) docs.push(decodeDoc(e.value).url)
    const captures: string[] = []
    for await (const e of entriesOfKind(store, root.docs, KIND_CAPTURE)) captures.push(decodeCapture(e.value).url)
    const r = await search(await IndexReader.open(store, head), { q, pageSize: 10 })
    return { docs: docs.sort(), captures: captures.sort(), hits: r.hits.map(h => h.url) }
  } finally {
    await d.close()
  }
}

it('a withdrawn page stays withdrawn when the same crawl is ingested again', { timeout: 120_000 }, async () => {
  await withTmp(async dir => {
    const crawl = ensureTinyWarc()
    await ingest({ inputs: [crawl], index: dir, workers: 1, institution: INSTITUTION })
    const before = await contents(dir, 'bibliothèques')
    assert.ok(before.docs.includes(FRENCH) && before.hits.includes(FRENCH), 'the page is indexed and found first')

    const inst = await openInstitution(dir, { write: true, name: INSTITUTION })
    try {
      const w = await withdraw(inst, INSTITUTION, selectionFromUrls([FRENCH], []))
      assert.deepEqual(
        w.withdrawn.map(x => x.url),
        [FRENCH]
      )
    } finally {
      await inst.close()
    }
    const withdrawn = await contents(dir, 'bibliothèques')

    await ingest({ inputs: [crawl], index: dir, workers: 1, institution: INSTITUTION })
    const after = await contents(dir, 'bibliothèques')
    assert.ok(!after.docs.includes(FRENCH), 'the withdrawn document came back')
    assert.ok(!after.captures.includes(FRENCH), 'a capture of the withdrawn document came back')
    assert.deepEqual(after.hits, [], 'search finds the withdrawn page again')
    // Everything else is as it was after the withdrawal: the second ingest added nothing new and lost nothing.
    assert.deepEqual(after.docs, withdrawn.docs)
    assert.deepEqual(after.captures, withdrawn.captures)
    assert.deepEqual(
      after.docs,
      before.docs.filter(u => u !== FRENCH)
    )
  })
})
