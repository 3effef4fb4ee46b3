// Twenty updates in a row (issue 18): the index of the first 80 parts of the generated crawl gets each of the
// last 20 parts (about 1% more documents each, in capture-date order, so each is the next months' crawl) by
// `canopy ingest`, one after another. Per update: what a mirror of the index before it fetches to follow
// (blocks of the new DAG the old one lacks), the postings among them, and the segments. After 0, 5 and 20
// updates: whether the root is that of one ingest of the same parts (the fresh build), and the query mix read
// cold (blocks and bytes) and warm (time) from the updated index, against the same documents with their
// postings as one segment (format 9's layout), in the same run.
import { cp, rm } from 'node:fs/promises'
import path from 'node:path'
import type { CID } from 'multiformats/cid'
import { decodeDoc, docStats, entriesOfKind, KIND_RECORD, openIndex, wholePostings } from '../index-core/index/index.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import { CountingBlocks, MemoryBlocks, UnionBlocks, openIndexDir } from '../index-core/store/index.ts'
import type { BlockAccess } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'
import { BENCH_DIR, INDEX_SHAPE } from './ingest.ts'
import { mix } from './query.ts'
import { pct, kb, median } from './report.ts'
import type { Row } from './report.ts'
import { mirrorFetch } from '../tools/dag-blocks.ts'

const UPDATES = 20
const POINTS = new Set([0, 5, 20])
const REPS = 5

const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`

interface QueryCost {
  coldBlocks: number
  coldBytes: number
  warmMs: number
}

/** The query mix on the index at `head`, its postings as stored or as one segment (`segments`). */
async function queryCost(blocks: BlockAccess, head: CID, segments?: ReadonlyArray<readonly CID[]>): Promise<QueryCost> {
  const store = new NodeStore(blocks)
  const root = await openIndex(store, head)
  let host = ''
  for await (const e of entriesOfKind(store, root.docs, KIND_RECORD)) {
    host = new URL(decodeDoc(e.value).url).host
    break
  }
  const opts = segments === undefined ? {} : { segments }
  const cost: QueryCost = { coldBlocks: 0, coldBytes: 0, warmMs: 0 }
  const warm = await IndexReader.open(new NodeStore(blocks, { cacheBytes: 256 * 1024 * 1024 }), head, undefined, opts)
  for (const q of mix(host)) {
    const req = { q: q.canopy, pageSize: 10, facets: false }
    const counting = new CountingBlocks(blocks)
    await search(await IndexReader.open(new NodeStore(counting), head, undefined, opts), req)
    cost.coldBlocks += counting.blocksRead
    cost.coldBytes += counting.bytesRead
    await search(warm, req)
    const ms: number[] = []
    for (let i = 0; i < REPS; i++) {
      const t = performance.now()
      await search(warm, req)
      ms.push(performance.now() - t)
    }
    cost.warmMs += median(ms)
  }
  return cost
}

export async function updateSequence(
  parts: readonly string[],
  N: number,
  ingestParts: (name: string, files: string[]) => Promise<string>
): Promise<{ updates: Row[]; queries: Row[] }> {
  const start = parts.length - UPDATES
  const dir = path.join(BENCH_DIR, `upd-seq-${N}-${INDEX_SHAPE}`)
  await rm(dir, { recursive: true, force: true })
  await cp(await ingestParts(`0-${start}-${N}`, parts.slice(0, start)), dir, { recursive: true })
  const updates: Row[] = []
  const queries: Row[] = []
  let prev: CID | null = null
  for (let k = 0; k <= UPDATES; k++) {
    if (k > 0) {
      console.error(`update ${k} of ${UPDATES}`)
      await ingest({ inputs: [parts[start + k - 1]], index: dir, workers: 2, institution: 'bench' })
    }
    const d = await openIndexDir(dir, { write: false })
    try {
      const head = (await d.head())!
      const store = new NodeStore(d.blocks.store)
      const root = await openIndex(store, head)
      const docs = (await docStats(store, root)).documents
      if (prev !== null) {
        const before = await openIndex(store, prev)
        const f = await mirrorFetch(d.blocks.store, prev, head)
        const beforeDocs = (await docStats(store, before)).documents
        updates.push({
          update: k,
          'documents added': `${docs - beforeDocs} (${pct(docs - beforeDocs, beforeDocs)})`,
          'latest month': root.latest,
          segments: `${before.segments.length} → ${root.segments.length}`,
          'mirror: kB fetched (blocks)': `${kb(f.bytes)} (${f.blocks})`,
          'fetched / index': pct(f.bytes, f.indexBytes),
          'postings fetched / postings': pct(f.postingsFetched, f.postingsBytes)
        })
      }
      prev = head
      if (!POINTS.has(k)) continue
      const freshDir = await ingestParts(`0-${start + k}-${N}`, parts.slice(0, start + k))
      const fd = await openIndexDir(freshDir, { write: false })
      const freshHead = (await fd.head())!
      await fd.close()
      console.error(`queries after ${k} updates`)
      const updated = await queryCost(d.blocks.store, head)
      const mem = new UnionBlocks([new MemoryBlocks(), d.blocks.store])
      const one = await queryCost(mem, head, [await wholePostings(new NodeStore(mem), root)])
      queries.push({
        updates: k,
        documents: docs,
        segments: root.segments.length,
        'root = one ingest of the same parts': freshHead.equals(head) ? 'yes' : 'NO',
        'cold: blocks, kB (segments)': `${updated.coldBlocks}, ${kb(updated.coldBytes)}`,
        'cold: blocks, kB (one segment)': `${one.coldBlocks}, ${kb(one.coldBytes)}`,
        'cold bytes: segments / one': ratio(updated.coldBytes, one.coldBytes),
        'warm ms (segments)': updated.warmMs.toFixed(1),
        'warm ms (one segment)': one.warmMs.toFixed(1),
        'warm: segments / one': ratio(updated.warmMs, one.warmMs)
      })
    } finally {
      await d.close()
    }
  }
  await rm(dir, { recursive: true, force: true })
  return { updates, queries }
}
