// How the server behaves towards clients and operators: unknown parameters are refused, the page's CSP works
// over plain HTTP, liveness is never rate limited, and the log stays bounded under a flood of huge requests.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ingest } from '../ingest/index.ts'
import { serveIndex } from './serve-index.ts'
import type { Served } from './serve-index.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))
let tmp: string
let served: Served
const log: string[] = []

describe('server manners', { timeout: 120_000 }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-manners-'))
    await ingest({ inputs: [SAMPLE], index: tmp, workers: 2 })
    served = await serveIndex('sample', tmp, {
      rateLimit: 5,
      logger: {
        stream: {
          write: (line: string) => {
            log.push(line)
          }
        }
      }
    })
  })
  after(async () => {
    await served.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it('answers 400 for a parameter it does not know, instead of ignoring it', async () => {
    const r = await fetch(`${served.base}/api/v1/search?q=library&pageSize=100`)
    assert.equal(r.status, 400)
    assert.match(((await r.json()) as { message: string }).message, /additional/)
    const ok = await fetch(`${served.base}/api/v1/search?q=library&size=3`)
    assert.equal(ok.status, 200)
    assert.equal(((await ok.json()) as { hits: unknown[] }).hits.length, 3)
  })

  it('sends a CSP without upgrade-insecure-requests, so the page loads over plain HTTP on any host', async () => {
    const csp = (await fetch(`${served.base}/`)).headers.get('content-security-policy') ?? ''
    assert.match(csp, /default-src 'self'/)
    assert.doesNotMatch(csp, /upgrade-insecure-requests/)
  })

  it('keeps liveness out of the rate limit, and logs a flood of huge rejected requests in a few bounded lines', async () => {
    const before = log.length
    const huge = 'x'.repeat(15_000)
    const statuses: number[] = []
    for (let i = 0; i < 40; i++) statuses.push((await fetch(`${served.base}/api/v1/search?q=${huge}${i}`)).status)
    assert.ok(statuses.filter(s => s === 429).length >= 30, `most are rate limited: ${statuses.join(',')}`)
    assert.equal((await fetch(`${served.base}/api/v1/health`)).status, 200, 'health answers while clients are limited')
    const lines = log.slice(before)
    assert.ok(lines.length <= 12, `${lines.length} log lines for 40 requests`)
    for (const l of lines) assert.ok(l.length < 1024, `a log line of ${l.length} bytes`)
  })
})
