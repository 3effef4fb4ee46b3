// Tests for ingest/extract: one HTTP payload -> one document.
// Real pages come from the shared WARCs (../shared, never copied into the repo); every rule also has a small
// hand-written case. Run: ./node_modules/.bin/node --test test/ingest-extract.test.ts

import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { constants as zlibConstants, deflateRawSync, gunzipSync, gzipSync } from 'node:zlib'
import iconv from 'iconv-lite'

import { MAX_TEXT_CHARS, extractDocument, isIndexableType, chooseLanguage, normalizeLangTag, parseContentType, sniffMime } from '../ingest/extract/index.ts'
import type { ExtractInput, ExtractResult, ExtractedDoc } from '../ingest/extract/index.ts'
import { normalizeCharset, prescanMetaCharset } from '../ingest/extract/charset.ts'
import { detectAll } from 'tinyld'
import { surt, urlKeys } from '../index-core/index/index.ts'
import { TextBuilder, isSeparator } from '../ingest/extract/text.ts'
import { extractHtml, MAX_NOTICE_CHARS } from '../ingest/extract/html-text.ts'
import { LABELS, SITES } from '../tools/sample/sites.ts'

const SHARED = new URL('../../shared/', import.meta.url)
const WARC_DIR = new URL('data/warc/', SHARED)
const CDX_DIR = new URL('data/cdx/', SHARED)

// --- test-only WARC reading ---------------------------------------------------------------------------------
// Deliberately minimal and lenient (LF-only line endings, missing blank lines): enough to pull HTTP responses out
// of the shared fixtures. Bodies are returned exactly as stored, so chunked/gzip bodies reach the extractor raw.

interface HttpResponse extends ExtractInput {
  file: string
}

function headerBlockEnd(buf: Buffer, from: number): [end: number, next: number] {
  const crlf = buf.indexOf('\r\n\r\n', from)
  const lf = buf.indexOf('\n\n', from)
  if (crlf === -1 && lf === -1) return [-1, -1]
  if (lf === -1 || (crlf !== -1 && crlf < lf)) return [crlf, crlf + 4]
  return [lf, lf + 2]
}

function parseHeaderLines(text: string): [string, string][] {
  const out: [string, string][] = []
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':')
    if (i > 0) out.push([line.slice(0, i).trim(), line.slice(i + 1).trim()])
  }
  return out
}

function readResponses(file: string): HttpResponse[] {
  let buf = readFileSync(new URL(file, WARC_DIR))
  // Gzip is detected from the bytes: some '.warc' fixtures are gzipped.
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf, { finishFlush: zlibConstants.Z_SYNC_FLUSH })
  const out: HttpResponse[] = []
  let pos = 0
  while (pos < buf.length) {
    const start = buf.indexOf('WARC/', pos)
    if (start === -1) break
    const [hEnd, blockStart] = headerBlockEnd(buf, start)
    if (hEnd === -1) break
    const warc = new Map(parseHeaderLines(buf.subarray(start, hEnd).toString('latin1')).map(([k, v]) => [k.toLowerCase(), v]))
    const length = Number(warc.get('content-length') ?? '0')
    const block = buf.subarray(blockStart, Math.min(buf.length, blockStart + length))
    pos = blockStart + length
    if (warc.get('warc-type') !== 'response' || !block.subarray(0, 5).toString('latin1').startsWith('HTTP/')) continue
    const [httpEnd, bodyStart] = headerBlockEnd(block, 0)
    if (httpEnd === -1) continue
    const head = block.subarray(0, httpEnd).toString('latin1')
    const status = /^HTTP\/\S+\s+(\d{3})/.exec(head)?.[1]
    const headers = parseHeaderLines(head.slice(head.indexOf('\n') + 1))
    out.push({
      file,
      url: (warc.get('warc-target-uri') ?? '').replace(/^<|>$/g, ''),
      status: status === undefined ? null : Number(status),
      headers,
      contentType: headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? null,
      body: block.subarray(bodyStart)
    })
  }
  return out
}

// --- helpers ----------------------------------------------------------------------------------------------------

function input(body: string | Uint8Array, opts: Partial<ExtractInput> = {}): ExtractInput {
  const contentType = opts.contentType === undefined ? 'text/html; charset=utf-8' : opts.contentType
  return {
    url: opts.url ?? 'http://www.example.com/page.html',
    contentType,
    headers: opts.headers ?? (contentType === null ? [] : [['Content-Type', contentType]]),
    body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
    status: opts.status ?? 200
  }
}

function doc(body: string | Uint8Array, opts: Partial<ExtractInput> = {}): ExtractedDoc {
  const r = extractDocument(input(body, opts))
  if (!r.ok) assert.fail(`expected a document, got ${r.reason}`)
  return r.doc
}

function reason(r: ExtractResult): string {
  return r.ok ? 'ok' : r.reason
}

function textOf(html: string): string {
  return doc(html).text
}

const KANA = /[\u3040-\u30ff]/
const HAN = /[\u4e00-\u9fff]/

function replacementShare(s: string): number {
  if (s.length === 0) return 0
  let n = 0
  for (const ch of s) if (ch === '\ufffd') n++
  return n / s.length
}

// --- real pages -------------------------------------------------------------------------------------------------

describe('real pages from the shared WARCs', () => {
  test('the shared data is where the tests expect it', () => {
    assert.ok(existsSync(new URL('INDEX.tsv', WARC_DIR)), 'expected ../shared/data/warc/INDEX.tsv beside the repo')
  })

  test('ClueWeb09 EUC-JP sample decodes to readable Japanese', () => {
    // Stored decoded although its headers still say 'Content-Encoding: gzip', with LF line endings.
    const records = readResponses('chatnoir-eu__chatnoir-resiliparse/tests__data__clueweb-quirk.warc.gz')
    assert.ok(records.length >= 20, `expected the ClueWeb responses, got ${records.length}`)
    for (const r of records) {
      const res = extractDocument(r)
      assert.equal(reason(res), 'ok', r.url)
      if (!res.ok) continue
      const d = res.doc
      assert.equal(d.charset, 'euc-jp', r.url)
      assert.match(d.title, KANA, `title of ${r.url}: ${d.title}`)
      assert.match(d.text, KANA)
      assert.match(d.text, HAN)
      assert.ok(d.text.length > 200, r.url)
      assert.ok(replacementShare(d.title) === 0, `U+FFFD in title: ${d.title}`)
      assert.ok(replacementShare(d.text) < 0.001, `too many U+FFFD in text of ${r.url}`)
      assert.equal(d.lang, 'ja', r.url)
      assert.doesNotMatch(d.text, /function\s*\(|text-decoration|<\/?[a-z]+[\s>]/i, 'script, style or tags leaked into text')
    }
    const first = extractDocument(records[0])
    assert.ok(first.ok)
    assert.equal(first.doc.title, 'ブラウニー ブリーフケース【ヘッドポーター HEADPORTER 吉田かばん】')
    assert.equal(first.doc.surt, 'st,uraharajuku)/shopdetail/001005000005/019/000/order')
    assert.equal(first.doc.domain, 'uraharajuku.st')
  })

  test('pywb sample: iana.org home page', () => {
    const r = readResponses('webrecorder__pywb/sample_archive__warcs__iana.warc.gz').find(x => x.url === 'http://www.iana.org/')
    assert.ok(r)
    const d = doc(r.body, r)
    assert.equal(d.surt, 'org,iana)/')
    assert.equal(d.host, 'www.iana.org')
    assert.equal(d.domain, 'iana.org')
    assert.equal(d.title, 'Internet Assigned Numbers Authority')
    // Body text starts with the first panel: the page-level <header> (logo and site tagline) and the link
    // lists of the panels and of the <footer> are not body text; the panels' prose is.
    assert.ok(d.text.startsWith('Domain Names IANA manages the DNS Root Zone (assignments of ccTLDs and gTLDs)'), d.text.slice(0, 120))
    assert.match(d.text, /IANA coordinates allocations from the global IP and AS number spaces/)
    assert.match(d.text, /This report summarizes the survey methodology/)
    for (const nav of ['Root Zone Management', 'Database of Top Level Domains', 'Time Zone Database', 'About IANA', 'Performance Reviews']) {
      assert.ok(!d.text.includes(nav), `navigation text ${JSON.stringify(nav)} in body text`)
    }
    assert.equal(d.lang, 'en')
    assert.equal(d.charset, 'utf-8')
  })

  test('gzip content coding left in the body is undone (scoop example.com)', () => {
    const r = readResponses('harvard-lil__scoop/assets__fixtures__example.com.wacz__archive__data.warc').find(x => x.url === 'https://example.com/')
    assert.ok(r)
    assert.deepEqual([...r.body.subarray(0, 2)], [0x1f, 0x8b], 'fixture body should still be gzipped')
    const d = doc(r.body, r)
    assert.equal(d.title, 'Example Domain')
    assert.match(d.text, /^Example Domain This domain is for use in illustrative examples in documents\./)
  })

  test('chunked transfer coding with chunk extensions is undone (ipwb baconIpsum)', () => {
    const r = readResponses('oduwsdl__ipwb/samples__warcs__baconIpsum_chunked.warc').find(x => x.url.endsWith('baconIpsum.html'))
    assert.ok(r)
    assert.match(Buffer.from(r.body.subarray(0, 12)).toString('latin1'), /^[0-9a-f]+;/i, 'fixture body should still be chunked')
    const d = doc(r.body, r)
    assert.match(d.text, /^Bacon ipsum dolor amet pig/)
    assert.doesNotMatch(d.text, /\b1efe\b|extraMe/, 'chunk headers leaked into text')
  })

  test('legacy charsets declared in HTTP: windows-1251 and GB2312 (resiliparse warcfile)', () => {
    const records = readResponses('chatnoir-eu__chatnoir-resiliparse/tests__data__warcfile.warc')
    const ru = records.find(x => x.url === 'http://01spb.ru/company/')
    assert.ok(ru)
    const dru = doc(ru.body, ru)
    assert.equal(dru.charset, 'windows-1251')
    assert.equal(dru.title, 'О компании - Стратегия пожарной безопасности')
    assert.equal(dru.lang, 'ru')
    const zh = records.find(x => x.url === 'http://0760.jxtdw.com/area/sanxiang/')
    assert.ok(zh)
    const dzh = doc(zh.body, zh)
    assert.equal(dzh.charset, 'gbk', 'gb2312 is decoded as GBK, as browsers do')
    assert.equal(dzh.title, '三乡招聘|三乡人才市场|中山英才网(0760.jxtdw.com)')
    assert.equal(dzh.lang, 'zh')
    assert.equal(dzh.domain, 'jxtdw.com')
  })

  test('2008 Heritrix crawl (blackbook): every HTML response extracts cleanly', () => {
    const records = readResponses('netarchivesuite__jwat/jwat-gzip__src__test__resources__IAH-20080430204825-00000-blackbook.warc.gz').filter(r =>
      /html/i.test(r.contentType ?? '')
    )
    assert.ok(records.length >= 100, `expected the ~140 HTML responses, got ${records.length}`)
    let ok = 0
    for (const r of records) {
      const res = extractDocument(r)
      if (!res.ok) {
        assert.ok(['empty-body', 'no-text'].includes(res.reason), `${r.url}: ${res.reason}`)
        continue
      }
      ok++
      const d = res.doc
      assert.doesNotMatch(d.title, /[\n\t]| {2}/, 'title must be whitespace-collapsed')
      assert.doesNotMatch(d.text, /[\n\t]| {2}/, 'text must be whitespace-collapsed')
      // (Escaped markup is legitimate text, e.g. the FAQ that shows '<a href=...>' to forum users.)
      assert.doesNotMatch(d.text, /<script|document\.write\(|function\s*\(|\{\s*(color|font-size):/i, `script or style leaked: ${r.url}`)
      assert.equal(d.surt, surt(r.url))
    }
    assert.ok(ok >= 100, `only ${ok} documents`)
    const home = extractDocument(records.find(r => r.url === 'http://www.archive.org/index.php')!)
    assert.ok(home.ok)
    assert.equal(home.doc.title, 'Internet Archive')
    assert.equal(home.doc.lang, 'en')
    assert.equal(home.doc.langSource, 'html-lang')
  })

  test('many WARCs: HTML responses never crash and stay within the cap', () => {
    const files = [
      'oduwsdl__ipwb/samples__warcs__sample-1.warc.gz',
      'ukwa__webarchive-discovery/warc-indexer__src__test__resources__gov.uk-revisit-warcs__BL-20140325121225068-00000-32090~opera~8443.warc.gz',
      'openzim__warc2zim/tests__data__solidaritenum.warc.gz',
      'webrecorder__replayweb.page/mkdocs__site__docs__examples__netpreserve-twitter.warc',
      'N0taN3rd__node-warc/test__files__books.toscrape.warc',
      'apache__incubator-stormcrawler/external__warc__src__test__resources__test.warc.gz'
    ]
    let docs = 0
    for (const f of files) {
      for (const r of readResponses(f)) {
        if (!isIndexableType(r.contentType, r.url)) continue
        const res = extractDocument(r)
        if (!res.ok) continue
        docs++
        assert.ok(res.doc.text.length <= MAX_TEXT_CHARS)
        assert.ok(['text/html', 'application/xhtml+xml', 'text/plain'].includes(res.doc.mime))
        assert.ok(res.doc.lang === null || /^[a-z]{2}$/.test(res.doc.lang), String(res.doc.lang))
        assert.ok(res.doc.surt.length > 0 && res.doc.host.length > 0 && res.doc.domain.length > 0)
      }
    }
    assert.ok(docs >= 100, `only ${docs} documents from ${files.length} WARCs`)
  })

  test('non-HTML responses in a real WARC are rejected as not-html', () => {
    const records = readResponses('webrecorder__pywb/sample_archive__warcs__iana.warc.gz')
    const png = records.find(r => (r.contentType ?? '').startsWith('image/png'))
    assert.ok(png)
    assert.equal(isIndexableType(png.contentType, png.url), false)
    assert.equal(reason(extractDocument(png)), 'not-html')
    const css = records.find(r => (r.contentType ?? '').startsWith('text/css'))
    assert.ok(css)
    assert.equal(reason(extractDocument(css)), 'not-html')
  })
})

// --- SURT, host, domain -----------------------------------------------------------------------------------------

describe('SURT (pywb / webarchive-commons canonicalisation)', () => {
  test('matches every key in pywb-generated CDX/CDXJ indexes', () => {
    const files = [
      'webrecorder__pywb/sample_archive__cdxj__iana.cdxj',
      'webrecorder__pywb/sample_archive__cdx__iana.cdx',
      'webrecorder__pywb/sample_archive__zipcdx__zipnum-sample.cdx.gz',
      'webrecorder__pywb/sample_archive__cdx__dupes.cdx',
      'ukwa__ukwa-pywb/integration-test__test-data__epubs.cdxj',
      'ukwa__ukwa-pywb/integration-test__test-data__acid.matkelly.com-20140716200357.cdx',
      'ukwa__ukwa-pywb/integration-test__test-data__video-test__indexes__index.cdxj'
    ]
    let checked = 0
    for (const f of files) {
      let buf = readFileSync(new URL(f, CDX_DIR))
      if (buf[0] === 0x1f) buf = gunzipSync(buf)
      for (const line of buf.toString('utf8').split('\n')) {
        if (line.trim() === '' || line.startsWith(' CDX') || line.startsWith('!')) continue
        const json = /^(\S+) \d+ (\{.*\})$/.exec(line)
        const [key, url] = json ? [json[1], (JSON.parse(json[2]) as { url?: string }).url] : [line.split(' ')[0], line.split(' ')[2]]
        if (!url) continue
        assert.equal(surt(url), key, `${f}: ${url}`)
        checked++
      }
    }
    assert.ok(checked > 400, `only ${checked} keys checked`)
  })

  // Cases from internetarchive/surt tests (ports of webarchive-commons' WaybackURLKeyMakerTest,
  // GoogleURLCanonicalizerTest and IAURLCanonicalizerTest).
  const cases: [string, string][] = [
    ['http://www.archive.org/', 'org,archive)/'],
    ['http://archive.org/goo/', 'org,archive)/goo'],
    ['http://archive.org/goo/?', 'org,archive)/goo'],
    ['http://archive.org/goo/?b&a', 'org,archive)/goo?a&b'],
    ['http://archive.org/goo/?a=2&b&a=1', 'org,archive)/goo?a=1&a=2&b'],
    ['http://archive.org/index.php?PHPSESSID=0123456789abcdefghijklemopqrstuv&action=profile;u=4221', 'org,archive)/index.php?action=profile;u=4221'],
    ['whois://whois.isoc.org.il/shaveh.co.il', 'il,org,isoc,whois)/shaveh.co.il'],
    [
      'http://visit.webhosting.yahoo.com/visit.gif?&r=http%3A//web.archive.org/web/20090517140029/http%3A//anthonystewarthead.electric-chi.com/&b=Netscape%205.0%20%28Windows%3B%20en-US%29&s=1366x768&o=Win32&c=24&j=true&v=1.2',
      'com,yahoo,webhosting,visit)/visit.gif?&b=netscape%205.0%20(windows;%20en-us)&c=24&j=true&o=win32&r=http://web.archive.org/web/20090517140029/http://anthonystewarthead.electric-chi.com/&s=1366x768&v=1.2'
    ],
    ['mailto:foo@example.com', 'mailto:foo@example.com'],
    ['dns:alexa.com', 'dns:alexa.com'],
    ['filedesc:foo.arc.gz', 'filedesc:foo.arc.gz'],
    ['ftp://www.example.com/', 'com,example)/'],
    ['http://www.archive.org:80/', 'org,archive)/'],
    ['https://www.archive.org:80/', 'org,archive:80)/'],
    ['http://www.archive.org:443/', 'org,archive:443)/'],
    ['https://www.archive.org:443/', 'org,archive)/'],
    ['http://www34.archive.org/index.html?b=a&b=b&a=b', 'org,archive)/index.html?a=b&b=a&b=b'],
    ['http://www2foo.com/', 'com,www2foo)/'],
    ['http://host/%25%32%35', 'host)/%25'],
    ['http://host/%2525252525252525', 'host)/%25'],
    ['http://%31%36%38%2e%31%38%38%2e%39%39%2e%32%36/%2E%73%65%63%75%72%65/%77%77%77%2E%65%62%61%79%2E%63%6F%6D/', '26,99,188,168)/.secure/www.ebay.com'],
    ['http://3279880203/blah', '11,0,127,195)/blah'],
    ['http://017.0.0.1/', '1,0,0,15)/'],
    ['http://www.google.com/blah/..', 'com,google)/'],
    ['www.google.com', 'com,google)/'],
    ['http://www.evil.com/blah#frag', 'com,evil)/blah'],
    ['http://www.google.com.../', 'com,google)/'],
    ['http://www.google.com/foo\tbar\rbaz\n2', 'com,google)/foobarbaz2'],
    ['http://host.com//twoslashes?more//slashes', 'com,host)/twoslashes?more//slashes'],
    ['http:////////////////www.vikings.com', 'com,vikings)/'],
    ['http://https://order.1and1.com', 'com,1and1,order)/'],
    ['http://mineral.galleries.com:/minerals/silicate/chabazit/chabazit.htm', 'com,galleries,mineral)/minerals/silicate/chabazit/chabazit.htm'],
    ['http://example.com/(S(4hqa0555fwsecu455xqckv45))/mileg.aspx', 'com,example)/mileg.aspx'],
    ['http://example.com/?jsessionid=0123456789abcdefghijklemopqrstuv&x=y', 'com,example)/?x=y'],
    ['http://example.com/?aspsessionidABCDEFGH=ABCDEFGHIJKLMNOPQRSTUVWX&x=y', 'com,example)/?x=y'],
    ['http://example.com/?CFID=14475712&CFTOKEN=2D89F5AF-3048-2957-DA4EE4B6B13661AB&r=468710288378&m=forgotten', 'com,example)/?m=forgotten&r=468710288378'],
    ['http://example.com/foo?X=Y', 'com,example)/foo?x=y'],
    ['B\u00fccher.ch:8080', 'ch,xn--bcher-kva:8080)/'],
    ['\u2603.com', 'com,xn--n3h)/'],
    ['http://example.com/caf\u00e9', 'com,example)/caf%c3%a9'],
    ['  http://www.google.com/  ', 'com,google)/']
  ]
  for (const [url, key] of cases) {
    test(`surt(${JSON.stringify(url).slice(0, 70)})`, () => assert.equal(surt(url), key))
  }

  test('query arguments sort like Python tuples: a bare key before key=value', () => {
    assert.equal(surt('http://example.com/?a-b=1&a=2&a'), 'com,example)/?a&a=2&a-b=1')
  })

  test('garbage URLs never throw', () => {
    for (const u of [
      '',
      ' ',
      'http://',
      'http://[::1',
      'http://example.com:99999/',
      '%%%',
      'javascript:void(0)',
      '\u0000\u0001',
      'http://a b/',
      'x'.repeat(100000),
      'http://h/' + '%25'.repeat(20000)
    ]) {
      assert.doesNotThrow(() => surt(u))
      assert.doesNotThrow(() => urlKeys(u))
      assert.doesNotThrow(() => extractDocument(input('<p>hello</p>', { url: u })))
    }
    assert.equal(surt('http://example.com:99999/'), null)
    assert.equal(urlKeys('about:blank'), null)
  })
})

describe('host and registered domain', () => {
  test('multi-level public suffixes', () => {
    assert.deepEqual(urlKeys('http://news.bbc.co.uk/sport'), { surt: 'uk,co,bbc,news)/sport', host: 'news.bbc.co.uk', domain: 'bbc.co.uk' })
    assert.equal(urlKeys('https://www.city.kawasaki.jp/')?.domain, 'city.kawasaki.jp')
    assert.equal(urlKeys('http://a.b.example.com.au/')?.domain, 'example.com.au')
  })

  test('IPs and hosts without a public suffix keep the host', () => {
    assert.deepEqual(urlKeys('http://192.168.0.1:8080/x'), { surt: '1,0,168,192:8080)/x', host: '192.168.0.1', domain: '192.168.0.1' })
    assert.equal(urlKeys('http://3279880203/')?.host, '195.127.0.11')
    assert.equal(urlKeys('http://[::1]/')?.domain, '::1')
    assert.equal(urlKeys('http://localhost:8080/')?.domain, 'localhost')
  })

  test('host is lowercased punycode; www is kept in host but not in the SURT', () => {
    assert.deepEqual(urlKeys('http://WWW.B\u00fccher.CH./'), { surt: 'ch,xn--bcher-kva)/', host: 'www.xn--bcher-kva.ch', domain: 'xn--bcher-kva.ch' })
  })

  test('a URL with no host is bad-url', () => {
    assert.equal(reason(extractDocument(input('<p>x</p>', { url: '' }))), 'bad-url')
    assert.equal(reason(extractDocument(input('<p>x</p>', { url: 'urn:pageinfo:http://example.com/' }))), 'bad-url')
  })
})

// --- MIME -------------------------------------------------------------------------------------------------------

describe('MIME type', () => {
  test('only HTML, XHTML and plain text are indexed', () => {
    assert.equal(doc('<p>x</p>', { contentType: 'TEXT/HTML; Charset=UTF-8' }).mime, 'text/html')
    assert.equal(doc('<html xmlns="http://www.w3.org/1999/xhtml"><p>x</p></html>', { contentType: 'application/xhtml+xml' }).mime, 'application/xhtml+xml')
    assert.equal(doc('just text', { contentType: 'text/plain' }).mime, 'text/plain')
    for (const ct of ['image/png', 'application/pdf', 'text/css', 'application/javascript', 'application/json', 'text/xml']) {
      assert.equal(reason(extractDocument(input('<p>x</p>', { contentType: ct }))), 'not-html', ct)
    }
  })

  test('missing or generic type: the bytes decide', () => {
    assert.equal(doc('  <!DOCTYPE html><title>t</title>', { contentType: null }).mime, 'text/html')
    assert.equal(doc('<HTML><body>x', { contentType: 'application/octet-stream' }).mime, 'text/html')
    assert.equal(doc('Plain words here.', { contentType: null, url: 'http://example.com/readme' }).mime, 'text/plain')
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])
    assert.equal(reason(extractDocument(input(png, { contentType: null }))), 'not-html')
    assert.equal(reason(extractDocument(input('var x = 1;', { contentType: null, url: 'http://example.com/app.js' }))), 'not-html')
    assert.equal(sniffMime(new TextEncoder().encode('<?xml version="1.0"?><rss></rss>'), 'http://x/'), null)
  })

  test('a binary file mislabelled text/html is rejected', () => {
    const pdf = new Uint8Array([...new TextEncoder().encode('%PDF-1.4\n'), 0x25, 0xe2, 0xe3, 0x0b, 0x01, 0x02])
    assert.equal(reason(extractDocument(input(pdf))), 'not-html')
  })

  test('messy Content-Type values', () => {
    assert.deepEqual(parseContentType('text/html charset=utf-8'), { essence: 'text/html', charset: 'utf-8' })
    assert.deepEqual(parseContentType('text/html; charset="ISO-8859-1"'), { essence: 'text/html', charset: 'ISO-8859-1' })
    assert.deepEqual(parseContentType('text/html; charset=utf-8, text/html'), { essence: 'text/html', charset: 'utf-8' })
    assert.deepEqual(parseContentType('text/plain, text/html'), { essence: 'text/html', charset: null })
    assert.deepEqual(parseContentType(''), { essence: '', charset: null })
  })

  test('isIndexableType is a cheap pre-check on type and URL', () => {
    assert.equal(isIndexableType('text/html', 'http://x/'), true)
    assert.equal(isIndexableType('application/xhtml+xml; charset=utf-8', 'http://x/'), true)
    assert.equal(isIndexableType('text/plain', 'http://x/robots.txt'), true)
    assert.equal(isIndexableType('image/jpeg', 'http://x/a.html'), false)
    assert.equal(isIndexableType(null, 'http://x/page'), true)
    assert.equal(isIndexableType(null, 'http://example.com'), true)
    assert.equal(isIndexableType('application/octet-stream', 'http://x/photo.JPG?size=2'), false)
    assert.equal(isIndexableType('application/octet-stream', 'http://x/index.php'), true)
  })
})

// --- content codings --------------------------------------------------------------------------------------------

describe('content and transfer codings', () => {
  const page = '<html><head><title>Coded</title></head><body><p>Inflated text</p></body></html>'

  test('gzip, raw deflate and chunked+gzip bodies are decoded', () => {
    assert.equal(
      doc(gzipSync(page), {
        headers: [
          ['Content-Type', 'text/html'],
          ['Content-Encoding', 'gzip']
        ]
      }).text,
      'Inflated text'
    )
    assert.equal(
      doc(deflateRawSync(page), {
        headers: [
          ['Content-Type', 'text/html'],
          ['Content-Encoding', 'deflate']
        ]
      }).text,
      'Inflated text'
    )
    const gz = gzipSync(page)
    const chunked = Buffer.concat([Buffer.from(gz.length.toString(16) + '\r\n'), gz, Buffer.from('\r\n0\r\n\r\n')])
    const headers: [string, string][] = [
      ['Content-Type', 'text/html'],
      ['Content-Encoding', 'gzip'],
      ['Transfer-Encoding', 'chunked']
    ]
    assert.equal(doc(chunked, { headers }).title, 'Coded')
  })

  test('a coding named in the headers but already removed is left alone', () => {
    const d = doc(page, {
      headers: [
        ['Content-Type', 'text/html'],
        ['Content-Encoding', 'gzip'],
        ['Transfer-Encoding', 'chunked']
      ]
    })
    assert.equal(d.title, 'Coded')
    assert.equal(d.text, 'Inflated text')
  })

  test('a truncated gzip body yields what was captured; a corrupt one is reported', () => {
    const long = '<p>' + 'lorem ipsum '.repeat(5000) + '</p>'
    const gz = gzipSync(long)
    const d = doc(gz.subarray(0, Math.floor(gz.length / 2)), {
      headers: [
        ['Content-Type', 'text/html'],
        ['Content-Encoding', 'gzip']
      ]
    })
    assert.ok(d.text.startsWith('lorem ipsum lorem ipsum') && d.text.length > 100)
    const corrupt = Buffer.concat([gz.subarray(0, 20), Buffer.alloc(200, 0xff)])
    assert.equal(
      reason(
        extractDocument(
          input(corrupt, {
            headers: [
              ['Content-Type', 'text/html'],
              ['Content-Encoding', 'gzip']
            ]
          })
        )
      ),
      'bad-content-encoding'
    )
  })

  test('empty bodies', () => {
    assert.equal(reason(extractDocument(input(''))), 'empty-body')
    assert.equal(
      reason(
        extractDocument(
          input('0\r\n\r\n', {
            headers: [
              ['Content-Type', 'text/html'],
              ['Transfer-Encoding', 'chunked']
            ]
          })
        )
      ),
      'empty-body'
    )
    assert.equal(reason(extractDocument(input('<html><head></head><body> </body></html>'))), 'no-text')
  })
})

// --- charset ----------------------------------------------------------------------------------------------------

describe('charset', () => {
  const body = (charset: string, meta: string, text: string): Uint8Array =>
    iconv.encode(`<html><head>${meta}<title>${text}</title></head><body><p>${text}</p></body></html>`, charset)

  test('the HTTP charset wins over <meta>', () => {
    const d = doc(body('windows-1251', '<meta charset="utf-8">', 'Привет мир'), { contentType: 'text/html; charset=windows-1251' })
    assert.equal(d.charset, 'windows-1251')
    assert.equal(d.charsetSource, 'http')
    assert.equal(d.title, 'Привет мир')
  })

  test('<meta charset> and <meta http-equiv> are used when HTTP says nothing', () => {
    const a = doc(body('shift_jis', '<meta charset="Shift_JIS">', 'こんにちは世界'), { contentType: 'text/html' })
    assert.equal(a.charset, 'shift_jis')
    assert.equal(a.charsetSource, 'meta')
    assert.equal(a.title, 'こんにちは世界')
    const b = doc(body('euc-kr', '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=euc-kr">', '안녕하세요 세계'), { contentType: 'text/html' })
    assert.equal(b.charset, 'euc-kr')
    assert.equal(b.title, '안녕하세요 세계')
  })

  test('a commented-out or late <meta> does not count', () => {
    const bytes = new Uint8Array(Buffer.concat([Buffer.from('<!-- <meta charset="koi8-r"> -->' + ' '.repeat(3000) + '<meta charset="koi8-r">')]))
    assert.equal(prescanMetaCharset(bytes), null)
    assert.equal(prescanMetaCharset(new TextEncoder().encode('<meta name="x" content="y"><meta charset=\'iso-8859-2\'>')), 'iso-8859-2')
  })

  test('iso-8859-1, latin1 and ascii mean windows-1252', () => {
    for (const label of ['iso-8859-1', 'ISO_8859-1', 'latin1', 'ascii', 'us-ascii']) assert.equal(normalizeCharset(label), 'windows-1252', label)
    // 0x93/0x94 are curly quotes in windows-1252 but C1 controls in real ISO-8859-1.
    const bytes = new Uint8Array([...new TextEncoder().encode('<p>'), 0x93, 0x68, 0x69, 0x94, 0x20, 0x80, ...new TextEncoder().encode('</p>')])
    const d = doc(bytes, { contentType: 'text/html; charset=ISO-8859-1' })
    assert.equal(d.charset, 'windows-1252')
    assert.equal(d.text, '\u201chi\u201d \u20ac')
  })

  test('a BOM is trusted over a contradicting HTTP charset', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<p>Grüße</p>', 'utf16le')])
    const d = doc(utf16, { contentType: 'text/html; charset=iso-8859-1' })
    assert.equal(d.charset, 'utf-16le')
    assert.equal(d.charsetSource, 'bom')
    assert.equal(d.text, 'Grüße')
  })

  test('an unknown label falls back to detection instead of failing', () => {
    const d = doc(iconv.encode('<p>日本語のテキストです。これはテストです。</p>', 'euc-jp'), { contentType: 'text/html; charset=x-no-such-charset' })
    assert.equal(d.charset, 'euc-jp')
    assert.equal(d.charsetSource, 'detected')
    assert.equal(d.text, '日本語のテキストです。これはテストです。')
  })

  test('undeclared legacy bytes are detected; valid UTF-8 is UTF-8', () => {
    const sjis = doc(iconv.encode('<p>東京都の天気は晴れです。明日も晴れるでしょう。ありがとうございます。</p>', 'shift_jis'), { contentType: 'text/html' })
    assert.equal(sjis.charset, 'shift_jis')
    assert.match(sjis.text, /^東京都の天気は晴れです。/)
    const utf8 = doc('<p>naïve café</p>', { contentType: 'text/html' })
    assert.equal(utf8.charset, 'utf-8')
    assert.equal(utf8.charsetSource, 'detected')
  })

  test('<?xml encoding> is honoured when nothing else is declared', () => {
    const bytes = iconv.encode(
      '<?xml version="1.0" encoding="ISO-8859-15"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>prix 5 \u20ac</p></body></html>',
      'iso-8859-15'
    )
    const d = doc(bytes, { contentType: 'application/xhtml+xml' })
    assert.equal(d.charset, 'iso-8859-15')
    assert.equal(d.charsetSource, 'xml-declaration')
    assert.equal(d.text, 'prix 5 \u20ac')
  })

  test('a declaration that is demonstrably wrong gives way to detection', () => {
    const bytes = iconv.encode('<p>' + 'これは日本語の文章です。'.repeat(10) + '</p>', 'euc-jp')
    const d = doc(bytes, { contentType: 'text/html; charset=utf-8' })
    assert.equal(d.charset, 'euc-jp')
    assert.equal(replacementShare(d.text), 0)
  })

  test('binary served as text is undecodable', () => {
    const junk = new Uint8Array(4096)
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) % 256
    assert.equal(reason(extractDocument(input(junk, { contentType: 'text/html; charset=utf-8' }))), 'undecodable')
  })
})

// --- visible text -----------------------------------------------------------------------------------------------

describe('visible text', () => {
  test('entities are decoded in text, title and attributes', () => {
    const d = doc(
      '<title>Tom &amp; Jerry&#39;s &eacute;t&#xE9;</title><meta name="description" content="5 &lt; 6 &amp;&amp; &quot;q&quot;"><p>caf&eacute;&nbsp;cr&egrave;me &#8364;5 &copy; &bogus; AT&T</p>'
    )
    assert.equal(d.title, "Tom & Jerry's été")
    assert.equal(d.description, '5 < 6 && "q"')
    assert.equal(d.text, 'café crème €5 © &bogus; AT&T')
  })

  test('block boundaries separate words; inline elements do not', () => {
    assert.equal(textOf('<p>one</p><p>two</p><div>three</div>four<br>five<br/>six'), 'one two three four five six')
    assert.equal(textOf('<ul><li>a</li><li>b</li></ul><h1>c</h1><h2>d</h2>'), 'a b c d')
    assert.equal(textOf('<table><tr><td>x</td><td>y</td></tr><tr><th>z</th></tr></table>'), 'x y z')
    assert.equal(textOf('<p>un<b>bold</b>ed <i>it</i>alic<span>s</span></p>'), 'unbolded italics')
    assert.equal(textOf('<p>a</p>\n\n   \t<p>  b  c </p>'), 'a b c')
    assert.equal(textOf('hyphen&shy;ation'), 'hyphenation')
  })

  test('isSeparator agrees with the separator regex on every UTF-16 code unit', () => {
    const re = /^[\s\u0000-\u001f\u007f-\u009f]$/
    for (let c = 0; c <= 0xffff; c++) assert.equal(isSeparator(c), re.test(String.fromCharCode(c)), c.toString(16))
  })

  test('TextBuilder gives what collapsing each piece with the regex gives (pieces of spaces, controls, NBSP, soft hyphens)', () => {
    // The reference: each piece collapsed with the regexes, joined with one space where a piece had an edge.
    const reference = (pieces: string[]): string => {
      let out = ''
      let pending = false
      for (const raw of pieces) {
        let s = raw.replace(/\u00ad/g, '').replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, ' ')
        if (s.startsWith(' ')) {
          pending = true
          s = s.slice(1)
        }
        const trailing = s.endsWith(' ')
        if (trailing) s = s.slice(0, -1)
        if (s !== '') {
          if (pending && out !== '') out += ' '
          pending = false
          out += s
        }
        if (trailing) pending = true
      }
      return out
    }
    const alphabet = ['a', 'b', 'é', ' ', ' ', '\n', '\t', '\u00a0', '\u0085', '\u00ad', '\u3000', '\u2028', '\u200b', '\ufeff', 'x']
    let seed = 7
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return (seed >>> 8) % n
    }
    for (let round = 0; round < 2000; round++) {
      const pieces = Array.from({ length: 1 + rand(5) }, () => Array.from({ length: rand(8) }, () => alphabet[rand(alphabet.length)]).join(''))
      const b = new TextBuilder(1000)
      for (const p of pieces) b.append(p)
      assert.equal(b.toString(), reference(pieces), JSON.stringify(pieces))
    }
  })

  test('script, style, noscript, template, svg, head, comments and hidden content are dropped', () => {
    const html = `<html><head><title>T</title><style>.a{color:red}</style><script>var s = "<p>no</p>";</script></head>
      <body>keep1<script type="text/javascript">document.write("x")</script><noscript>enable js</noscript>
      <template><p>tpl</p></template><svg><title>svg title</title><text>svg text</text></svg><!-- a comment -->
      <div hidden>hidden div</div><span aria-hidden="true">aria</span><span aria-hidden="false">keep2</span>
      <p hidden="until-found">keep3</p><iframe>iframe fallback</iframe><style>p{}</style>keep4</body></html>`
    assert.equal(textOf(html), 'keep1 keep2 keep3 keep4')
  })

  test('an unclosed hidden element is closed by its parent, as in a browser', () => {
    assert.equal(textOf('<div><p hidden>gone<p>back</div><p>after</p>'), 'back after')
    assert.equal(textOf('<ul><li hidden>gone<li>kept</ul>'), 'kept')
  })

  test('stray text in <head> is visible; head content is not', () => {
    assert.equal(textOf('<head><title>x</title><meta charset=utf-8>visible<link rel=x></head><body>body</body>'), 'visible body')
  })

  test('XHTML self-closing <script/> does not swallow the page; in text/html it does (as browsers do)', () => {
    const page = '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>a<script src="x.js"/>b</p></body></html>'
    assert.equal(doc(page, { contentType: 'application/xhtml+xml' }).text, 'ab')
    assert.equal(doc(page, { contentType: 'text/html' }).text, 'a')
  })

  test('plain text is whitespace-collapsed, never parsed as markup', () => {
    const d = doc('line one\r\n\r\n  <b>not bold</b>\tend', { contentType: 'text/plain; charset=utf-8' })
    assert.equal(d.text, 'line one <b>not bold</b> end')
    assert.equal(d.title, '')
  })

  test(`text is capped at MAX_TEXT_CHARS (${MAX_TEXT_CHARS})`, () => {
    assert.equal(MAX_TEXT_CHARS, 512 * 1024)
    const big = doc('<p>' + 'word '.repeat(200_000) + '</p>')
    assert.equal(big.textTruncated, true)
    assert.ok(big.text.length <= MAX_TEXT_CHARS && big.text.length >= MAX_TEXT_CHARS - 1, String(big.text.length))
    assert.ok(big.text.startsWith('word word'))
    const small = doc('<p>' + 'word '.repeat(1000) + '</p>')
    assert.equal(small.textTruncated, false)
    assert.equal(small.text.length, 1000 * 5 - 1)
    const plain = doc('x'.repeat(MAX_TEXT_CHARS + 10), { contentType: 'text/plain' })
    assert.equal(plain.text.length, MAX_TEXT_CHARS)
    assert.equal(plain.textTruncated, true)
  })

  test('pathological documents complete (linear-time parsing)', () => {
    const cases: Record<string, string> = {
      nestedDivs: '<div>'.repeat(100_000) + 'deep' + '</div>'.repeat(100_000),
      unclosedNesting: '<div><span><p>x'.repeat(100_000),
      strayEndTags: '<div>'.repeat(50_000) + '</span>'.repeat(200_000) + 'end',
      hugeAttribute: '<div title="' + 'a'.repeat(5_000_000) + '">after</div>',
      hugeMetaContent: '<meta name="description" content="' + 'b'.repeat(5_000_000) + '"><p>after</p>',
      unterminatedAttribute: '<p>before</p><div class="' + 'c'.repeat(5_000_000),
      unterminatedComment: '<p>before</p><!--' + 'x'.repeat(5_000_000),
      unterminatedScript: '<p>before</p><script>' + 'if (a<b) {'.repeat(500_000),
      manyAttributes: '<div ' + 'a=1 '.repeat(1_000_000) + '>after</div>',
      entityStorm: '&amp;&#x41;&bogus'.repeat(300_000),
      hiddenNesting: '<div hidden>'.repeat(100_000) + 'never',
      ltStorm: '<'.repeat(5_000_000)
    }
    for (const [name, html] of Object.entries(cases)) {
      const r = extractDocument(input(html))
      assert.ok(r.ok || r.reason === 'no-text', `${name}: ${reason(r)}`)
      if (!r.ok) continue
      assert.ok(r.doc.text.length <= MAX_TEXT_CHARS, name)
      assert.ok(r.doc.description.length <= 4096, name)
    }
    const nested = extractDocument(input(cases.nestedDivs))
    assert.ok(nested.ok)
    assert.equal(nested.doc.text, 'deep')
    const attr = extractDocument(input(cases.hugeAttribute))
    assert.ok(attr.ok)
    assert.equal(attr.doc.text, 'after')
    assert.equal(reason(extractDocument(input(cases.hiddenNesting))), 'no-text')
  })
})

// --- title, description, robots ---------------------------------------------------------------------------------

describe('main content', () => {
  const bodyOf = (html: string) => extractHtml(html, { maxTextChars: MAX_TEXT_CHARS })

  test('a page with <main>: navigation, banner, aside, footer, skip link, cookie notice and controls are not body text', () => {
    const page = `<!doctype html><html lang="en"><head><title>Tide tables | Harbour Office</title></head><body>
      <div id="cookie-banner" class="notice">We use cookies to improve your visit. <a href="/privacy">Privacy policy</a> <button>Accept all</button></div>
      <a class="skip-link" href="#content">Skip to main content</a>
      <header class="site"><a href="/">Harbour Office</a><p>Serving mariners since 1852</p>
        <form role="search"><input name="q" placeholder="Search"><button>Search</button></form></header>
      <nav><ul><li><a href="/tides">Tides</a></li><li><a href="/moorings">Moorings</a></li><li><a href="/news">News</a></li></ul></nav>
      <div class="breadcrumbs"><a href="/">Home</a> › <a href="/tides">Tides</a> › Tables</div>
      <main id="content"><article>
        <header><h1>Tide tables</h1><p class="byline">Updated by the harbour master</p></header>
        <p>High water at the outer pier comes forty minutes before the <a href="/inner">inner basin</a>.</p>
        <p>Spring tides reach <b>six metres</b>; neaps rarely pass three.</p>
        <aside><h2>Related</h2><p>Read our guide to safe anchoring.</p></aside>
        <label>Language <select><option>English</option><option>Français</option><option>Deutsch</option></select></label>
      </article></main>
      <footer><p>© Harbour Office · 1 Quay Street</p><ul><li><a href="/contact">Contact</a></li></ul></footer>
      </body></html>`
    const h = bodyOf(page)
    assert.equal(
      h.text,
      'Tide tables Updated by the harbour master High water at the outer pier comes forty minutes before the inner basin. Spring tides reach six metres; neaps rarely pass three. Language'
    )
    assert.equal(h.textRegion, 'main')
    assert.equal(h.textLevel, 'main-content')
    // The page's title and URL still carry the site's name for search.
    assert.equal(h.title, 'Tide tables | Harbour Office')
  })

  test('without <main>: body minus page furniture; header and footer of an article are kept (HTML-AAM scoping)', () => {
    const page = `<body><header><p>Site banner words</p></header>
      <div role="navigation"><p>Role navigation words</p></div>
      <article><header><h1>Article heading</h1></header><p>Article text.</p><footer><p>Posted in winter</p></footer></article>
      <section><header><h2>Section heading</h2></header><p>Section text.</p></section>
      <div role="contentinfo">Role contentinfo words</div>
      <footer><p>Site footer words</p></footer></body>`
    const h = bodyOf(page)
    assert.equal(h.text, 'Article heading Article text. Posted in winter Section heading Section text.')
    assert.equal(h.textRegion, 'body')
  })

  test('role=main marks the main content like <main>', () => {
    const h = bodyOf('<div>Outside words</div><div role="main"><p>Inside words</p></div><div>More outside</div>')
    assert.equal(h.text, 'Inside words')
    assert.equal(h.textRegion, 'main')
  })

  test('link-dense blocks are removed, innermost first; prose with links is kept', () => {
    const menu = '<ul>' + ['Home', 'About us', 'Services', 'Contact'].map(w => `<li><a href="/${w}">${w}</a></li>`).join('') + '</ul>'
    const prose = '<p>The <a href="/mona">Mona Lisa</a> is a half-length portrait painted by <a href="/leo">Leonardo</a> in Florence.</p>'
    // The content div holds a menu: the menu goes, and what the menu held does not count against the div.
    const h = bodyOf(`<div class="wrapper">${menu}${prose}<table><tr><td><a href="/a">Alpha link</a> | <a href="/b">Beta link</a></td></tr></table></div>`)
    assert.equal(h.text, 'The Mona Lisa is a half-length portrait painted by Leonardo in Florence.')
    // Exactly half of the counted text in links is link-dense; less is not.
    assert.equal(bodyOf('<p>Intro words here.</p><div><a href="/x">abcd</a>efgh</div>').text, 'Intro words here.')
    assert.equal(bodyOf('<p>Intro words here.</p><div><a href="/x">abcd</a>efghi</div>').text, 'Intro words here. abcdefghi')
  })

  test('in-page links (skip links, tables of contents, footnote marks) are removed and leave a word break', () => {
    const h = bodyOf(
      '<main><ol class="toc"><li><a href="#history">History</a></li></ol><h2 id="history">History</h2>' +
        '<p>Founded in 1852<a href="#fn1">[1]</a>and rebuilt later.</p><p><a href=" #top">Back to top</a></p></main>'
    )
    assert.equal(h.text, 'History Founded in 1852 and rebuilt later.')
  })

  test('a cookie or consent notice is removed only when short; other elements so named are kept', () => {
    const notice = '<div class="gdpr-consent">This site stores cookies on your device.</div>'
    assert.equal(bodyOf(`${notice}<p>Body words.</p>`).text, 'Body words.')
    const long = 'cookie recipe words '.repeat(Math.ceil(MAX_NOTICE_CHARS / 17))
    assert.equal(bodyOf(`<div class="cookie-recipes">${long}</div>`).text, long.trim())
    // <body class="cookie-consent-shown"> is the page; a form named after a cookie is a form.
    assert.equal(bodyOf('<body class="cookie-consent-shown"><p>Body words.</p></body>').text, 'Body words.')
    assert.equal(bodyOf('<form class="user-info-from-cookie"><label>Your name</label><input></form>').text, 'Your name')
  })

  test('rules are relaxed only when they leave no text: a page that is only links keeps its links', () => {
    const links = bodyOf('<ul><li><a href="/a">First document</a></li><li><a href="/b">Second document</a></li></ul>')
    assert.equal(links.text, 'First document Second document')
    assert.equal(links.textLevel, 'no-link-density')
    const navOnly = bodyOf('<nav><a href="/a">Only navigation</a></nav>')
    assert.equal(navOnly.text, 'Only navigation')
    assert.equal(navOnly.textLevel, 'all-visible')
    // A short page under a big menu keeps its one sentence, not the menu.
    const menu = '<div>' + Array.from({ length: 40 }, (_, i) => `<a href="/s${i}">Section ${i}</a>`).join(' ') + '</div>'
    assert.equal(bodyOf(`${menu}<h1>Page not found</h1>`).text, 'Page not found')
  })

  test('elements left open at the end of the input are ended there', () => {
    // An unclosed link-dense block is still tested; an unclosed <main> still marks the main content.
    assert.equal(bodyOf('<p>Kept words.</p><div><a href="/a">Dangling menu</a>').text, 'Kept words.')
    assert.equal(bodyOf('<div>Outside</div><main><p>Inside').text, 'Inside')
  })

  test('sample crawl: every page yields its article and none of its navigation, banner, aside or footer', () => {
    const sample = readResponses(new URL('../ingest/sample/sample.warc.gz', import.meta.url).href)
    const decode = (x: string): string =>
      x
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&')
    let pages = 0
    for (const r of sample) {
      if (r.status !== 200 || !/text\/html/.test(r.contentType ?? '')) continue
      const html = new TextDecoder().decode(r.body)
      if (!html.includes('<main')) continue
      const site = SITES.find(s => r.url.includes(`//${s.host}/`))
      assert.ok(site, r.url)
      const L = LABELS[site.lang]
      const d = doc(r.body, r)
      const h1 = decode(/<h1>([^<]*)<\/h1>/.exec(html)![1])
      assert.ok(d.text.startsWith(h1), `${r.url}: body text starts ${JSON.stringify(d.text.slice(0, 80))}`)
      for (const m of html.matchAll(/<p>([^<]+)<\/p>/g)) assert.ok(d.text.includes(decode(m[1])), `${r.url}: paragraph missing`)
      const navRun = site.sections.map(s => s.label).join(' ')
      const article = decode(html.slice(html.indexOf('<article>'), html.indexOf('</article>')))
      for (const furniture of [L.skip, navRun, site.tagline, site.address, `${L.privacy} ${L.contact}`, L.related]) {
        if (article.includes(furniture)) continue // a home page repeats its tagline in its text
        assert.ok(!d.text.includes(furniture), `${r.url}: ${JSON.stringify(furniture)} in body text`)
      }
      pages++
    }
    assert.ok(pages >= 100, `only ${pages} sample pages`)
  })
})

describe('title, description and robots', () => {
  test('title: <title>, then og:title, then the first h1', () => {
    assert.equal(doc('<title>\n  Main \n title </title><meta property="og:title" content="OG"><h1>H</h1>').title, 'Main title')
    assert.equal(doc('<title> </title><meta property="og:title" content="  OG  title "><h1>H</h1>').title, 'OG title')
    assert.equal(doc('<h1 hidden>hidden</h1><h1>First <em>visible</em> heading</h1><h1>second</h1>').title, 'First visible heading')
    assert.equal(doc('<svg><title>icon</title></svg><p>body</p>').title, '', 'an SVG <title> is not the document title')
  })

  test('description: meta name=description (any case), then og:description', () => {
    assert.equal(doc('<META NAME="Description" CONTENT="  the\n description ">').description, 'the description')
    assert.equal(doc('<meta property="og:description" content="og desc"><p>x</p>').description, 'og desc')
    assert.equal(doc('<meta property="og:description" content="og"><meta name="description" content="plain"><p>x</p>').description, 'plain')
  })

  test('robots directives from meta robots and X-Robots-Tag', () => {
    const d = doc('<meta name="ROBOTS" content="NOINDEX, nofollow"><p>x</p>', {
      headers: [
        ['Content-Type', 'text/html'],
        ['X-Robots-Tag', 'noarchive'],
        ['X-Robots-Tag', 'googlebot: nosnippet']
      ]
    })
    assert.deepEqual(d.robots, ['noindex', 'nofollow', 'noarchive'])
    assert.deepEqual(doc('<p>x</p>').robots, [])
  })
})

// --- language ---------------------------------------------------------------------------------------------------

describe('language', () => {
  const english = 'The quick brown fox jumps over the lazy dog while the archive keeps every version of the page.'
  const french =
    'Les archives du web conservent les pages pour les chercheurs et le grand public depuis des années. ' +
    'Elles sont consultables sur place à la bibliothèque.'
  const japanese = 'これは日本語のページです。東京の天気は晴れで、明日も良い天気になるでしょう。週末は家族と一緒に公園へ出かける予定です。'
  const chinese = '这是一个中文网页。北京今天天气很好，我们一起去公园散步吧。周末我们打算和家人一起去博物馆参观。'
  const korean = '이것은 한국어 웹 페이지입니다. 오늘 서울의 날씨는 맑고 내일도 좋을 것입니다. 주말에는 가족과 함께 공원에 갈 예정입니다.'

  test('tags normalise to ISO 639-1', () => {
    assert.equal(normalizeLangTag('en-US'), 'en')
    assert.equal(normalizeLangTag('ZH_Hant_TW'), 'zh')
    assert.equal(normalizeLangTag('jpn'), 'ja')
    assert.equal(normalizeLangTag('iw'), 'he')
    assert.equal(normalizeLangTag('de, en'), 'de')
    for (const bad of ['x-default', 'Japanese', '*', '', 'qq', 'en-', '12']) assert.equal(normalizeLangTag(bad), null, bad)
  })

  test('<html lang> and xml:lang are used when plausible', () => {
    const a = doc(`<html lang="fr-CA"><p>${french}</p></html>`)
    assert.deepEqual([a.lang, a.langSource], ['fr', 'html-lang'])
    const b = doc(`<html xml:lang="en-GB"><p>${english}</p></html>`)
    assert.deepEqual([b.lang, b.langSource], ['en', 'html-lang'])
    const c = doc('<html lang="de"><p>Kurz.</p></html>')
    assert.deepEqual([c.lang, c.langSource], ['de', 'html-lang'], 'too little text to contradict the declaration')
  })

  test('Content-Language is used when the page declares nothing', () => {
    const d = doc(`<p>${english}</p>`, {
      headers: [
        ['Content-Type', 'text/html'],
        ['Content-Language', 'en-AU']
      ]
    })
    assert.deepEqual([d.lang, d.langSource], ['en', 'content-language'])
  })

  test('an implausible declaration is replaced by detection', () => {
    const d = doc(`<html lang="en"><p>${japanese}</p></html>`)
    assert.deepEqual([d.lang, d.langSource], ['ja', 'detected'])
    const e = doc(`<html lang="zh-CN"><p>${japanese}</p></html>`)
    assert.equal(e.lang, 'ja', 'kana means Japanese even when the page says Chinese')
    const f = doc(`<html lang="Japanese"><p>${english}</p></html>`)
    assert.deepEqual([f.lang, f.langSource], ['en', 'detected'], 'an invalid code is ignored')
  })

  test('detection: CJK pages come out as ja, zh, ko; European text via tinyld', () => {
    assert.equal(doc(`<p>${japanese}</p>`).lang, 'ja')
    assert.equal(doc(`<p>${chinese}</p>`).lang, 'zh')
    assert.equal(doc(`<p>${korean}</p>`).lang, 'ko')
    assert.equal(doc(`<p>${english}</p>`).lang, 'en')
    assert.equal(doc(`<p>${french}</p>`).lang, 'fr')
  })

  test('a language other than English is detected only when the text bears it out', () => {
    // Too few words for the model to overrule the default.
    assert.equal(doc('<p>Les archives du web conservent les pages des chercheurs.</p>').lang, null)
    // English with Greek letters and gene names: tinyld alone says Greek.
    const abstract =
      'Rank Signaling Links the Development of Invariant γδ T Cell Progenitors and Aire+ Medullary Epithelium. ' +
      'The thymic medulla provides a microenvironment where medullary thymic epithelial cells promote tolerance of γδ T cells.'
    assert.equal(detectAll(abstract)[0].lang, 'el', 'the model alone misnames it (else this test shows nothing)')
    assert.equal(doc(`<p>${abstract}</p>`).lang, 'en')
    // A real forum listing (names, dates, counts) has no function words: whatever the model says, the
    // language stays unknown.
    const r = readResponses('netarchivesuite__jwat/jwat-gzip__src__test__resources__IAH-20080430204825-00000-blackbook.warc.gz').find(
      x => x.url === 'http://www.archive.org/iathreads/forum-display.php?poster=bluedevil'
    )
    assert.ok(r)
    const listing = doc(r.body, r)
    assert.notEqual(detectAll(`${listing.title} ${listing.text}`.slice(0, 3000))[0].lang, 'en', 'the model alone misnames it')
    assert.deepEqual([listing.lang, listing.langSource], [null, null])
  })

  test("SciFact's English abstracts, undeclared, are all detected as English (tinyld alone: several are not)", () => {
    const corpus = new URL('data/ir/scifact/corpus.jsonl', SHARED)
    const docs = readFileSync(corpus, 'utf8')
      .split('\n')
      .filter(l => l !== '')
      .slice(0, 300)
      .map(l => JSON.parse(l) as { title: string; text: string })
    const wrong = docs.filter(d => chooseLanguage([], d.title, d.text)?.lang !== 'en').map(d => d.title)
    assert.deepEqual(wrong, [])
    const modelWrong = docs.filter(d => detectAll(`${d.title} ${d.text}`.slice(0, 3000))[0]?.lang !== 'en').length
    assert.ok(modelWrong >= 5, `tinyld alone misnamed only ${modelWrong}`)
  })

  test('too little text: null', () => {
    const d = doc('<p>Hello there</p>')
    assert.equal(d.lang, null)
    assert.equal(d.langSource, null)
  })
})
