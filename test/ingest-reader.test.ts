// Tests for ingest/reader: the streaming WARC/WACZ reader, against the real files in ../shared/data and against
// synthetic files built here (damage the shared corpus does not have, and a file large enough to show streaming).
// Oracles are independent of the reader: INDEX.tsv columns, CDX/CDXJ indexes written by pywb and the WACZ writers,
// warcio.js's WARCParser for re-parsing slices, node:zlib / node:crypto for bytes and digests.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createHash } from 'node:crypto'
import zlib from 'node:zlib'
import v8 from 'node:v8'
import vm from 'node:vm'
import yauzl from 'yauzl'
import { WARCParser } from 'warcio'
import {
  createStats,
  detectFormat,
  normalizeWarcDate,
  readCrawl,
  readWaczPages,
  SKIP_REASONS,
  type CaptureRecord,
  type ReadOptions,
  type ReadStats,
  type SkipEvent
} from '../ingest/reader/index.ts'

const SHARED = fileURLToPath(new URL('../../shared/', import.meta.url))
const WARC_DIR = join(SHARED, 'data/warc')
const BAD_DIR = join(SHARED, 'data/warc-bad')
const WACZ_DIR = join(SHARED, 'data/wacz')
const CDX_DIR = join(SHARED, 'data/cdx')

type Row = Record<string, string>

function readIndex(dir: string): Row[] {
  const [head, ...lines] = readFileSync(join(dir, 'INDEX.tsv'), 'utf8').trimEnd().split('\n')
  const cols = head.split('\t')
  return lines.map(l => {
    const v = l.split('\t')
    return Object.fromEntries(cols.map((c, i) => [c, v[i] ?? '']))
  })
}

interface ReadResult {
  records: CaptureRecord[]
  skips: SkipEvent[]
  stats: ReadStats
}

/** Reads a whole file, failing (instead of hanging) if it takes longer than timeoutMs. */
async function readAll(path: string, opts: ReadOptions = {}, timeoutMs = 30_000): Promise<ReadResult> {
  const stats = createStats()
  const records: CaptureRecord[] = []
  const skips: SkipEvent[] = []
  const run = (async () => {
    for await (const e of readCrawl(path, { ...opts, stats })) {
      if (e.kind === 'record') records.push(e)
      else skips.push(e)
    }
  })()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out reading ${path}`)), timeoutMs)
  })
  try {
    await Promise.race([run, timeout])
  } finally {
    clearTimeout(timer)
  }
  return { records, skips, stats }
}

const isHtml = (r: CaptureRecord) => r.type === 'response' && /^\s*text\/html/i.test(r.contentType ?? '')
const dropped = (skips: SkipEvent[]) => skips.filter(s => s.dropped)
const reasons = (skips: SkipEvent[]) => new Set(skips.map(s => s.reason))
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/

// RFC 4648 base32, written here independently of the reader's.
function base32(b: Uint8Array): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const x of b) bits += x.toString(2).padStart(8, '0')
  let out = ''
  for (let i = 0; i < bits.length; i += 5) out += A[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)]
  return out
}

/** Parses exactly one record out of `bytes` with warcio.js; fails if there is not exactly one. */
async function parseOneWithWarcio(bytes: Uint8Array): Promise<{ uri: string; id: string | null }> {
  const parser = new WARCParser([bytes])
  const rec = await parser.parse()
  assert.ok(rec, 'warcio found no record in the slice')
  await rec.readFully()
  const uri = (rec.warcTargetURI ?? '').trim().replace(/^<(.*)>$/, '$1')
  const id = rec.warcHeader('WARC-Record-ID') ?? null
  assert.equal(await parser.parse(), null, 'the slice holds more than one record')
  return { uri, id }
}

// --------------------------------------------------------------------------------------------------------------
// data/warc: every file, counts against INDEX.tsv

// Files whose counts legitimately differ from INDEX.tsv's, each checked against the bytes of the file by hand.
// INDEX counts records as lines starting with upper-case 'WARC/' and does no Content-Length checking; a reader that
// refuses to yield cut or padded records must differ where a Content-Length is wrong.
const GOOD_EXCEPTIONS: Record<string, { records: number; responses: number; html: number; reasons: string[]; why: string }> = {
  'chatnoir-eu__chatnoir-resiliparse/tests__data__warcfile.warc.lz4': {
    records: 0,
    responses: 0,
    html: 0,
    reasons: ['unsupported-compression'],
    why: 'LZ4 frames: node:zlib has no LZ4 and no LZ4 package is installed, so it is detected and skipped'
  },
  'chatnoir-eu__chatnoir-resiliparse/tests__data__block-sized-records.warc.lz4': {
    records: 0,
    responses: 0,
    html: 0,
    reasons: ['unsupported-compression'],
    why: 'LZ4, as above'
  },
  'datatogether__warc/testdata__test.warc': {
    records: 9,
    responses: 0,
    html: 0,
    reasons: ['bad-content-length'],
    why: 'the 10th record (resource, Content-Length 980) has a longer block: "...the fall was over." goes on past the declared end (text converted to CRLF after the length was written)'
  },
  'webrecorder__pywb/sample_archive__warcs__example.warc': {
    records: 5,
    responses: 2,
    html: 2,
    reasons: ['bad-content-length'],
    why: 'the request record at byte 4061 declares 320 bytes, but "m\\r\\n\\r\\n" of its Host line and blank line follow the declared end'
  },
  'webrecorder__pywb/sample_archive__warcs__example-extra.warc': {
    records: 6,
    responses: 2,
    html: 1,
    reasons: ['bad-http-header'],
    why: 'one response has the status line "HTTPX/1.1 200 OK" (a pywb test case): the WARC record is whole and counted, but it is not an HTTP response, so it is not yielded'
  },
  'netarchivesuite__jwat/jwat-warc__src__test__resources__valid-warcfile-upper-lower-case.warc': {
    records: 5,
    responses: 4,
    html: 0,
    reasons: [],
    why: 'two records start with lower-case "warc/1.0" (the file tests case-insensitivity); INDEX counts only upper-case version lines, but its responses column (4) includes them'
  },
  'richardlehane__webarchive/examples__jhove__valid__valid-warcfile-upper-lower-case.warc': {
    records: 5,
    responses: 4,
    html: 0,
    reasons: [],
    why: 'same file as the jwat copy above'
  },
  'oduwsdl__ipwb/samples__warcs__HTTP204.warc': {
    records: 1,
    responses: 1,
    html: 1,
    reasons: ['bad-content-length'],
    why: 'the warcinfo and the 204 response blocks are longer than declared (lengths counted LF line ends, the file has CRLF): "tent\\r\\n\\r\\n" of "Status: 204 No Content" is left after the response'
  },
  'oduwsdl__ipwb/samples__warcs__redirect.warc': {
    records: 1,
    responses: 0,
    html: 0,
    reasons: ['truncated-record'],
    why: 'the file has LF line ends but the response Content-Length (265) counts CRLFs, so the file ends 9 bytes before the declared block end'
  },
  'castorini__anserini/src__test__resources__sample_docs__commoncrawlnewsen__collection1__segment1.warc.gz': {
    records: 1,
    responses: 1,
    html: 1,
    reasons: ['bad-content-length'],
    why: 'LF-only data whose warcinfo Content-Length (331) counts CRLFs, so the warcinfo runs into the next record; the response behind it is recovered'
  }
}

test('data/warc: every file reads, and counts by type match INDEX.tsv', async () => {
  const rows = readIndex(WARC_DIR)
  assert.equal(rows.length, 148)
  for (const row of rows) {
    const path = join(WARC_DIR, row.path)
    const { records, skips, stats } = await readAll(path)
    const responses = stats.byType.response ?? 0
    const html = records.filter(isHtml).length
    const exc = GOOD_EXCEPTIONS[row.path]
    const want = exc ?? {
      records: Number(row['records(^WARC/)']),
      responses: Number(row.response_records),
      html: Number(row.html_responses),
      reasons: []
    }
    const got = { records: stats.records, responses, html }
    assert.deepEqual(got, { records: want.records, responses: want.responses, html: want.html }, row.path)
    // Only the files above have data the reader must drop; everywhere else at most notices are allowed.
    const lost = [...reasons(dropped(skips))].sort()
    assert.deepEqual(lost, [...want.reasons].sort(), `${row.path}: dropped ${JSON.stringify(dropped(skips).map(s => s.detail))}`)
    for (const s of skips) assert.ok(s.reason in SKIP_REASONS, `undocumented reason ${s.reason}`)

    // Record fields are well formed, and versions are those the file declares.
    const versions = new Set([...row['warc_version(count)'].matchAll(/([\d.]+)\(\d+\)/g)].map(m => m[1]))
    for (const r of records) {
      assert.equal(r.file, path)
      assert.ok(versions.has(r.warcVersion), `${row.path}: version ${r.warcVersion} not in ${[...versions]}`)
      assert.ok(r.date === null || ISO.test(r.date), `${row.path}: date ${r.date}`)
      assert.ok(r.offset >= 0 && r.length >= 0)
      assert.equal(r.url, r.url.trim())
      assert.ok(!r.url.startsWith('<'))
      if (r.type === 'revisit') assert.equal(r.body, null)
      if (r.type === 'resource') assert.deepEqual([r.status, r.headers], [null, []])
    }
    if (stats.records > 0 && !exc) assert.equal(stats.bytes, statSync(path).size, `${row.path}: bytes consumed`)
  }
})

// --------------------------------------------------------------------------------------------------------------
// data/warc-bad: never throw or hang; reasons match what INDEX.tsv says is wrong

/**
 * What INDEX.tsv's what_is_wrong / strict_length_walk columns imply the reader must report: a list of groups,
 * each satisfied by any one of its reasons.
 */
function expectedGroups(row: Row): string[][] {
  const strict = row.strict_length_walk
  const what = row.what_is_wrong
  const groups: string[][] = []
  if (strict === 'empty') groups.push(['empty-file'])
  if (/gzip stream (truncated|cut off)/i.test(strict + ' ' + what)) groups.push(['truncated-gzip'])
  else if (/block truncated|block is truncated/i.test(strict + ' ' + what)) groups.push(['truncated-record', 'bad-content-length'])
  if (/missing\/invalid Content-Length/.test(strict)) groups.push(['missing-content-length', 'bad-content-length'])
  if (/bad version line/.test(strict)) groups.push(['junk-between-records', 'bad-warc-version'])
  if (/no end of header/.test(strict) && !/block is truncated/.test(what)) {
    groups.push(['truncated-record', 'bad-warc-version', 'junk-between-records', 'missing-content-length'])
  }
  // Bytes other than separator newlines or the next record right after a block: the length is wrong.
  if (/no CRLFCRLF after block \(got b'(?!\\r|\\n|WARC|')/.test(strict)) groups.push(['bad-content-length'])
  if (/Content-Length (edited|too small)|truncated Content-Length|declares Content-Length: \d+ but/.test(what)) {
    groups.push(['bad-content-length'])
  }
  if (/WARC-Date/.test(what)) groups.push(['invalid-date'])
  if (/Transfer-Encoding: chunked/.test(what)) groups.push(['bad-chunked-encoding'])
  if (/not UTF-8/.test(what)) groups.push(['non-utf8-header'])
  if (/\b(one|single) gzip member/i.test(what)) groups.push(['multi-record-gzip-member'])
  if (strict === 'OK' && /invalid-warcheaderversion-20/.test(what)) groups.push(['no-warc-records'])
  return groups
}

// Broken files that a lenient reader reads whole, and why that is right.
const BAD_BUT_READABLE: Record<string, string> = {
  'webrecorder__warcio/test__data__example-wrong-chunks.warc.gz':
    'the response spans two gzip members (legal: concatenated members are one gzip stream) and its block ends one byte early, but the byte left is a newline, which is indistinguishable from separator slack',
  'netarchivesuite__jwat/jwat-warc__src__test__resources__invalid-warcfile-encoding-headers.warc.gz':
    'the "bad encoding" is non-ASCII already replaced by literal "?" in the target URIs: valid ASCII, nothing to detect',
  'webrecorder__cdxj-indexer/test__data__missing-http.warc.gz': 'a request with an empty block is valid WARC; requests are not yielded'
}

test('data/warc-bad: every file is read without throwing or hanging, with the reasons INDEX.tsv implies', async () => {
  const rows = readIndex(BAD_DIR)
  assert.equal(rows.length, 80)
  let withSkips = 0
  for (const row of rows) {
    const path = join(BAD_DIR, row.path)
    const { skips, stats } = await readAll(path, {}, 10_000)
    const got = reasons(skips)
    for (const s of skips) assert.ok(s.reason in SKIP_REASONS, `undocumented reason ${s.reason}`)
    const groups = expectedGroups(row)
    for (const g of groups) {
      assert.ok(
        g.some(r => got.has(r)),
        `${row.path}: expected one of ${g} (${row.what_is_wrong}); got ${[...got]}`
      )
    }
    if (groups.length === 0) {
      // Nothing a reader can see is wrong (JHOVE policy cases, digests, ...) or it is tolerated by design:
      // then every record is read.
      assert.deepEqual(dropped(skips), [], row.path)
      assert.equal(stats.records, Number(row['records(^WARC/)']), row.path)
    }
    if (skips.length > 0) withSkips++
  }
  for (const p of Object.keys(BAD_BUT_READABLE))
    assert.ok(
      rows.some(r => r.path === p),
      p
    )
  assert.ok(withSkips >= 60, `only ${withSkips} bad files produced skip events`)
})

test('data/warc-bad: specific damage is reported where INDEX.tsv places it', async () => {
  // clipped.warc.gz: a gzip stream cut mid-record: no record, one truncated-gzip at the member (offset 0).
  let r = await readAll(join(BAD_DIR, 'chatnoir-eu__chatnoir-resiliparse/tests__data__clipped.warc.gz'))
  assert.equal(r.records.length, 0)
  assert.deepEqual(
    r.skips.map(s => [s.reason, s.offset]),
    [['truncated-gzip', 0]]
  )

  // example-bad-length.warc: response declares 974 of 975 bytes -> dropped; the revisit declares 371 for 369 plus
  // separator -> its extra bytes are newlines, so it is still read. The other records are intact.
  r = await readAll(join(BAD_DIR, 'webrecorder__warcio.js/test__data__example-bad-length.warc'))
  assert.deepEqual(
    r.records.map(x => x.type),
    ['revisit']
  )
  assert.deepEqual([...reasons(dropped(r.skips))], ['bad-content-length'])
  assert.equal(r.stats.records, 5)

  // record-then-garbage: the record is whole (blank-line separator present), the garbage after it is junk.
  r = await readAll(join(BAD_DIR, 'netarchivesuite__jwat/jwat-warc__src__test__resources__invalid-warcfile-record-then-garbage.warc'))
  assert.equal(r.records.length, 1)
  assert.deepEqual(
    r.skips.map(s => [s.reason, s.offset]),
    [['junk-between-records', 1135]]
  )

  // truncated_datetime.warc: the record with "2019-08-15T01:02" is yielded with date null and a notice.
  r = await readAll(join(BAD_DIR, 'ukwa__webarchive-discovery/warc-indexer__src__test__resources__truncated_datetime.warc'))
  const inv = r.skips.filter(s => s.reason === 'invalid-date')
  assert.equal(inv.length, 1)
  assert.equal(inv[0].dropped, false)
  assert.match(inv[0].detail, /2019-08-15T01:02/)
  assert.ok(r.records.some(x => x.date === null && x.offset === inv[0].offset))

  // not_utf8_http_header.warc: header bytes ff ff ff come through as Latin-1, the record is yielded.
  r = await readAll(join(BAD_DIR, 'chfoo__warcat/example__not_utf8_http_header.warc'))
  assert.equal(r.records.length, 1)
  assert.deepEqual(
    r.records[0].headers.find(([k]) => k === 'x-somthing'),
    ['x-somthing', '\u00ff\u00ff\u00ff']
  )
  assert.deepEqual(Buffer.from(r.records[0].body!).toString(), 'a\r\n')

  // bad_http_chunked_content.warc: "3\r\naa\r\n0..." breaks the framing: dropped, never yielded half-decoded.
  r = await readAll(join(BAD_DIR, 'chfoo__warcat/example__bad_http_chunked_content.warc'))
  assert.equal(r.records.length, 0)
  assert.deepEqual([...reasons(r.skips)], ['bad-chunked-encoding'])

  // One gzip member holding all six records: all are read, with length 0 and increasing memberOffsets.
  r = await readAll(join(BAD_DIR, 'webrecorder__warcio/test__data__example-bad-non-chunked.warc.gz'))
  assert.equal(r.stats.records, 6)
  for (const x of r.records) assert.deepEqual([x.offset, x.length], [0, 0])
  assert.ok(r.records.every((x, i) => i === 0 || x.memberOffset > r.records[i - 1].memberOffset))
})

// --------------------------------------------------------------------------------------------------------------
// format detection, ClueWeb, revisits

test('gzip files named .warc are detected from their bytes and read as gzip', async () => {
  const rows = readIndex(WARC_DIR).filter(r => r.compression_detail === 'gzip(misnamed .warc)')
  assert.ok(rows.length >= 8)
  for (const row of rows) {
    const path = join(WARC_DIR, row.path)
    assert.ok(path.endsWith('.warc'))
    const bytes = readFileSync(path)
    assert.equal(detectFormat(bytes.subarray(0, 64)), 'gzip')
    const { records, stats } = await readAll(path, { wantBody: () => false })
    assert.equal(stats.records, Number(row['records(^WARC/)']))
    // Offsets are gzip member offsets: each record's slice is a gzip member that starts with a WARC record.
    for (const r of records.slice(0, 5)) {
      const slice = bytes.subarray(r.offset, r.offset + r.length)
      assert.deepEqual([slice[0], slice[1]], [0x1f, 0x8b])
      assert.match(zlib.gunzipSync(slice).subarray(0, 5).toString(), /^WARC\//)
    }
  }
  assert.equal(detectFormat(readFileSync(join(WARC_DIR, 'webrecorder__pywb/sample_archive__warcs__example.warc')).subarray(0, 64)), 'warc')
  assert.equal(detectFormat(readFileSync(join(WARC_DIR, 'chatnoir-eu__chatnoir-resiliparse/tests__data__warcfile.warc.lz4')).subarray(0, 64)), 'lz4')
  assert.equal(detectFormat(new Uint8Array(0)), 'empty')
})

test('ClueWeb09 (WARC/0.18, EUC-JP, invalid dates) yields its records', async () => {
  const path = join(WARC_DIR, 'chatnoir-eu__chatnoir-resiliparse/tests__data__clueweb-quirk.warc.gz')
  const { records, skips } = await readAll(path)
  assert.equal(records.length, 29)
  const eucjp = new TextDecoder('euc-jp')
  for (const r of records) {
    assert.equal(r.warcVersion, '0.18')
    assert.equal(r.type, 'response')
    assert.equal(r.date, null) // '2008-10-294T05:21:46-0700': day 294
    assert.equal(r.status, 200)
    assert.match(r.contentType ?? '', /charset=EUC-JP/i)
    // Content-Encoding says gzip, but the body was stored decoded: it must come through as the raw EUC-JP bytes.
    const text = eucjp.decode(r.body!)
    assert.match(text, /^<html>/)
    assert.match(text, /HEADPORTER/)
    assert.match(text, /[\u30a0-\u30ff]/, 'Katakana decoded from EUC-JP') // ブランド etc.
    assert.ok(r.payloadDigest?.startsWith('sha1:'))
  }
  const dateNotices = skips.filter(s => s.reason === 'invalid-date')
  assert.equal(dateNotices.length, 29)
  assert.ok(dateNotices.every(s => !s.dropped && /2008-10-294/.test(s.detail)))
})

test('revisit records carry refersTo fields (checked against the raw headers)', async () => {
  const path = join(WARC_DIR, 'webrecorder__pywb/sample_archive__warcs__iana.warc.gz')
  const raw = zlib.gunzipSync(readFileSync(path)).toString('latin1')
  const expected = new Map<string, { url: string; date: string }>()
  for (const m of raw.matchAll(/WARC\/1\.0\r\n((?:[^\r\n]+\r\n)+)\r\n/g)) {
    const h = m[1]
    if (!/^WARC-Type: revisit\r?$/m.test(h)) continue
    const id = /^WARC-Record-ID: (.*?)\r?$/m.exec(h)![1]
    expected.set(id, {
      url: /^WARC-Refers-To-Target-URI: (.*?)\r?$/m.exec(h)![1],
      date: /^WARC-Refers-To-Date: (.*?)\r?$/m.exec(h)![1]
    })
  }
  assert.equal(expected.size, 123)
  const { records } = await readAll(path)
  const revisits = records.filter(r => r.type === 'revisit')
  assert.equal(revisits.length, expected.size)
  for (const r of revisits) {
    const e = expected.get(r.recordId!)!
    assert.equal(r.refersToUrl, e.url)
    assert.equal(r.refersToDate, e.date) // already 'YYYY-MM-DDTHH:MM:SSZ' in this file
    assert.equal(r.body, null)
    assert.match(r.payloadDigest ?? '', /^sha1:[A-Z2-7]{32}$/)
  }
})

// --------------------------------------------------------------------------------------------------------------
// offsets

test('offsets round-trip: each yielded record is exactly the bytes [offset, offset+length)', async () => {
  const rows = [...readIndex(WARC_DIR).map(r => join(WARC_DIR, r.path)), ...readIndex(BAD_DIR).map(r => join(BAD_DIR, r.path))]
  let checked = 0
  let shared = 0
  const tmp = mkdtempSync(join(tmpdir(), 'canopy-rt-'))
  try {
    for (const path of rows) {
      const file = readFileSync(path)
      const { records } = await readAll(path, { wantBody: () => false })
      for (const [i, r] of records.entries()) {
        if (r.length === 0) {
          // Shares a gzip member: inflating from `offset` and skipping memberOffset bytes finds it.
          const data = zlib.gunzipSync(file.subarray(r.offset), { finishFlush: zlib.constants.Z_SYNC_FLUSH })
          assert.match(data.subarray(r.memberOffset, r.memberOffset + 5).toString(), /^warc\//i)
          const first = await new WARCParser([data.subarray(r.memberOffset)]).parse()
          assert.equal(first?.warcHeader('WARC-Record-ID'), r.recordId)
          shared++
          continue
        }
        const slice = file.subarray(r.offset, r.offset + r.length)
        const again = await parseOneWithWarcio(slice)
        assert.equal(again.uri, r.url, `${path} @${r.offset}`)
        assert.equal(again.id, r.recordId, `${path} @${r.offset}`)
        // And our own reader on the slice alone finds the same single record at offset 0.
        if (i % 7 === 0) {
          const p = join(tmp, 'slice')
          writeFileSync(p, slice)
          const one = await readAll(p, { wantBody: () => false })
          assert.equal(one.records.length, 1)
          assert.deepEqual([one.records[0].recordId, one.records[0].offset, one.records[0].length], [r.recordId, 0, r.length])
        }
        checked++
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
  assert.ok(checked > 1900, `checked ${checked}`)
  assert.ok(shared >= 10, `shared ${shared}`)
})

/** CDX(J) lines as {url, offset, length}. Legend lines ' CDX N b a m s k r M S V g' name the columns. */
function readCdx(text: string): { url: string; offset: number; length: number }[] {
  const out: { url: string; offset: number; length: number }[] = []
  let legend: string[] | null = null
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    if (line.startsWith(' CDX')) {
      legend = line.trim().split(/\s+/).slice(1)
      continue
    }
    const j = line.indexOf('{')
    if (j >= 0) {
      const o = JSON.parse(line.slice(j)) as Record<string, string | number>
      if (o.offset !== undefined) out.push({ url: String(o.url), offset: Number(o.offset), length: Number(o.length) })
    } else if (legend) {
      const f = line.split(' ')
      out.push({ url: f[legend.indexOf('a')], offset: Number(f[legend.indexOf('V')]), length: Number(f[legend.indexOf('S')]) })
    }
  }
  return out
}

test('offsets and lengths agree with the CDX indexes pywb wrote for the same files', async () => {
  const pairs: [string, string][] = [
    ['webrecorder__pywb/sample_archive__cdxj__iana.cdxj', 'webrecorder__pywb/sample_archive__warcs__iana.warc.gz'],
    ['webrecorder__pywb/sample_archive__cdx__example.cdx', 'webrecorder__pywb/sample_archive__warcs__example.warc.gz'],
    ['webrecorder__pywb/sample_archive__cdx__example-extra.cdx', 'webrecorder__pywb/sample_archive__warcs__example-extra.warc'],
    ['webrecorder__pywb/sample_archive__cdx__dupes.cdx', 'webrecorder__pywb/sample_archive__warcs__dupes.warc.gz'],
    [
      'ukwa__ukwa-pywb/integration-test__test-data__acid.matkelly.com-20140716200357.cdx',
      'ukwa__ukwa-pywb/integration-test__test-data__acid.matkelly.com-20140716200357.warc.gz'
    ]
  ]
  for (const [cdx, warc] of pairs) {
    const lines = readCdx(readFileSync(join(CDX_DIR, cdx), 'utf8'))
    assert.ok(lines.length > 0, cdx)
    const { records } = await readAll(join(WARC_DIR, warc), { wantBody: () => false })
    const at = new Map(records.map(r => [r.offset, r]))
    for (const l of lines) {
      const r = at.get(l.offset)
      assert.ok(r, `${warc}: no record at ${l.offset} (${l.url})`)
      assert.equal(r.length, l.length, `${warc}: length at ${l.offset}`)
      assert.equal(r.url, l.url)
    }
  }
})

// --------------------------------------------------------------------------------------------------------------
// payloads

test('payload digest: computed when absent, equal to what the writers declared', async () => {
  // Re-write each response of iana.warc.gz (pywb) without its WARC-Payload-Digest line: the reader must compute
  // exactly the digest the writer had declared. (25 of them say Transfer-Encoding: chunked but were stored
  // dechunked, which exercises the pass-through path.)
  const tmp = mkdtempSync(join(tmpdir(), 'canopy-dig-'))
  const strippedDigests = async (path: string) => {
    const file = readFileSync(path)
    const { records } = await readAll(path)
    const out: { r: CaptureRecord; declared: string; computed: string | null }[] = []
    for (const r of records.filter(x => x.type === 'response')) {
      const declared = r.warcHeaders.find(([k]) => k === 'warc-payload-digest')?.[1]
      assert.ok(declared)
      const text = zlib.gunzipSync(file.subarray(r.offset, r.offset + r.length)).toString('latin1')
      const stripped = text.replace(/\r\nWARC-Payload-Digest: [^\r\n]*/, '')
      assert.notEqual(stripped, text)
      const p = join(tmp, 'r.warc')
      writeFileSync(p, Buffer.from(stripped, 'latin1'))
      const again = await readAll(p)
      out.push({ r, declared, computed: again.records[0].payloadDigest })
    }
    return out
  }
  try {
    const iana = await strippedDigests(join(WARC_DIR, 'webrecorder__pywb/sample_archive__warcs__iana.warc.gz'))
    assert.equal(iana.length, 48)
    for (const { r, declared, computed } of iana) assert.equal(computed, declared, r.url)

    // wget writes truly chunked bodies and digests them with the chunk framing; the reader digests the payload
    // after dechunking (as WARC defines it), so for those records it must match sha1 of the dechunked body.
    const wget = await strippedDigests(join(WARC_DIR, 'iipc__webarchive-commons/src__test__resources__org__archive__format__gzip__IAH-urls-wget.warc.gz'))
    let chunked = 0
    for (const { r, declared, computed } of wget) {
      const isChunked = r.headers.some(([k, v]) => k === 'transfer-encoding' && /chunked/i.test(v))
      const encoded = r.headers.some(([k]) => k === 'content-encoding')
      if (!isChunked) {
        assert.equal(computed, declared, r.url)
      } else if (!encoded) {
        chunked++
        assert.equal(computed, 'sha1:' + base32(createHash('sha1').update(r.body!).digest()), r.url)
        assert.notEqual(computed, declared)
      }
    }
    assert.ok(chunked >= 3, `chunked ${chunked}`)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
})

test('bodies: chunked and content-encoded variants of the same page decode to the same bytes', async () => {
  const bodyOf = async (p: string) => {
    const { records } = await readAll(join(WARC_DIR, p))
    const rs = records.filter(r => r.type === 'response')
    assert.equal(rs.length, 1, p)
    assert.equal(rs[0].bodyTruncated, false)
    return Buffer.from(rs[0].body!)
  }
  const plain = await bodyOf('oduwsdl__ipwb/samples__warcs__baconIpsum.warc.gz')
  assert.ok(plain.subarray(0, 6).equals(Buffer.from('<html>')))
  assert.ok((await bodyOf('oduwsdl__ipwb/samples__warcs__baconIpsum_chunked.warc')).equals(plain))
  assert.ok((await bodyOf('oduwsdl__ipwb/samples__warcs__baconIpsum_chunked_httpTrailors.warc')).equals(plain))

  const c = 'ukwa__webarchive-discovery/warc-indexer__src__test__resources__compression__transfer_compression_'
  const none = await bodyOf(c + 'none.warc')
  assert.match(none.toString(), /<html>/)
  for (const v of ['gzip.warc', 'brotli.warc', 'none.warc.gz', 'gzip.warc.gz', 'brotli.warc.gz']) {
    assert.ok((await bodyOf(c + v)).equals(none), v)
  }
})

test('maxBodyBytes cuts bodies and flags them; wantBody skips bodies', async () => {
  const path = join(WARC_DIR, 'webrecorder__pywb/sample_archive__warcs__iana.warc.gz')
  const full = await readAll(path)
  const cap = 1000
  const cut = await readAll(path, { maxBodyBytes: cap })
  assert.equal(cut.records.length, full.records.length)
  let flagged = 0
  for (const [i, r] of cut.records.entries()) {
    const f = full.records[i]
    if (!f.body) continue
    assert.equal(r.bodyTruncated, f.body.length > cap)
    assert.ok(Buffer.from(f.body.subarray(0, cap)).equals(Buffer.from(r.body!)))
    if (r.bodyTruncated) flagged++
    assert.equal(r.payloadDigest, f.payloadDigest)
  }
  assert.ok(flagged > 10)

  const seen: [string | null, string][] = []
  const picky = await readAll(path, {
    wantBody: (ct, url) => {
      seen.push([ct, url])
      return /html/.test(ct ?? '')
    }
  })
  const responses = picky.records.filter(r => r.type === 'response')
  assert.equal(seen.length, responses.length)
  for (const r of responses) assert.equal(r.body !== null, /html/.test(r.contentType ?? ''), r.url)
})

// --------------------------------------------------------------------------------------------------------------
// WACZ

/** A minimal zip writer (stored or deflated entries), for building test WACZs. */
function makeZip(entries: { name: string; data: Buffer; deflate: boolean }[]): Buffer {
  const parts: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const comp = e.deflate ? zlib.deflateRawSync(e.data) : e.data
    const crc = zlib.crc32(e.data)
    const name = Buffer.from(e.name)
    const method = e.deflate ? 8 : 0
    const lh = Buffer.alloc(30)
    lh.writeUInt32LE(0x04034b50, 0)
    lh.writeUInt16LE(20, 4)
    lh.writeUInt16LE(method, 8)
    lh.writeUInt16LE(0x21, 12)
    lh.writeUInt32LE(crc, 14)
    lh.writeUInt32LE(comp.length, 18)
    lh.writeUInt32LE(e.data.length, 22)
    lh.writeUInt16LE(name.length, 26)
    const ch = Buffer.alloc(46)
    ch.writeUInt32LE(0x02014b50, 0)
    ch.writeUInt16LE(20, 4)
    ch.writeUInt16LE(20, 6)
    ch.writeUInt16LE(method, 10)
    ch.writeUInt16LE(0x21, 14)
    ch.writeUInt32LE(crc, 16)
    ch.writeUInt32LE(comp.length, 20)
    ch.writeUInt32LE(e.data.length, 24)
    ch.writeUInt16LE(name.length, 28)
    ch.writeUInt32LE(offset, 42)
    parts.push(lh, name, comp)
    central.push(ch, name)
    offset += 30 + name.length + comp.length
  }
  const cd = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...parts, cd, end])
}

/** One zip entry's bytes, read with yauzl directly (independently of the reader's zip code). */
async function zipEntry(path: string, name: string): Promise<Buffer | null> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true })
  try {
    for await (const e of zip.eachEntry()) {
      if (e.fileName !== name) continue
      const chunks: Buffer[] = []
      for await (const c of await zip.openReadStreamPromise(e)) chunks.push(c as Buffer)
      return Buffer.concat(chunks)
    }
    return null
  } finally {
    zip.close()
  }
}

// Each WACZ's WARC also sits in data/warc as a separate file, which gives the expected counts.
const WACZS: { wacz: string; entry: string; indexRow: string; cdx: string }[] = [
  {
    wacz: 'harvard-lil__scoop/assets__fixtures__example.com.wacz',
    entry: 'archive/data.warc',
    indexRow: 'harvard-lil__scoop/assets__fixtures__example.com.wacz__archive__data.warc',
    cdx: 'indexes/index.cdx'
  },
  {
    wacz: 'harvard-lil__scoop/assets__fixtures__noarchive.netlify.app.wacz',
    entry: 'archive/data.warc',
    indexRow: 'harvard-lil__scoop/assets__fixtures__noarchive.netlify.app.wacz__archive__data.warc',
    cdx: 'indexes/index.cdx'
  },
  {
    wacz: 'webrecorder__replayweb.page/mkdocs__site__docs__examples__example.wacz',
    entry: 'archive/data.warc.gz',
    indexRow: 'webrecorder__replayweb.page/mkdocs__site__docs__examples__example.wacz__archive__data.warc.gz',
    cdx: 'indexes/index.cdx'
  },
  {
    wacz: 'webrecorder__py-wacz/tests__fixtures__valid_example_2.wacz',
    entry: 'archive/example-collection.warc',
    indexRow: 'webrecorder__py-wacz/tests__fixtures__example-collection.warc',
    cdx: 'indexes/index.cdx.gz'
  }
]

test('WACZ: records come out named pkg.wacz#entry, with counts and offsets of the inner WARC', async () => {
  const rows = new Map(readIndex(WARC_DIR).map(r => [r.path, r]))
  for (const w of WACZS) {
    const path = join(WACZ_DIR, w.wacz)
    const row = rows.get(w.indexRow)!
    const { records, skips, stats } = await readAll(path)
    assert.deepEqual(dropped(skips), [], w.wacz)
    assert.equal(stats.files, 1)
    assert.equal(stats.records, Number(row['records(^WARC/)']), w.wacz)
    assert.equal(stats.byType.response ?? 0, Number(row.response_records), w.wacz)
    assert.equal(records.filter(isHtml).length, Number(row.html_responses), w.wacz)
    for (const r of records) assert.equal(r.file, `${path}#${w.entry}`)

    // Offsets are within the inner WARC, as in the package's own CDX(J) index.
    let cdxBytes = await zipEntry(path, w.cdx)
    assert.ok(cdxBytes, w.cdx)
    if (w.cdx.endsWith('.gz')) cdxBytes = zlib.gunzipSync(cdxBytes)
    const lines = readCdx(cdxBytes.toString('utf8'))
    assert.ok(lines.length > 0)
    const inner = (await zipEntry(path, w.entry))!
    for (const l of lines) {
      const r = records.find(x => x.offset === l.offset)
      assert.ok(r, `${w.wacz}: no record at ${l.offset}`)
      assert.equal(r.url, l.url)
      assert.equal(r.length, l.length, `${w.wacz}: length at ${l.offset}`)
      assert.equal((await parseOneWithWarcio(inner.subarray(r.offset, r.offset + r.length))).id, r.recordId)
    }
  }
})

test('WACZ: pages come from pages.jsonl with url, ts and title', async () => {
  for (const w of WACZS) {
    const path = join(WACZ_DIR, w.wacz)
    const jsonl = (await zipEntry(path, 'pages/pages.jsonl'))!.toString('utf8')
    const expected = jsonl
      .split('\n')
      .filter(l => l.trim())
      .map(l => JSON.parse(l) as Record<string, unknown>)
      .filter(o => typeof o.url === 'string')
    const pages = []
    for await (const p of readWaczPages(path)) pages.push(p)
    assert.ok(pages.length > 0)
    assert.deepEqual(
      pages.map(p => [p.url, p.ts, p.title]),
      expected.map(o => [o.url, o.ts ?? null, o.title ?? null]),
      w.wacz
    )
  }
  const scoop = []
  for await (const p of readWaczPages(join(WACZ_DIR, 'harvard-lil__scoop/assets__fixtures__example.com.wacz'))) scoop.push(p)
  assert.equal(scoop[0].url, 'https://example.com/')
  assert.match(scoop[0].title ?? '', /^High-Fidelity Web Capture/)
  // Not a zip: no pages, no exception.
  const none = []
  for await (const p of readWaczPages(join(WARC_DIR, 'webrecorder__pywb/sample_archive__warcs__example.warc'))) none.push(p)
  assert.equal(none.length, 0)
})

test('WACZ: deflated entries are streamed, broken entries and zips are skipped', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'canopy-wacz-'))
  try {
    const gz = join(WARC_DIR, 'webrecorder__pywb/sample_archive__warcs__iana.warc.gz')
    const plain = join(WARC_DIR, 'webrecorder__pywb/sample_archive__warcs__example-extra.warc')
    const good = [readFileSync(gz), readFileSync(plain)]
    const zipPath = join(tmp, 'pkg.wacz')
    writeFileSync(
      zipPath,
      makeZip([
        { name: 'datapackage.json', data: Buffer.from('{}'), deflate: true },
        { name: 'archive/a.warc.gz', data: good[0], deflate: true },
        { name: 'archive/b.warc', data: good[1], deflate: true },
        { name: 'archive/c.warc', data: good[1], deflate: false },
        {
          name: 'pages/pages.jsonl',
          data: Buffer.from('{"format":"json-pages-1.0"}\n{"url":"http://e/","ts":"2020-01-01T00:00:00Z","title":"E"}\n'),
          deflate: true
        }
      ])
    )
    const inZip = await readAll(zipPath)
    const alone = [await readAll(gz), await readAll(plain)]
    const byEntry = (suffix: string) => inZip.records.filter(r => r.file === `${zipPath}#archive/${suffix}`)
    const key = (r: CaptureRecord) => [r.recordId, r.offset, r.length, r.payloadDigest, r.body?.length]
    assert.deepEqual(byEntry('a.warc.gz').map(key), alone[0].records.map(key))
    assert.deepEqual(byEntry('b.warc').map(key), alone[1].records.map(key))
    assert.deepEqual(byEntry('c.warc').map(key), alone[1].records.map(key))
    assert.equal(inZip.stats.files, 3)
    const pages = []
    for await (const p of readWaczPages(zipPath)) pages.push(p)
    assert.deepEqual(
      pages.map(p => [p.url, p.title]),
      [['http://e/', 'E']]
    )

    // A deflated entry whose data is garbage: a skip for that entry, the next entry still read.
    const badEntry = makeZip([
      { name: 'archive/x.warc', data: good[1], deflate: true },
      { name: 'archive/y.warc', data: good[1], deflate: false }
    ])
    const xStart = 30 + 'archive/x.warc'.length
    for (let i = xStart + 5; i < xStart + 60; i++) badEntry[i] ^= 0xa5
    writeFileSync(join(tmp, 'bad-entry.wacz'), badEntry)
    const be = await readAll(join(tmp, 'bad-entry.wacz'))
    assert.ok(
      be.skips.some(s => s.file.endsWith('#archive/x.warc') && s.dropped),
      JSON.stringify(be.skips)
    )
    assert.equal(be.records.filter(r => r.file.endsWith('#archive/y.warc')).length, alone[1].records.length)

    // A truncated zip (no central directory): one bad-zip skip.
    writeFileSync(join(tmp, 'cut.wacz'), readFileSync(zipPath).subarray(0, 5000))
    const cut = await readAll(join(tmp, 'cut.wacz'))
    assert.deepEqual(
      cut.skips.map(s => s.reason),
      ['bad-zip']
    )
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
})

// --------------------------------------------------------------------------------------------------------------
// synthetic input: leniency and damage the shared files do not cover

function httpRecord(i: number, opts: { body?: string; eol?: string; extra?: string; sep?: string; version?: string } = {}): string {
  const eol = opts.eol ?? '\r\n'
  const body = opts.body ?? `<html><title>Page ${i}</title></html>`
  const http = `HTTP/1.1 200 OK${eol}Content-Type: text/html${eol}Content-Length: ${Buffer.byteLength(body)}${eol}${eol}${body}`
  return (
    `WARC/${opts.version ?? '1.1'}${eol}WARC-Type: response${eol}WARC-Record-ID: <urn:uuid:rec-${i}>${eol}` +
    `WARC-Target-URI: http://example.com/${i}${eol}WARC-Date: 2024-02-03T04:05:06.789Z${eol}` +
    (opts.extra ?? '') +
    `Content-Type: application/http; msgtype=response${eol}Content-Length: ${Buffer.byteLength(http)}${eol}${eol}${http}` +
    (opts.sep ?? '\r\n\r\n')
  )
}

test('synthetic plain WARC: lenient about line ends, case, whitespace, separators; junk is skipped and reported', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'canopy-syn-'))
  try {
    const chunkedHttp =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n'
    const parts = [
      '\r\n', // leading blank line
      httpRecord(0),
      'garbage that is not a record\r\nmore garbage\r\n',
      httpRecord(1, { eol: '\n', sep: '\n\n' }), // LF everywhere
      httpRecord(2, { sep: '\r\n' }), // one CRLF after the block
      httpRecord(3, { extra: 'warc-payload-digest :   sha1:AAAA  \r\n' }), // lower case, spaces around the colon
      httpRecord(4, { version: '0.17', sep: '' }).replace('WARC-Target-URI: http://example.com/4', 'WARC-Target-URI: <http://example.com/4>'),
      httpRecord(5).replace('WARC-Date: 2024-02-03T04:05:06.789Z', 'WARC-Date: 2024-02-03T06:05:06+02:00'),
      `WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:rec-6>\r\nWARC-Target-URI: http://example.com/6\r\nWARC-Date: 2024-02-03T04:05:06Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: ${chunkedHttp.length}\r\n\r\n${chunkedHttp}\r\n\r\n`,
      httpRecord(7).replace('WARC-Type: response\r\n', 'WARC-Type: response\r\nWARC-Type: request\r\n'), // conflicting duplicate
      httpRecord(8)
    ]
    const path = join(tmp, 'lenient.warc')
    writeFileSync(path, parts.join(''))
    const { records, skips } = await readAll(path)
    assert.deepEqual(
      records.map(r => r.recordId),
      [0, 1, 2, 3, 4, 5, 6, 8].map(i => `<urn:uuid:rec-${i}>`)
    )
    assert.deepEqual(
      skips.filter(s => s.dropped).map(s => s.reason),
      ['junk-between-records', 'bad-warc-header']
    )
    const junk = skips.find(s => s.reason === 'junk-between-records')!
    assert.equal(junk.offset, parts.slice(0, 2).join('').length)
    for (const r of records.slice(0, 6)) {
      assert.equal(r.status, 200)
      assert.match(Buffer.from(r.body!).toString(), /<title>Page \d<\/title>/)
    }
    assert.equal(records[3].payloadDigest, 'sha1:AAAA')
    assert.equal(records[4].url, 'http://example.com/4')
    assert.equal(records[4].warcVersion, '0.17')
    assert.equal(records[0].date, '2024-02-03T04:05:06Z')
    assert.equal(records[5].date, '2024-02-03T04:05:06Z')
    assert.equal(Buffer.from(records[6].body!).toString(), 'hello, world')
    // No digest declared: sha1 of the dechunked payload, base32.
    assert.equal(records[6].payloadDigest, 'sha1:' + base32(createHash('sha1').update('hello, world').digest()))
    // Offsets: plain-file offsets are positions of the version line.
    const text = parts.join('')
    for (const r of records) assert.match(text.slice(r.offset, r.offset + 5), /^WARC\//)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
})

test('synthetic gzip WARC: corrupt, junk, CRC-damaged and truncated members are skipped, the rest resynchronised', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'canopy-gz-'))
  try {
    const members = Array.from({ length: 12 }, (_, i) => zlib.gzipSync(httpRecord(i, { body: `<p>${i}</p>`.repeat(100 + i * 50) })))
    const corrupt = Buffer.from(members[3])
    for (let k = 30; k < 60; k++) corrupt[k] ^= 0x5a
    members[3] = corrupt
    const crc = Buffer.from(members[8])
    crc[crc.length - 6] ^= 1 // CRC32 in the trailer
    members[8] = crc
    const junk = Buffer.from('JUNK \x1f\x8b\x08 not a member at all')
    const withJunk = [...members.slice(0, 6), junk, ...members.slice(6)]
    withJunk[withJunk.length - 1] = withJunk[withJunk.length - 1].subarray(0, withJunk[withJunk.length - 1].length - 30)
    const data = Buffer.concat(withJunk)
    const path = join(tmp, 'damaged.warc.gz')
    writeFileSync(path, data)
    const starts: number[] = []
    let o = 0
    for (const m of withJunk) {
      starts.push(o)
      o += m.length
    }
    const { records, skips } = await readAll(path)
    assert.deepEqual(
      records.map(r => r.url),
      [0, 1, 2, 4, 5, 6, 7, 9, 10].map(i => `http://example.com/${i}`)
    )
    assert.deepEqual(
      skips.map(s => [s.reason, s.offset]),
      [
        ['corrupt-gzip', starts[3]],
        ['junk-between-records', starts[6]],
        ['corrupt-gzip', starts[9]],
        ['truncated-gzip', starts[12]]
      ]
    )
    // Every yielded record is exactly one member.
    for (const r of records) {
      const i = Number(r.url.split('/').pop())
      const idx = i < 6 ? i : i + 1
      assert.deepEqual([r.offset, r.length], [starts[idx], withJunk[idx].length])
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
})

test('NUL padding after records (as an old StormCrawler WARC writer left) is tolerated, offsets stay per member', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'canopy-nul-'))
  try {
    const members = [0, 1, 2].map(i => zlib.gzipSync(httpRecord(i, { sep: '\r\n\r\n\0' })))
    const path = join(tmp, 'nul.warc.gz')
    writeFileSync(path, Buffer.concat(members))
    const { records, skips } = await readAll(path)
    assert.deepEqual(skips, [])
    assert.deepEqual(
      records.map(r => [r.offset, r.length]),
      [
        [0, members[0].length],
        [members[0].length, members[1].length],
        [members[0].length + members[1].length, members[2].length]
      ]
    )
    // A NUL where the block should end (before any newline) is still a wrong Content-Length.
    const bad = join(tmp, 'bad.warc')
    writeFileSync(bad, httpRecord(0).replace('</html>\r\n\r\n', '</html>\0\r\n\r\n') + httpRecord(1))
    const b = await readAll(bad)
    assert.deepEqual(
      b.records.map(r => r.recordId),
      ['<urn:uuid:rec-1>']
    )
    assert.deepEqual(
      b.skips.map(x => x.reason),
      ['bad-content-length']
    )
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
})

test('large synthetic WARC (~260 MB): streamed in bounded memory, exact offsets, capped giant body', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'canopy-big-'))
  try {
    const path = join(tmp, 'big.warc')
    const out = createWriteStream(path)
    const write = async (b: Buffer) => {
      if (!out.write(b)) await new Promise<void>(r => out.once('drain', () => r()))
    }
    const body = '<html><body>' + 'lorem ipsum dolor sit amet '.repeat(380) + '</body></html>'
    // One 96 MiB record in the middle, written piecewise: if the reader buffered a record (or the file), the
    // memory check below would see it.
    const giantAt = 10_000
    const giantSize = 96 * 1024 * 1024
    const piece = Buffer.alloc(1024 * 1024, 0x61)
    let n = 0
    let written = 0
    const expectedOffsets: number[] = []
    while (written < 260 * 1024 * 1024) {
      expectedOffsets.push(written)
      if (n === giantAt) {
        const http = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${giantSize}\r\n\r\n`)
        const head = Buffer.from(
          `WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:rec-${n}>\r\nWARC-Target-URI: http://example.com/${n}\r\n` +
            `WARC-Date: 2024-01-01T00:00:00Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: ${http.length + giantSize}\r\n\r\n`
        )
        await write(Buffer.concat([head, http]))
        for (let k = 0; k < giantSize / piece.length; k++) await write(piece)
        await write(Buffer.from('\r\n\r\n'))
        written += head.length + http.length + giantSize + 4
      } else {
        const rec = Buffer.from(httpRecord(n, { body }))
        await write(rec)
        written += rec.length
      }
      n++
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())))
    assert.equal(statSync(path).size, written)

    const maxBody = 1024 * 1024
    const stats = createStats()
    // Retained memory, not garbage: collect before each sample (gc exposed at runtime for this test).
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as () => void
    const used = () => {
      gc()
      const m = process.memoryUsage()
      return m.heapUsed + m.arrayBuffers
    }
    const base = used()
    let peak = 0
    let count = 0
    for await (const e of readCrawl(path, { stats, maxBodyBytes: maxBody })) {
      assert.equal(e.kind, 'record')
      if (e.kind !== 'record') continue
      assert.equal(e.offset, expectedOffsets[count])
      if (count === giantAt) {
        assert.equal(e.bodyTruncated, true)
        assert.equal(e.body!.length, maxBody)
        // The digest still covers the whole payload.
        const h = createHash('sha1')
        for (let k = 0; k < giantSize / piece.length; k++) h.update(piece)
        assert.equal(e.payloadDigest, 'sha1:' + base32(h.digest()))
      } else {
        assert.equal(e.body!.length, Buffer.byteLength(body))
        assert.equal(e.bodyTruncated, false)
      }
      // Sampled while the record is still held by the consumer (and the reader is suspended inside it).
      if (count % 512 === 0 || count === giantAt) peak = Math.max(peak, used() - base)
      count++
    }
    assert.equal(count, n)
    assert.equal(stats.bytes, written)
    // Buffering the 96 MiB record, let alone the file, would exceed this by far.
    assert.ok(peak < 32 * 1024 * 1024, `retained heap + buffers grew by ${(peak / 1048576).toFixed(0)} MiB`)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
})

test('mutated real files (seeded): never a throw, never a hang, records always located', async () => {
  let seed = 20240521
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
  const sources = [
    join(WARC_DIR, 'webrecorder__pywb/sample_archive__warcs__iana.warc.gz'),
    join(WARC_DIR, 'webrecorder__pywb/sample_archive__warcs__example.warc'),
    join(WARC_DIR, 'oduwsdl__ipwb/samples__warcs__baconIpsum_chunked.warc'),
    join(WARC_DIR, 'ukwa__webarchive-discovery/warc-indexer__src__test__resources__compression__transfer_compression_brotli.warc'),
    join(WARC_DIR, 'openzim__warc2zim/tests__data__content-resource-types.warc.gz'),
    join(WACZ_DIR, 'webrecorder__replayweb.page/mkdocs__site__docs__examples__example.wacz')
  ].map(p => ({ p, bytes: readFileSync(p) }))
  const tmp = mkdtempSync(join(tmpdir(), 'canopy-fuzz-'))
  try {
    for (let i = 0; i < 120; i++) {
      const { p, bytes } = sources[Math.floor(rnd() * sources.length)]
      let m = Buffer.from(bytes)
      const at = Math.floor(rnd() * m.length)
      switch (i % 4) {
        case 0: // cut
          m = m.subarray(0, at)
          break
        case 1: // flip bits
          for (let k = 0; k < 1 + rnd() * 16; k++) m[Math.floor(rnd() * m.length)] ^= 1 << Math.floor(rnd() * 8)
          break
        case 2: // drop a span
          m = Buffer.concat([m.subarray(0, at), m.subarray(at + Math.floor(rnd() * 4000))])
          break
        case 3: // insert random bytes or a lying header
          m = Buffer.concat([
            m.subarray(0, at),
            rnd() < 0.5
              ? Buffer.from('\r\nWARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999999\r\n\r\n')
              : Buffer.from(Array.from({ length: 300 }, () => Math.floor(rnd() * 256))),
            m.subarray(at)
          ])
          break
      }
      const f = join(tmp, `m${i}${p.endsWith('.wacz') ? '.wacz' : '.warc'}`)
      writeFileSync(f, m)
      const { records, skips } = await readAll(f, {}, 10_000)
      for (const s of skips) assert.ok(s.reason in SKIP_REASONS, s.reason)
      for (const r of records) assert.ok(r.offset >= 0 && r.length >= 0 && r.offset + r.length <= m.length, `${f}: ${r.offset}+${r.length}`)
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
})

// --------------------------------------------------------------------------------------------------------------
// small things

test('WARC-Date normalisation', () => {
  assert.equal(normalizeWarcDate('2008-04-30T20:48:25Z'), '2008-04-30T20:48:25Z')
  assert.equal(normalizeWarcDate('2008-04-30t20:48:25z'), '2008-04-30T20:48:25Z')
  assert.equal(normalizeWarcDate('2022-09-16T19:15:07.215Z'), '2022-09-16T19:15:07Z')
  assert.equal(normalizeWarcDate('2015-07-29T20:10:45+02:00'), '2015-07-29T18:10:45Z')
  assert.equal(normalizeWarcDate('2009-03-10T08:43:19-0800'), '2009-03-10T16:43:19Z')
  assert.equal(normalizeWarcDate('2019-08-15T01:02Z'), '2019-08-15T01:02:00Z')
  assert.equal(normalizeWarcDate('20080430204825'), '2008-04-30T20:48:25Z')
  assert.equal(normalizeWarcDate('2008-04-30'), '2008-04-30T00:00:00Z')
  for (const bad of [
    '2019-08-15T01:02',
    '2009-03-65T08:43:19-0800',
    '2008-10-294T05:21:46-0700',
    '5088968-11-06T12:31:23Z',
    'blue monday',
    '',
    '2021-02-29T00:00:00Z'
  ]) {
    assert.equal(normalizeWarcDate(bad), null, bad)
  }
})

test('a missing file throws; stopping early does not hang', async () => {
  await assert.rejects(
    async () => {
      for await (const _ of readCrawl(join(WARC_DIR, 'no-such-file.warc'))) void _
    },
    { code: 'ENOENT' }
  )
  let seen = 0
  for await (const e of readCrawl(join(WARC_DIR, 'webrecorder__pywb/sample_archive__warcs__iana.warc.gz'))) {
    if (e.kind === 'record' && ++seen === 3) break
  }
  assert.equal(seen, 3)
  // An exception from the caller's own callback is the caller's, not a skip.
  await assert.rejects(async () => {
    for await (const _ of readCrawl(join(WARC_DIR, 'webrecorder__pywb/sample_archive__warcs__iana.warc.gz'), {
      wantBody: () => {
        throw new Error('caller bug')
      }
    }))
      void _
  }, /caller bug/)
})
