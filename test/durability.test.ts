// Durability: every pack and block file is on disk (fsynced, then its name fsynced into its folder) before
// HEAD or a ref moves, and HEAD's own rename is fsynced into the index folder. Shown by tracing the real CLI's
// system calls with strace; a SIGKILL between writes leaves an index that opens at its old or new HEAD.
import assert from 'node:assert/strict'
import { execFile, spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, watch } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { CID } from 'multiformats/cid'
import { openIndex } from '../index-core/index/index.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { openIndexDir } from '../index-core/store/index.ts'
import { walkDag } from '../federation/blocks/index.ts'
import { warc, withTmp } from './helpers.ts'

const run = promisify(execFile)
const CLI = new URL('../bin/canopy.mjs', import.meta.url).pathname
const SMALL = warc('webrecorder__warcio')
const LARGER = warc('netarchivesuite__jwat')
const hasStrace = spawnSync('strace', ['-V']).status === 0

interface Call {
  readonly name: string
  /** Paths the call names: an fsync's file (strace -y), a rename's or link's source and target. */
  readonly paths: string[]
  /** Line numbers where the call began and returned (calls of several threads interleave). */
  readonly start: number
  readonly end: number
}

/** Parses `strace -f -y` output into calls, with relative paths made absolute against `cwd`. */
function parseTrace(text: string, cwd: string): Call[] {
  const calls: Call[] = []
  const pending = new Map<string, { name: string; args: string; start: number }>()
  const lines = text.split('\n')
  const finish = (name: string, args: string, start: number, end: number): void => {
    const paths =
      name.startsWith('fsync') || name === 'fdatasync'
        ? [...args.matchAll(/<([^>]+)>/g)].map(m => m[1])
        : [...args.matchAll(/"([^"]*)"/g)].map(m => path.resolve(cwd, m[1]))
    calls.push({ name, paths, start, end })
  }
  lines.forEach((line, i) => {
    const m = /^(\d+)\s+(.*)$/.exec(line)
    if (m === null) return
    const [, pid, rest] = m
    const resumed = /^<\.\.\. (\w+) resumed>(.*)$/.exec(rest)
    if (resumed !== null) {
      const p = pending.get(pid)
      if (p !== undefined) {
        pending.delete(pid)
        finish(p.name, p.args + resumed[2], p.start, i)
      }
      return
    }
    const call = /^(\w+)\((.*)$/.exec(rest)
    if (call === null) return
    if (rest.endsWith('<unfinished ...>')) pending.set(pid, { name: call[1], args: call[2], start: i })
    else if (/\) = 0$/.test(rest)) finish(call[1], call[2], i, i)
  })
  return calls
}

async function traced(args: string[], cwd: string): Promise<Call[]> {
  const out = path.join(cwd, `trace-${Date.now()}-${Math.random().toString(36).slice(2)}`)
  await run('strace', ['-f', '-y', '-qq', '-o', out, '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2,link,linkat', process.execPath, CLI, ...args], {
    cwd,
    maxBuffer: 16 << 20
  })
  return parseTrace(await readFile(out, 'utf8'), cwd)
}

const fsyncs = (calls: Call[], file: string): Call[] => calls.filter(c => c.name === 'fsync' && c.paths[0] === file)

/**
 * Asserts that `target` was put in place durably before `pointer` started: its data fsynced (under its
 * temporary name before the link or rename that named it, or under its own name after, as loose blocks are
 * in batches) before the pointer moved, and its folder fsynced after it was named and before the pointer moved.
 */
function assertDurableBefore(calls: Call[], target: string, pointer: Call): void {
  const placed = calls.find(c => (c.name.startsWith('link') || c.name.startsWith('rename')) && c.paths[1] === target)
  assert.ok(placed !== undefined, `${target} was put in place by a link or rename`)
  assert.ok(
    fsyncs(calls, placed.paths[0]).some(f => f.end < placed.start) || fsyncs(calls, target).some(f => f.start > placed.end && f.end < pointer.start),
    `${target}: its data fsynced before ${pointer.paths[1]} moved`
  )
  assert.ok(
    fsyncs(calls, path.dirname(target)).some(f => f.start > placed.end && f.end < pointer.start),
    `${target}: its folder fsynced after it was named and before ${pointer.paths[1]} moved`
  )
}

function blockFiles(index: string): string[] {
  if (!existsSync(path.join(index, 'blocks'))) return []
  return readdirSync(path.join(index, 'blocks'), { withFileTypes: true, recursive: true })
    .filter(e => e.isFile() && (e.name.endsWith('.data') || e.name.endsWith('.pack')))
    .map(e => path.join(e.parentPath, e.name))
}

describe('durability', { timeout: 300_000 }, () => {
  it('fsyncs every pack and block file, then its folder, before HEAD is renamed; then the index folder', {
    skip: hasStrace ? false : 'strace is not installed (apt-get install strace)'
  }, async () => {
    await withTmp(async tmp => {
      const index = path.join(tmp, 'idx')
      // Two ingests: the second merges into the first (loose blocks from the merge, a HEAD that moves).
      for (const input of [SMALL, path.join(LARGER, 'jwat-common__src__test__resources__test-utf8.warc')]) {
        const before = new Set(blockFiles(index))
        const calls = await traced(['ingest', input, '--index', index, '--workers', '2', '--institution', 'Durable Library'], tmp)
        const head = calls.filter(c => c.name.startsWith('rename') && c.paths[1] === path.join(index, 'HEAD'))
        assert.equal(head.length, 1, 'HEAD renamed once')
        const added = blockFiles(index).filter(f => !before.has(f))
        assert.ok(added.some(f => f.endsWith('.pack')) && added.some(f => f.endsWith('.data')), 'the run wrote packs and loose blocks')
        for (const f of added) assertDurableBefore(calls, f, head[0])
        assert.ok(
          fsyncs(calls, head[0].paths[0]).some(f => f.end < head[0].start),
          "HEAD's new contents fsynced before the rename"
        )
        assert.ok(
          fsyncs(calls, index).some(f => f.start > head[0].end),
          "the index folder fsynced after HEAD's rename"
        )
      }
      // Publishing: the manifest block is durable before refs/published.json names it, and the key before use.
      const calls = await traced(['publish', '--index', index, '--institution', 'Durable Library'], tmp)
      const published = calls.find(c => c.name.startsWith('rename') && c.paths[1] === path.join(index, 'refs', 'published.json'))
      assert.ok(published !== undefined, 'refs/published.json renamed into place')
      const manifest = CID.parse((JSON.parse(await readFile(path.join(index, 'refs', 'published.json'), 'utf8')) as { manifest: string }).manifest)
      const manifestFile = blockFiles(index).find(f => calls.some(c => c.name.startsWith('link') && c.paths[1] === f))
      assert.ok(manifestFile !== undefined, `the manifest block ${manifest.toString()} was linked into place`)
      assertDurableBefore(calls, manifestFile, published)
      assertDurableBefore(calls, path.join(index, 'identity.key'), published)
      assert.ok(
        fsyncs(calls, path.join(index, 'refs')).some(f => f.start > published.end),
        'refs/ fsynced after the rename'
      )
    })
  })

  it('an ingest killed (SIGKILL) while writing leaves an index at its old or new HEAD with every block present', async () => {
    await withTmp(async tmp => {
      const index = path.join(tmp, 'idx')
      await run(process.execPath, [CLI, 'ingest', SMALL, '--index', index, '--workers', '2'])
      const first = (await readFile(path.join(index, 'HEAD'), 'utf8')).trim()
      const packsDir = path.join(index, 'blocks', 'packs')
      // Killed as the nth new pack appears: mid-build, with some trees' packs written and HEAD not yet moved.
      let killed = 0
      for (const nth of [1, 6]) {
        const before = new Set(readdirSync(packsDir))
        const child = spawn(process.execPath, [CLI, 'ingest', LARGER, '--index', index, '--workers', '2'], { stdio: 'ignore' })
        const exited = new Promise<NodeJS.Signals | null>(resolve =>
          child.on('exit', (_code, signal) => {
            resolve(signal)
          })
        )
        let seen = 0
        const watcher = watch(packsDir, (_event, name) => {
          if (name?.endsWith('.pack') && !before.has(name) && ++seen === nth) child.kill('SIGKILL')
        })
        const signal = await exited
        watcher.close()
        const d = await openIndexDir(index, { write: false })
        try {
          const head = (await d.head())!.toString()
          assert.ok(signal === 'SIGKILL' || head !== first, 'the child was killed or finished')
          if (signal === 'SIGKILL') {
            killed++
            assert.equal(head, first, 'a run killed before it finished leaves HEAD where it was')
          }
          const store = new NodeStore(d.blocks.store)
          await openIndex(store, CID.parse(head))
          const walked = await walkDag(d.blocks.store, [CID.parse(head)], () => {}) // throws on a missing block
          assert.ok(walked.blocks > 10)
        } finally {
          await d.close()
        }
      }
      assert.ok(killed > 0, 'at least one run was killed mid-write')
      // The next writer clears the killed runs' leftovers and completes.
      await run(process.execPath, [CLI, 'ingest', LARGER, '--index', index, '--workers', '2'])
      assert.deepEqual(
        readdirSync(packsDir).filter(n => n.endsWith('.tmp')),
        []
      )
    })
  })
})
