// `canopy serve` with several processes: it answers searches, and SIGTERM stops every process even while a
// client holds a keep-alive connection open (worker.kill() used to wait for that client to hang up).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ingest } from '../ingest/index.ts'

const bin = fileURLToPath(new URL('../bin/canopy.mjs', import.meta.url))
const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))

/** GET over a keep-alive agent, so the connection stays open after the answer. */
async function get(agent: http.Agent, url: string): Promise<{ status: number; body: string }> {
  return await new Promise((resolve, reject) => {
    http
      .get(url, { agent }, res => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => {
          body += c
        })
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body })
        })
      })
      .on('error', reject)
  })
}

it('canopy serve --workers 2 answers, and stops on SIGTERM with a keep-alive connection open', { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'canopy-serve-'))
  const agent = new http.Agent({ keepAlive: true })
  await ingest({ inputs: [SAMPLE], index: dir, workers: 2 })
  const child = spawn(process.execPath, [bin, 'serve', '--index', dir, '--port', '0', '--workers', '2', '--log-json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stopped = false
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', code => {
      stopped = true
      resolve(code)
    })
  )
  let out = ''
  let err = ''
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString()
  })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString()
        const m = /Canopy API at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)
        if (m !== null) resolve(m[1])
      })
      void exited.then(code => {
        reject(new Error(`exited ${String(code)}: ${out}`))
      })
    })
    const r = await get(agent, url + '/api/v1/search?q=library&size=1')
    assert.equal(r.status, 200)
    assert.ok((JSON.parse(r.body) as { total: number }).total > 0)
    child.kill('SIGTERM')
    assert.equal(await exited, 0, 'the primary exits once every worker has')
    // stdout is for the user: the page's address, and no log line; the JSON log went to stderr.
    assert.match(out, new RegExp(`Canopy search page at ${url}/\n`))
    assert.doesNotMatch(out, /^\{/m)
    assert.match(err, /^\{.*"url":"\/api\/v1\/search\?q=library&size=1".*"msg":"request"/m)
  } finally {
    agent.destroy()
    if (!stopped) {
      child.kill('SIGKILL')
      // Workers log their process ids: none may outlive a failed test.
      for (const m of (out + err).matchAll(/"pid":(\d+)/g)) {
        try {
          process.kill(Number(m[1]), 'SIGKILL')
        } catch {
          /* gone */
        }
      }
    }
    await rm(dir, { recursive: true, force: true })
  }
})

it('canopy serve names its indexes after their folders (or --name), and logs human lines to stderr by default', { timeout: 180_000 }, async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-serve-names-'))
  const a = path.join(tmp, 'meridian')
  const b = path.join(tmp, 'other')
  await ingest({ inputs: [SAMPLE], index: a, workers: 1 })
  await ingest({ inputs: [SAMPLE], index: b, workers: 1 })
  const child = spawn(process.execPath, [bin, 'serve', '--index', a, '--index', b, '--name', 'meridian-own', '--port', '0', '--workers', '1'], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', code => {
      resolve(code)
    })
  )
  let out = ''
  let err = ''
  child.stderr.on('data', (x: Buffer) => {
    err += x.toString()
  })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (x: Buffer) => {
        out += x.toString()
        const m = /Canopy search page at (http:\/\/127\.0\.0\.1:\d+)\/\n/.exec(out)
        if (m !== null) resolve(m[1])
      })
      void exited.then(code => {
        reject(new Error(`exited ${String(code)}: ${out}${err}`))
      })
    })
    const agent = new http.Agent({ keepAlive: false })
    const r = JSON.parse((await get(agent, url + '/api/v1/indexes')).body) as { indexes: Array<{ name: string }> }
    assert.deepEqual(
      r.indexes.map(i => i.name),
      ['meridian-own', 'other']
    )
    assert.equal((await get(agent, url + '/api/v1/search?q=library&size=1&index=other')).status, 200)
    assert.equal((await get(agent, url + '/favicon.ico')).status, 200)
    child.kill('SIGTERM')
    assert.equal(await exited, 0)
    assert.match(out, /Serving meridian-own \(local\), other \(local\)/)
    assert.doesNotMatch(out + err, /^\{/m, 'no JSON line unless asked for')
    assert.match(err, /INFO +GET \/api\/v1\/search\?q=library&size=1&index=other 200 \d+ ms/)
  } finally {
    child.kill('SIGKILL')
    await rm(tmp, { recursive: true, force: true })
  }
})
