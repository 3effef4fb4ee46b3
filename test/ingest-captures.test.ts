// What ingest records of captures whose document is not indexed, and the counts its summary gives.
import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, it } from 'node:test'
import { entriesOfKind, KIND_CAPTURE, KIND_RECORD, keyDocId, decodeCapture, openIndex } from '../index-core/index/index.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { openIndexDir } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'
import { sha1Digest, WarcWriter } from '../tools/warc-writer.ts'
import { formatSummary } from '../bin/commands/ingest.ts'
import { withTmp } from './helpers.ts'

const HTML: [string, string][] = [['Content-Type', 'text/html; charset=utf-8']]

/** Document ids (hex) of the records, and the captures (url, type, document id) of an index folder. */
async function docsTree(index: string): Promise<{ records: Set<string>; captures: Array<{ url: string; type: string; doc: string }> }> {
  const dir = await openIndexDir(index, { write: false })
  try {
    const store = new NodeStore(dir.blocks.store)
    const root = await openIndex(store, (await dir.head())!)
    const records = new Set<string>()
    for await (const e of entriesOfKind(store, root.docs, KIND_RECORD)) records.add(Buffer.from(keyDocId(e.key)).toString('hex'))
    const captures = []
    for await (const e of entriesOfKind(store, root.docs, KIND_CAPTURE)) {
      const c = decodeCapture(e.value)
      captures.push({ url: c.url, type: c.type, doc: Buffer.from(keyDocId(e.key)).toString('hex') })
    }
    return { records, captures }
  } finally {
    await dir.close()
  }
}

describe('ingest captures', { timeout: 120_000 }, () => {
  it('records no capture for identical empty-body responses; revisits wait for their original whatever the run holds', async () => {
    await withTmp(async tmp => {
      const crawl = path.join(tmp, 'empty.warc.gz')
      const w = WarcWriter.toFile(crawl, { seed: 'empty' })
      for (let i = 0; i < 4; i++) w.response({ url: 'http://empty.example/', date: `2020-01-0${i + 1}T00:00:00Z`, status: 200, headers: HTML, body: '' })
      const page = w.response({
        url: 'http://page.example/',
        date: '2020-01-01T00:00:00Z',
        status: 200,
        headers: HTML,
        body: '<html><head><title>A page</title></head><body><p>words to find</p></body></html>'
      })
      w.revisit({
        url: 'http://page.example/',
        date: '2020-02-01T00:00:00Z',
        status: 200,
        headers: HTML,
        refersToUrl: 'http://page.example/',
        refersToDate: '2020-01-01T00:00:00Z',
        payloadDigest: page.payloadDigest!
      })
      w.revisit({
        url: 'http://never.example/',
        date: '2020-02-01T00:00:00Z',
        status: 200,
        headers: HTML,
        refersToUrl: 'http://never.example/',
        refersToDate: '2019-01-01T00:00:00Z',
        payloadDigest: sha1Digest(Buffer.from('never captured'))
      })
      w.close()
      // One item per task too, so a document and its other captures are analysed by different tasks.
      const roots = new Set<string>()
      for (const batchItems of [undefined, 1]) {
        const index = path.join(tmp, `index-${batchItems ?? 'default'}`)
        const s = await ingest({ inputs: [crawl], index, workers: 2, batchItems })
        roots.add(s.root)
        const { records, captures } = await docsTree(index)
        assert.equal(records.size, 1)
        // The empty responses are judged by their own bytes, duplicates too: none of them is recorded.
        assert.ok(
          captures.every(c => c.url !== 'http://empty.example/'),
          'no capture of an empty page'
        )
        assert.equal(s.notIndexed['empty-body'], 4, JSON.stringify(s.notIndexed))
        // A revisit is kept until its original arrives (from another crawl or partner), so the index does not
        // depend on which crawls were ingested together.
        assert.deepEqual(captures.map(c => `${c.type} ${c.url}`).sort(), [
          'response http://page.example/',
          'revisit http://never.example/',
          'revisit http://page.example/'
        ])
      }
      assert.equal(roots.size, 1, 'the index does not depend on how captures were batched')
    })
  })

  it('a revisit ingested apart from its original gives the root of ingesting them together', async () => {
    await withTmp(async tmp => {
      const first = path.join(tmp, 'first.warc.gz')
      const w1 = WarcWriter.toFile(first, { seed: 'first' })
      const page = w1.response({
        url: 'http://page.example/',
        date: '2020-01-01T00:00:00Z',
        status: 200,
        headers: HTML,
        body: '<html><body><p>words to find</p></body></html>'
      })
      w1.response({ url: 'http://empty.example/', date: '2020-01-01T00:00:00Z', status: 200, headers: HTML, body: '' })
      w1.close()
      const second = path.join(tmp, 'second.warc.gz')
      const w2 = WarcWriter.toFile(second, { seed: 'second' })
      w2.revisit({
        url: 'http://page.example/',
        date: '2021-01-01T00:00:00Z',
        status: 200,
        headers: HTML,
        refersToUrl: 'http://page.example/',
        refersToDate: '2020-01-01T00:00:00Z',
        payloadDigest: page.payloadDigest!
      })
      w2.response({ url: 'http://empty.example/', date: '2021-01-01T00:00:00Z', status: 200, headers: HTML, body: '' })
      w2.close()
      const together = await ingest({ inputs: [first, second], index: path.join(tmp, 'together'), workers: 1 })
      const a = await ingest({ inputs: [second], index: path.join(tmp, 'apart'), workers: 1 })
      const b = await ingest({ inputs: [first], index: path.join(tmp, 'apart'), workers: 1 })
      assert.notEqual(a.root, b.root)
      assert.equal(b.root, together.root)
    })
  })

  it('keeps the capture of a revisit whose document an earlier ingest indexed', async () => {
    await withTmp(async tmp => {
      const first = path.join(tmp, 'first.warc.gz')
      const w1 = WarcWriter.toFile(first, { seed: 'first' })
      const page = w1.response({
        url: 'http://page.example/',
        date: '2020-01-01T00:00:00Z',
        status: 200,
        headers: HTML,
        body: '<html><body><p>words to find</p></body></html>'
      })
      w1.close()
      const second = path.join(tmp, 'second.warc.gz')
      const w2 = WarcWriter.toFile(second, { seed: 'second' })
      w2.revisit({
        url: 'http://page.example/',
        date: '2021-01-01T00:00:00Z',
        status: 200,
        headers: HTML,
        refersToUrl: 'http://page.example/',
        refersToDate: '2020-01-01T00:00:00Z',
        payloadDigest: page.payloadDigest!
      })
      w2.close()
      const index = path.join(tmp, 'index')
      await ingest({ inputs: [first], index, workers: 1 })
      const s = await ingest({ inputs: [second], index, workers: 1 })
      assert.equal(s.stats.captures, 2)
      const { records, captures } = await docsTree(index)
      assert.deepEqual(captures.map(c => c.type).sort(), ['response', 'revisit'])
      for (const c of captures) assert.ok(records.has(c.doc))
    })
  })

  it('counts as new the documents and captures the index did not hold before: none when a crawl is ingested again', async () => {
    await withTmp(async tmp => {
      const crawl = path.join(tmp, 'twice.warc.gz')
      const w = WarcWriter.toFile(crawl, { seed: 'twice' })
      const body = '<html><body><p>one page, served twice</p></body></html>'
      // One document (same URL and payload), analysed twice: its two responses differ in their headers.
      w.response({ url: 'http://a.example/', date: '2020-01-01T00:00:00Z', status: 200, headers: HTML, body })
      w.response({ url: 'http://a.example/', date: '2020-01-02T00:00:00Z', status: 200, headers: [['Content-Type', 'text/html']], body })
      w.response({ url: 'http://b.example/', date: '2020-01-01T00:00:00Z', status: 200, headers: HTML, body: '<html><body><p>another page</p></body></html>' })
      w.close()
      const index = path.join(tmp, 'index')
      const first = await ingest({ inputs: [crawl], index, workers: 2 })
      assert.deepEqual([first.documents, first.captures], [first.stats.documents, first.stats.captures])
      assert.deepEqual([first.documents, first.captures], [2, 3])
      const again = await ingest({ inputs: [crawl], index, workers: 2 })
      assert.equal(again.root, first.root)
      assert.deepEqual([again.documents, again.captures], [0, 0])
      assert.match(await formatSummary(again), /documents indexed: 0 new .*captures recorded: 0 new/)
      assert.match(await formatSummary(again), /index: 2 documents, 3 captures/)
    })
  })
})
