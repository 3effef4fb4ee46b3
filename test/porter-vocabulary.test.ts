// Canopy's Porter stemmer over the full published vocabulary (42,603 words, test/vectors/porter/): it gives the
// published stems except for the reference release's documented departures from the paper, listed one by one
// in departures.tsv (see the README there).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { porterStem } from '../index-core/analysis/index.ts'

const read = (name: string): string => readFileSync(new URL(`./vectors/porter/${name}`, import.meta.url), 'utf8')
const lines = (gz: string): string[] =>
  gunzipSync(readFileSync(new URL(`./vectors/porter/${gz}`, import.meta.url)))
    .toString('utf8')
    .replace(/\n$/, '')
    .split('\n')

it('stems the published vocabulary as published, but for the listed departures of the reference release', () => {
  const words = lines('voc.txt.gz')
  const stems = lines('output.txt.gz')
  assert.equal(words.length, stems.length)
  assert.ok(words.length > 40_000, `${words.length} words`)
  const differ: string[] = []
  for (let i = 0; i < words.length; i++) {
    const got = porterStem(words[i])
    if (got !== stems[i]) differ.push(`${words[i]}\t${stems[i]}\t${got}`)
  }
  const listed = read('departures.tsv')
    .split('\n')
    .filter(l => l !== '')
  assert.deepEqual(
    differ,
    listed.map(l => l.split('\t').slice(0, 3).join('\t')),
    'words whose stem differs from the published one'
  )
  for (const l of listed) {
    const [word, published, ours, why] = l.split('\t')
    if (why === 'short') assert.ok(word.length <= 2 && ours === word, l)
    else if (why === 'bli') assert.ok(published.endsWith('bli') && !ours.endsWith('bli'), l)
    else if (why === 'logi') assert.ok(published.endsWith('logi') && ours === published.slice(0, -1), l)
    else assert.fail(`unexplained departure: ${l}`)
  }
})
