// Did you mean: edit distance with pruning, the term-dictionary walk and query corrections over the sample
// crawl's real index.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ingest } from '../ingest/index.ts'
import { IndexRegistry } from '../search-api/index.ts'
import { editDistance, suggestQuery, suggestTerms, surfaceFor } from '../index-core/query/suggest.ts'
import type { IndexReader } from '../index-core/query/index.ts'
import { prefixEnd, utf8 } from '../index-core/bytes.ts'
import { termPrefix } from '../index-core/index/index.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))

describe('did you mean', { timeout: 120_000 }, () => {
  let tmp: string
  let registry: IndexRegistry
  let reader: IndexReader
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-suggest-'))
    await ingest({ inputs: [SAMPLE], index: tmp, workers: 2, institution: 'Meridian' })
    registry = await IndexRegistry.open([{ name: 'sample', kind: 'local', path: tmp }])
    reader = registry.get().reader
  })
  after(async () => {
    await registry?.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it('measures edits, a swap of neighbours as one, and prunes a hopeless beginning', () => {
    assert.deepEqual(editDistance('libari', 'librari', 2), { distance: 1, prunedAt: null })
    assert.equal(editDistance('museum', 'musuem', 2).distance, 1, 'a swap is one edit')
    assert.equal(editDistance('abc', 'abc', 0).distance, 0)
    assert.equal(editDistance('library', 'zzz', 2).distance, null)
    // "xyz..." is 3 edits from "abc" after three characters: every term starting so is skipped.
    assert.equal(editDistance('abc', 'xyzabc', 2).prunedAt, 3)
  })

  it('finds the indexed terms near a word by walking the dictionary, closest then most common first', async () => {
    const near = await suggestTerms(reader, 'libari')
    assert.equal(near[0].term, 'librari')
    assert.equal(near[0].distance, 1)
    assert.equal(near[0].df, await reader.docFrequency('librari'))
    assert.ok(near[0].df > 0)
    for (let i = 1; i < near.length; i++)
      assert.ok(near[i - 1].distance < near[i].distance || (near[i - 1].distance === near[i].distance && near[i - 1].df >= near[i].df))
    // The pruned walk finds exactly what comparing the word with every term of the dictionary finds.
    const all: string[] = []
    await reader.walkTerms(new Uint8Array([2]), t => {
      all.push(t)
      return prefixEnd(termPrefix(utf8(t)))
    })
    assert.ok(all.length > 100)
    for (const word of ['libari', 'musuem', 'archv', 'histroy']) {
      const brute = all.filter(t => t !== word && editDistance(word, t, 2).distance !== null).sort()
      const walked = (await suggestTerms(reader, word, { maxDistance: 2, limit: 10_000 })).map(x => x.term).sort()
      assert.deepEqual(walked, brute, word)
    }
  })

  it('suggests a corrected query for misspelt words, leaving fields, prefixes and known words alone', async () => {
    const s = await suggestQuery(reader, 'libary')
    assert.deepEqual(s?.q, 'library')
    assert.equal(s?.corrections[0].wordDf, 0)
    const two = await suggestQuery(reader, 'musuem AND archve site:example.org libr*')
    assert.equal(two?.q, 'museum AND archive site:example.org libr*')
    assert.equal(await suggestQuery(reader, 'library museum'), null)
    assert.equal(await suggestQuery(reader, 'title:libary'), null)
  })

  it('spells a suggestion as a word, not a stem', () => {
    assert.equal(surfaceFor('Libary', 'libari', 'librari', null), 'library')
    assert.equal(surfaceFor('histroy', 'histroy', 'histori', null), 'history')
  })
})
