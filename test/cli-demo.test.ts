// `canopy demo`, the prolly tree alone (build, merge in both orders, read back), runs end to end on disk; an
// unknown command gets usage and exit code 2.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { it } from 'node:test'
import { promisify } from 'node:util'

const run = promisify(execFile)
const bin = new URL('../bin/canopy.mjs', import.meta.url).pathname

it('canopy demo builds, merges and queries a tree on disk', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'canopy-demo-'))
  try {
    const { stdout } = await run(process.execPath, [bin, 'demo', '--dir', path.join(dir, 'blocks'), '--entries', '3000'])
    assert.match(stdout, /same: merge order does not matter/)
    assert.match(stdout, /get \S+ -> doc 11 from library-b/)
    assert.match(stdout, /count prefix "wayback\/" -> \d+/)
    assert.match(stdout, /root equals a fresh build/)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

it('canopy rejects an unknown command with usage and exit code 2', async () => {
  await assert.rejects(run(process.execPath, [bin, 'frobnicate']), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 2)
    assert.match(err.stderr, /unknown command 'frobnicate'/)
    return true
  })
})

it('canopy search asks for facets and exact totals only when told, and finds the same page either way', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'canopy-search-cli-'))
  try {
    const sample = new URL('../ingest/sample/sample.warc.gz', import.meta.url).pathname
    await run(process.execPath, [bin, 'ingest', sample, '--index', dir, '--workers', '1'])
    type Out = { total: number; totalRelation: string; facets: Record<string, unknown> | null; hits: Array<{ id: string }> }
    const search = async (...extra: string[]): Promise<Out> =>
      JSON.parse((await run(process.execPath, [bin, 'search', 'library', '--index', dir, '--json', ...extra])).stdout) as Out
    const plain = await search()
    const faceted = await search('--facets')
    const exact = await search('--exact-total')
    assert.equal(plain.facets, null, 'no facets unless asked')
    assert.ok(faceted.facets !== null && Object.keys(faceted.facets).length > 0, 'facets when asked')
    assert.equal(faceted.totalRelation, 'eq')
    assert.equal(exact.totalRelation, 'eq')
    assert.equal(exact.facets, null)
    assert.equal(exact.total, faceted.total)
    assert.ok(plain.total <= exact.total)
    assert.deepEqual(
      plain.hits.map(h => h.id),
      faceted.hits.map(h => h.id),
      'the same page of results'
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
