// Golden vectors: ingesting fixed crawls gives fixed root CIDs, unless the format version says otherwise.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { ANALYZER_VERSION } from '../index-core/analysis/index.ts'
import { INDEX_FORMAT } from '../index-core/index/index.ts'
import { ingest } from '../ingest/index.ts'
import { withTmp } from './helpers.ts'
import { INDEX_VECTORS } from './vectors/index-vectors.ts'

const expected = JSON.parse(readFileSync(new URL('./vectors/index.json', import.meta.url), 'utf8')) as Record<string, { root: string; documents: number }>

describe(`index golden vectors (format ${INDEX_FORMAT}, ${ANALYZER_VERSION})`, { timeout: 300_000 }, () => {
  it('every vector has an expected root', () => {
    assert.deepEqual(Object.keys(expected).sort(), INDEX_VECTORS.map(v => v.name).sort())
  })
  for (const v of INDEX_VECTORS) {
    it(v.name, async () => {
      await withTmp(async dir => {
        const s = await ingest({ inputs: v.inputs(), index: dir, workers: 2 })
        assert.equal(s.stats.documents, expected[v.name].documents)
        assert.equal(
          s.root,
          expected[v.name].root,
          'index root changed: if extraction, analysis or encoding changed on purpose, bump INDEX_FORMAT or ANALYZER_VERSION and regenerate test/vectors/index.json'
        )
      })
    })
  }
})
