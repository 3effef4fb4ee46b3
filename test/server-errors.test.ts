// An internal error answers 500 without details, and is logged (fastify's pino logger) to stderr even when the
// server was started without a logger, leaving stdout as it was. A real server in a child process, over an
// index whose pack files were emptied while it served.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { ingest } from '../ingest/index.ts'
import { withTmp } from './helpers.ts'

const run = promisify(execFile)
const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))
const FIXTURE = fileURLToPath(new URL('./fixtures/broken-index-server.ts', import.meta.url))

it('logs a 500 to stderr through pino, with no logger configured, and answers without details', { timeout: 120_000 }, async () => {
  await withTmp(async index => {
    await ingest({ inputs: [SAMPLE], index, workers: 2 })
    const { stdout, stderr } = await run(process.execPath, [FIXTURE, index])
    assert.equal(stdout, '500 {"error":"internal","message":"Internal error","position":null}\n')
    const lines = stderr
      .split('\n')
      .filter(l => l.startsWith('{'))
      .map(l => JSON.parse(l) as { level: number; err?: { message: string }; msg?: string })
    const errors = lines.filter(l => l.level === 50)
    assert.equal(errors.length, 1, `one error logged: ${stderr}`)
    assert.ok(errors[0].err !== undefined && errors[0].err.message.length > 0, `the error and its message are logged: ${stderr}`)
    assert.ok(
      lines.every(l => l.level >= 50),
      'only errors are logged by default, no request lines'
    )
  })
})
