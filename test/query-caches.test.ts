// The query caches: bounded by bytes, shared by readers, and invisible in results: searches give the same
// answers with caches so small that every query overflows them, under concurrency, and with two readers
// sharing one set of caches. Concurrent readers of one node or posting list share a single read.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { NodeCache, NodeStore, buildTree, get, makeConfig } from '../index-core/prolly/index.ts'
import { CountingBlocks, MemoryBlocks, openIndexDir } from '../index-core/store/index.ts'
import { IndexReader, ReaderCaches, defaultCacheBytes, splitBudget, search } from '../index-core/query/index.ts'
import type { SearchRequest, SearchResult } from '../index-core/query/index.ts'
import type { IndexDir } from '../index-core/store/index.ts'
import { utf8 } from '../index-core/bytes.ts'
import { ingest } from '../ingest/index.ts'

/** Small leaves, so a tree of a few thousand entries has several levels. */
const SMALL = makeConfig({ leafFanout: 8, branchFanout: 8, minBytes: 0 })

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))

const REQUESTS: SearchRequest[] = [
  { q: 'archive' },
  { q: 'web archive', sort: 'date-desc' },
  { q: '"web archive"' },
  { q: 'arch*' },
  { q: 'the OR data', group: false, pageSize: 5 },
  { q: 'archive -web' },
  { q: 'NOT archive' },
  { q: 'data date:2000..2030' },
  { q: 'archive', filters: { lang: 'en' } },
  { q: 'title:archive OR url:org' }
]

/** A result without its timing and I/O counts (which depend on what was cached). */
function answer(r: SearchResult): unknown {
  return { ...r, tookMs: 0, io: null }
}

let tmp: string
let dir: IndexDir

async function reader(caches?: ReaderCaches, nodeBytes?: number): Promise<IndexReader> {
  const store = new NodeStore(dir.blocks.store, caches === undefined ? { cacheBytes: nodeBytes } : { cache: caches.nodes })
  return await IndexReader.open(store, (await dir.head())!, caches)
}

describe('query caches', { timeout: 300_000 }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-caches-'))
    await ingest({ inputs: [SAMPLE], index: tmp, workers: 2 })
    dir = await openIndexDir(tmp, { write: false })
  })
  after(async () => {
    await dir.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it('answers the same with caches far too small for one query, sequentially and concurrently', async () => {
    const roomy = await reader()
    const want = []
    for (const req of REQUESTS) want.push(answer(await search(roomy, req)))
    const tiny = new ReaderCaches({ nodes: 4096, postings: 4096, docValues: 2048, text: 1024 })
    const r = await reader(tiny)
    for (let i = 0; i < REQUESTS.length; i++) assert.deepEqual(answer(await search(r, REQUESTS[i])), want[i], JSON.stringify(REQUESTS[i]))
    assert.ok(tiny.stats.docValues.resets > 0, 'the doc-value budget was overrun, so views were retired')
    assert.ok(tiny.stats.nodes.bytes <= 4096 && tiny.stats.postings.bytes <= 4096)
    // Interleaved: views are retired while other queries are in flight on them.
    const got = await Promise.all([...REQUESTS, ...REQUESTS].map(async req => answer(await search(r, req))))
    assert.deepEqual(got, [...want, ...want])
  })

  it('two readers of one index share one set of caches, bounded by their budget', async () => {
    const caches = new ReaderCaches(splitBudget(8 * 1024 * 1024))
    const a = await reader(caches)
    const b = await reader(caches)
    const ra = await search(a, { q: 'web archive' })
    const hitsBefore = caches.stats.postings.hits
    const rb = await search(b, { q: 'web archive' })
    assert.deepEqual(answer(rb), answer(ra))
    assert.ok(caches.stats.postings.hits > hitsBefore)
    assert.equal(rb.io.blocksRead, 0, 'the second reader found every node in the shared cache')
    const s = caches.stats
    assert.ok(s.nodes.bytes > 0 && s.nodes.bytes <= s.nodes.maxBytes)
    assert.ok(s.postings.bytes > 0 && s.postings.bytes <= s.postings.maxBytes)
  })

  it('concurrent queries read each posting list once', async () => {
    const one = new ReaderCaches()
    await search(await reader(one), { q: 'web archive' })
    const many = new ReaderCaches()
    const r = await reader(many)
    await Promise.all(Array.from({ length: 8 }, async () => await search(r, { q: 'web archive' })))
    assert.ok(one.stats.postings.misses >= 2)
    assert.equal(many.stats.postings.misses, one.stats.postings.misses, 'eight concurrent queries read what one reads')
  })

  it('sizes the budget from the machine, shared by the processes', () => {
    const GiB = 2 ** 30
    assert.equal(defaultCacheBytes(2, 24 * GiB), Math.round((24 * GiB) / 20))
    assert.equal(defaultCacheBytes(1, 64 * GiB), 2 * GiB)
    assert.equal(defaultCacheBytes(64, 1 * GiB), 64 * 2 ** 20)
  })
})

describe('node cache', () => {
  it('concurrent loads of one node read its block once', async () => {
    const mem = new MemoryBlocks()
    const root = await buildTree(
      new NodeStore(mem),
      Array.from({ length: 500 }, (_, i) => ({ key: utf8(`k${String(i).padStart(4, '0')}`), value: utf8(String(i)) })),
      SMALL
    )
    const counting = new CountingBlocks(mem)
    const store = new NodeStore(counting)
    await Promise.all(Array.from({ length: 10 }, async () => await get(store, root, utf8('k0042'))))
    const again = new CountingBlocks(mem)
    await get(new NodeStore(again), root, utf8('k0042'))
    assert.ok(again.blocksRead > 2)
    assert.equal(counting.blocksRead, again.blocksRead, 'ten concurrent lookups read what one lookup reads')
  })

  it('is bounded by decoded size, and a store sharing a cache still writes its blocks', async () => {
    const mem = new MemoryBlocks()
    const entries = Array.from({ length: 2000 }, (_, i) => ({ key: utf8(`key-${String(i).padStart(5, '0')}`), value: utf8(`value ${i}`) }))
    const root = await buildTree(new NodeStore(mem), entries, SMALL)
    const cache = new NodeCache(64 * 1024)
    const store = new NodeStore(mem, { cache })
    for (let i = 0; i < 2000; i += 7) await get(store, root, entries[i].key)
    assert.ok(cache.stats.bytes <= 64 * 1024)
    // Another store on the same cache, over an empty block store: a node cached from `mem` is not here.
    const empty = new MemoryBlocks()
    const other = new NodeStore(empty, { cache })
    const node = await store.load(root, null, undefined, true)
    const { cid, bytes } = other.encode(node)
    await other.put(cid, bytes)
    assert.ok(await empty.has(cid), 'put wrote the block although the shared cache held its node')
  })
})
