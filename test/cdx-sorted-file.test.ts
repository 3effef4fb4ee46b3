// The sorted CDXJ file behind the CDX server API: a k-way merge of sorted runs (in several passes when there are
// more runs than it opens at once) gives the lines in UTF-8 byte order, equal lines once; a range read by binary
// search gives exactly the lines whose key falls in the range, on a file large enough for the search to halve.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { compareUtf8, sortCdxLines } from '../ingest/cdx/cdxj.ts'
import { lineKey, linesInRange, mergeRuns, writeLines } from '../ingest/cdx/sorted-file.ts'

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Keys over a small alphabet (many shared prefixes and repeats), with characters whose UTF-16 and UTF-8 orders differ.
const ALPHABET = ['a', 'b', ',', ')', '/', 'z', 'é', '\uE000', '\uFFFD', '😀', '𝔸']
function key(r: () => number): string {
  let s = 'com,'
  const n = 1 + Math.floor(r() * 8)
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)]
  return s
}
function line(r: () => number): string {
  const ts = String(20000101000000 + Math.floor(r() * 1e6))
  return `${key(r)} ${ts} {"url": "http://x/${Math.floor(r() * 50)}", "length": "${Math.floor(r() * 1000)}"}`
}

let tmp: string
before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-sorted-'))
})
after(async () => {
  await rm(tmp, { recursive: true, force: true })
})

describe('sorted CDXJ files', () => {
  it('orders strings as their UTF-8 bytes do', () => {
    const r = rng(7)
    for (let i = 0; i < 2000; i++) {
      const a = key(r)
      const b = key(r)
      assert.equal(Math.sign(compareUtf8(a, b)), Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))), `${a} ${b}`)
    }
  })

  for (const [runs, perRun] of [
    [3, 500],
    [150, 200]
  ] as const) {
    it(`merges ${runs} runs into one sorted file, equal lines once, and reads any key range by binary search`, async () => {
      const r = rng(runs)
      const dir = await mkdtemp(path.join(tmp, 'case-'))
      const every: string[] = []
      const files: string[] = []
      for (let i = 0; i < runs; i++) {
        const lines = Array.from({ length: perRun }, () => line(r))
        // Repeats across runs, as one crawl file named by two institutions gives.
        if (i > 0) lines.push(every[Math.floor(r() * every.length)])
        every.push(...lines)
        const f = path.join(dir, `run-${i}`)
        await writeLines(f, lines.sort(compareUtf8))
        files.push(f)
      }
      const out = path.join(dir, 'table.cdxj')
      const n = await mergeRuns(files, out, dir)
      const want = sortCdxLines([...new Set(every)])
      const got = (await readFile(out, 'utf8')).split('\n').filter(l => l !== '')
      assert.equal(n, want.length)
      assert.deepEqual(got, want)
      for (let i = 0; i < 40; i++) {
        let [start, end] = [key(r), key(r)].sort(compareUtf8)
        if (i % 10 === 0) end = start + '!'
        const found: string[] = []
        for await (const l of linesInRange(out, start, end)) found.push(l)
        assert.deepEqual(
          found,
          want.filter(l => compareUtf8(lineKey(l), start) >= 0 && compareUtf8(lineKey(l), end) < 0),
          `[${start}, ${end})`
        )
      }
    })
  }
})
