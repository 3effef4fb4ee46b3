// A WACZ's zip directory is read as it is needed, not gathered first: the first WARC's records come out even
// when the directory breaks off after it (and a package of half a million entries is not held in memory
// before its first record is read).
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { crc32 } from 'node:zlib'
import { readCrawl, createStats } from '../ingest/reader/index.ts'
import { withTmp } from './helpers.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))

/** A zip of stored entries (method 0), the way WACZ writers store WARCs; returns its bytes and where each central header starts. */
function storedZip(files: Array<{ name: string; data: Uint8Array }>): { bytes: Buffer; central: number[] } {
  const parts: Buffer[] = []
  const centrals: Buffer[] = []
  let at = 0
  for (const f of files) {
    const name = Buffer.from(f.name)
    const crc = crc32(f.data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(f.data.length, 18)
    local.writeUInt32LE(f.data.length, 22)
    local.writeUInt16LE(name.length, 26)
    const c = Buffer.alloc(46)
    c.writeUInt32LE(0x02014b50, 0)
    c.writeUInt16LE(20, 4)
    c.writeUInt16LE(20, 6)
    c.writeUInt32LE(crc, 16)
    c.writeUInt32LE(f.data.length, 20)
    c.writeUInt32LE(f.data.length, 24)
    c.writeUInt16LE(name.length, 28)
    c.writeUInt32LE(at, 42)
    centrals.push(Buffer.concat([c, name]))
    parts.push(local, name, Buffer.from(f.data))
    at += 30 + name.length + f.data.length
  }
  const central: number[] = []
  let cdSize = 0
  for (const c of centrals) {
    central.push(at + cdSize)
    cdSize += c.length
  }
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(files.length, 8)
  end.writeUInt16LE(files.length, 10)
  end.writeUInt32LE(cdSize, 12)
  end.writeUInt32LE(at, 16)
  return { bytes: Buffer.concat([...parts, ...centrals, end]), central }
}

describe('WACZ zip directory', () => {
  it('reads the WARCs listed before a directory that breaks off, then counts the break', async () => {
    await withTmp(async tmp => {
      const warc = new Uint8Array(await readFile(SAMPLE))
      const { bytes, central } = storedZip([
        { name: 'archive/data.warc.gz', data: warc },
        { name: 'pages/pages.jsonl', data: Buffer.from('{"format":"json-pages-1.0"}\n') },
        { name: 'archive/more.warc.gz', data: warc }
      ])
      bytes.writeUInt32LE(0xdeadbeef, central[2]) // the third entry's central header is garbage
      const file = path.join(tmp, 'broken.wacz')
      await writeFile(file, bytes)
      const stats = createStats()
      let records = 0
      const skips: string[] = []
      for await (const ev of readCrawl(file, { wantBody: () => false, stats })) {
        if (ev.kind === 'skip') skips.push(ev.reason)
        else records++
      }
      assert.ok(records > 100, `the first WARC's records are read (${records})`)
      assert.ok(skips.includes('bad-zip'), `the break is counted: ${skips.join(', ')}`)
    })
  })
})
