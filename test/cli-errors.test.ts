// Commands given something that is not what they need: a one-line error, exit status 1, and nothing made.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { WarcWriter } from '../tools/warc-writer.ts'
import { withTmp } from './helpers.ts'

const bin = fileURLToPath(new URL('../bin/canopy.mjs', import.meta.url))

/** Runs canopy; a server that starts anyway is stopped, so its exit status shows it did not refuse. */
async function canopy(args: string[], cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString()
    if (out.includes('Canopy API at')) child.kill('SIGKILL')
  })
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString()
  })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  return { code, out, err }
}

describe('canopy given what is not an index or a crawl', { timeout: 120_000 }, () => {
  for (const command of [
    ['search', 'foo'],
    ['serve', '--port', '0', '--workers', '1'],
    ['serve', '--port', '0', '--workers', '2']
  ]) {
    it(`${command.join(' ')} says there is no index in a missing folder or a file, and creates nothing`, async () => {
      await withTmp(async tmp => {
        await writeFile(path.join(tmp, 'README.md'), 'a file\n')
        for (const index of ['nothere', 'README.md']) {
          const r = await canopy([...command, '--index', index], tmp)
          assert.equal(r.code, 1, r.out + r.err)
          assert.equal(r.err, `canopy ${command[0]}: no Canopy index at ${index}${index === 'README.md' ? ' (it is a file)' : ''}\n`)
          assert.deepEqual(await readdir(tmp), ['README.md'])
        }
      })
    })
  }

  it('ingest of a file holding no WARC record names it, fails with status 1 and makes no index', async () => {
    await withTmp(async tmp => {
      await writeFile(path.join(tmp, 'README.md'), '# Notes\n\nNot a crawl.\n')
      const w = WarcWriter.toFile(path.join(tmp, 'good.warc'), { gzip: false })
      w.response({ url: 'http://a.example/', date: '2020-01-01T00:00:00Z', status: 200, headers: [['Content-Type', 'text/html']], body: '<p>a page</p>' })
      w.close()
      const r = await canopy(['ingest', 'good.warc', 'README.md', '--index', 'idx'], tmp)
      assert.equal(r.code, 1, r.out + r.err)
      assert.match(r.err, /^canopy ingest: README\.md holds no WARC record[^\n]*\n$/)
      assert.deepEqual((await readdir(tmp)).sort(), ['README.md', 'good.warc'])
    })
  })
})
