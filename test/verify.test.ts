// `canopy verify`: a sound index verifies (exit 0, blocks counted); each kind of damage is said in a line
// (exit 1, no stack trace): a flipped byte in a pack's block, a truncated pack trailer, a garbage HEAD.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cpSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { warc, withTmp } from './helpers.ts'

const run = promisify(execFile)
const CLI = new URL('../bin/canopy.mjs', import.meta.url).pathname

async function verify(index: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'verify', '--index', index])
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

/** The largest pack of an index (one of HEAD's trees: every block in it is reachable). */
function largestPack(index: string): string {
  const dir = path.join(index, 'blocks', 'packs')
  return readdirSync(dir)
    .filter(n => n.endsWith('.pack'))
    .map(n => path.join(dir, n))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0]
}

describe('canopy verify', { timeout: 300_000 }, () => {
  it('passes a sound index and names each kind of damage in a line', async () => {
    await withTmp(async tmp => {
      const sound = path.join(tmp, 'sound')
      await run(process.execPath, [CLI, 'ingest', warc('webrecorder__warcio'), '--index', sound, '--workers', '2'])
      const ok = await verify(sound)
      assert.equal(ok.code, 0)
      assert.match(ok.stdout, /^ok: (\d+) blocks checked \([\d.]+ MB\), no damage/)
      assert.ok(Number(/^ok: (\d+)/.exec(ok.stdout)![1]) > 10)

      const oneLine = (r: { code: number; stderr: string }, pattern: RegExp): void => {
        assert.equal(r.code, 1)
        const lines = r.stderr.trim().split('\n')
        assert.ok(!/\n\s+at /.test(r.stderr), `no stack trace: ${r.stderr}`)
        assert.match(lines[0], pattern)
      }

      const flipped = path.join(tmp, 'flipped')
      cpSync(sound, flipped, { recursive: true })
      const pack = largestPack(flipped)
      const bytes = readFileSync(pack)
      bytes[20] ^= 0xff // inside the first block (after the 8-byte magic)
      writeFileSync(pack, bytes)
      const f = await verify(flipped)
      oneLine(f, /^canopy verify: block \S+ is damaged: its bytes do not match its CID$/)
      assert.equal(f.stderr.trim().split('\n').length, 1)

      const truncated = path.join(tmp, 'truncated')
      cpSync(sound, truncated, { recursive: true })
      const tpack = largestPack(truncated)
      truncateSync(tpack, statSync(tpack).size - 5)
      oneLine(await verify(truncated), new RegExp(`^canopy verify: packs/${path.basename(tpack)} cannot be read, so none of its blocks can: `))

      const garbage = path.join(tmp, 'garbage')
      cpSync(sound, garbage, { recursive: true })
      writeFileSync(path.join(garbage, 'HEAD'), 'not a cid at all\n')
      const g = await verify(garbage)
      oneLine(g, /^canopy verify: \S+HEAD is damaged: it should hold the index root's CID, and holds "not a cid at all"$/)
    })
  })
})
