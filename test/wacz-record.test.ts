// A capture inside a WACZ package replays from IPFS: the index names the package's UnixFS CID and where the
// inner WARC starts in it, and the record route serves exactly the bytes the zip holds for that record.
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import yauzl from 'yauzl'
import type { CID } from 'multiformats/cid'
import { decodeCapture, loadIndexRoot, entriesOfKind, keyDocId, KIND_CAPTURE, importCrawlFile } from '../index-core/index/index.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { openIndexDir } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'
import { WACZ_DIR } from './helpers.ts'
import { serveIndex } from './serve-index.ts'
import type { Served } from './serve-index.ts'

/** The bytes of one entry of a zip, as the zip library inflates or copies them. */
async function zipEntry(file: string, name: string): Promise<Buffer> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false })
  try {
    for await (const e of zip.eachEntry()) {
      if (e.fileName !== name) continue
      const parts: Buffer[] = []
      for await (const c of await zip.openReadStreamPromise(e)) parts.push(c as Buffer)
      return Buffer.concat(parts)
    }
    throw new Error(`${name} not in ${file}`)
  } finally {
    zip.close()
  }
}

describe('records inside WACZ packages', { timeout: 120_000 }, () => {
  let tmp: string
  let packages: string[]
  let served: Served
  let base: string

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-wacz-'))
    packages = (await readdir(WACZ_DIR, { recursive: true, withFileTypes: true }))
      .filter(e => e.isFile() && e.name.endsWith('.wacz'))
      .map(e => path.join(e.parentPath, e.name))
    await ingest({ inputs: packages, index: tmp, workers: 2, institution: 'W' })
    // The packages go into the index's block store as UnixFS, as `canopy publish --crawls` adds them.
    const dir = await openIndexDir(tmp, { write: true })
    try {
      for (const p of packages)
        await importCrawlFile(p, {
          put: async (cid: CID, bytes: Uint8Array) => {
            await dir.blocks.store.put(cid, bytes)
            return cid
          }
        })
    } finally {
      await dir.close()
    }
    served = await serveIndex('w', tmp, { rateLimit: 0 })
    base = served.base
  })
  after(async () => {
    await served.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it("serves every capture's record from the package, byte for byte as the zip holds it", async () => {
    const dir = await openIndexDir(tmp, { write: false })
    const ids = new Set<string>()
    try {
      const store = new NodeStore(dir.blocks.store)
      const root = await loadIndexRoot(dir.blocks.store, (await dir.head())!)
      for await (const e of entriesOfKind(store, root.docs, KIND_CAPTURE)) {
        assert.match(decodeCapture(e.value).file, /\.wacz#archive\//)
        ids.add(Buffer.from(keyDocId(e.key)).toString('hex'))
      }
    } finally {
      await dir.close()
    }
    assert.ok(ids.size > 0)
    const inner = new Map<string, Buffer>()
    let checked = 0
    for (const id of ids) {
      const res = await fetch(`${base}/api/v1/documents/${id}`)
      if (res.status === 404) continue // captures of a page the index has no record of (not HTML)
      const doc = (await res.json()) as { captures: Array<{ file: string; offset: number; length: number; fileCid: string | null; record: string | null }> }
      for (const c of doc.captures) {
        assert.match(c.file, /\.wacz#archive\//)
        assert.ok(c.record !== null && c.fileCid !== null, `${c.file}: the record is addressable`)
        const [pkgName, entry] = c.file.split('#')
        const pkg = packages.find(p => path.basename(p) === pkgName)!
        const key = c.file
        if (!inner.has(key)) inner.set(key, await zipEntry(pkg, entry))
        const r = await fetch(base + c.record)
        assert.equal(r.status, 200, c.file)
        const got = Buffer.from(await r.arrayBuffer())
        assert.ok(got.equals(inner.get(key)!.subarray(c.offset, c.offset + c.length)), `${c.file} @${c.offset}: the bytes of the inner WARC`)
        checked++
      }
    }
    assert.ok(checked >= 4 && new Set([...inner.keys()].map(k => k.split('#')[0])).size >= 3, `${checked} records checked, from ${inner.size} inner WARCs`)
  })
})
