// The test network guard itself: under it a process cannot reach beyond loopback by TCP, HTTP, UDP or DNS,
// and every attempt is reported on stderr where a parent test can see it; loopback keeps working.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { violationsIn } from './net-guard.ts'

const NODE = process.execPath
const GUARD = fileURLToPath(new URL('./net-guard.ts', import.meta.url))
const PROBE = fileURLToPath(new URL('./fixtures/net-probe.ts', import.meta.url))

describe('net guard', { timeout: 60_000 }, () => {
  it('refuses and reports every reach outside loopback in a child process, and lets loopback through', async () => {
    const { stdout, stderr } = await promisify(execFile)(NODE, ['--import', GUARD, PROBE], { timeout: 30_000 })
    const r = JSON.parse(stdout) as Record<string, string>
    for (const k of ['tcp', 'http', 'dns-lookup', 'dns-lookup-named-import', 'dns-promises-resolve', 'dns-resolver', 'udp']) {
      assert.equal(r[k], 'refused', `${k}: ${r[k]}`)
    }
    for (const k of ['loopback-tcp', 'localhost-tcp', 'localhost-lookup']) assert.equal(r[k], 'allowed', `${k}: ${r[k]}`)
    const seen = violationsIn(stderr).map(v => `${v.kind} ${v.target}`)
    assert.deepEqual(seen.sort(), [
      'dns-lookup example.com',
      'dns-lookup example.org',
      'dns-resolve4 example.net',
      'dns-resolveTxt example.com',
      'tcp-connect 192.0.2.1:80',
      'tcp-connect 192.0.2.1:81',
      'udp-send 192.0.2.1:53'
    ])
  })
})
