// The index folder: what Canopy may remove in it, and its write lock.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import { clearIndex, openIndexDir } from '../index-core/store/index.ts'
import { withTmp } from './helpers.ts'

const CONTENDER = new URL('./fixtures/lock-contender.ts', import.meta.url).pathname

/** The pid of a process that has ended: what a crashed writer leaves in LOCK. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await once(child, 'exit')
  return child.pid!
}

/** A contender: resolves `ready` once it waits at the barrier, and `output` once it ends (rejects if it fails). */
function contender(index: string, log: string): { child: ChildProcess; ready: Promise<void>; output: Promise<string> } {
  const child = spawn(process.execPath, [CONTENDER, index, log], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  let ready = (): void => {}
  const isReady = new Promise<void>(resolve => {
    ready = resolve
  })
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString()
    if (out.includes('ready')) ready()
  })
  child.stderr!.on('data', (b: Buffer) => {
    err += b.toString()
  })
  const output = once(child, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`contender exited ${String(code)}: ${err}`)
    return out
  })
  return { child, ready: isReady, output }
}

describe('index folder', () => {
  it('gives a stale lock to exactly one of 8 writers released together', { timeout: 120_000 }, async () => {
    await withTmp(async tmp => {
      for (let round = 0; round < 3; round++) {
        const index = path.join(tmp, `index-${round}`)
        const log = path.join(tmp, `log-${round}`)
        await mkdir(index)
        await writeFile(path.join(index, 'LOCK'), String(await deadPid()))
        await writeFile(log, '')
        const all = Array.from({ length: 8 }, () => contender(index, log))
        const outputs = Promise.all(all.map(c => c.output))
        outputs.catch(() => {}) // awaited below
        // The barrier: each prints `ready` and then waits on stdin, which is written to all at once.
        await Promise.all(all.map(c => c.ready))
        for (const c of all) c.child.stdin!.end('go\n')
        const results = (await outputs).map(o => o.trim().split('\n').at(-1))
        const held = results.filter(r => r === 'held').length
        assert.equal(held + results.filter(r => r === 'locked').length, 8, results.join(' '))
        assert.ok(held >= 1, 'the stale lock was taken')
        // Holds never overlap: the log alternates hold and free of one process.
        const lines = (await readFile(log, 'utf8')).trim().split('\n')
        assert.equal(lines.length, 2 * held, lines.join('; '))
        for (let i = 0; i < lines.length; i += 2) {
          const [a, pa] = lines[i].split(' ')
          const [b, pb] = lines[i + 1].split(' ')
          assert.deepEqual([a, b, pa], ['hold', 'free', pb], `round ${round}: two writers held the lock at once: ${lines.join('; ')}`)
        }
      }
    })
  })

  it('lets readers open an index a writer holds without touching its lock', async () => {
    await withTmp(async tmp => {
      const writer = await openIndexDir(tmp, { write: true })
      const lock = await readFile(path.join(tmp, 'LOCK'), 'utf8')
      const reader = await openIndexDir(tmp, { write: false })
      await reader.close()
      assert.equal(await readFile(path.join(tmp, 'LOCK'), 'utf8'), lock)
      await assert.rejects(openIndexDir(tmp, { write: true }), { name: 'IndexLockedError' })
      await writer.close()
      await (await openIndexDir(tmp, { write: true })).close()
    })
  })

  it('clears an index it made, and refuses (removing nothing) a folder holding anything else', async () => {
    await withTmp(async tmp => {
      const made = async (dir: string): Promise<void> => {
        await mkdir(path.join(dir, 'blocks', 'packs'), { recursive: true })
        await mkdir(path.join(dir, 'tmp', 'ingest-1'), { recursive: true })
        await writeFile(path.join(dir, 'blocks', 'packs', 'a.pack'), 'x')
        await writeFile(path.join(dir, 'HEAD'), 'cid\n')
        await writeFile(path.join(dir, 'HEAD.123.tmp'), 'cid\n')
      }
      const own = path.join(tmp, 'own')
      await made(own)
      await clearIndex(own)
      assert.deepEqual(await readdir(own), [])
      await clearIndex(path.join(tmp, 'missing'))

      const mixed = path.join(tmp, 'mixed')
      await made(mixed)
      await writeFile(path.join(mixed, 'notes.txt'), 'mine')
      await assert.rejects(clearIndex(mixed), { name: 'NotAnIndexError', message: /notes\.txt/ })
      assert.deepEqual((await readdir(mixed)).sort(), ['HEAD', 'HEAD.123.tmp', 'blocks', 'notes.txt', 'tmp'])
      assert.deepEqual(await readdir(path.join(mixed, 'blocks', 'packs')), ['a.pack'])

      await writeFile(path.join(tmp, 'file'), 'mine')
      await assert.rejects(clearIndex(path.join(tmp, 'file')), { name: 'NotAnIndexError' })
    })
  })
})
