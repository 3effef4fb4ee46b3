// Who may connect to an institution's node, with the real `canopy` commands under the net guard: by default
// `publish --serve` lets in the peers of partners it follows and refuses a stranger (after the handshake, by
// peer id); `serve --listen ... --public` lets the stranger in. The flags are kept in network.json.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Peer } from './fixtures/peer-client.ts'
import { violationsIn } from './net-guard.ts'
import { warc, withTmp } from './helpers.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CLI = path.join(ROOT, 'bin/canopy.mjs')
const GUARD = path.join(ROOT, 'test/net-guard.ts')
const CRAWL = warc('harvard-lil__scoop/assets__fixtures__example.com.wacz__archive__data.warc')

interface Run {
  readonly child: ChildProcess
  out: string
  err: string
}

function start(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', GUARD, CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  const r: Run = { child, out: '', err: '' }
  child.stdout!.on('data', (d: Buffer) => {
    r.out += d.toString()
  })
  child.stderr!.on('data', (d: Buffer) => {
    r.err += d.toString()
  })
  return r
}

async function ended(r: Run): Promise<number | null> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return r.child.exitCode
  return await new Promise(resolve => r.child.on('close', resolve))
}

async function canopy(args: string[]): Promise<string> {
  const r = start(args)
  const code = await ended(r)
  if (code !== 0) throw new Error(`canopy ${args.join(' ')} exited ${String(code)}: ${r.err}`)
  return r.out
}

/** Waits for the first `listening:` address of a long-running command (and for `ready`, when given). */
async function listening(r: Run, ready = /listening: /): Promise<string> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const m = /listening: (\S+)\n/.exec(r.out)
    if (m !== null && ready.test(r.out)) return m[1]
    if (r.child.exitCode !== null) throw new Error(`exited ${r.child.exitCode} before listening: ${r.err}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`not listening after 30 s: ${r.err}`)
}

async function stop(r: Run): Promise<void> {
  r.child.kill('SIGTERM')
  assert.equal(await ended(r), 0, `stopped cleanly: ${r.err}`)
}

describe('connection gater', { timeout: 90_000 }, () => {
  it('refuses a stranger by default and lets in a partner; --public lets in anyone', async () => {
    await withTmp(async tmp => {
      const A = path.join(tmp, 'A')
      const partner = new Peer('partner')
      const stranger = new Peer('stranger')
      const runs: Run[] = []
      try {
        const [{ publicKey: partnerKey }] = await Promise.all([
          partner.call('init', { dir: path.join(tmp, 'P'), name: 'Partner' }),
          stranger.call('init', { dir: path.join(tmp, 'S'), name: 'Stranger' }),
          canopy(['ingest', CRAWL, '--index', A, '--institution', 'A', '--workers', '1'])
        ])
        await Promise.all([partner.call('start', { listen: [] }), stranger.call('start', { listen: [] })])
        const { publicKey: aKey } = JSON.parse(await canopy(['publish', '--index', A, '--json'])) as { publicKey: string }
        // A follows the partner by key alone: that is enough to let its peer in.
        await canopy(['partners', 'add', 'P', '--key', String(partnerKey), '--index', A])

        const served = start(['publish', '--index', A, '--serve', '--listen', '/ip4/127.0.0.2/tcp/0'])
        runs.push(served)
        const addr = await listening(served)
        assert.match(addr, /^\/ip4\/127\.0\.0\.2\/tcp\/\d+\/p2p\/12D3Koo/)
        assert.match(served.out, /accepting partners and bootstrap peers/)
        const ok = await partner.send('resolve', { addr, publicKey: aKey })
        assert.equal(ok.ok, true, `the partner is let in: ${ok.error?.message}`)
        const refused = await stranger.send('resolve', { addr, publicKey: aKey })
        assert.equal(refused.ok, false, 'the stranger is refused')
        assert.match(refused.error!.message, /closed/i, 'closed by A once it knew the peer id, not timed out')
        await stop(served)

        // The same folder served publicly by `canopy serve`: the stranger gets in; the setting is saved.
        const pub = start(['serve', '--index', A, '--port', '0', '--listen', '/ip4/127.0.0.2/tcp/0', '--public', '--rate-limit', '0'])
        runs.push(pub)
        const addr2 = await listening(pub, /Canopy API at /) // its SIGTERM handler is set once the API is up
        assert.match(pub.out, /public: accepting any peer/)
        const welcome = await stranger.send('resolve', { addr: addr2, publicKey: aKey })
        assert.equal(welcome.ok, true, `with --public the stranger is let in: ${welcome.error?.message}`)
        const saved = JSON.parse(await readFile(path.join(A, 'network.json'), 'utf8')) as { public: boolean; listen: string[] }
        assert.deepEqual([saved.public, saved.listen], [true, ['/ip4/127.0.0.2/tcp/0']])
        await stop(pub)
        await Promise.all([partner.call('stop'), stranger.call('stop')])
      } finally {
        for (const r of runs) if (r.child.exitCode === null) r.child.kill('SIGKILL')
        await Promise.all([partner.close(), stranger.close()])
      }
      for (const t of [...runs.map(r => r.err), partner.stderr, stranger.stderr]) assert.deepEqual(violationsIn(t), [])
    })
  })
})
