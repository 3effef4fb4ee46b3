// Tests for the WARC writer (tools/warc-writer.ts), the built-in sample crawl (tools/sample/, written to ingest/sample/) and the
// crawl generator (tools/make-crawl.ts). Every file is read back twice, by independent means: the project's reader
// (ingest/reader) and warcio.js's WARCParser plus node:zlib / node:crypto on the raw gzip members.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import zlib from 'node:zlib'
import { WARCParser } from 'warcio'
import { createStats, readCrawl, type CaptureRecord, type ReadStats, type SkipEvent } from '../ingest/reader/index.ts'
import { WarcWriter, base32, deterministicUuid, type WrittenRecord } from '../tools/warc-writer.ts'
import { makeSample, SAMPLE_PATH, type SampleCounts } from '../tools/sample/make-sample.ts'
import { makeCrawl, MAX_WORDS, MIN_WORDS, type CrawlCounts } from '../tools/make-crawl.ts'
import { SCIFACT_CORPUS } from '../tools/crawl-text.ts'

const NODE = process.execPath
const MAKE_CRAWL = fileURLToPath(new URL('../tools/make-crawl.ts', import.meta.url))
const HAS_SHARED = existsSync(SCIFACT_CORPUS)
const NO_SHARED = HAS_SHARED ? false : `needs the SciFact corpus at ${SCIFACT_CORPUS}`

const TMP = mkdtempSync(join(tmpdir(), 'canopy-crawl-gen-'))
after(() => rmSync(TMP, { recursive: true, force: true }))

// --------------------------------------------------------------------------------------------------------------
// Independent oracles

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** base32 of a 20-byte sha1 via BigInt (a different algorithm from the writer's bit loop). */
function sha1b32(...parts: Uint8Array[]): string {
  const h = createHash('sha1')
  for (const p of parts) h.update(p)
  let n = BigInt('0x' + h.digest('hex'))
  let s = ''
  for (let i = 0; i < 32; i++) {
    s = B32[Number(n & 31n)] + s
    n >>= 5n
  }
  return 'sha1:' + s
}

function indexOf(buf: Buffer, needle: string, from = 0): number {
  return buf.indexOf(Buffer.from(needle, 'latin1'), from)
}

interface RawRecord {
  type: string
  offset: number
  length: number
  headers: Map<string, string>
  /** The record block (after the WARC header), as stored. */
  block: Buffer
}

/** All records of a file as warcio.js sees them (offset, length, headers), in file order. */
async function warcioRecords(path: string): Promise<{ type: string; offset: number; length: number; id: string | null }[]> {
  const parser = new WARCParser(createReadStream(path))
  const out: { type: string; offset: number; length: number; id: string | null }[] = []
  for await (const rec of parser) {
    await rec.readFully()
    out.push({ type: rec.warcType ?? '', offset: parser.offset, length: parser.recordLength, id: rec.warcHeader('WARC-Record-ID') ?? null })
  }
  return out
}

/**
 * Re-opens file[offset, offset+length) as exactly one gzip member holding exactly one WARC/1.1 record, and checks the
 * record's framing: Content-Length matches the block, the block is followed by CRLF CRLF and nothing else.
 */
function openMember(file: Buffer, offset: number, length: number): RawRecord {
  const slice = file.subarray(offset, offset + length)
  assert.equal(slice.length, length, `record @${offset} runs past the end of the file`)
  assert.deepEqual([...slice.subarray(0, 3)], [0x1f, 0x8b, 8], `no gzip member starts @${offset}`)
  const raw = zlib.gunzipSync(slice)
  // One member: the trailer of the slice describes all of the inflated bytes.
  assert.equal(slice.readUInt32LE(slice.length - 4), raw.length, `@${offset}: slice is not exactly one gzip member`)
  assert.equal(slice.readUInt32LE(slice.length - 8), zlib.crc32(raw) >>> 0, `@${offset}: CRC mismatch`)
  const headEnd = indexOf(raw, '\r\n\r\n')
  assert.ok(headEnd > 0, `@${offset}: no end of WARC header`)
  const lines = raw.subarray(0, headEnd).toString('utf8').split('\r\n')
  assert.equal(lines[0], 'WARC/1.1', `@${offset}: version line`)
  const headers = new Map<string, string>()
  for (const l of lines.slice(1)) {
    const i = l.indexOf(': ')
    assert.ok(i > 0, `@${offset}: bad header line ${JSON.stringify(l)}`)
    const k = l.slice(0, i).toLowerCase()
    assert.ok(!headers.has(k), `@${offset}: duplicated header ${k}`)
    headers.set(k, l.slice(i + 2))
  }
  const cl = Number(headers.get('content-length'))
  const block = raw.subarray(headEnd + 4, headEnd + 4 + cl)
  assert.equal(block.length, cl, `@${offset}: block shorter than Content-Length`)
  assert.equal(raw.subarray(headEnd + 4 + cl).toString('latin1'), '\r\n\r\n', `@${offset}: bytes after the block are not exactly CRLF CRLF`)
  return { type: headers.get('warc-type') ?? '', offset, length, headers, block }
}

interface ReadBack {
  records: CaptureRecord[]
  skips: SkipEvent[]
  stats: ReadStats
  raw: RawRecord[]
}

async function readWithReader(path: string): Promise<{ records: CaptureRecord[]; skips: SkipEvent[]; stats: ReadStats }> {
  const stats = createStats()
  const records: CaptureRecord[] = []
  const skips: SkipEvent[] = []
  for await (const e of readCrawl(path, { stats })) {
    if (e.kind === 'record') records.push(e)
    else skips.push(e)
  }
  return { records, skips, stats }
}

const UUID = /^<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}>$/
const WARC_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

type Expected = Omit<CrawlCounts, 'warcinfo' | 'hosts' | 'words'>

/**
 * Everything that must hold for any crawl these generators write: read by the project's reader with no skip event
 * and the expected counts; records tile the file as one gzip member each (per warcio.js) and re-open from offset and
 * length; digests recomputed; ids unique and UUID-shaped; requests paired with responses by WARC-Concurrent-To;
 * revisits pointing at an earlier capture with the same payload digest.
 */
async function verifyCrawl(path: string, c: Expected): Promise<ReadBack> {
  const file = readFileSync(path)
  const { records, skips, stats } = await readWithReader(path)
  assert.deepEqual(skips, [], 'the reader reported skip events')
  const total = 1 + c.response + c.request + c.revisit
  assert.deepEqual(stats.byType, { warcinfo: 1, response: c.response, request: c.request, revisit: c.revisit })
  assert.equal(stats.records, total)
  assert.equal(records.length, c.response + c.revisit)
  assert.equal(stats.bytes, file.length)

  // warcio.js: records tile the file exactly, one after another.
  const w = await warcioRecords(path)
  assert.equal(w.length, total, 'warcio.js record count')
  assert.equal(w[0].type, 'warcinfo', 'warcinfo first')
  let pos = 0
  for (const r of w) {
    assert.equal(r.offset, pos, `record ${r.id} does not start where the previous one ended`)
    pos += r.length
  }
  assert.equal(pos, file.length, 'records do not end at the end of the file')

  // Every record re-opened from its slice; digests recomputed.
  const raw = w.map(r => openMember(file, r.offset, r.length))
  const byId = new Map<string, RawRecord>()
  for (const r of raw) {
    const id = r.headers.get('warc-record-id') ?? ''
    assert.match(id, UUID)
    assert.ok(!byId.has(id), `duplicate record id ${id}`)
    byId.set(id, r)
    assert.match(r.headers.get('warc-date') ?? '', WARC_DATE)
    assert.equal(r.headers.get('warc-block-digest'), sha1b32(r.block), `block digest of ${id}`)
    if (r.type === 'response' || r.type === 'revisit' || r.type === 'request') {
      assert.ok(URL.canParse(r.headers.get('warc-target-uri') ?? ''), `target URI of ${id}`)
      const httpEnd = indexOf(r.block, '\r\n\r\n')
      assert.ok(httpEnd > 0, `no HTTP head in ${id}`)
      const payload = r.block.subarray(httpEnd + 4)
      if (r.type === 'response') {
        assert.equal(r.headers.get('warc-payload-digest'), sha1b32(payload), `payload digest of ${id}`)
        const m = /\r\ncontent-length: (\d+)\r\n/i.exec(r.block.subarray(0, httpEnd + 2).toString('latin1'))
        assert.equal(Number(m?.[1]), payload.length, `HTTP Content-Length of ${id}`)
      } else {
        assert.equal(payload.length, 0, `${r.type} ${id} carries a payload`)
      }
    }
  }

  // Requests and responses pair up through WARC-Concurrent-To, with the same URI and date.
  const paired = new Map<string, number>()
  for (const r of raw.filter(x => x.type === 'request')) {
    const to = r.headers.get('warc-concurrent-to') ?? ''
    const res = byId.get(to)
    assert.ok(res && (res.type === 'response' || res.type === 'revisit'), `request ${r.headers.get('warc-record-id')} points at no response`)
    assert.equal(r.headers.get('warc-target-uri'), res.headers.get('warc-target-uri'))
    assert.equal(r.headers.get('warc-date'), res.headers.get('warc-date'))
    assert.match(
      r.block.toString('latin1'),
      new RegExp(`^GET \\S+ HTTP/1\\.1\\r\\n[\\s\\S]*\\r\\nHost: ${new URL(res.headers.get('warc-target-uri')!).host.replace(/\./g, '\\.')}\\r\\n`)
    )
    paired.set(to, (paired.get(to) ?? 0) + 1)
  }
  for (const r of raw.filter(x => x.type === 'response' || x.type === 'revisit')) {
    assert.equal(paired.get(r.headers.get('warc-record-id')!), 1, `response ${r.headers.get('warc-record-id')} has no single request`)
  }

  // Revisits name an earlier response with the same URL, date and payload digest.
  for (const r of raw.filter(x => x.type === 'revisit')) {
    assert.equal(r.headers.get('warc-profile'), 'http://netpreserve.org/warc/1.1/revisit/identical-payload-digest')
    const orig = byId.get(r.headers.get('warc-refers-to') ?? '')
    assert.ok(orig && orig.type === 'response', 'WARC-Refers-To names no response')
    assert.ok(orig.offset < r.offset, 'revisit written before its original')
    assert.equal(r.headers.get('warc-refers-to-target-uri'), orig.headers.get('warc-target-uri'))
    assert.equal(r.headers.get('warc-refers-to-date'), orig.headers.get('warc-date'))
    assert.equal(r.headers.get('warc-payload-digest'), orig.headers.get('warc-payload-digest'))
    assert.ok(r.headers.get('warc-date')! > orig.headers.get('warc-date')!, 'revisit not later than its original')
  }

  // The reader's view: offsets/lengths are the records' gzip members; payload digests match the bodies.
  const wById = new Map(w.map(r => [r.id, r]))
  for (const rec of records) {
    assert.ok(rec.recordId)
    const x = wById.get(rec.recordId)
    assert.ok(x, `reader yielded an id warcio.js did not see: ${rec.recordId}`)
    assert.deepEqual([rec.offset, rec.length, rec.memberOffset], [x.offset, x.length, 0], `offset/length of ${rec.recordId}`)
    assert.equal(rec.warcVersion, '1.1')
    assert.equal(openMember(file, rec.offset, rec.length).headers.get('warc-record-id'), rec.recordId)
    if (rec.type === 'response') {
      assert.ok(rec.body && !rec.bodyTruncated)
      assert.equal(rec.payloadDigest, sha1b32(rec.body), `payload digest of ${rec.url}`)
    } else {
      assert.equal(rec.type, 'revisit')
      assert.ok(rec.refersToUrl && rec.refersToDate && rec.refersTo)
    }
  }

  // Counts by kind, from the records themselves.
  const isHtml = (r: CaptureRecord) => (r.contentType ?? '').startsWith('text/html')
  const html200 = records.filter(r => r.type === 'response' && r.status === 200 && isHtml(r))
  assert.equal(html200.length, c.htmlPages, 'HTML 200 responses')
  const seen = new Set<string>()
  let dups = 0
  for (const r of html200) {
    const k = `${r.url} ${r.payloadDigest}`
    if (seen.has(k)) dups++
    seen.add(k)
  }
  assert.equal(dups, c.duplicates, 'duplicate captures (same URL, same payload)')
  assert.equal(records.filter(r => r.type === 'response' && r.status === 200 && !isHtml(r)).length, c.nonHtml, 'non-HTML responses')
  assert.equal(records.filter(r => r.status === 404).length, c.notFound, '404 responses')
  const moved = records.filter(r => r.status === 301)
  assert.equal(moved.length, c.redirects, '301 responses')
  for (const r of moved) assert.ok(URL.canParse(r.headers.find(([k]) => k === 'location')?.[1] ?? ''), '301 without Location')
  return { records, skips, stats, raw }
}

function hostOf(url: string): string {
  return new URL(url).host
}

// --------------------------------------------------------------------------------------------------------------
// The writer

test('writer: base32, sha1 digests and record ids', () => {
  // RFC 4648 section 10 test vectors, unpadded (WARC digests are written without '='; sha1 never needs it).
  const vectors: [string, string][] = [
    ['', ''],
    ['f', 'MY======'],
    ['fo', 'MZXQ===='],
    ['foo', 'MZXW6==='],
    ['foob', 'MZXW6YQ='],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI======']
  ]
  for (const [i, o] of vectors) assert.equal(base32(Buffer.from(i)), o.replace(/=+$/, ''))
  const sha = createHash('sha1').update('abc').digest()
  assert.equal('sha1:' + base32(sha), sha1b32(Buffer.from('abc')))
  assert.equal(deterministicUuid('s', 1), deterministicUuid('s', 1))
  assert.notEqual(deterministicUuid('s', 1), deterministicUuid('s', 2))
  assert.notEqual(deterministicUuid('s', 1), deterministicUuid('t', 1))
  assert.match(`<urn:uuid:${deterministicUuid('s', 7)}>`, UUID)
})

test('writer: every record type, gzip and uncompressed, read back at the offsets it reported', async () => {
  for (const gzip of [true, false]) {
    const path = join(TMP, `writer-${gzip}.warc${gzip ? '.gz' : ''}`)
    const w = WarcWriter.toFile(path, { seed: 'writer-test', gzip })
    const info = w.warcinfo({ date: '2020-01-01T00:00:00Z', filename: 'x.warc', fields: [['software', 'test']] })
    const body = 'héllo wörld\r\n\r\nafter a blank line'
    const res = w.response({
      url: 'https://example.org/a?b=1',
      date: new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 678)),
      status: 200,
      headers: [['Content-Type', 'text/plain; charset=utf-8']],
      body,
      ip: '192.0.2.1'
    })
    const req = w.request({ url: 'https://example.org/a?b=1', date: '2020-01-02T03:04:05Z', headers: [['Host', 'example.org']], concurrentTo: res.id })
    const rev = w.revisit({
      url: 'https://example.org/a?b=1',
      date: '2021-01-01T00:00:00Z',
      status: 200,
      headers: [['Content-Type', 'text/plain']],
      refersToUrl: res.url!,
      refersToDate: res.date,
      refersTo: res.id,
      payloadDigest: res.payloadDigest!
    })
    const rsc = w.resource({ url: 'urn:test:resource', date: '2021-01-01T00:00:01Z', contentType: 'text/plain', body: 'resource body' })
    const written = w.close()
    assert.deepEqual(written, { records: 5, bytes: statSync(path).size })
    assert.ok(!existsSync(path + '.partial'))
    assert.equal(res.date, '2020-01-02T03:04:05Z')
    assert.equal(res.payloadDigest, sha1b32(Buffer.from(body)))

    const { records, skips, stats } = await readWithReader(path)
    assert.deepEqual(skips, [])
    assert.deepEqual(stats.byType, { warcinfo: 1, response: 1, request: 1, revisit: 1, resource: 1 })
    const mine = new Map<string, WrittenRecord>([res, rev, rsc].map(r => [r.id, r]))
    for (const r of records) {
      const m = mine.get(r.recordId!)
      assert.ok(m, `unexpected record ${r.recordId}`)
      assert.deepEqual([r.offset, r.length], [m.offset, m.length], `${r.type} offset/length`)
      assert.equal(r.payloadDigest, m.payloadDigest)
    }
    const [r0, r1, r2] = records
    assert.equal(Buffer.from(r0.body!).toString('utf8'), body)
    assert.equal(r0.status, 200)
    assert.equal(r1.type, 'revisit')
    assert.equal(r1.refersTo, res.id)
    assert.equal(r1.refersToDate, '2020-01-02T03:04:05Z')
    assert.equal(r2.type, 'resource')
    assert.equal(Buffer.from(r2.body!).toString(), 'resource body')

    // Slices: gzip members, or (uncompressed) header + block without the closing CRLF CRLF (the CDX convention).
    const file = readFileSync(path)
    for (const x of [info, res, req, rev, rsc]) {
      const bytes = gzip ? zlib.gunzipSync(file.subarray(x.offset, x.offset + x.length)) : file.subarray(x.offset, x.offset + x.length)
      const text = bytes.toString('latin1')
      assert.ok(text.startsWith('WARC/1.1\r\n'), `${x.type} slice does not start with WARC/1.1`)
      assert.ok(text.includes(`\r\nWARC-Record-ID: ${x.id}\r\n`))
      if (gzip) assert.ok(text.endsWith('\r\n\r\n'))
      else assert.equal(file.subarray(x.offset + x.length, x.offset + x.length + 4).toString(), '\r\n\r\n')
    }
    const reqText = (gzip ? zlib.gunzipSync(file.subarray(req.offset, req.offset + req.length)) : file.subarray(req.offset, req.offset + req.length)).toString(
      'latin1'
    )
    assert.ok(reqText.includes(`\r\nWARC-Concurrent-To: ${res.id}\r\n`))
    assert.ok(reqText.includes('\r\n\r\nGET /a?b=1 HTTP/1.1\r\nHost: example.org\r\n'))
  }
})

test('writer: rejects header injection', () => {
  const w = new WarcWriter({ write() {}, close() {} })
  assert.throws(() => w.response({ url: 'https://example.org/', date: '2020-01-01T00:00:00Z', status: 200, headers: [['X-A', 'b\r\nX-Evil: 1']], body: '' }))
  assert.throws(() => w.response({ url: 'https://example.org/\r\nWARC-Type: x', date: '2020-01-01T00:00:00Z', status: 200, headers: [], body: '' }))
  assert.throws(() => w.response({ url: 'https://example.org/', date: 'not a date', status: 200, headers: [], body: '' }))
})

// --------------------------------------------------------------------------------------------------------------
// The sample crawl

test('sample: the committed sample.warc.gz is exactly what make-sample.ts generates', () => {
  const out = join(TMP, 'sample.warc.gz')
  makeSample(out)
  const fresh = readFileSync(out)
  const committed = readFileSync(SAMPLE_PATH)
  if (!fresh.equals(committed)) {
    const sameContent = zlib.gunzipSync(fresh).equals(zlib.gunzipSync(committed))
    assert.fail(
      sameContent
        ? 'sample.warc.gz decompresses to the same records but its compressed bytes differ (a different zlib build?)'
        : 'ingest/sample/sample.warc.gz is stale: run `node tools/sample/make-sample.ts` and commit the result'
    )
  }
  // And a second run gives the same bytes again (no clock, no Math.random).
  const again = join(TMP, 'sample-again.warc.gz')
  makeSample(again)
  assert.ok(readFileSync(again).equals(fresh))
})

test('sample: reads back cleanly, with the promised contents', async () => {
  const out = join(TMP, 'sample-check.warc.gz')
  const { counts } = makeSample(out)
  assert.ok(readFileSync(out).equals(readFileSync(SAMPLE_PATH)), 'generated sample differs from the committed one')
  const size = statSync(SAMPLE_PATH).size
  assert.ok(size < 400 * 1024, `sample is ${size} bytes`)
  const { records } = await verifyCrawl(SAMPLE_PATH, counts)
  const c: SampleCounts = counts

  assert.ok(c.htmlPages >= 150 && c.htmlPages <= 300, `${c.htmlPages} HTML pages`)
  assert.ok(c.duplicates >= 1 && c.revisit >= 3 && c.notFound >= 2 && c.redirects >= 2, JSON.stringify(c))
  const hosts = new Set(records.map(r => hostOf(r.url)))
  assert.equal(hosts.size, c.hosts)
  assert.ok(c.hosts >= 8)
  for (const sfx of ['.org', '.ac.uk', '.co.uk', '.gov', '.net', '.fr', '.de', '.or.jp']) {
    assert.ok(
      [...hosts].some(h => h.endsWith(sfx)),
      `no host under ${sfx}`
    )
  }

  // Capture dates spread over 2008-2024.
  const years = new Set(records.map(r => Number(r.date!.slice(0, 4))))
  assert.equal(Math.min(...years), 2008)
  assert.equal(Math.max(...years), 2024)
  assert.ok(years.size >= 15, `only ${years.size} distinct years`)

  // Realistic HTML, in four languages, UTF-8.
  const html = records.filter(r => r.type === 'response' && r.status === 200 && r.contentType?.startsWith('text/html'))
  const byLang: Record<string, number> = {}
  for (const r of html) {
    const s = new TextDecoder('utf-8', { fatal: true }).decode(r.body!)
    assert.match(s, /^<!DOCTYPE html>\n<html lang="(en|fr|de|ja)"/)
    for (const re of [/<title>[^<]+<\/title>/, /<meta name="description" content="[^"]+">/, /<nav>/, /<footer/, /<script>/, /<style>/, /<a href="[^"]+"/]) {
      assert.match(s, re, `${r.url} lacks ${re}`)
    }
    const lang = /<html lang="(\w+)"/.exec(s)![1]
    byLang[lang] = (byLang[lang] ?? 0) + 1
  }
  assert.deepEqual(byLang, c.byLang)
  assert.ok(c.byLang.fr >= 3 && c.byLang.de >= 3 && c.byLang.ja >= 3, JSON.stringify(c.byLang))
  const all = html.map(r => Buffer.from(r.body!).toString('utf8')).join('\n')
  for (const s of ['médiathèque', 'Stadtarchiv', 'Lesesaal', 'さくら川文庫', 'ウェブアーカイブ']) {
    assert.ok(all.includes(s), `no page mentions ${s}`)
  }

  // Enough distinct words that different searches find different pages.
  const words = new Set(
    all
      .replace(/<[^>]+>/g, ' ')
      .toLowerCase()
      .match(/\p{L}+/gu)
  )
  assert.ok(words.size > 1200, `only ${words.size} distinct words`)
  const pagesWith = (w: string) => html.filter(r => Buffer.from(r.body!).toString('utf8').toLowerCase().includes(w)).map(r => r.url)
  const a = pagesWith('glacier')
  const b = pagesWith('pantomime')
  assert.ok(a.length > 0 && b.length > 0 && a.every(u => !b.includes(u)))

  // The non-HTML records: a stylesheet, a script, a valid PNG.
  const types = new Set(records.filter(r => r.type === 'response' && r.status === 200 && !r.contentType?.startsWith('text/html')).map(r => r.contentType))
  for (const t of ['text/css', 'application/javascript', 'image/png']) assert.ok(types.has(t), `no ${t}`)
  for (const r of records.filter(x => x.contentType === 'image/png')) checkPng(Buffer.from(r.body!))
})

/** A PNG: signature, chunk CRCs, IHDR, and IDAT inflating to the right number of bytes. */
function checkPng(b: Buffer): void {
  assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  let p = 8
  let w = 0
  let h = 0
  const idat: Buffer[] = []
  const types: string[] = []
  while (p < b.length) {
    const len = b.readUInt32BE(p)
    const type = b.subarray(p + 4, p + 8).toString('latin1')
    const data = b.subarray(p + 8, p + 8 + len)
    assert.equal(b.readUInt32BE(p + 8 + len), zlib.crc32(b.subarray(p + 4, p + 8 + len)) >>> 0, `bad CRC in ${type}`)
    if (type === 'IHDR') [w, h] = [data.readUInt32BE(0), data.readUInt32BE(4)]
    if (type === 'IDAT') idat.push(data)
    types.push(type)
    p += 12 + len
  }
  assert.deepEqual([types[0], types[types.length - 1]], ['IHDR', 'IEND'])
  assert.ok(w > 0 && h > 0)
  assert.equal(zlib.inflateSync(Buffer.concat(idat)).length, h * (1 + 3 * w))
}

// --------------------------------------------------------------------------------------------------------------
// The benchmark crawl

test('make-crawl: a 300-page crawl reads back cleanly, with realistic proportions', { skip: NO_SHARED }, async () => {
  const out = join(TMP, 'crawl-300.warc.gz')
  const r = await makeCrawl({ pages: 300, out, seed: 1 })
  const c: CrawlCounts = r.counts
  assert.equal(r.htmlPages, 300)
  assert.equal(r.bytes, statSync(out).size)
  assert.equal(r.records, 1 + c.response + c.request + c.revisit)
  const { records } = await verifyCrawl(out, c)

  assert.ok(c.duplicates >= 0.02 * 300 && c.duplicates <= 0.09 * 300, `${c.duplicates} duplicates`)
  assert.ok(c.revisit >= 0.01 * 300 && c.revisit <= 0.06 * 300, `${c.revisit} revisits`)
  assert.ok(c.nonHtml >= 0.05 * c.response && c.nonHtml <= 0.16 * c.response, `${c.nonHtml} non-HTML of ${c.response}`)
  assert.ok(c.notFound + c.redirects >= 1, 'no 404 or 301')
  assert.equal(new Set(records.map(x => hostOf(x.url))).size, c.hosts)

  const years = records.map(x => Number(x.date!.slice(0, 4)))
  assert.equal(Math.min(...years), 2005)
  assert.equal(Math.max(...years), 2024)

  // Each page: SciFact titles and abstracts in site boilerplate, 300-1500 words of them.
  const corpusTitles = new Set(
    readFileSync(SCIFACT_CORPUS, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(l => (JSON.parse(l) as { title: string }).title.trim().replace(/\.$/, ''))
  )
  const pages = records.filter(x => x.type === 'response' && x.status === 200 && x.contentType?.startsWith('text/html'))
  let totalWords = 0
  for (const p of pages) {
    const s = Buffer.from(p.body!).toString('utf8')
    assert.match(s, /^<!DOCTYPE html>\n<html lang="en">/)
    const h1 = /<h1 class="hero">([^<]+)<\/h1>/.exec(s)?.[1] ?? ''
    const unescape = (x: string) =>
      x
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&')
    assert.ok(corpusTitles.has(unescape(h1)), `h1 is not a SciFact title: ${h1}`)
    const article = s.slice(s.indexOf('<h1 class="hero">'), s.indexOf('</article>')).replace(/<p class="byline">.*?<\/p>/, '')
    const n = article
      .replace(/<[^>]+>/g, ' ')
      .split(/\s+/)
      .filter(Boolean).length
    assert.ok(n >= MIN_WORDS && n <= MAX_WORDS, `${p.url}: ${n} words`)
    totalWords += n
  }
  assert.ok(totalWords / pages.length > 500, `average ${totalWords / pages.length} words`)
})

test('make-crawl: same seed gives the same bytes, another seed or size does not', { skip: NO_SHARED }, async () => {
  const file = (d: string) => {
    mkdirSync(join(TMP, d), { recursive: true })
    return join(TMP, d, 'crawl.warc.gz')
  }
  await makeCrawl({ pages: 200, out: file('a'), seed: 7 })
  await makeCrawl({ pages: 200, out: file('b'), seed: 7 })
  await makeCrawl({ pages: 200, out: file('c'), seed: 8 })
  await makeCrawl({ pages: 201, out: file('d'), seed: 7 })
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(x => readFileSync(file(x)))
  assert.ok(a.equals(b), 'same seed, different bytes')
  assert.ok(!a.equals(c), 'different seeds, same bytes')
  assert.ok(!a.equals(d), 'different sizes, same bytes')
  const ids = (buf: Buffer) =>
    new Set(
      zlib
        .gunzipSync(buf)
        .toString('latin1')
        .match(/WARC-Record-ID: <[^>]+>/g)
    )
  const shared = [...ids(a)].filter(x => ids(c).has(x))
  assert.deepEqual(shared, [], 'record ids repeat across seeds')
})

test('make-crawl: the CLI runs in bounded memory (48 MB heap for a 6,000-page, ~30 MB crawl)', { skip: NO_SHARED }, () => {
  const out = join(TMP, 'cli.warc.gz')
  const r = spawnSync(NODE, ['--max-old-space-size=48', MAKE_CRAWL, '--pages', '6000', '--out', out, '--seed', '3'], { encoding: 'utf8', timeout: 120_000 })
  assert.equal(r.status, 0, r.stderr.slice(-2000))
  assert.match(r.stdout, /6000 HTML pages/)
  const size = statSync(out).size
  assert.ok(size > 20e6, `output only ${size} bytes`)
})
