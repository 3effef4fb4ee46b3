// The command line's own manners: every error meant for the user is one line with a consistent status (2 for
// how the command was called, 1 for what it was given), --version and --help say what Canopy is, and text
// from a crawl reaches the terminal without control characters.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { INDEX_FORMAT } from '../index-core/index/index.ts'
import { WarcWriter } from '../tools/warc-writer.ts'
import { withTmp } from './helpers.ts'

const bin = fileURLToPath(new URL('../bin/canopy.mjs', import.meta.url))

async function canopy(args: string[], cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString()
  })
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString()
  })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  return { code, out, err }
}

const oneLine = /^canopy \w+: [^\n]+\n$/

describe('the canopy command line', { timeout: 180_000 }, () => {
  it('answers a wrong call with one line and status 2, and bad input with one line and status 1', async () => {
    await withTmp(async tmp => {
      const w = WarcWriter.toFile(path.join(tmp, 'c.warc'), { gzip: false })
      w.response({
        url: 'http://a.example/',
        date: '2020-01-01T00:00:00Z',
        status: 200,
        headers: [['Content-Type', 'text/html']],
        body: '<title>A</title><p>a page</p>'
      })
      w.close()
      assert.equal((await canopy(['ingest', 'c.warc', '--index', 'idx', '--workers', '1'], tmp)).code, 0)
      const calls: Array<[string[], number, RegExp]> = [
        [['search', 'page', '--index', 'idx', '--bogus'], 2, /Unknown option '--bogus'/],
        [['search', 'page', '--index', 'idx', '--size', '500'], 2, /--size must be 1\.\.100/],
        [['search', 'page', '--index', 'idx', '--sort', 'newest'], 2, /--sort must be/],
        [['ingest', '--index', 'idx', '--workers', 'many', 'c.warc'], 2, /workers/],
        [['partners', 'add', 'x', '--key', Buffer.alloc(32, 1).toString('base64'), '--addr', 'garbage', '--index', 'p'], 1, /unusable partner source/],
        [['search', 'title:', '--index', 'idx'], 1, /./],
        [['verify', '--index', 'nothere'], 1, /no Canopy index/]
      ]
      for (const [args, status, message] of calls) {
        const r = await canopy(args, tmp)
        assert.equal(r.code, status, `${args.join(' ')}: ${r.err}`)
        assert.match(r.err, oneLine, `${args.join(' ')}: one line, no stack`)
        assert.match(r.err, message)
      }
    })
  })

  it('says its version and what each command does', async () => {
    const v = await canopy(['--version'], process.cwd())
    assert.equal(v.code, 0)
    assert.match(v.out, new RegExp(`^canopy \\d+\\.\\d+\\.\\d+ \\(index format ${INDEX_FORMAT}, canopy-extract/`))
    const h = await canopy(['--help'], process.cwd())
    assert.equal(h.code, 0)
    for (const c of ['ingest', 'search', 'serve', 'publish', 'merge', 'gc', 'verify'])
      assert.match(h.out, new RegExp(`^  ${c} +\\S.+$`, 'm'), `${c} and what it does`)
  })

  it('prints what a crawl names (titles, URLs, file names) without terminal control characters', async () => {
    await withTmp(async tmp => {
      // A crawl file whose name would set the window title and clear the screen; captures print it.
      const file = 'evil\u001b]0;pwned\u0007\u001b[2J.warc'
      const w = WarcWriter.toFile(path.join(tmp, file), { gzip: false })
      w.response({
        url: 'http://evil.example/x',
        date: '2020-01-01T00:00:00Z',
        status: 200,
        headers: [['Content-Type', 'text/html']],
        body: '<title>&#27;]0;pwned&#7;Hello</title><p>hello world</p>'
      })
      w.close()
      assert.equal((await canopy(['ingest', file, '--index', 'idx', '--workers', '1'], tmp)).code, 0)
      const j = await canopy(['search', 'hello', '--index', 'idx', '--captures', '--json'], tmp)
      assert.equal(JSON.parse(j.out).hits[0].captures[0].file, file, 'the index keeps the name as it is (JSON escapes it)')
      const r = await canopy(['search', 'hello', '--index', 'idx', '--captures'], tmp)
      assert.equal(r.code, 0, r.err)
      assert.match(r.out, /Hello/)
      assert.match(r.out, /evil\]0;pwned\[2J\.warc/)
      assert.doesNotMatch(r.out, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, 'no control character but newlines reaches the terminal')
    })
  })
})
