// Postings segments stay a function of the documents (format 10, docs/updates.md): every document's postings
// lie in the segment of its first capture's month, the cut is that of the latest such month, and no segment is
// empty, whatever moved the first captures: a crawl ingested late (a backfill), a partner's earlier capture of
// the same page, a withdrawal of the earliest capture, or of every document of the latest months.
import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, it } from 'node:test'
import type { CID } from 'multiformats/cid'
import {
  addWithdrawals,
  decodeDocValues,
  DOC_ID_BYTES,
  findWithdrawals,
  mergeIndexes,
  monthOf,
  openIndex,
  saveIndexRoot,
  surt,
  tierBlocks
} from '../index-core/index/index.ts'
import type { IndexRoot } from '../index-core/index/index.ts'
import { NodeStore, entries, info } from '../index-core/prolly/index.ts'
import { MemoryBlocks, UnionBlocks, openIndexDir } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'
import { WarcWriter } from '../tools/warc-writer.ts'
import { withTmp } from './helpers.ts'

const SHARED_PAGE = 'https://shared.example/both.html'
const HTML = (title: string, words: string): string => `<!doctype html><html lang="en"><head><title>${title}</title></head><body><p>${words}</p></body></html>`

/** A crawl at `date` of pages `pages` (URLs and bodies fixed per page number) and of the page both crawls hold. */
function writeCrawl(file: string, date: string, pages: readonly number[]): void {
  const w = WarcWriter.toFile(file, { seed: file })
  for (const p of pages) {
    w.response({
      url: `https://site${p % 3}.example/page-${p}.html`,
      date,
      status: 200,
      headers: [['Content-Type', 'text/html; charset=utf-8']],
      body: HTML(`Page ${p}`, `archival record number ${p} about preservation topic${p} and shared words`)
    })
  }
  w.response({
    url: SHARED_PAGE,
    date,
    status: 200,
    headers: [['Content-Type', 'text/html; charset=utf-8']],
    body: HTML('Both crawls', 'a page with the same bytes in both crawls, about preservation')
  })
  w.close()
}

/** Checks the placement rule on every posting; returns the number of segments. */
async function checkPlacement(store: NodeStore, root: IndexRoot): Promise<number> {
  const month = new Map<string, number>()
  let latest = 0
  for await (const e of entries(store, root.docvalues)) {
    const m = monthOf(decodeDocValues(e.value).first)
    month.set(Buffer.from(e.key).toString('hex'), m)
    latest = Math.max(latest, m)
  }
  assert.equal(root.latest, latest, 'latest is the latest first-capture month')
  const blocks = tierBlocks(latest).map(b => `${b[0]}-${b[1]}`)
  for (const seg of root.segments) {
    assert.ok(blocks.includes(`${seg.from}-${seg.to}`), `segment ${seg.from}-${seg.to} is a block of month ${latest}`)
    let n = 0
    for (const shard of seg.shards) {
      n += (await info(store, shard)).count
      for await (const e of entries(store, shard)) {
        const id = Buffer.from(e.key.subarray(e.key.length - DOC_ID_BYTES)).toString('hex')
        const m = month.get(id)
        assert.ok(m !== undefined, `a posting of document ${id}, which the index does not hold`)
        assert.ok(seg.from <= m && m < seg.to, `document ${id} (month ${m}) has a posting in segment ${seg.from}-${seg.to}`)
      }
    }
    assert.ok(n > 0, `segment ${seg.from}-${seg.to} is empty`)
  }
  return root.segments.length
}

async function headOf(dir: string): Promise<CID> {
  const d = await openIndexDir(dir, { write: false })
  try {
    return (await d.head())!
  } finally {
    await d.close()
  }
}

describe('postings placement by first capture', { timeout: 300_000 }, () => {
  it('a crawl ingested late, a partner, and withdrawals leave every posting in its document’s segment', async () => {
    await withTmp(async tmp => {
      const early = path.join(tmp, 'early.warc.gz')
      const late = path.join(tmp, 'late.warc.gz')
      writeCrawl(early, '2019-01-15T10:00:00Z', [0, 1, 2, 3])
      writeCrawl(late, '2024-06-15T10:00:00Z', [4, 5, 6, 7])
      const inst = 'Placement Library'

      // One ingest of both; the late crawl first and the early one added (a backfill); the other order.
      const both = path.join(tmp, 'both')
      const backfill = path.join(tmp, 'backfill')
      const forward = path.join(tmp, 'forward')
      await ingest({ inputs: [early, late], index: both, workers: 1, institution: inst })
      await ingest({ inputs: [late], index: backfill, workers: 1, institution: inst })
      const lateOnly = await headOf(backfill)
      await ingest({ inputs: [early], index: backfill, workers: 1, institution: inst })
      await ingest({ inputs: [early], index: forward, workers: 1, institution: inst })
      await ingest({ inputs: [late], index: forward, workers: 1, institution: inst })
      const roots = await Promise.all([both, backfill, forward].map(headOf))
      assert.equal(roots[1].toString(), roots[0].toString(), 'a backfill gives the root of one ingest')
      assert.equal(roots[2].toString(), roots[0].toString(), 'ingests in date order give the root of one ingest')

      // Two institutions, each holding the shared page: it belongs to the early one's month.
      const x = path.join(tmp, 'x')
      const y = path.join(tmp, 'y')
      await ingest({ inputs: [early], index: x, workers: 1, institution: 'X' })
      await ingest({ inputs: [late], index: y, workers: 1, institution: 'Y' })
      const dx = await openIndexDir(x, { write: false })
      const dy = await openIndexDir(y, { write: false })
      const db = await openIndexDir(backfill, { write: false })
      try {
        const store = new NodeStore(new UnionBlocks([new MemoryBlocks(), dx.blocks.store, dy.blocks.store, db.blocks.store]))
        const [hx, hy] = [(await dx.head())!, (await dy.head())!]
        assert.equal(await checkPlacement(store, await openIndex(store, lateOnly)), 1, 'one month, one segment')
        assert.ok((await checkPlacement(store, await openIndex(store, roots[0]))) >= 2, 'two months far apart, two segments')

        const xy = await mergeIndexes(store, hx, hy)
        assert.equal((await mergeIndexes(store, hy, hx)).toString(), xy.toString(), 'merge order')
        const rxy = await openIndex(store, xy)
        await checkPlacement(store, rxy)

        // X withdraws the shared page: its first capture becomes Y's, five years later, and its postings move.
        const wx = await findWithdrawals(store, rxy, 'X', { surts: [surt(SHARED_PAGE)!] })
        assert.equal(wx.length, 1)
        const movedCid = await saveIndexRoot(store.blocks, await addWithdrawals(store, rxy, wx))
        await checkPlacement(store, await openIndex(store, movedCid))
        // The same withdrawal made in X's own index before the merge gives the same root.
        const rx = await openIndex(store, hx)
        const xw = await saveIndexRoot(store.blocks, await addWithdrawals(store, rx, await findWithdrawals(store, rx, 'X', { surts: [surt(SHARED_PAGE)!] })))
        assert.equal((await mergeIndexes(store, xw, hy)).toString(), movedCid.toString(), 'withdrawn before or after the merge')

        // Y withdraws every page it holds: the latest month falls back to X's, and the cut with it.
        const ry = await openIndex(store, hy)
        const all = [4, 5, 6, 7].map(p => surt(`https://site${p % 3}.example/page-${p}.html`)!)
        const wy = await findWithdrawals(store, rxy, 'Y', { surts: [...all, surt(SHARED_PAGE)!] })
        assert.equal(wy.length, 5)
        const fell = await addWithdrawals(store, rxy, wy)
        assert.equal(fell.latest, rx.latest, 'the latest month is X’s again')
        await checkPlacement(store, fell)
        const yw = await saveIndexRoot(
          store.blocks,
          await addWithdrawals(store, ry, await findWithdrawals(store, ry, 'Y', { surts: [...all, surt(SHARED_PAGE)!] }))
        )
        assert.equal(
          (await mergeIndexes(store, hx, yw)).toString(),
          (await saveIndexRoot(store.blocks, fell)).toString(),
          'withdrawn before or after the merge'
        )
      } finally {
        await Promise.all([dx.close(), dy.close(), db.close()])
      }
    })
  })
})
