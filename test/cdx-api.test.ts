// The CDX server API (pywb's) over real HTTP, on a served index of real WARCs (pywb's sample archive and a
// UKWA crawl with a subdomain). What each query should answer is taken from the index's CDXJ export (every
// record of the crawl files), which test/cdxj-reference.test.ts checks line for line against pywb's own
// indexes of the same files.
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { CrawlFolders, crawlFilesOf, openCdxTable, tableLines } from '../federation/records/index.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { IndexReader } from '../index-core/query/index.ts'
import { openIndexDir } from '../index-core/store/index.ts'
import { parseCdxLine } from '../ingest/cdx/cdxj.ts'
import { ingest } from '../ingest/index.ts'
import { WARC_DIR } from './helpers.ts'
import { Cli } from './fixtures/cli.ts'
import { serveIndex } from './serve-index.ts'
import type { Served } from './serve-index.ts'

const WARCS = [
  'webrecorder__pywb/sample_archive__warcs__iana.warc.gz',
  'webrecorder__pywb/sample_archive__warcs__example.warc.gz',
  'webrecorder__pywb/sample_archive__warcs__dupes.warc.gz',
  'webrecorder__pywb/sample_archive__warcs__example-wget-1-14.warc.gz',
  'webrecorder__pywb/sample_archive__warcs__example2.warc.gz',
  'webrecorder__pywb/sample_archive__warcs__example-wpull.warc.gz',
  'ukwa__ukwa-pywb/integration-test__test-data__acid.matkelly.com-20140716200357.warc.gz'
].map(w => path.join(WARC_DIR, w))

let tmp: string
let served: Served
let bare: Served
/** The index's whole CDXJ, in order. */
let all: string[]
/** Names of record lists in an earlier Canopy's form. */
let old: string[]

async function cdx(query: string, on: Served = served): Promise<{ status: number; type: string; lines: string[]; unread: string | null; body: string }> {
  const r = await fetch(`${on.base}${query}`)
  const body = await r.text()
  return {
    status: r.status,
    type: r.headers.get('content-type') ?? '',
    lines: body.split('\n').filter(l => l !== ''),
    unread: r.headers.get('x-canopy-records-unread'),
    body
  }
}

const q = (params: Record<string, string | string[]>): string => {
  const u = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) u.append(k, x)
  return `/cdx?${u.toString()}`
}

const key = (l: string): string => l.slice(0, l.indexOf(' '))
const ts = (l: string): string => l.split(' ')[1]

describe('CDX server API', { timeout: 180_000 }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-cdx-'))
    await ingest({ inputs: WARCS, index: tmp, workers: 2, institution: 'Archive' })
    const dir = await openIndexDir(tmp, { write: false })
    const reader = await IndexReader.open(new NodeStore(dir.blocks.store), (await dir.head())!)
    const folders = await CrawlFolders.open(WARCS)
    // Lists as an earlier Canopy kept them (replaced when the new ones are kept), and a file Canopy did not make.
    old = (await crawlFilesOf(reader)).map(f => `${f.cid.toString()}-${f.offset}-${f.size}.cdxj`)
    await mkdir(path.join(tmp, 'replay'))
    for (const n of [...old, 'notes.cdxj']) await writeFile(path.join(tmp, 'replay', n), 'x\n')
    const e = await openCdxTable(reader, folders)
    all = []
    for await (const { line } of tableLines(e)) all.push(line)
    await e.remove()
    await dir.close()
    assert.deepEqual(e.skipped, {})
    served = await serveIndex('local', tmp, { crawls: folders })
    bare = await serveIndex('local', tmp)
  })
  after(async () => {
    await served.close()
    await bare.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it('answers an exact URL with its captures, oldest first, as CDXJ lines', async () => {
    const r = await cdx(q({ url: 'http://www.iana.org/' }))
    assert.equal(r.status, 200)
    assert.match(r.type, /^text\/plain/)
    const expected = all.filter(l => key(l) === 'org,iana)/')
    assert.ok(expected.length >= 2)
    assert.deepEqual(r.lines, expected)
    assert.equal(r.unread, '0')
    // The same URL in another spelling has the same key (SURT canonicalisation: scheme, www, case).
    assert.deepEqual((await cdx(q({ url: 'https://IANA.org' }))).lines, expected)
    assert.deepEqual((await cdx('/local/cdx?url=iana.org')).lines, expected)
    assert.deepEqual((await cdx(q({ url: 'iana.org', index: 'local' }))).lines, expected)
    // Every record, not only the pages the full-text index holds: an image, as pywb lists it.
    const img = await cdx(q({ url: 'http://www.iana.org/_img/2013.1/iana-logo-homepage.png', output: 'json' }))
    assert.deepEqual(
      img.lines.map(l => JSON.parse(l) as Record<string, string>),
      all.filter(l => key(l) === 'org,iana)/_img/2013.1/iana-logo-homepage.png').map(l => parseCdxLine(l))
    )
    assert.ok(
      img.lines.some(l => (JSON.parse(l) as Record<string, string>).mime === 'image/png'),
      img.body
    )
  })

  it('matches prefixes, hosts and domains as pywb does, with url wildcards', async () => {
    const prefix = all.filter(l => key(l).startsWith('org,iana)/domains'))
    assert.ok(prefix.length >= 5)
    assert.deepEqual((await cdx(q({ url: 'iana.org/domains', matchType: 'prefix' }))).lines, prefix)
    assert.deepEqual((await cdx(q({ url: 'iana.org/domains*' }))).lines, prefix)
    const host = all.filter(l => key(l).startsWith('org,iana)/'))
    assert.ok(host.length > prefix.length)
    assert.deepEqual((await cdx(q({ url: 'iana.org/about', matchType: 'host' }))).lines, host)
    // matkelly.com itself holds nothing; its subdomain acid.matkelly.com does.
    const sub = all.filter(l => key(l).startsWith('com,matkelly,'))
    assert.ok(sub.length > 0)
    assert.deepEqual((await cdx(q({ url: 'matkelly.com', matchType: 'host' }))).lines, [])
    assert.deepEqual((await cdx(q({ url: 'matkelly.com', matchType: 'domain' }))).lines, sub)
    assert.deepEqual((await cdx(q({ url: '*.matkelly.com' }))).lines, sub)
    // A top-level domain: everything under com.
    assert.deepEqual(
      (await cdx(q({ url: 'com', matchType: 'domain' }))).lines,
      all.filter(l => key(l).startsWith('com,'))
    )
  })

  it('clamps by partial timestamps, limits, reverses and sorts by closeness', async () => {
    const host = all.filter(l => key(l).startsWith('com,example)/'))
    const years = new Set(host.map(l => ts(l).slice(0, 4)))
    assert.ok(years.size >= 3, [...years].join())
    assert.deepEqual(
      (await cdx(q({ url: 'example.com', matchType: 'host', from: '2014', to: '2015' }))).lines,
      host.filter(l => ts(l) >= '20140101000000' && ts(l) <= '20151231235959')
    )
    assert.deepEqual(
      (await cdx(q({ url: 'example.com', matchType: 'host', from: '201401031', to: '20140127171200' }))).lines,
      host.filter(l => ts(l) >= '20140103100000' && ts(l) <= '20140127171200')
    )
    assert.deepEqual((await cdx(q({ url: 'example.com', matchType: 'host', limit: '2' }))).lines, host.slice(0, 2))
    assert.deepEqual((await cdx(q({ url: 'example.com', matchType: 'host', sort: 'reverse', limit: '3' }))).lines, [...host].reverse().slice(0, 3))
    const exact = all.filter(l => key(l) === 'com,example)/')
    const closest = await cdx(q({ url: 'example.com/', sort: 'closest', closest: '20150330', fl: 'timestamp' }))
    const at = Date.UTC(2015, 2, 30) / 1000
    const secs = (t: string): number => Date.UTC(+t.slice(0, 4), +t.slice(4, 6) - 1, +t.slice(6, 8), +t.slice(8, 10), +t.slice(10, 12), +t.slice(12, 14)) / 1000
    const order = exact.map(ts).sort((a, b) => Math.abs(secs(a) - at) - Math.abs(secs(b) - at))
    assert.deepEqual(closest.lines, order)
    assert.equal(closest.lines[0], '20150330235046')
  })

  it("writes pywb's JSON lines, field lists and CDXJ, and applies filters", async () => {
    const host = all.filter(l => key(l).startsWith('com,example)/'))
    const json = await cdx(q({ url: 'example.com', matchType: 'host', output: 'json' }))
    assert.match(json.type, /^text\/x-ndjson/)
    const objects = json.lines.map(l => JSON.parse(l) as Record<string, string>)
    assert.deepEqual(
      objects,
      host.map(l => parseCdxLine(l))
    )
    assert.deepEqual(Object.keys(objects[0]).slice(0, 3), ['urlkey', 'timestamp', 'url'])
    const fl = await cdx(q({ url: 'example.com', matchType: 'host', fl: 'timestamp,m,s,filename' }))
    assert.deepEqual(
      fl.lines,
      host.map(l => {
        const p = parseCdxLine(l)
        return [p.timestamp, p.mime, p.status ?? '-', p.filename].join(' ')
      })
    )
    const flJson = await cdx(q({ url: 'example.com', matchType: 'host', fl: 'url,status', output: 'json', limit: '1' }))
    assert.deepEqual(Object.keys(JSON.parse(flJson.lines[0]) as object), ['url', 'status'])
    const cdxj = await cdx(q({ url: 'example.com', matchType: 'host', output: 'cdxj' }))
    assert.match(cdxj.type, /^text\/x-cdxj/)
    assert.deepEqual(cdxj.lines, host)
    // pywb's filters: '!' inverts, '=' is equality, '~' a regex from the start, else a substring.
    const pages = host.filter(l => parseCdxLine(l).mime !== 'warc/revisit')
    assert.ok(pages.length > 0 && pages.length < host.length)
    assert.deepEqual((await cdx(q({ url: 'example.com', matchType: 'host', filter: '!mime:warc/revisit' }))).lines, pages)
    assert.deepEqual(
      (await cdx(q({ url: 'example.com', matchType: 'host', filter: ['=status:200', '~url:.*example=1$'] }))).lines,
      host.filter(l => {
        const p = parseCdxLine(l)
        return p.status === '200' && p.url.endsWith('example=1')
      })
    )
    assert.deepEqual(
      (await cdx(q({ url: 'example.com', matchType: 'host', filter: 'filename:dupes' }))).lines,
      host.filter(l => parseCdxLine(l).filename.includes('dupes'))
    )
  })

  it('keeps its table in the index folder: another server, given no crawl files, answers every record from it', async () => {
    await cdx(q({ url: 'example.com', matchType: 'host' }))
    const kept = await readdir(path.join(tmp, 'replay', 'cdx'))
    assert.ok(
      kept.some(f => f.endsWith('.cdxj')),
      kept.join(' ')
    )
    const r = await cdx(q({ url: 'example.com', matchType: 'host' }), bare)
    assert.deepEqual(
      r.lines,
      all.filter(l => key(l).startsWith('com,example)/'))
    )
    assert.equal(r.unread, '0')
    const left = await readdir(path.join(tmp, 'replay'))
    assert.deepEqual(
      old.filter(n => left.includes(n)),
      []
    )
    assert.ok(left.includes('notes.cdxj'))
  })

  it('answers without the crawl files what the index stores, and says how many records it could not read', async () => {
    // The table and record lists the other server kept in the index folder (by crawl file CID) would answer in full: gone
    // here (the table this server opened from there too: it builds its own).
    assert.ok((await readdir(path.join(tmp, 'replay'))).some(f => f.endsWith('.ndjson')))
    await rm(path.join(tmp, 'replay'), { recursive: true })
    const r = await cdx(q({ url: 'example.com', matchType: 'host' }), bare)
    const host = all.filter(l => key(l).startsWith('com,example)/'))
    assert.equal(r.status, 200)
    // Only the captures the index holds (its pages), each counted as unread, each a line of the full CDX in what it says.
    assert.ok(r.lines.length > 0 && r.lines.length <= host.length, `${r.lines.length} of ${host.length}`)
    // iana.org's images, scripts and styles are records the index does not hold as captures: not answered without the files.
    const iana = await cdx(q({ url: 'iana.org', matchType: 'host' }), bare)
    const ianaAll = all.filter(l => key(l).startsWith('org,iana)/'))
    assert.ok(iana.lines.length > 0 && iana.lines.length < ianaAll.length, `${iana.lines.length} of ${ianaAll.length}`)
    assert.equal(r.unread, String(r.lines.length))
    const stored = (l: string): string => {
      const p = parseCdxLine(l)
      return [p.urlkey, p.timestamp, p.url, p.offset, p.length, p.filename, p.status ?? '-'].join(' ')
    }
    const known = new Set(host.map(stored))
    for (const l of r.lines) assert.ok(known.has(stored(l)), l)
    // The MIME type as declared is in the record only: left out, never guessed (a revisit is known to be one).
    for (const l of r.lines) assert.ok(['warc/revisit', undefined].includes(parseCdxLine(l).mime), l)
  })

  it('refuses what it cannot answer with a clear error', async () => {
    const cases: Array<[string, number, string]> = [
      ['/cdx', 400, 'bad-request'],
      [q({ url: 'example.com', matchType: 'everything' }), 400, 'bad-request'],
      [q({ url: 'example.com', from: '2014-01' }), 400, 'bad-request'],
      [q({ url: 'example.com', limit: '0' }), 400, 'bad-request'],
      [q({ url: 'example.com', sort: 'closest' }), 400, 'bad-request'],
      [q({ url: 'example.com', filter: '~url:(' }), 400, 'bad-filter'],
      [q({ url: 'example.com', filter: '~url:(a+)+$' }), 400, 'bad-filter'],
      [q({ url: 'example.com', collapse: 'urlkey' }), 400, 'bad-request'],
      ['/nosuch/cdx?url=example.com', 404, 'unknown-index']
    ]
    for (const [path, status, error] of cases) {
      const r = await cdx(path)
      assert.equal(r.status, status, `${path}: ${r.body}`)
      assert.equal((JSON.parse(r.body) as { error: string }).error, error, path)
    }
    // Nothing captured: an empty answer, as pywb's CDX server gives.
    const none = await cdx(q({ url: 'nothing.example/' }))
    assert.deepEqual([none.status, none.lines], [200, []])
  })
})

describe('withdrawn documents leave the CDX and replay', { timeout: 180_000 }, () => {
  it("drops the records of what an institution withdrew, and nothing else, from /cdx and replay's lookups", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'canopy-cdx-withdrawn-'))
    const cli = new Cli()
    try {
      const inputs = WARCS.slice(0, 2)
      await ingest({ inputs, index: dir, workers: 2, institution: 'Archive' })
      const crawls = await CrawlFolders.open(inputs)
      const answer = async (on: Served, url: string, matchType = 'exact'): Promise<string[]> => (await cdx(q({ url, matchType }), on)).lines
      const lookups = async (on: Served, url: string): Promise<unknown[]> => {
        const c = (await (await fetch(`${on.base}/api/v1/replay/collection?wait=true`)).json()) as { lookup: string }
        const body = await (await fetch(`${on.base}${c.lookup}?${new URLSearchParams({ url }).toString()}`)).text()
        return body.split('\n').filter(l => l !== '')
      }
      const before = await serveIndex('w', dir, { crawls })
      let home: string[]
      let site: string[]
      try {
        home = await answer(before, 'http://www.iana.org/')
        site = await answer(before, 'iana.org', 'host')
        assert.ok(home.length >= 1, 'the home page has captures')
        assert.equal((await lookups(before, 'http://www.iana.org/')).length, home.length)
        assert.ok(site.length > home.length)
      } finally {
        await before.close()
      }

      await cli.run(['withdraw', '--index', dir, '--url', 'http://www.iana.org/', '--institution', 'Archive'])
      const after = await serveIndex('w', dir, { crawls })
      try {
        assert.deepEqual(await answer(after, 'http://www.iana.org/'), [], 'no record of the withdrawn page is answered')
        assert.deepEqual(await lookups(after, 'http://www.iana.org/'), [], 'nor replayed')
        // Every other record stays: the host's lines are the same less the page's.
        assert.deepEqual(
          await answer(after, 'iana.org', 'host'),
          site.filter(l => !home.includes(l))
        )
      } finally {
        await after.close()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
