// Snippets and highlighting (index-core/query/highlight.ts): which words and phrases are marked, and which
// passage of a text is shown.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { analyzeQuery } from '../index-core/analysis/index.ts'
import { QueryHighlight, highlightAll, makeSnippet, wordsQuery } from '../index-core/query/highlight.ts'

/** The highlight a query of these words and "phrases" gathers, as the executor gathers it. */
function query(words: string[], phrases: string[] = [], lang: string | null = 'en'): QueryHighlight {
  const h = new QueryHighlight()
  for (const w of words) for (const t of analyzeQuery(w, lang)) h.addWord(t.term)
  for (const p of phrases) h.addPhrase(analyzeQuery(p, lang))
  return h
}

const marks = (html: string): string[] => [...html.matchAll(/<mark>(.*?)<\/mark>/g)].map(m => m[1])

describe('highlighting words', () => {
  it('marks every form of a query word the analyzer makes the same term, and nothing else', () => {
    const html = highlightAll('Archives archive the archived archivist pages', query(['archiving']), 'en')
    assert.deepEqual(marks(html), ['Archives', 'archive', 'archived'])
  })

  it('escapes the text around and inside marks', () => {
    const html = highlightAll('<b>Tom & Jerry</b> "tom"', query(['tom']), 'en')
    assert.equal(html, '&lt;b&gt;<mark>Tom</mark> &amp; Jerry&lt;/b&gt; &quot;<mark>tom</mark>&quot;')
  })

  it('a words-only query from plain terms', () => {
    assert.deepEqual(marks(highlightAll('red green blue', wordsQuery(['green']), 'en')), ['green'])
  })
})

describe('highlighting phrases', () => {
  it('marks a phrase as one span, and its words alone nowhere', () => {
    const text = 'Open data is not always open. Open access journals publish open access papers.'
    const html = highlightAll(text, query([], ['open access']), 'en')
    assert.deepEqual(marks(html), ['Open access', 'open access'])
    assert.equal(html, 'Open data is not always open. <mark>Open access</mark> journals publish <mark>open access</mark> papers.')
  })

  it('a phrase with stop words inside is marked from its first word to its last', () => {
    const html = highlightAll('The war of the worlds began; the worlds were at war.', query([], ['war of the worlds']), 'en')
    assert.deepEqual(marks(html), ['war of the worlds'])
  })

  it('words in the wrong order or apart are not the phrase', () => {
    assert.deepEqual(marks(highlightAll('access open, open the access', query([], ['open access']), 'en')), [])
  })

  it('a word also asked for alone is marked alone as well; overlapping marks merge', () => {
    const html = highlightAll('open access and open doors', query(['open'], ['open access']), 'en')
    assert.deepEqual(marks(html), ['open access', 'open'])
  })

  it('a word the analyzer splits (covid-19, CJK) matches only whole', () => {
    assert.deepEqual(marks(highlightAll('covid-19 cases, 19 days of covid', query([], ['covid-19']), 'en')), ['covid-19'])
    // CJK text is one run of characters; the phrase's bigrams are marked as one span, and a bigram of it
    // that occurs alone is not.
    const ja = highlightAll('東京都庁は東京にあります', query([], ['東京都'], 'ja'), 'ja')
    assert.deepEqual(marks(ja), ['東京都'])
    assert.deepEqual(marks(highlightAll('京都の寺', query([], ['東京都'], 'ja'), 'ja')), [])
    // A CJK word asked for alone (one bigram) is marked wherever it occurs.
    assert.deepEqual(marks(highlightAll('東京都庁は東京にあります', query(['東京'], [], 'ja'), 'ja')), ['東京', '東京'])
  })
})

describe('snippet passage', () => {
  const filler = (n: number): string => Array.from({ length: n }, (_, i) => `filler${i}`).join(' ')

  it('without a focus, shows the densest run of matches, cut at word edges', () => {
    const text = `${filler(40)} salmon once here. ${filler(60)} salmon river salmon ladder salmon run. ${filler(60)}`
    const s = makeSnippet(text, query(['salmon']), 'en', 120)
    assert.equal(s.matches, 3)
    assert.match(s.html, /^… .*<mark>salmon<\/mark> river <mark>salmon<\/mark> ladder <mark>salmon<\/mark> run\. .* …$/)
    assert.doesNotMatch(s.html, /once here/)
    // No word is cut: every word shown is a whole word of the text.
    const shown = s.html
      .replace(/<\/?mark>/g, '')
      .replace(/^… | …$/g, '')
      .split(' ')
    const words = new Set(text.split(' '))
    for (const w of shown) assert.ok(words.has(w), w)
  })

  it('with a focus (a body position from the postings), shows the window there', () => {
    const text = `${filler(100)} heron nests by the lake. ${filler(100)}`
    const s = makeSnippet(text, query(['heron']), 'en', 100, 100)
    assert.match(s.html, /<mark>heron<\/mark> nests by the lake/)
    assert.equal(s.matches, 1)
    assert.ok(s.html.startsWith('… ') && s.html.endsWith(' …'))
  })

  it('a phrase cut by the window edge is marked as far as the window goes', () => {
    const text = 'alpha beta gamma delta'
    const s = makeSnippet(text, query([], ['gamma delta']), 'en', 16)
    assert.equal(s.matches, 1)
    assert.match(s.html, /<mark>gamma( delta)?<\/mark>/)
  })
})
