// Date ordering over the tiny crawl of test/vectors (three pages, one of them captured again a year later):
// date-asc orders by a page's first capture, date-desc by its last, so the page captured twice comes first
// both ways.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { NodeStore } from '../index-core/prolly/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import { openIndexDir } from '../index-core/store/index.ts'
import type { IndexDir } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'
import { withTmp } from './helpers.ts'
import { ensureTinyWarc } from './vectors/tiny-warc.ts'

let dir: IndexDir
let reader: IndexReader
let release: () => void

const HOME = 'https://tiny.example/'
const FRENCH = 'https://tiny.example/fr/archives.html'
const NOTES = 'https://tiny.example/notes.txt'

describe('date ordering', { timeout: 120_000 }, () => {
  before(async () => {
    await new Promise<void>(resolve => {
      void withTmp(async tmp => {
        await ingest({ inputs: [ensureTinyWarc()], index: tmp, workers: 1 })
        dir = await openIndexDir(tmp, { write: false })
        reader = await IndexReader.open(new NodeStore(dir.blocks.store), (await dir.head())!)
        resolve()
        await new Promise<void>(r => {
          release = r
        })
        await dir.close()
      })
    })
  })
  after(() => {
    release()
  })

  it('date-asc lists pages by their first capture, oldest first', async () => {
    const r = await search(reader, { q: 'tiny', sort: 'date-asc', pageSize: 10 })
    // First captures: home 10:00:01, French page 10:00:02, notes 10:00:03 (all 2024-05-01).
    assert.deepEqual(
      r.hits.map(h => h.url),
      [HOME, FRENCH, NOTES]
    )
    const first = r.hits.map(h => h.captureDates[0])
    assert.deepEqual(first, [...first].sort())
  })

  it('date-desc lists pages by their last capture, newest first', async () => {
    const r = await search(reader, { q: 'tiny', sort: 'date-desc', pageSize: 10 })
    // Last captures: home 2025-05-01 (a revisit), notes 10:00:03, French page 10:00:02.
    assert.deepEqual(
      r.hits.map(h => h.url),
      [HOME, NOTES, FRENCH]
    )
  })

  it('pages through date-asc with the cursor it returns, in the same order', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const r: Awaited<ReturnType<typeof search>> = await search(reader, { q: 'tiny', sort: 'date-asc', pageSize: 1, ...(cursor === null ? {} : { cursor }) })
      seen.push(...r.hits.map(h => h.url))
      cursor = r.nextCursor
    } while (cursor !== null && seen.length < 10)
    assert.deepEqual(seen, [HOME, FRENCH, NOTES])
  })
})
