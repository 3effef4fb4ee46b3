import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  parseQuery,
  QueryError,
  QUERY_LIMITS,
  type BoolClause,
  type ParseOptions,
  type QueryErrorCode,
  type QueryNode,
  type TextField
} from '../index-core/query/index.ts'

// --- helpers -----------------------------------------------------------------------------------------------------

const term = (text: string, field: TextField | null = null): QueryNode => ({ kind: 'term', field, text })
const phrase = (text: string, field: TextField | null = null): QueryNode => ({ kind: 'phrase', field, text })
const prefix = (text: string, field: TextField | null = null): QueryNode => ({ kind: 'prefix', field, text })
const site = (value: string): QueryNode => ({ kind: 'filter', field: 'site', value })
const type = (value: string): QueryNode => ({ kind: 'filter', field: 'type', value })
const lang = (value: string): QueryNode => ({ kind: 'filter', field: 'lang', value })
const inst = (value: string): QueryNode => ({ kind: 'filter', field: 'institution', value })
const date = (from: string | null, to: string | null): QueryNode => ({ kind: 'date', from, to })
const should = (node: QueryNode): BoolClause => ({ occur: 'should', node })
const must = (node: QueryNode): BoolClause => ({ occur: 'must', node })
const not = (node: QueryNode): BoolClause => ({ occur: 'must_not', node })
const bool = (...clauses: BoolClause[]): QueryNode => ({ kind: 'bool', clauses })

const AND: ParseOptions = { defaultOperator: 'and' }

function root(q: string, opts?: ParseOptions): QueryNode {
  return parseQuery(q, opts).root
}

function parses(q: string, expected: QueryNode, opts?: ParseOptions): void {
  assert.deepEqual(root(q, opts), expected, `parse of ${JSON.stringify(q)}`)
}

/** parseQuery(q) throws a QueryError with this code and position, whose message matches every pattern. */
function fails(q: string, code: QueryErrorCode, position: number | null, ...patterns: RegExp[]): void {
  failsWith(q, undefined, code, position, ...patterns)
}

function failsWith(q: string, opts: ParseOptions | undefined, code: QueryErrorCode, position: number | null, ...patterns: RegExp[]): QueryError {
  let caught: unknown = null
  try {
    parseQuery(q, opts)
  } catch (e) {
    caught = e
  }
  const label = JSON.stringify(q.length > 60 ? q.slice(0, 60) + '…' : q)
  assert.ok(caught instanceof QueryError, `${label} should throw a QueryError, got ${caught === null ? 'no error' : String(caught)}`)
  assert.equal(caught.code, code, `code for ${label} (message: ${caught.message})`)
  assert.equal(caught.position, position, `position for ${label} (message: ${caught.message})`)
  if (position !== null) assert.match(caught.message, new RegExp(`position ${position}\\b`), `message names the position: ${caught.message}`)
  for (const p of patterns) assert.match(caught.message, p)
  return caught
}

// --- words and phrases ---------------------------------------------------------------------------------------------

describe('words and phrases', () => {
  it('a single word is a term on all text fields', () => {
    const r = parseQuery('hubble')
    assert.deepEqual(r, {
      root: term('hubble'),
      onlyNegative: false,
      stats: { clauses: 1, terms: 1, phrases: 0, prefixes: 0, filters: 0, depth: 0 }
    })
  })

  it('words are joined by the default operator: OR unless told AND', () => {
    parses('hubble telescope', bool(should(term('hubble')), should(term('telescope'))))
    parses('hubble telescope', bool(must(term('hubble')), must(term('telescope'))), AND)
    parses('  hubble \t\n telescope  ', bool(should(term('hubble')), should(term('telescope'))))
    parses('hubble telescope', bool(should(term('hubble')), should(term('telescope'))), { defaultOperator: 'or' })
  })

  it('lower-case and/or/not are ordinary words', () => {
    parses('cats and dogs or not', bool(should(term('cats')), should(term('and')), should(term('dogs')), should(term('or')), should(term('not'))))
    parses('And Or Not', bool(should(term('And')), should(term('Or')), should(term('Not'))))
  })

  it('keeps text exactly as typed: case, accents, CJK, and no Unicode normalisation', () => {
    parses('東京 タワー Café naïve', bool(should(term('東京')), should(term('タワー')), should(term('Café')), should(term('naïve'))))
    const nfd = 'cafe\u0301'
    assert.equal((root(nfd) as { text: string }).text, nfd)
    parses('"東京 タワー"', phrase('東京 タワー'))
    parses('😀x', term('😀x'))
  })

  it('phrases keep their inner text as typed, with escaped quotes', () => {
    parses('"exact phrase"', phrase('exact phrase'))
    parses('"say \\"hi\\" now"', phrase('say "hi" now'))
    parses('" padded  text "', phrase(' padded  text '))
    parses('"a (b) AND c*"', phrase('a (b) AND c*'))
    parses('"one"', phrase('one'))
    parses('a "b c" d', bool(should(term('a')), should(phrase('b c')), should(term('d'))))
  })

  it('curly quotes work as phrase quotes', () => {
    parses('“exact phrase”', phrase('exact phrase'))
    parses('„Zitat hier“', phrase('Zitat hier'))
  })

  it('a quote or parenthesis ends a word, as in Lucene', () => {
    parses('a"b c"d', bool(should(term('a')), should(phrase('b c')), should(term('d'))))
    parses('a(b)c', bool(should(term('a')), should(term('b')), should(term('c'))))
  })

  it('backslash makes the next character literal', () => {
    parses('\\(x\\) foo\\* \\AND a\\ b', bool(should(term('(x)')), should(term('foo*')), should(term('AND')), should(term('a b'))))
    parses('title\\:x', term('title:x'))
    parses('\\-x', term('-x'))
    parses('foo\\', term('foo\\'))
  })

  it('+, - and ! inside a word are ordinary characters', () => {
    parses('yahoo! c++ e-mail x!y', bool(should(term('yahoo!')), should(term('c++')), should(term('e-mail')), should(term('x!y'))))
  })

  it('&& and || inside a word are ordinary characters', () => {
    parses('a&&b c||d', bool(should(term('a&&b')), should(term('c||d'))))
  })
})

// --- boolean operators ---------------------------------------------------------------------------------------------

describe('boolean operators', () => {
  it('AND / && make must clauses, OR / || should clauses', () => {
    parses('a AND b', bool(must(term('a')), must(term('b'))))
    parses('a && b', bool(must(term('a')), must(term('b'))))
    parses('a OR b', bool(should(term('a')), should(term('b'))))
    parses('a || b', bool(should(term('a')), should(term('b'))))
    parses('a OR b', bool(should(term('a')), should(term('b'))), AND)
    parses('a AND b AND c', bool(must(term('a')), must(term('b')), must(term('c'))))
  })

  it('AND binds tighter than OR', () => {
    parses('a AND b OR c', bool(should(bool(must(term('a')), must(term('b')))), should(term('c'))))
    parses('a OR b AND c', bool(should(term('a')), should(bool(must(term('b')), must(term('c'))))))
    parses('a && b || c && d', bool(should(bool(must(term('a')), must(term('b')))), should(bool(must(term('c')), must(term('d'))))))
  })

  it('NOT binds tighter than AND', () => {
    parses('a AND NOT b', bool(must(term('a')), not(term('b'))))
    parses('a && !b', bool(must(term('a')), not(term('b'))))
    parses('NOT a AND b', bool(not(term('a')), must(term('b'))))
    parses('a AND NOT b OR c', bool(should(bool(must(term('a')), not(term('b')))), should(term('c'))))
  })

  it('NOT in an OR or next to a word excludes, as in Lucene', () => {
    parses('a OR NOT b', bool(should(term('a')), not(term('b'))))
    parses('a NOT b', bool(should(term('a')), not(term('b'))))
    parses('a NOT b', bool(must(term('a')), not(term('b'))), AND)
    parses('a ! b', bool(should(term('a')), not(term('b'))))
  })

  it('juxtaposition is the default operator, with its precedence', () => {
    parses('a b AND c', bool(should(term('a')), should(bool(must(term('b')), must(term('c'))))))
    parses('a b OR c', bool(should(bool(must(term('a')), must(term('b')))), should(term('c'))), AND)
    parses('a OR b c', bool(should(term('a')), should(term('b')), should(term('c'))))
    parses('a OR b c', bool(should(term('a')), should(bool(must(term('b')), must(term('c'))))), AND)
  })

  it('+ and - prefixes give must and must_not clauses', () => {
    parses('+a b -c', bool(must(term('a')), should(term('b')), not(term('c'))))
    parses('+a b -c', bool(must(term('a')), must(term('b')), not(term('c'))), AND)
    parses('a AND -b', bool(must(term('a')), not(term('b'))))
    parses('a OR +b', bool(should(term('a')), must(term('b'))))
    parses('a AND b -c', bool(should(bool(must(term('a')), must(term('b')))), not(term('c'))))
  })

  it('modifiers apply to phrases, groups and field clauses', () => {
    parses('a -"b c"', bool(should(term('a')), not(phrase('b c'))))
    parses('a +"b c"', bool(should(term('a')), must(phrase('b c'))))
    parses('a -(b OR c)', bool(should(term('a')), not(bool(should(term('b')), should(term('c'))))))
    parses('a -title:b', bool(should(term('a')), not(term('b', 'title'))))
    parses('a +site:x.org', bool(should(term('a')), must(site('x.org'))))
    parses('a !(b c)', bool(should(term('a')), not(bool(should(term('b')), should(term('c'))))))
  })

  it('a modifier followed by whitespace applies to the next clause (Lucene)', () => {
    parses('a - b', bool(should(term('a')), not(term('b'))))
    parses('a + b', bool(should(term('a')), must(term('b'))))
  })

  it('operator words end at a parenthesis or quote', () => {
    parses('NOT(a) b', bool(not(term('a')), should(term('b'))))
    parses('a AND(b OR c)', bool(must(term('a')), must(bool(should(term('b')), should(term('c'))))))
    parses('a OR"b c"', bool(should(term('a')), should(phrase('b c'))))
  })

  it('parentheses group', () => {
    parses('(a OR b) AND c', bool(must(bool(should(term('a')), should(term('b')))), must(term('c'))))
    parses('a AND (b OR c)', bool(must(term('a')), must(bool(should(term('b')), should(term('c'))))))
    parses('(a b) AND (c d)', bool(must(bool(should(term('a')), should(term('b')))), must(bool(should(term('c')), should(term('d'))))))
  })

  it('trivial nesting is flattened', () => {
    parses('(a)', term('a'))
    parses('((("a b")))', phrase('a b'))
    parses('+a', term('a'))
    parses('+(a b)', bool(should(term('a')), should(term('b'))))
    parses('(a OR b) OR c', bool(should(term('a')), should(term('b')), should(term('c'))))
    parses('a (b c)', bool(should(term('a')), should(term('b')), should(term('c'))))
    parses('a (b c)', bool(must(term('a')), must(term('b')), must(term('c'))), AND)
    parses('a AND (b AND NOT c)', bool(must(term('a')), must(term('b')), not(term('c'))))
    parses('x AND (-a)', bool(must(term('x')), not(term('a'))))
  })

  it('nesting that carries meaning is kept', () => {
    // splicing these would change which documents match
    parses('a OR (b -c)', bool(should(term('a')), should(bool(should(term('b')), not(term('c'))))))
    parses('a AND (b OR c)', bool(must(term('a')), must(bool(should(term('b')), should(term('c'))))))
    parses('-(a)', bool(not(term('a'))))
    parses('-(a b)', bool(not(bool(should(term('a')), should(term('b'))))))
    parses('a -(-b)', bool(should(term('a')), not(bool(not(term('b'))))))
  })
})

describe('only-negative queries', () => {
  const cases: Array<[string, boolean]> = [
    ['-foo', true],
    ['NOT a', true],
    ['!a', true],
    ['-a -b', true],
    ['-a OR -b', true],
    ['NOT a AND NOT b', true],
    ['-site:spam.com', true],
    ['-(a b)', true],
    ['(-a)', true],
    ['+(-a)', true],
    ['-"a b"', true],
    ['a -b', false],
    ['+a -b', false],
    ['a', false],
    ['a b', false],
    ['site:x.org -b', false],
    ['x AND (-a)', false],
    ['(-a) b', false]
  ]
  for (const [q, expected] of cases) {
    it(`${q} -> onlyNegative ${expected}`, () => {
      assert.equal(parseQuery(q).onlyNegative, expected)
      assert.equal(parseQuery(q, AND).onlyNegative, expected)
    })
  }

  it('keeps the negative clauses in the tree', () => {
    parses('-foo', bool(not(term('foo'))))
    parses('-a -b', bool(not(term('a')), not(term('b'))))
    parses('NOT a', bool(not(term('a'))))
    parses('-site:spam.com', bool(not(site('spam.com'))))
  })
})

// --- prefixes ------------------------------------------------------------------------------------------------------

describe('prefixes', () => {
  it('a trailing * makes a prefix clause, without the star', () => {
    parses('tele*', prefix('tele'))
    parses('te*', prefix('te'))
    parses('title:tele*', prefix('tele', 'title'))
    parses('url:http://example.com/*', prefix('http://example.com/', 'url'))
    parses('東京*', prefix('東京'))
    parses('tele* scope', bool(should(prefix('tele')), should(term('scope'))))
    parses('-tele*', bool(not(prefix('tele'))))
    assert.equal(parseQuery('tele* hub* x').stats.prefixes, 2)
  })

  it('an escaped star or a star in a phrase is not a prefix', () => {
    parses('tele\\*', term('tele*'))
    parses('"tele*"', phrase('tele*'))
    parses('\\*tele', term('*tele'))
  })

  it('a star anywhere but the end of a word is an error', () => {
    fails('*tele', 'bad-prefix', 0, /only allowed at the end of a word/, /"\*tele"/)
    fails('te*le', 'bad-prefix', 2, /only allowed at the end/)
    fails('tele**', 'bad-prefix', 4, /only allowed at the end/)
    fails('a b *bar', 'bad-prefix', 4)
    fails('title:*x', 'bad-prefix', 6)
    fails('*:*', 'bad-prefix', 0)
  })

  it('needs at least minPrefixChars letters or digits before the star', () => {
    fails('t*', 'bad-prefix', 0, /too short/, /at least 2 letters or digits/)
    fails('a.*', 'bad-prefix', 0, /too short/)
    fails('x *', 'bad-prefix', 2, /too short/)
    fails('"a b"*', 'bad-prefix', 5)
    fails('title:t*', 'bad-prefix', 6, /"t\*"/)
    fails('東*', 'bad-prefix', 0)
    failsWith('tel*', { limits: { minPrefixChars: 4 } }, 'bad-prefix', 0, /at least 4/)
    parses('tele*', prefix('tele'), { limits: { minPrefixChars: 4 } })
    parses('t*', prefix('t'), { limits: { minPrefixChars: 1 } })
  })
})

// --- fields --------------------------------------------------------------------------------------------------------

describe('text fields', () => {
  it('restrict a word, phrase or prefix to one field', () => {
    parses('title:hubble', term('hubble', 'title'))
    parses('body:"space telescope"', phrase('space telescope', 'body'))
    parses('url:example.com', term('example.com', 'url'))
    parses('title:hubble telescope', bool(should(term('hubble', 'title')), should(term('telescope'))))
  })

  it('apply to every unfielded clause of a parenthesised group', () => {
    parses('title:(hubble OR webb)', bool(should(term('hubble', 'title')), should(term('webb', 'title'))))
    parses(
      'title:(hubble "space telescope" tele* -x)',
      bool(should(term('hubble', 'title')), should(phrase('space telescope', 'title')), should(prefix('tele', 'title')), not(term('x', 'title')))
    )
    parses('title:(a AND (b OR c))', bool(must(term('a', 'title')), must(bool(should(term('b', 'title')), should(term('c', 'title'))))))
    parses('-title:(a b)', bool(not(bool(should(term('a', 'title')), should(term('b', 'title'))))))
  })

  it('a field written inside a group wins', () => {
    parses('title:(a body:b site:x.org)', bool(should(term('a', 'title')), should(term('b', 'body')), should(site('x.org'))))
    parses('site:(title:a)', term('a', 'title'))
  })

  it('field names are case-insensitive', () => {
    parses('Title:hubble', term('hubble', 'title'))
    parses('TITLE:"a b"', phrase('a b', 'title'))
    parses('Site:BBC.co.uk', site('bbc.co.uk'))
  })

  it('allow whitespace between the colon and the value, as Lucene does', () => {
    parses('title: hubble', term('hubble', 'title'))
    parses('title:  "a b"', phrase('a b', 'title'))
    parses('title: (a b)', bool(should(term('a', 'title')), should(term('b', 'title'))))
    parses('site: bbc.co.uk x', bool(should(site('bbc.co.uk')), should(term('x'))))
  })

  it('the value is split from the field at the first colon only', () => {
    parses('title:10:30', term('10:30', 'title'))
    parses('url:http://example.com/x', term('http://example.com/x', 'url'))
    parses('title:AND', term('AND', 'title'))
    parses('title:\\-x', term('-x', 'title'))
  })
})

describe('unknown fields are plain words', () => {
  it('URLs, times and other colons pass through whole', () => {
    parses('http://example.com/x', term('http://example.com/x'))
    parses('10:30', term('10:30'))
    parses('foo:bar', term('foo:bar'))
    parses(
      'meeting at 10:30 https://x.org/a?b=c#d',
      bool(should(term('meeting')), should(term('at')), should(term('10:30')), should(term('https://x.org/a?b=c#d')))
    )
    parses(':x', term(':x'))
    parses('foo:', term('foo:'))
    parses('constructor:x __proto__:y', bool(should(term('constructor:x')), should(term('__proto__:y'))))
  })

  it('follow the word rules: prefix, phrase and group are separate', () => {
    parses('foo:bar*', prefix('foo:bar'))
    parses('http://example.com/*', prefix('http://example.com/'))
    parses('foo:"a b"', bool(should(term('foo:')), should(phrase('a b'))))
    parses('foo:(a b)', bool(should(term('foo:')), should(term('a')), should(term('b'))))
  })
})

// --- filters -------------------------------------------------------------------------------------------------------

describe('site:', () => {
  it('takes a host or registered domain, lower-cased', () => {
    parses('site:bbc.co.uk', site('bbc.co.uk'))
    parses('site:www.bbc.co.uk', site('www.bbc.co.uk'))
    parses('site:WWW.BBC.CO.UK', site('www.bbc.co.uk'))
    parses('site:"bbc.co.uk"', site('bbc.co.uk'))
    parses('site:my_host.example.org', site('my_host.example.org'))
  })

  it('drops scheme, user info, port, path, query, fragment and trailing dot', () => {
    parses('site:https://www.bbc.co.uk:443/news?x=1#top', site('www.bbc.co.uk'))
    parses('site:http://Example.ORG', site('example.org'))
    parses('site://example.org/a', site('example.org'))
    parses('site:user:pw@example.org:8080', site('example.org'))
    parses('site:user:pw@example.org', site('example.org'))
    parses('site:example.org.', site('example.org'))
    parses('site:example.org:', site('example.org'))
  })

  it('gives hosts in the form ingest stores: punycode, dotted-quad IPv4, bare IPv6', () => {
    parses('site:bücher.DE', site('xn--bcher-kva.de'))
    parses('site:192.168.0.1', site('192.168.0.1'))
    parses('site:[::1]:8080', site('::1'))
  })

  it('combines with boolean operators like anything else', () => {
    parses('site:a.org OR site:b.org', bool(should(site('a.org')), should(site('b.org'))))
    parses('hubble -site:spam.com', bool(should(term('hubble')), not(site('spam.com'))))
    parses('site:(a.org OR b.org)', bool(should(site('a.org')), should(site('b.org'))))
    parses('hubble site:nasa.gov', bool(must(term('hubble')), must(site('nasa.gov'))), AND)
  })

  it('rejects what is not a host', () => {
    fails('site:*.bbc.co.uk', 'bad-field-value', 5, /Wildcard "\*"/, /site:/)
    fails('site:"*.bbc.co.uk"', 'bad-field-value', 6, /wildcards/)
    fails('site:bbc..co.uk', 'bad-field-value', 5, /"bbc\.\.co\.uk"/)
    fails('site:"bbc co uk"', 'bad-field-value', 6, /not a valid host name/)
    fails('site:a.org:http', 'bad-field-value', 5, /port/)
    fails('site:/news', 'bad-field-value', 5, /no host name/)
    fails('site:a!b.org', 'bad-field-value', 5)
    fails('site:-a.org', 'bad-field-value', 5, /before the field/, /-site:/)
    fails('x site:' + 'a'.repeat(64) + '.org', 'bad-field-value', 7, /63 characters/)
  })
})

describe('type:', () => {
  it('takes a MIME type, lower-cased, without parameters', () => {
    parses('type:text/html', type('text/html'))
    parses('type:TEXT/HTML', type('text/html'))
    parses('type:application/vnd.ms-excel', type('application/vnd.ms-excel'))
    parses('type:"Text/HTML; charset=UTF-8"', type('text/html'))
    parses('type:image/svg+xml', type('image/svg+xml'))
  })

  it('expands shortcuts', () => {
    parses('type:html', type('text/html'))
    parses('type:HTML', type('text/html'))
    parses('type:text', type('text/plain'))
    parses('type:pdf', type('application/pdf'))
  })

  it('rejects what is not a MIME type', () => {
    fails('type:foo', 'bad-field-value', 5, /MIME type/, /html, text, pdf/)
    fails('type:text/', 'bad-field-value', 5)
    fails('type:/html', 'bad-field-value', 5)
    fails('type:image/*', 'bad-field-value', 11, /Wildcard/)
    fails('type:"text/ html"', 'bad-field-value', 6)
  })
})

describe('lang:', () => {
  it('takes a 2-letter code, lower-cased, region dropped', () => {
    parses('lang:en', lang('en'))
    parses('lang:EN', lang('en'))
    parses('lang:en-GB', lang('en'))
    parses('lang:pt_BR', lang('pt'))
    parses('lang:zh-Hant-TW', lang('zh'))
  })

  it('rejects anything else', () => {
    fails('lang:eng', 'bad-field-value', 5, /2-letter code/)
    fails('lang:english', 'bad-field-value', 5)
    fails('lang:e1', 'bad-field-value', 5)
    fails('lang:en-', 'bad-field-value', 5)
    fails('lang:é', 'bad-field-value', 5)
  })
})

describe('institution:', () => {
  it('takes a word or a quoted name, whitespace collapsed, case kept', () => {
    parses('institution:"British Library"', inst('British Library'))
    parses('institution:"  British \t  Library "', inst('British Library'))
    parses('institution:KB', inst('KB'))
    parses('institution:(BL OR KB)', bool(should(inst('BL')), should(inst('KB'))))
  })

  it('takes no wildcard', () => {
    fails('institution:Brit*', 'bad-field-value', 16, /Wildcard/)
  })
})

describe('date:', () => {
  it('a year, month or day covers the whole period', () => {
    parses('date:2014', date('20140101000000', '20141231235959'))
    parses('date:2014-06', date('20140601000000', '20140630235959'))
    parses('date:2014-07', date('20140701000000', '20140731235959'))
    parses('date:2010-03-04', date('20100304000000', '20100304235959'))
    parses('date:2010-12-31', date('20101231000000', '20101231235959'))
  })

  it('ranges are inclusive, from the start of the first period to the end of the last', () => {
    parses('date:2008..2014', date('20080101000000', '20141231235959'))
    parses('date:2008-05..2009-01', date('20080501000000', '20090131235959'))
    parses('date:2010-03-04..2010-03-05', date('20100304000000', '20100305235959'))
    parses('date:2010..2010', date('20100101000000', '20101231235959'))
    parses('date:2010-03..2010', date('20100301000000', '20101231235959'))
    parses('date:"2008 .. 2010"', date('20080101000000', '20101231235959'))
  })

  it('either end may be open', () => {
    parses('date:..2010', date(null, '20101231235959'))
    parses('date:2010..', date('20100101000000', null))
    parses('date:..2010-02', date(null, '20100228235959'))
  })

  it('knows leap years', () => {
    parses('date:2012-02', date('20120201000000', '20120229235959'))
    parses('date:2013-02', date('20130201000000', '20130228235959'))
    parses('date:2000-02', date('20000201000000', '20000229235959'))
    parses('date:1900-02', date('19000201000000', '19000228235959'))
    parses('date:2000-02-29', date('20000229000000', '20000229235959'))
    parses('date:2012-02-29', date('20120229000000', '20120229235959'))
    fails('date:2013-02-29', 'bad-date', 5, /February 2013 has no day 29/, /28 days/)
    fails('date:1900-02-29', 'bad-date', 5, /February 1900/)
  })

  it('combines with other clauses', () => {
    parses(
      'hubble date:2010 -date:2010-06',
      bool(should(term('hubble')), should(date('20100101000000', '20101231235959')), not(date('20100601000000', '20100630235959')))
    )
    parses('date:(2008 OR 2010)', bool(should(date('20080101000000', '20081231235959')), should(date('20100101000000', '20101231235959'))))
  })

  it('rejects invalid dates, pointing at the bad part', () => {
    fails('date:2010-13', 'bad-date', 5, /no month 13/, /01 to 12/)
    fails('date:2010-00', 'bad-date', 5, /no month 00/)
    fails('date:2010-04-31', 'bad-date', 5, /April 2010 has no day 31/, /30 days/)
    fails('date:2010-01-00', 'bad-date', 5, /no day 00/)
    fails('date:2010..2010-13', 'bad-date', 11, /"2010-13"/)
    fails('date:"2010 ..  2010-13 "', 'bad-date', 15, /"2010-13"/)
    fails('x date:2008/05', 'bad-date', 7, /YYYY-MM-DD/)
    fails('date:2008-5', 'bad-date', 5)
    fails('date:20100304', 'bad-date', 5)
    fails('date:10', 'bad-date', 5)
    fails('date:may', 'bad-date', 5)
    fails('date:2008...2010', 'bad-date', 5)
    fails('date:2008..2010..2012', 'bad-date', 5)
  })

  it('rejects ranges that end before they start or have no end at all', () => {
    fails('date:2014..2008', 'bad-date', 5, /start \(2014\) is after the end \(2008\)/)
    fails('date:2010-03-05..2010-03-04', 'bad-date', 5, /after the end/)
    fails('date:2010-04..2010-03-31', 'bad-date', 5)
    fails('date:..', 'bad-date', 5, /a start, an end or both/)
  })
})

// --- errors --------------------------------------------------------------------------------------------------------

describe('errors', () => {
  it('QueryError is an Error with a name, a code and a position', () => {
    const e = failsWith('(a', undefined, 'unbalanced-parenthesis', 0)
    assert.ok(e instanceof Error)
    assert.equal(e.name, 'QueryError')
    assert.equal(e.message, 'Unbalanced parenthesis: "(" at position 0 is never closed')
  })

  it('empty', () => {
    fails('', 'empty', null, /empty/)
    fails('   ', 'empty', null)
    fails('\t\n\u3000\u00a0', 'empty', null)
  })

  it('unterminated-phrase', () => {
    fails('a "b c', 'unterminated-phrase', 2, /quote at position 2 is never closed/)
    fails('"a \\"', 'unterminated-phrase', 0)
    fails('title:"x', 'unterminated-phrase', 6)
    fails('"a" "b', 'unterminated-phrase', 4)
    fails('"abc\\', 'unterminated-phrase', 0)
  })

  it('unbalanced-parenthesis', () => {
    fails('(a b', 'unbalanced-parenthesis', 0, /"\(" at position 0 is never closed/)
    fails('a (b (c) d', 'unbalanced-parenthesis', 2)
    fails('title:(a', 'unbalanced-parenthesis', 6)
    fails('(', 'unbalanced-parenthesis', 0)
    fails('a b)', 'unbalanced-parenthesis', 3, /"\)" at position 3 has no matching "\("/)
    fails(')', 'unbalanced-parenthesis', 0)
    fails('a) (b', 'unbalanced-parenthesis', 1)
    fails('(a)) b', 'unbalanced-parenthesis', 3)
  })

  it('dangling-operator', () => {
    fails('a AND', 'dangling-operator', 2, /"AND" at position 2 has nothing after it/)
    fails('OR b', 'dangling-operator', 0, /"OR" at position 0 has nothing before it/)
    fails('a AND OR b', 'dangling-operator', 2, /"AND" at position 2 is followed by "OR" at position 6/)
    fails('a OR', 'dangling-operator', 2)
    fails('AND', 'dangling-operator', 0)
    fails('a && || b', 'dangling-operator', 2, /"&&"/, /"\|\|"/)
    fails('(a AND) b', 'dangling-operator', 3, /before "\)" at position 6/)
    fails('(OR a)', 'dangling-operator', 1)
    fails('NOT', 'dangling-operator', 0, /"NOT"/)
    fails('a NOT', 'dangling-operator', 2)
    fails('a AND NOT', 'dangling-operator', 6)
    fails('a -', 'dangling-operator', 2, /"-" at position 2 has nothing after it/)
    fails('+', 'dangling-operator', 0)
    fails('!', 'dangling-operator', 0)
    fails('(-)', 'dangling-operator', 1)
    fails('- AND b', 'dangling-operator', 0, /followed by "AND"/)
  })

  it('misplaced-operator: two modifiers on one clause', () => {
    fails('--a', 'misplaced-operator', 1, /"-" at position 1 cannot follow "-" at position 0/)
    fails('+-a', 'misplaced-operator', 1)
    fails('NOT -a', 'misplaced-operator', 4)
    fails('NOT NOT a', 'misplaced-operator', 4)
    fails('!!a', 'misplaced-operator', 1)
    fails('a AND NOT !b', 'misplaced-operator', 10)
  })

  it('empty-group and empty-phrase', () => {
    fails('()', 'empty-group', 0, /Empty parentheses/)
    fails('a ( ) b', 'empty-group', 2)
    fails('""', 'empty-phrase', 0, /Empty phrase/)
    fails('a " " b', 'empty-phrase', 2)
  })

  it('empty-field: a known field with nothing after the colon', () => {
    fails('title:', 'empty-field', 0, /"title:" at position 0 has no value/)
    fails('a title:', 'empty-field', 2)
    fails('(title:)', 'empty-field', 1)
    fails('title: AND b', 'empty-field', 0)
    fails('title: -b', 'empty-field', 0)
    fails('title: site:x.org', 'empty-field', 0)
    fails('title:()', 'empty-field', 0, /empty group/)
    fails('site:""', 'empty-field', 0, /empty phrase/)
    fails('institution:"  "', 'empty-field', 0)
    fails('Date:', 'empty-field', 0, /"Date:"/, /date:2008\.\.2014/)
    fails('site:', 'empty-field', 0, /site:bbc\.co\.uk/)
    fails('lang: ', 'empty-field', 0)
    fails('type:";charset=utf-8"', 'empty-field', 6)
  })

  it('bad-field-value: a modifier after the colon', () => {
    fails('title:-foo', 'bad-field-value', 6, /"-" at position 6 cannot start the value of "title:"/, /-title:foo/)
    fails('title:+foo', 'bad-field-value', 6, /\+title:foo/)
    fails('body:!x', 'bad-field-value', 5)
  })

  it('positions count UTF-16 code units', () => {
    fails('😀 (', 'unbalanced-parenthesis', 3)
    fails('é "x', 'unterminated-phrase', 2)
  })

  it('long offending text is shortened in messages', () => {
    const e = failsWith('x*' + 'y'.repeat(200), undefined, 'bad-prefix', 1)
    assert.ok(e.message.length < 200, e.message)
    assert.match(e.message, /…/)
  })

  it('rejects arguments of the wrong kind with TypeError/RangeError, not QueryError', () => {
    assert.throws(() => parseQuery(42 as unknown as string), TypeError)
    assert.throws(() => parseQuery('a', { defaultOperator: 'xor' as 'or' }), TypeError)
    assert.throws(() => parseQuery('a', { limits: { maxClauses: 0 } }), RangeError)
    assert.throws(() => parseQuery('a', { limits: { maxDepth: 1.5 } }), RangeError)
    assert.throws(() => parseQuery('a', { limits: { maxDepth: 100_000 } }), RangeError)
  })
})

// --- limits --------------------------------------------------------------------------------------------------------

describe('limits', () => {
  it('defaults', () => {
    assert.deepEqual({ ...QUERY_LIMITS }, { maxLength: 12288, maxClauses: 1024, maxDepth: 12, maxPrefixes: 8, minPrefixChars: 2 })
    assert.ok(Object.isFrozen(QUERY_LIMITS))
  })

  it('too-long: checked before anything is scanned', () => {
    assert.equal(parseQuery('a'.repeat(12288)).stats.terms, 1)
    fails('a'.repeat(12289), 'too-long', 12288, /12289 characters/, /at most 12288/)
    // these would fail differently if they were scanned at all
    fails('"' + 'a'.repeat(20000), 'too-long', 12288)
    fails('('.repeat(20000), 'too-long', 12288)
    fails(' '.repeat(20000), 'too-long', 12288)
    failsWith('abcdef', { limits: { maxLength: 5 } }, 'too-long', 5)
  })

  it('too-long: a 1 MB query is refused at its length, before its nesting, quotes or clauses are seen', () => {
    // Unbalanced quotes and 180,000 open groups would each be another error if the query were scanned at all;
    // how fast that is belongs in bench/, not here.
    const big = '(a "b '.repeat(180_000)
    assert.ok(big.length > 1_000_000)
    fails(big, 'too-long', 12288, /at most 12288/)
  })

  it('too-many-clauses: every leaf counts, except words the analyzer drops', () => {
    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ')
    assert.equal(parseQuery(words(1024)).stats.clauses, 1024)
    const q = words(1025)
    const last = q.lastIndexOf(' ') + 1
    assert.equal(q.slice(last), 'w1024')
    fails(q, 'too-many-clauses', last, /number 1025/, /at most 1024/)
    fails(`title:(${q})`, 'too-many-clauses', last + 7)
    const mixed = Array.from({ length: 256 }, (_, i) => `a${i} "b c" site:x.org date:2010`).join(' ')
    assert.equal(parseQuery(mixed).stats.clauses, 1024)
    assert.throws(() => parseQuery(mixed + ' z'), { code: 'too-many-clauses' })
    failsWith('a1 b1 c1', { limits: { maxClauses: 2 } }, 'too-many-clauses', 6)
    // Stop words (here English) are free: 1,000 of them beside 1,024 words still parse.
    const stops = Array.from({ length: 1000 }, (_, i) => ['the', 'of', 'and', 'a'][i % 4]).join(' ')
    assert.equal(parseQuery(`${words(1024)} ${stops}`).stats.terms, 2024)
    failsWith('the of w1 and w2 a w3', { limits: { maxClauses: 2 } }, 'too-many-clauses', 19)
    // In French, "the" is a word and "le" a stop word.
    failsWith('the le w1 w2', { limits: { maxClauses: 2 }, lang: 'fr' }, 'too-many-clauses', 10)
  })

  it('too-many-prefixes', () => {
    const prefixes = (n: number) => Array.from({ length: n }, (_, i) => `p${i}x*`).join(' ')
    assert.equal(parseQuery(prefixes(8)).stats.prefixes, 8)
    // "p8x*" starts at 5 * 8 = 40
    fails(prefixes(9), 'too-many-prefixes', 40, /number 9/, /at most 8/, /"p8x\*"/)
    failsWith('ab* cd*', { limits: { maxPrefixes: 1 } }, 'too-many-prefixes', 4)
  })

  it('too-deep: parentheses', () => {
    const nest = (n: number) => '('.repeat(n) + 'a' + ')'.repeat(n)
    parses(nest(12), term('a'))
    fails(nest(13), 'too-deep', 12, /"\(" at position 12 opens level 13/, /at most 12/)
    parses('title:' + nest(12), term('a', 'title'))
    fails('title:' + nest(13), 'too-deep', 18)
    failsWith(nest(3), { limits: { maxDepth: 2 } }, 'too-deep', 2)
  })

  it('too-deep: nesting of the resulting tree', () => {
    // each level adds two bools: x OR (y AND (...))
    const chain = (n: number) => 'x OR y AND ('.repeat(n) + 'z' + ')'.repeat(n)
    const ok = parseQuery(chain(6))
    assert.equal(ok.stats.depth, 12)
    assert.equal(ok.stats.clauses, 13)
    // 7 levels of parentheses (allowed) give 14 levels of bools: the first one over 12 is the outermost
    // "y AND (...)", which starts at position 5
    fails(chain(7), 'too-deep', 5, /nested too deeply/, /13 levels/)
  })

  it('stats describe the tree', () => {
    const r = parseQuery('title:(a "b c" dd*) site:x.org -date:2010 e')
    assert.deepEqual(r.stats, { clauses: 6, terms: 2, phrases: 1, prefixes: 1, filters: 2, depth: 1 })
    assert.equal(parseQuery('a OR (b AND (c OR d))').stats.depth, 3)
    assert.equal(parseQuery('"a"').stats.depth, 0)
  })
})

// Megabyte-sized hostile queries end in their own error, never a stack overflow or a hang (the runner's
// timeout catches a hang); how long they take is measured in bench/, not asserted here.
describe('hostile input of a megabyte', () => {
  const huge: ParseOptions = { limits: { maxLength: 2_100_000 } }
  const MB = 1_000_000

  function quick(_what: string, f: () => void): void {
    f()
  }

  it('deep parentheses fail with too-deep, not a stack overflow', () => {
    quick('1M "("', () => failsWith('('.repeat(MB), huge, 'too-deep', 12))
    quick('1M "((" with maxDepth 1000', () => failsWith('('.repeat(MB), { limits: { maxLength: 2_100_000, maxDepth: 1000 } }, 'too-deep', 1000))
    quick('1M "-("', () => failsWith('-('.repeat(MB / 2), huge, 'too-deep', 25))
  })

  it('long runs of clauses fail at the clause limit', () => {
    quick('1M "b "', () => failsWith('b '.repeat(MB / 2), huge, 'too-many-clauses', 2048))
    quick('1M "b AND "', () => failsWith('b AND '.repeat(MB / 6), huge, 'too-many-clauses', 6144))
    quick('1M "AND "', () => failsWith('AND '.repeat(MB / 4), huge, 'dangling-operator', 0))
    quick('1M ")"', () => failsWith(')'.repeat(MB), huge, 'unbalanced-parenthesis', 0))
  })

  it('megabyte tokens are scanned once', () => {
    quick('1M word', () => assert.equal((parseQuery('a'.repeat(MB), huge).root as { text: string }).text.length, MB))
    quick('1M escapes', () => assert.equal((parseQuery('\\a'.repeat(MB), huge).root as { text: string }).text.length, MB))
    quick('1M prefix', () => assert.equal((parseQuery('ab'.repeat(MB / 2) + '*', huge).root as { text: string }).text.length, MB))
    quick('1M stars', () => failsWith('ab' + '*'.repeat(MB), huge, 'bad-prefix', 2))
    quick('1M colons', () => assert.equal(parseQuery(':'.repeat(MB), huge).stats.terms, 1))
    quick('1M unterminated phrase', () => failsWith('"' + 'a \\" '.repeat(MB / 5), huge, 'unterminated-phrase', 0))
    quick('1M phrase', () => assert.equal(parseQuery('"' + 'a '.repeat(MB / 2) + '"', huge).stats.phrases, 1))
  })

  it('megabyte field values are checked in linear time', () => {
    quick('1M site', () => failsWith('site:' + 'a.'.repeat(MB / 2) + '!', huge, 'bad-field-value', 5))
    quick('1M site labels', () => failsWith('site:' + 'a'.repeat(MB), huge, 'bad-field-value', 5))
    quick('1M type', () => failsWith('type:' + 'a'.repeat(MB) + '/', huge, 'bad-field-value', 5))
    quick('1M lang bad', () => failsWith('lang:en' + '-abcdefgh'.repeat(MB / 9) + '!', huge, 'bad-field-value', 5))
    quick('1M date', () => failsWith('date:' + '1'.repeat(MB), huge, 'bad-date', 5))
    quick('1M institution', () => assert.equal(parseQuery('institution:"' + 'a  '.repeat(MB / 3) + '"', huge).stats.filters, 1))
  })
})
