import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  ANALYZER_VERSION,
  DEFAULT_MAX_FIELD_TOKENS,
  DEFAULT_MAX_QUERY_TOKENS,
  DEFAULT_MAX_TOKEN_LENGTH,
  LUCENE_ENGLISH_STOP_WORDS,
  analyze,
  analyzeFieldInto,
  analyzeQuery,
  bigrams,
  clearAnalyzerCaches,
  foldDiacritics,
  porterStem,
  profileFor,
  resolveLanguage,
  safeStem,
  segments,
  stemmerFor,
  stopwordsFor,
  supportedLanguages,
  normalizeText,
  scanSegments
} from '../index-core/analysis/index.ts'
import type { Token } from '../index-core/analysis/index.ts'
import { WordCache } from '../index-core/analysis/word-cache.ts'

/** "term@position" strings: compact and exact. */
function tp(text: string, lang: string | null = null): string[] {
  return analyze(text, lang).map(t => `${t.term}@${t.position}`)
}
function terms(text: string, lang: string | null = null): string[] {
  return analyze(text, lang).map(t => t.term)
}

describe('public API', () => {
  it('has a versioned analyzer id', () => {
    assert.match(ANALYZER_VERSION, /^canopy-analyzer\/\d+$/)
  })

  it('lists supported languages, sorted, including the stemmed and CJK ones', () => {
    const langs = supportedLanguages()
    assert.deepEqual(langs, [...langs].sort())
    for (const l of ['en', 'fr', 'de', 'es', 'it', 'nl', 'pt', 'ru', 'sv', 'no', 'uk', 'id', 'ja', 'zh', 'ko']) {
      assert.ok(langs.includes(l), l)
    }
  })

  it('resolves loose language tags and falls back to English', () => {
    assert.equal(resolveLanguage('FR-ca'), 'fr')
    assert.equal(resolveLanguage('pt_BR'), 'pt')
    assert.equal(resolveLanguage('deu'), 'de')
    assert.equal(resolveLanguage('nb'), 'no')
    assert.equal(resolveLanguage('xx'), 'en')
    assert.equal(resolveLanguage('constructor'), 'en')
    assert.equal(resolveLanguage(null), 'en')
    assert.deepEqual(analyze('Running dogs', 'xx-YY'), analyze('Running dogs', null))
    assert.deepEqual(analyze('Running dogs', null), analyze('Running dogs', 'en'))
  })
})

describe('tokenizer', () => {
  it('strips English possessives (straight, curly and full-width apostrophes)', () => {
    assert.deepEqual(terms("John's book"), ['john', 'book'])
    assert.deepEqual(terms('IBM’s chips'), ['ibm', 'chip'])
    assert.deepEqual(terms('IBM＇s'), ['ibm'])
    assert.deepEqual(terms("the students' results"), ['student', 'result'])
    // Contractions stay whole, like Lucene's StandardTokenizer; curly == straight.
    assert.deepEqual(terms("don't"), ["don't"])
    assert.deepEqual(terms('don’t'), ["don't"])
  })

  it('splits on hyphens so covid-19 is searchable as covid and 19', () => {
    assert.deepEqual(tp('COVID-19 vaccines'), ['covid@0', '19@1', 'vaccin@2'])
    assert.deepEqual(tp('state-of-the-art'), ['state@0', 'art@3'])
  })

  it('keeps numbers as tokens, with decimal and thousands separators between digits', () => {
    assert.deepEqual(terms('3.5 mg in 1,000 patients (2020)'), ['3.5', 'mg', '1,000', 'patient', '2020'])
    assert.deepEqual(terms('ratio 1:2.'), ['ratio', '1', '2'])
  })

  it('splits dotted names and underscores', () => {
    assert.deepEqual(terms('example.com snake_case e.g.'), ['exampl', 'com', 'snake', 'case', 'e', 'g'])
  })

  it('reports words and bigram runs separately', () => {
    assert.deepEqual(segments('abc 東京タワーはtokyo'), [
      { text: 'abc', kind: 'word' },
      { text: '東京タワーは', kind: 'bigram-run' },
      { text: 'tokyo', kind: 'word' }
    ])
  })
})

describe('stop words', () => {
  it("uses exactly Lucene's 33-word English stop set", () => {
    assert.equal(LUCENE_ENGLISH_STOP_WORDS.length, 33)
    assert.deepEqual([...stopwordsFor('en')].sort(), [...LUCENE_ENGLISH_STOP_WORDS].sort())
    assert.ok(!stopwordsFor('en').has('about')) // natural's bigger English list is not used
  })

  it('leaves position gaps where stop words were', () => {
    assert.deepEqual(tp('The cells in the blood'), ['cell@1', 'blood@4'])
    assert.deepEqual(tp('to be or not to be'), [])
    assert.deepEqual(tp("it's a trap"), ['trap@2'])
  })

  it('uses per-language lists, cleaned of digits and content words', () => {
    assert.deepEqual(tp('le chat et la souris', 'fr'), ['chat@1', 'sour@4'])
    assert.ok(stopwordsFor('es').has('el'))
    assert.ok(!stopwordsFor('es').has('1')) // natural lists digits as stop words
    assert.ok(!stopwordsFor('nl').has('b')) // ... and the whole alphabet
    assert.ok(stopwordsFor('nl').has('u'))
    assert.ok(!stopwordsFor('sv').has('dag')) // content word in natural's Swedish list
    assert.ok(stopwordsFor('sv').has('och'))
    assert.ok(!stopwordsFor('ru').has('конец'))
    assert.ok(stopwordsFor('ru').has('и'))
    assert.equal(stopwordsFor('de').size, 0)
  })

  it('stops folded forms too (été and ete)', () => {
    assert.deepEqual(terms('été ete', 'fr'), [])
  })
})

describe('Porter (English)', () => {
  const cases: Record<string, string> = {
    running: 'run',
    caresses: 'caress',
    ponies: 'poni',
    ties: 'ti',
    caress: 'caress',
    cats: 'cat',
    feed: 'feed',
    agreed: 'agre',
    plastered: 'plaster',
    motoring: 'motor',
    sing: 'sing',
    conflated: 'conflat',
    hopping: 'hop',
    falling: 'fall',
    hissing: 'hiss',
    filing: 'file',
    happy: 'happi',
    sky: 'sky',
    relational: 'relat',
    conditional: 'condit',
    rational: 'ration',
    digitizer: 'digit',
    generalizations: 'gener',
    oscillators: 'oscil',
    effective: 'effect',
    controll: 'control',
    roll: 'roll',
    studies: 'studi',
    analysis: 'analysi',
    // natural's PorterStemmer over-stems these (its measure() mishandles
    // consonant+y+vowel); the reference / Lucene algorithm does not.
    dyadic: 'dyadic',
    myositis: 'myositi',
    glyoxal: 'glyoxal'
  }
  for (const [word, stem] of Object.entries(cases)) {
    it(`${word} -> ${stem}`, () => assert.equal(porterStem(word), stem))
  }

  it('is used by analyze() for English and unknown languages', () => {
    assert.deepEqual(terms('Caresses ponies running'), ['caress', 'poni', 'run'])
  })

  it('leaves 1-2 letter words alone and survives long runs of y', () => {
    assert.equal(porterStem('is'), 'is')
    assert.equal(porterStem('y'.repeat(100_000)).length, 100_000)
  })
})

describe('other languages', () => {
  it('picks the French stemmer by language and strips elided articles', () => {
    assert.deepEqual(terms("L'homme continuellement", 'fr'), ['homm', 'continuel'])
    assert.deepEqual(terms("L'homme continuellement", 'en'), ["l'homm", 'continuel'])
    assert.equal(terms('chanteuses', 'fr')[0], 'chanteux')
  })

  it('picks the German stemmer by language', () => {
    assert.deepEqual(terms('Häuser Städte', 'de'), ['haus', 'stadt'])
    assert.deepEqual(terms('Häuser Städte', 'en'), ['hauser', 'stadt'])
  })

  it('picks the Spanish stemmer by language', () => {
    assert.deepEqual(terms('corriendo rápidamente', 'es'), ['corr', 'rapid'])
    assert.deepEqual(terms('corriendo rápidamente', 'en'), ['corriendo', 'rapidament'])
  })

  it('picks the Italian, Dutch, Portuguese, Russian and Swedish stemmers', () => {
    assert.deepEqual(terms("dell'amicizia", 'it'), ['amiciz'])
    assert.deepEqual(terms('lichamelijke', 'nl'), ['licham'])
    assert.deepEqual(terms('bibliotecas', 'pt'), ['bibliotec'])
    assert.deepEqual(terms('России', 'ru'), ['росс'])
    assert.deepEqual(terms('flickorna', 'sv'), ['flick'])
  })
})

describe('normalisation and diacritics', () => {
  it('folds Latin and Greek diacritics (before Porter, after accent-aware stemmers)', () => {
    assert.deepEqual(terms('résumé'), ['resum'])
    assert.deepEqual(terms('résumé'), terms('resume'))
    assert.deepEqual(terms('naïve café'), terms('naive cafe'))
    assert.deepEqual(terms('résumé', 'fr'), terms('resume', 'fr'))
    assert.deepEqual(terms('Straße'), terms('strasse'))
    assert.deepEqual(terms('ΟΔΟΣ οδός', 'el'), ['οδοσ', 'οδοσ'])
    assert.equal(foldDiacritics('ça'), 'ca')
  })

  it('keeps marks that distinguish letters in other scripts', () => {
    assert.equal(foldDiacritics('йод'), 'йод')
    assert.equal(foldDiacritics('हिन्दी'), 'हिन्दी')
  })

  it('applies NFKC (full-width, ligatures, half-width katakana)', () => {
    assert.deepEqual(terms('ＦＵＬＬ ﬁle'), ['full', 'file'])
    assert.deepEqual(terms('ｶﾀｶﾅ', 'ja'), terms('カタカナ', 'ja'))
    assert.deepEqual(terms('İstanbul'), ['istanbul'])
  })
})

describe('CJK and other unsegmented scripts', () => {
  it('bigrams Japanese, including Katakana, Hiragana and the length mark', () => {
    assert.deepEqual(tp('東京タワー', 'ja'), ['東京@0', '京タ@1', 'タワ@2', 'ワー@3'])
  })

  it('bigrams Chinese', () => {
    assert.deepEqual(terms('我们喜欢北京', 'zh'), ['我们', '们喜', '喜欢', '欢北', '北京'])
  })

  it('bigrams Korean within space-separated words', () => {
    assert.deepEqual(tp('한국어 검색', 'ko'), ['한국@0', '국어@1', '검색@2'])
  })

  it('makes a single-character run a unigram', () => {
    assert.deepEqual(tp('駅 a 字'), ['駅@0', '字@2'])
    assert.deepEqual(bigrams('駅'), ['駅'])
  })

  it('handles Japanese mixed with Latin words, whatever the declared language', () => {
    assert.deepEqual(tp('iPhoneを買った', 'ja'), ['iphon@0', 'を買@1', '買っ@2', 'った@3'])
    assert.deepEqual(analyze('東京タワーはtokyo駅です', 'en'), analyze('東京タワーはtokyo駅です', 'ja'))
    assert.deepEqual(tp('東京。大阪', 'ja'), ['東京@0', '大阪@1'])
  })

  it('keeps Thai combining marks with their consonant', () => {
    assert.deepEqual(bigrams('ง่าย'), ['ง่า', 'าย'])
  })
})

describe('query analysis', () => {
  const samples: Array<[string, string | null]> = [
    ["The patient's COVID-19 symptoms were running at 3.5 ± 1,000 per U.S. state", null],
    ["L'homme et la femme continuellement", 'fr'],
    ['Die Häuser der Städte sind schön', 'de'],
    ['Las niñas corriendo rápidamente', 'es'],
    ['東京タワーはtokyo駅です。iPhoneを買った', 'ja'],
    ['我们喜欢北京', 'zh'],
    ['한국어 텍스트 검색', 'ko'],
    ['Москва столица России', 'ru']
  ]
  for (const [text, lang] of samples) {
    it(`matches analyze() for ${lang ?? 'null'}: ${text.slice(0, 24)}`, () => {
      const q = analyzeQuery(text, lang)
      assert.ok(q.length > 0)
      assert.deepEqual(q, analyze(text, lang))
    })
  }

  it('has a smaller default token cap than indexing', () => {
    const text = 'word '.repeat(DEFAULT_MAX_QUERY_TOKENS + 10)
    assert.equal(analyzeQuery(text, 'en').length, DEFAULT_MAX_QUERY_TOKENS)
    assert.equal(analyze(text, 'en').length, DEFAULT_MAX_QUERY_TOKENS + 10)
  })
})

describe('caps', () => {
  it('drops words longer than the length cap but keeps their position', () => {
    const ok = 'x'.repeat(DEFAULT_MAX_TOKEN_LENGTH)
    const tooLong = 'y'.repeat(DEFAULT_MAX_TOKEN_LENGTH + 1)
    assert.deepEqual(tp(`${ok} ${tooLong} end`), [`${ok}@0`, 'end@2'])
    assert.deepEqual(analyze('abcdef gh', 'en', { maxTokenLength: 3 }), [{ term: 'gh', position: 1 }])
  })

  it('caps the number of positions per field', () => {
    assert.deepEqual(tp('alpha beta gamma delta'), ['alpha@0', 'beta@1', 'gamma@2', 'delta@3'])
    assert.deepEqual(
      analyze('alpha the gamma delta', 'en', { maxTokens: 3 }).map(t => t.term),
      ['alpha', 'gamma']
    )
    const out = analyze('w '.repeat(DEFAULT_MAX_FIELD_TOKENS + 5), 'en')
    assert.equal(out.length, DEFAULT_MAX_FIELD_TOKENS)
    assert.equal(out[out.length - 1]!.position, DEFAULT_MAX_FIELD_TOKENS - 1)
    assert.deepEqual(analyze('alpha', 'en', { maxTokens: 0 }), [])
  })

  it('caps bigram positions too', () => {
    const out = analyze('漢'.repeat(50), 'zh', { maxTokens: 10 })
    assert.equal(out.length, 10)
    assert.equal(out[9]!.position, 9)
  })
})

describe('determinism', () => {
  const texts: Array<[string, string | null]> = [
    ['Glucocorticoid receptors dyadic myositis generalizations oscillators', null],
    ['Continuellement les chanteuses', 'fr'],
    ['Häuser Städte Straße', 'de'],
    ['東京タワーはtokyo駅です', 'ja'],
    ['bibliotecas corriendo', 'es']
  ]

  it('gives the same output with a cold and a warm cache', () => {
    clearAnalyzerCaches()
    const cold = texts.map(([t, l]) => analyze(t, l))
    const warm = texts.map(([t, l]) => analyze(t, l))
    clearAnalyzerCaches()
    // Interleave languages in the other order on a cold cache.
    const reversed = [...texts]
      .reverse()
      .map(([t, l]) => analyze(t, l))
      .reverse()
    assert.deepEqual(warm, cold)
    assert.deepEqual(reversed, cold)
  })

  it('does not share cache entries between languages', () => {
    clearAnalyzerCaches()
    const fr = terms('chanteuses', 'fr')
    const en = terms('chanteuses', 'en')
    assert.deepEqual(fr, ['chanteux'])
    assert.deepEqual(en, ['chanteus'])
    clearAnalyzerCaches()
    assert.deepEqual(terms('chanteuses', 'en'), en)
    assert.deepEqual(terms('chanteuses', 'fr'), fr)
  })

  it('numbers each term once for the thread: the same term the same number, whatever the field, language or cache state', () => {
    const seen = (text: string, lang: string | null): Array<[string, number]> => {
      const out: Array<[string, number]> = []
      analyzeFieldInto(text, lang, (term, _p, no) => {
        out.push([term, no])
      })
      return out
    }
    const a = seen('Running runners run; 東京の図書館 running', 'en')
    clearAnalyzerCaches()
    const b = seen('run RUNNING 図書館 runners', 'en')
    const c = seen('running', 'fr')
    const byTerm = new Map<string, number>()
    const byNumber = new Map<number, string>()
    for (const [term, no] of [...a, ...b, ...c]) {
      assert.ok(Number.isInteger(no) && no >= 0, `${term} has a number`)
      if (byTerm.has(term)) assert.equal(byTerm.get(term), no, `${term} keeps its number`)
      if (byNumber.has(no)) assert.equal(byNumber.get(no), term, `number ${no} names one term`)
      byTerm.set(term, no)
      byNumber.set(no, term)
    }
    assert.ok(byTerm.size >= 6, 'words and bigrams are numbered')
  })

  it('WordCache never exceeds its size, and finds words by a range of a longer text', () => {
    const c = new WordCache(3)
    const text = 'k0 k1 k2 k3 k4 k5 k6 k7 k8 k9'
    for (let i = 0; i < 10; i++) c.set(`k${i}`, WordCache.hash(text, 3 * i, 3 * i + 2), `v${i}`)
    assert.ok(c.size <= 3)
    assert.equal(c.get(text, 27, 29, WordCache.hash(text, 27, 29)), 'v9')
    assert.equal(c.get(text, 0, 2, WordCache.hash(text, 0, 2)), undefined)
    // Same hash, other word: never confused.
    const d = new WordCache(100)
    d.set('ab', 7, 'x')
    assert.equal(d.get('ac', 0, 2, 7), undefined)
    assert.equal(d.get('zab', 1, 3, 7), 'x')
    // Hash 0 (stored apart from empty slots) beside hash 1, and growth well past the first table size.
    d.set('zero', 0, 'z0')
    d.set('one', 1, 'o1')
    assert.equal(d.get('zero', 0, 4, 0), 'z0')
    assert.equal(d.get('one', 0, 3, 1), 'o1')
    const big = new WordCache(10_000)
    const words = Array.from({ length: 5000 }, (_, i) => `w${i}`).join(' ')
    let at = 0
    const ranges: Array<[number, number]> = []
    for (const w of words.split(' ')) {
      ranges.push([at, at + w.length])
      at += w.length + 1
    }
    for (const [a, b] of ranges) big.set(words.slice(a, b), WordCache.hash(words, a, b), `t${a}`)
    assert.equal(big.size, 5000)
    for (const [a, b] of ranges) assert.equal(big.get(words, a, b, WordCache.hash(words, a, b)), `t${a}`)
  })

  it('scanSegments hands each word the hash WordCache.hash gives its range', () => {
    // Marks (Devanagari vowel signs), joiners, surrogate pairs (Gothic letters, outside the BMP and unchanged by NFKC), a bigram run.
    const text = normalizeText("don't 3.5 1,000 cafe\u0301 \u{10330}bc x\u{10331}y 東京タワー हिन्दी naïve o'")
    assert.ok(/[\ud800-\udbff]/.test(text))
    let words = 0
    scanSegments(text, (start, end, kind, hash) => {
      if (kind === 'word') {
        assert.equal(hash, WordCache.hash(text, start, end), text.slice(start, end))
        words++
      }
      return true
    })
    assert.ok(words >= 8)
  })

  it('matches a golden output (bump ANALYZER_VERSION if this must change)', () => {
    const golden: Token[] = [
      { term: 'vitamin', position: 0 },
      { term: 'd', position: 1 },
      { term: 'defici', position: 2 },
      { term: 'increas', position: 3 },
      { term: 'risk', position: 5 },
      { term: 'covid', position: 7 },
      { term: '19', position: 8 },
      { term: 'patient', position: 10 },
      { term: '2.5', position: 11 },
      { term: 'fold', position: 12 }
    ]
    assert.deepEqual(analyze("Vitamin D deficiency increases the risk of COVID-19 in patients' 2.5-fold", 'en'), golden)
  })
})

describe('hostile input', () => {
  it('survives a 10 MB string of one letter', () => {
    assert.deepEqual(analyze('a'.repeat(10 * 1024 * 1024), 'en'), [])
  })

  it('survives a 10 MB run of one CJK character, capped', () => {
    const out = analyze('字'.repeat(10 * 1024 * 1024), 'zh')
    assert.equal(out.length, DEFAULT_MAX_FIELD_TOKENS)
    assert.equal(out[0]!.term, '字字')
  })

  it('ignores strings of only combining marks', () => {
    assert.deepEqual(analyze('\u0301'.repeat(100_000), 'en'), [])
    assert.deepEqual(analyze('\u0e48\u0e49'.repeat(1000), 'th'), [])
  })

  it('replaces lone surrogates and keeps the words around them', () => {
    assert.deepEqual(terms('\ud800alpha\udc00 beta\ud83d'), ['alpha', 'beta'])
    assert.deepEqual(analyze('\udfff\ud800', 'en'), [])
  })

  it('handles empty, whitespace and punctuation-only input', () => {
    assert.deepEqual(analyze('', 'en'), [])
    assert.deepEqual(analyze(' \n\t.,;!?', null), [])
  })
})

describe('stemmer robustness', () => {
  const odd = [
    '',
    'a',
    'b',
    '1',
    '19',
    '1990s',
    'x1y2',
    "don't",
    "l'homme",
    'ü',
    'ß',
    'aaa',
    'yyy',
    'ies',
    'café',
    'москва',
    'київ',
    '東京',
    'aé東',
    'ı',
    'qu',
    'ão',
    'ções',
    'iqUe',
    'aIent',
    '~',
    'niss',
    'hetslov',
    'nya',
    'menyanyi',
    'x'.repeat(64),
    'ость',
    'ся'
  ]

  for (const lang of ['en', 'de', 'es', 'fr', 'it', 'nl', 'no', 'pt', 'ru', 'sv', 'uk', 'id']) {
    it(`${lang} stemmer is deterministic and does not throw on odd input`, () => {
      const s = stemmerFor(lang)
      assert.ok(s !== null)
      for (const w of odd) {
        const first = s.stem(w)
        assert.equal(typeof first, 'string', w)
        assert.equal(s.stem(w), first, w)
      }
    })
  }

  it('falls back to the word when a stemmer throws or returns nothing', () => {
    assert.equal(
      safeStem(() => {
        throw new Error('boom')
      }, 'word'),
      'word'
    )
    assert.equal(
      safeStem(() => '', 'word'),
      'word'
    )
    assert.equal(
      safeStem(w => w.slice(0, 2), 'word'),
      'wo'
    )
  })

  it('languages without a stemmer index unstemmed words', () => {
    assert.equal(profileFor('pl').stemmer, null)
    assert.deepEqual(terms('kotami', 'pl'), ['kotami'])
  })
})
