// The API's answers to overload, over HTTP from a real server: a client over its rate answers 429 with when to
// retry, and a search that outlives the query timeout answers 503 with a JSON error, never a hang.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ingest } from '../ingest/index.ts'
import { withTmp } from './helpers.ts'
import { serveIndex } from './serve-index.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))
let index: string
let release: () => void

interface ErrorBody {
  error: string
  message: string
  position: number | null
}

describe('server limits', { timeout: 120_000 }, () => {
  before(async () => {
    await new Promise<void>(resolve => {
      void withTmp(async tmp => {
        await ingest({ inputs: [SAMPLE], index: tmp, workers: 2 })
        index = tmp
        resolve()
        await new Promise<void>(r => {
          release = r
        })
      })
    })
  })
  after(() => {
    release()
  })

  it('answers 429 with Retry-After once a client exceeds the rate limit', async () => {
    const served = await serveIndex('sample', index, { rateLimit: 2 })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 2; i++) statuses.push((await fetch(`${served.base}/api/v1/search?q=library`)).status)
      assert.deepEqual(statuses, [200, 200])
      const r = await fetch(`${served.base}/api/v1/search?q=library`)
      assert.equal(r.status, 429)
      assert.ok(Number(r.headers.get('retry-after')) > 0, `retry-after: ${r.headers.get('retry-after')}`)
      assert.equal(r.headers.get('x-ratelimit-remaining'), '0')
      assert.match(r.headers.get('content-type') ?? '', /application\/json/)
      const body = (await r.json()) as ErrorBody
      assert.match(body.message, /rate limit/i)
      assert.equal(body.error, 'rate-limited')
    } finally {
      await served.close()
    }
  })

  it('answers 503 with a JSON error when a search outlives the query timeout', async () => {
    // A timeout of 1 ms: a search over the sample crawl reads postings, records and doc values from disk, and
    // cannot finish before the timer fires (a slower machine only makes that surer).
    const served = await serveIndex('sample', index, { rateLimit: 0, queryTimeoutMs: 1 })
    try {
      const r = await fetch(`${served.base}/api/v1/search?q=library+archive+museum`)
      assert.equal(r.status, 503)
      const body = (await r.json()) as ErrorBody
      assert.equal(body.error, 'timeout')
      assert.doesNotMatch(body.message, /at .*\.ts/, 'no stack trace in the answer')
      assert.equal((await fetch(`${served.base}/api/v1/health`)).status, 200, 'the server goes on answering')
    } finally {
      await served.close()
    }
  })
})
