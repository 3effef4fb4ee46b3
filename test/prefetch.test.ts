// Reads over the network ask for what they will read next side by side: a search of an index reached only
// through a fetcher gives the same hits and fetches exactly the same blocks with prefetching as without it,
// and does have several fetches in flight at once.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { CID } from 'multiformats/cid'
import { NodeStore } from '../index-core/prolly/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import { MemoryBlocks, openIndexDir } from '../index-core/store/index.ts'
import type { BlockAccess, IndexDir } from '../index-core/store/index.ts'
import { FetchingBlocks } from '../federation/blocks/index.ts'
import { ingest } from '../ingest/index.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))
let tmp: string
let dir: IndexDir
let head: CID

/** A store over the index reached only through a fetcher that answers after a tick, counting what is in flight. */
function remote(): { store: FetchingBlocks; fetched: Set<string>; maxInFlight: () => number } {
  const fetched = new Set<string>()
  let inFlight = 0
  let max = 0
  const store = new FetchingBlocks(new MemoryBlocks(), async cid => {
    inFlight++
    max = Math.max(max, inFlight)
    await new Promise(resolve => setTimeout(resolve, 1))
    inFlight--
    fetched.add(cid.toString())
    return await dir.blocks.store.get(cid)
  })
  return { store, fetched, maxInFlight: () => max }
}

/** The same store without prefetch, as a local store is. */
function withoutPrefetch(s: FetchingBlocks): BlockAccess {
  return {
    get: async c => await s.get(c),
    put: async (c, b) => {
      await s.put(c, b)
    },
    has: async c => await s.has(c)
  }
}

describe('prefetch over a fetching store', { timeout: 120_000 }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-prefetch-'))
    await ingest({ inputs: [SAMPLE], index: tmp, workers: 2 })
    dir = await openIndexDir(tmp, { write: false })
    head = (await dir.head())!
  })
  after(async () => {
    await dir.close()
    await rm(tmp, { recursive: true, force: true })
  })

  for (const q of ['library', 'museum archive', 'site:www.meridian-library.org collection']) {
    for (const facets of [false, true]) {
      it(`"${q}"${facets ? ' with facets' : ''}: the same hits and blocks, several fetched at once`, async () => {
        const a = remote()
        const b = remote()
        const ra = await search(await IndexReader.open(new NodeStore(a.store), head), { q, pageSize: 10, facets })
        // Let prefetches still under way finish, so both sets are complete.
        await new Promise(resolve => setTimeout(resolve, 50))
        const rb = await search(await IndexReader.open(new NodeStore(withoutPrefetch(b.store)), head), { q, pageSize: 10, facets })
        assert.deepEqual(
          ra.hits.map(h => [h.id, h.score]),
          rb.hits.map(h => [h.id, h.score])
        )
        assert.ok(ra.hits.length > 0)
        assert.deepEqual([...a.fetched].sort(), [...b.fetched].sort(), 'prefetching fetches nothing a search does not read')
        assert.ok(a.maxInFlight() > 1, 'fetches overlap')
      })
    }
  }
})
