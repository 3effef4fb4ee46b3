// Replay's URL lookups over real HTTP (fastify on loopback), before and after the index's CDX table is made.
// While the table is made (a crawl file listed for the first time; here held back until the test lets it go),
// a lookup answers at once from the index's own captures: the page opens by range, its images and styles come
// once the table is there. Then every record is answered, each naming its record's byte range.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import { CrawlFolders, RecordLists } from '../federation/records/index.ts'
import type { CrawlCopies } from '../federation/records/index.ts'
import { ingest } from '../ingest/index.ts'
import { IndexRegistry } from '../search-api/index.ts'
import { CdxTables } from '../search-api/cdx-tables.ts'
import { replayRoutes } from '../search-api/replay/routes.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))
const PAGE = 'https://www.hollowbrook.ac.uk/'
const IMAGE = 'https://www.hollowbrook.ac.uk/assets/logo.png'

interface Entry {
  url: string
  ts: number
  mime?: string
  source: { path: string; start: number; length: number }
}

describe("replay's lookups while the CDX table is made, and after", { timeout: 120_000 }, () => {
  let tmp: string
  let app: FastifyInstance
  let registry: IndexRegistry
  let base: string
  let release: () => void = () => {}
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-replay-lookup-'))
    await ingest({ inputs: [SAMPLE], index: tmp, workers: 1, institution: 'Meridian' })
    const copies = await CrawlFolders.open([SAMPLE])
    // The table's copy of the crawl waits for the test; the range route's does not.
    const held = new Promise<void>(resolve => {
      release = resolve
    })
    const gated: CrawlCopies = {
      source: async (file, known) => {
        await held
        return await copies.source(file, known)
      }
    }
    registry = await IndexRegistry.open([{ name: 'm', kind: 'local', path: tmp }])
    app = Fastify()
    await app.register(replayRoutes, { registry, tables: new CdxTables(gated, new RecordLists()), copies })
    base = await app.listen({ host: '127.0.0.1', port: 0 })
  })
  after(async () => {
    release()
    await app?.close()
    await registry?.close()
    await rm(tmp, { recursive: true, force: true })
  })

  const lookup = async (lookupPath: string, url: string): Promise<{ partial: boolean; cache: string | null; entries: Entry[] }> => {
    const res = await fetch(`${base}${lookupPath}?${new URLSearchParams({ url }).toString()}`)
    assert.equal(res.status, 200)
    const entries = (await res.text())
      .split('\n')
      .filter(l => l !== '')
      .map(l => JSON.parse(l) as Entry)
    return { partial: res.headers.get('x-canopy-partial') === 'true', cache: res.headers.get('cache-control'), entries }
  }

  it("answers a page's captures from the index at once, its resources once the table is made", async () => {
    const c = (await (await fetch(`${base}/api/v1/replay/collection`)).json()) as { building: boolean; lookup: string; records: number | null }
    assert.equal(c.building, true, 'the table is still being made')
    assert.equal(c.records, null)

    const early = await lookup(c.lookup, PAGE)
    assert.equal(early.partial, true)
    assert.equal(early.cache, 'no-store', 'a stopgap answer is not cached')
    assert.ok(early.entries.length >= 1, "the page's captures, from the index")
    // The range named is the page's record: its bytes in the crawl file are a WARC record of that URL.
    const crawl = await readFile(SAMPLE)
    const e = early.entries[0]
    const res = await fetch(`${base}${e.source.path}`, { headers: { range: `bytes=${e.source.start}-${e.source.start + e.source.length - 1}` } })
    assert.equal(res.status, 206)
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), crawl.subarray(e.source.start, e.source.start + e.source.length))
    assert.deepEqual((await lookup(c.lookup, IMAGE)).entries, [], 'an image is not a document: not in the index')

    release()
    const done = (await (await fetch(`${base}/api/v1/replay/collection?wait=true`)).json()) as { building: boolean; records: number }
    assert.equal(done.building, false)
    assert.ok(done.records > 100)
    const late = await lookup(c.lookup, PAGE)
    assert.equal(late.partial, false)
    assert.match(late.cache ?? '', /immutable/)
    // The same records, now with what the table knows of them (the MIME type).
    assert.deepEqual(
      late.entries.map(x => [x.url, x.ts, x.source]),
      early.entries.map(x => [x.url, x.ts, x.source])
    )
    assert.ok(late.entries.every(x => x.mime === 'text/html'))
    const image = await lookup(c.lookup, IMAGE)
    assert.equal(image.entries.length, 1)
    assert.equal(image.entries[0].mime, 'image/png')
  })
})
