// The README's main job: `npm start` ingests the sample crawl and serves the page and API on 127.0.0.1.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { it } from 'node:test'

const bin = new URL('../bin/canopy.mjs', import.meta.url).pathname

it('canopy start ingests the sample, serves search on loopback and stops on SIGTERM', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'canopy-start-'))
  const child = spawn(process.execPath, [bin, 'start', '--index', path.join(dir, 'idx'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    let out = ''
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString()
        const m = /serving the sample at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)
        if (m !== null) resolve(m[1])
      })
      child.once('exit', code => {
        reject(new Error(`exited ${String(code)}: ${out}`))
      })
    })
    assert.match(out, /documents indexed: \d+ new/)
    const page = await fetch(url + '/')
    assert.match(await page.text(), /<form id="search"/)
    const r = (await (await fetch(url + '/api/v1/search?q=library&size=1')).json()) as { total: number }
    assert.ok(r.total > 0)
    child.kill('SIGTERM')
    const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
    assert.equal(code, 0)
  } finally {
    child.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  }
})

it('canopy start refuses a folder holding anything but a Canopy index, and deletes nothing in it', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'canopy-start-'))
  try {
    await writeFile(path.join(dir, 'notes.txt'), 'mine\n')
    await mkdir(path.join(dir, 'blocks'))
    await writeFile(path.join(dir, 'blocks', 'kept'), 'x')
    await writeFile(path.join(dir, 'HEAD'), 'not a cid\n')
    const child = spawn(process.execPath, [bin, 'start', '--index', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    // Had it gone ahead, it would serve until stopped: stop it, so the checks below report what it did.
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString()
      if (out.includes('serving the sample')) child.kill('SIGKILL')
    })
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString()
    })
    const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
    assert.equal(code, 1, out + err)
    assert.match(err, /^canopy start: .*notes\.txt.*not part of a Canopy index[^\n]*\n$/)
    assert.deepEqual((await readdir(dir)).sort(), ['HEAD', 'blocks', 'notes.txt'])
    assert.equal(await readFile(path.join(dir, 'notes.txt'), 'utf8'), 'mine\n')
    assert.deepEqual(await readdir(path.join(dir, 'blocks')), ['kept'])
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
