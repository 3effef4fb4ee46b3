// Listing a crawl file's records for the CDX API, export and replay reads WARC and HTTP heads, never a record's
// body: a WARC with a 64 MiB record is listed, with the right offsets and lengths, from a few KiB of it. Bytes
// are counted at the source (what a disk or a partner over the network would be asked for).
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { open, mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { after, before, describe, it } from 'node:test'
import { CID } from 'multiformats/cid'
import { CrawlFolders, RecordLists } from '../federation/records/index.ts'
import { listRecords } from '../ingest/cdx/index.ts'
import type { RangeSource } from '../ingest/cdx/index.ts'
import type { CrawlFile } from '../index-core/index/index.ts'
import { base32 } from '../index-core/bytes.ts'
import { Worker } from 'node:worker_threads'
import { WARC_BAD_DIR } from './helpers.ts'

const BIG = 64 * 1024 * 1024

function record(type: string, url: string, date: string, block: Uint8Array, extra: Record<string, string> = {}): Buffer {
  const head =
    [
      'WARC/1.0',
      `WARC-Type: ${type}`,
      `WARC-Record-ID: <urn:uuid:${createHash('sha1')
        .update(url + type + date)
        .digest('hex')
        .slice(0, 32)}>`,
      `WARC-Date: ${date}`,
      `WARC-Target-URI: ${url}`,
      ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`),
      `Content-Length: ${block.length}`
    ].join('\r\n') + '\r\n\r\n'
  return Buffer.concat([Buffer.from(head), block, Buffer.from('\r\n\r\n')])
}

function http(body: Uint8Array, type: string): Buffer {
  return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n\r\n`), body])
}

/** A file as a source read by range, counting the bytes asked for. */
async function counted(file: string): Promise<{ src: RangeSource; read: () => number }> {
  const size = (await stat(file)).size
  let n = 0
  return {
    read: () => n,
    src: {
      size,
      async *read(start, length) {
        const fh = await open(file, 'r')
        try {
          const b = Buffer.alloc(length)
          const { bytesRead } = await fh.read(b, 0, length, start)
          n += bytesRead
          yield b.subarray(0, bytesRead)
        } finally {
          await fh.close()
        }
      }
    }
  }
}

describe('record listing reads heads, not bodies', { timeout: 300_000 }, () => {
  let tmp: string
  let plain: string
  let parts: Buffer[]
  const video = Buffer.alloc(BIG, 0x61)
  const sha1 = (b: Uint8Array): string => base32(createHash('sha1').update(b).digest())
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-bounded-'))
    const page = Buffer.from('<html><title>Big</title><video src="/v.mp4"></video></html>')
    parts = [
      record('warcinfo', '', '2024-05-01T10:00:00Z', Buffer.from('software: test\r\n'), { 'Content-Type': 'application/warc-fields' }),
      record('request', 'http://big.example/v.mp4', '2024-05-01T10:00:01Z', Buffer.from('GET /v.mp4 HTTP/1.1\r\nHost: big.example\r\n\r\n'), {
        'Content-Type': 'application/http; msgtype=request'
      }),
      record('response', 'http://big.example/v.mp4', '2024-05-01T10:00:01Z', http(video, 'video/mp4'), {
        'Content-Type': 'application/http; msgtype=response',
        'WARC-Payload-Digest': `sha1:${sha1(video)}`
      }),
      record('response', 'http://big.example/', '2024-05-01T10:00:02Z', http(page, 'text/html'), {
        'Content-Type': 'application/http; msgtype=response',
        'WARC-Payload-Digest': `sha1:${sha1(page)}`
      })
    ]
    plain = path.join(tmp, 'big.warc')
    const fh = await open(plain, 'w')
    for (const p of parts) await fh.write(p)
    await fh.close()
  })
  after(async () => {
    await rm(tmp, { recursive: true, force: true })
  })

  it('lists every record of an uncompressed WARC with a 64 MiB record from a few KiB of it', async t => {
    const { src, read } = await counted(plain)
    const list = await listRecords(src)
    const offsets = parts.map((_, i) => parts.slice(0, i).reduce((n, p) => n + p.length, 0))
    const seen = list.map(e => [e.url, e.offset, e.length, e.mime ?? '-', e.status ?? '-'])
    // As pywb: a GET request and the warcinfo are not listed; a record's length leaves out its closing CRLF CRLF.
    assert.deepEqual(seen, [
      ['http://big.example/v.mp4', String(offsets[2]), String(parts[2].length - 4), 'video/mp4', '200'],
      ['http://big.example/', String(offsets[3]), String(parts[3].length - 4), 'text/html', '200']
    ])
    assert.equal(list[0].digest, sha1(video))
    assert.ok(src.size > BIG)
    t.diagnostic(`listed ${list.length} records reading ${read()} of ${src.size} bytes`)
    assert.ok(read() < 512 * 1024, `read ${read()} of ${src.size} bytes`)
  })

  it('lists the same records through the record lists the CDX API and export share, reading as little', async () => {
    const lists = new RecordLists()
    const folders = await CrawlFolders.open([plain])
    const size = (await stat(plain)).size
    const f: CrawlFile = { institution: 'I', file: 'big.warc', cid: CID.parse('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'), offset: 0, size }
    const src = await folders.source('big.warc', f)
    assert.ok(src !== null)
    const list = await lists.get(f, async () => src)
    assert.equal(list.length, 2)
    assert.ok(lists.bytesRead < 512 * 1024, `read ${lists.bytesRead}`)
  })

  it('streams a gzipped WARC through once: a gzip member ends only where its inflated bytes do', async () => {
    const gz = path.join(tmp, 'big.warc.gz')
    const fh = await open(gz, 'w')
    const members = parts.map(p => gzipSync(p))
    for (const m of members) await fh.write(m)
    await fh.close()
    const { src, read } = await counted(gz)
    const list = await listRecords(src)
    assert.deepEqual(
      list.map(e => Number(e.length)),
      members.slice(2).map(m => m.length)
    )
    // Every compressed byte, once (the 64 MiB of 'a' compress to a few hundred KiB), and no more.
    assert.ok(read() <= src.size + 2, `read ${read()} of ${src.size}`)
  })
})

describe('record listing of damaged gzip files', { timeout: 120_000 }, () => {
  it('lists a file cut inside a gzip member up to the damage, and returns (warcio inflating the cut member never did)', async () => {
    // In a worker, so that a listing that never returns (a synchronous loop) fails the test instead of hanging it.
    const file = path.join(WARC_BAD_DIR, 'chatnoir-eu__chatnoir-resiliparse/tests__data__clipped.warc.gz')
    const lister = new URL('../ingest/cdx/index.ts', import.meta.url).href
    const code = `
      import { readFile } from 'node:fs/promises'
      import { parentPort, workerData } from 'node:worker_threads'
      const { listRecords } = await import(workerData.lister)
      const all = await readFile(workerData.file)
      const src = { size: all.length, async *read(s, l) { yield all.subarray(s, s + l) } }
      const whole = await listRecords(src)
      parentPort.postMessage({ whole: whole.length })
    `
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: { file, lister } })
    const result = await new Promise<{ whole: number } | 'hung'>((resolve, reject) => {
      const t = setTimeout(() => resolve('hung'), 30_000)
      w.once('message', m => {
        clearTimeout(t)
        resolve(m as { whole: number })
      })
      w.once('error', err => {
        clearTimeout(t)
        reject(err)
      })
    })
    await w.terminate()
    assert.notEqual(result, 'hung', 'the listing returned')
    // Its one member is cut before its end: no record lies whole in the file.
    assert.deepEqual(result, { whole: 0 })
  })
})
