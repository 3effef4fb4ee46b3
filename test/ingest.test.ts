// Ingest on real crawls: everything reads, bad input is counted, and the index is a function of the crawls
// alone (worker count, file order, splitting and incremental adds all give one root CID).
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { open, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import { CID } from 'multiformats/cid'
import fc from 'fast-check'
import { utf8 } from '../index-core/bytes.ts'
import {
  decodeCapture,
  decodeDoc,
  decodeTextChunk,
  docKindKey,
  DOC_ID_BYTES,
  entriesOfKind,
  filterTerm,
  keyDocId,
  KIND_CAPTURE,
  KIND_RECORD,
  KIND_TEXT,
  indexStats,
  mergeIndexes,
  openIndex,
  shardOf,
  termPrefix,
  textKeyPosition,
  postingTrees
} from '../index-core/index/index.ts'
import type { IndexRoot } from '../index-core/index/index.ts'
import { entries, NodeStore, verifyTree } from '../index-core/prolly/index.ts'
import { UnionBlocks, openIndexDir } from '../index-core/store/index.ts'
import { compactionRound } from '../ingest/compaction.ts'
import { mergeSorted } from '../ingest/kway.ts'
import { ingest } from '../ingest/index.ts'
import { readCrawl, SKIP_REASONS } from '../ingest/reader/index.ts'
import { WarcWriter } from '../tools/warc-writer.ts'
import { WACZ_DIR, WARC_BAD_DIR, WARC_DIR, warc, withTmp } from './helpers.ts'

// A mix with HTML pages, revisits, Japanese (EUC-JP), a misnamed gzip file and a WACZ package.
const MIX = ['netarchivesuite__jwat', 'ukwa__webarchive-discovery', 'chatnoir-eu__chatnoir-resiliparse', 'webrecorder__warcio']
  .flatMap(d => readdirSync(warc(d)).map(f => warc(path.join(d, f))))
  .concat(
    readdirSync(WACZ_DIR, { recursive: true, withFileTypes: true })
      .filter(e => e.isFile() && e.name.endsWith('.wacz'))
      .slice(0, 1)
      .map(e => path.join(e.parentPath, e.name))
  )

async function withIndex<T>(dir: string, f: (store: NodeStore, root: IndexRoot, cid: CID) => Promise<T>): Promise<T> {
  const d = await openIndexDir(dir, { write: false })
  try {
    const store = new NodeStore(d.blocks.store)
    const cid = (await d.head())!
    return await f(store, await openIndex(store, cid), cid)
  } finally {
    await d.close()
  }
}

/** Bytes of an index folder's block files, walked. */
async function blockBytes(index: string): Promise<number> {
  let n = 0
  for (const e of readdirSync(path.join(index, 'blocks'), { withFileTypes: true, recursive: true })) {
    if (e.isFile()) n += (await stat(path.join(e.parentPath, e.name))).size
  }
  return n
}

async function verifyIndex(store: NodeStore, root: IndexRoot): Promise<void> {
  for (const t of [...postingTrees(root), root.docs, root.docvalues]) await verifyTree(store, t)
}

describe('ingest', { timeout: 600_000 }, () => {
  it('reads every crawl in ../shared/data/warc, counting what it skips, into a valid index', async () => {
    await withTmp(async tmp => {
      const s = await ingest({ inputs: [WARC_DIR], index: tmp, workers: 2 })
      const listed = (await readFile(path.join(WARC_DIR, 'INDEX.tsv'), 'utf8')).trim().split('\n').length - 1
      assert.equal(s.files, listed, 'every listed crawl file is read')
      // Counts of fixed inputs are exact: a change that loses (or invents) records, documents or revisits shows.
      assert.equal(s.records, 1903)
      assert.equal(s.skipped['unsupported-compression'], 2, 'the lz4 crawls are counted as unsupported')
      for (const reason of Object.keys({ ...s.skipped, ...s.notices })) assert.ok(reason in SKIP_REASONS, `unknown skip reason ${reason}`)
      assert.equal(s.stats.documents, 446)
      assert.equal(s.stats.captures, 609)
      assert.equal(s.revisits, 62)
      await withIndex(tmp, async (store, root) => {
        await verifyIndex(store, root)
        // No partial document: every document has its stored text, whole.
        let docs = 0
        for await (const d of entriesOfKind(store, root.docs, KIND_RECORD)) {
          const doc = decodeDoc(d.value)
          let chars = 0
          let expect = 0
          for await (const t of entries(store, root.docs, { prefix: docKindKey(keyDocId(d.key), KIND_TEXT) })) {
            assert.equal(textKeyPosition(t.key) >= expect, true)
            chars += decodeTextChunk(t.value).length
            expect = textKeyPosition(t.key)
          }
          assert.equal(chars, doc.textChars, `stored text of ${doc.url}`)
          docs++
        }
        assert.equal(docs, s.stats.documents)
      })
      // The same crawls in small batches (many runs), their runs compacted down to two first, build the same index.
      const compacted = await ingest({ inputs: [WARC_DIR], index: path.join(tmp, 'fan2'), workers: 2, fanIn: 2, batchItems: 64 })
      assert.equal(compacted.root, s.root)
    })
  })

  it('reads what it can of every malformed crawl in warc-bad, and never crashes or hangs', { timeout: 300_000 }, async () => {
    await withTmp(async tmp => {
      const s = await ingest({ inputs: [WARC_BAD_DIR], index: tmp, workers: 2 })
      const listed = (await readFile(path.join(WARC_BAD_DIR, 'INDEX.tsv'), 'utf8')).trim().split('\n').length - 1
      assert.equal(s.files, listed)
      const skipped = Object.values(s.skipped).reduce((a, b) => a + b, 0)
      assert.equal(skipped, 66, `${skipped} skips over ${listed} broken files`)
      for (const reason of Object.keys({ ...s.skipped, ...s.notices })) assert.ok(reason in SKIP_REASONS, `unknown skip reason ${reason}`)
      assert.equal(s.stats.documents, 22, 'the readable parts of broken files are indexed')
      await withIndex(tmp, async (store, root) => {
        await verifyIndex(store, root)
      })
    })
  })

  it('gives one root CID for 1, 2 or 4 workers, any file order, split ingests merged, and incremental adds', async () => {
    await withTmp(async tmp => {
      const roots: Record<string, string> = {}
      const one = async (name: string, inputs: string[], workers: number): Promise<string> => {
        const s = await ingest({ inputs, index: path.join(tmp, name), workers })
        return s.root
      }
      roots.w1 = await one('w1', MIX, 1)
      roots.w2 = await one('w2', MIX, 2)
      roots.w4reversed = await one('w4', [...MIX].reverse(), 4)
      // Incremental: three batches added to one index, in a scrambled order.
      const parts = [MIX.filter((_, i) => i % 3 === 0), MIX.filter((_, i) => i % 3 === 1), MIX.filter((_, i) => i % 3 === 2)]
      for (const p of [parts[2], parts[0], parts[1]]) {
        const s = await ingest({ inputs: p, index: path.join(tmp, 'inc'), workers: 2 })
        roots.incremental = s.root
        // The folder's blocks, replaced nodes included until gc: read off the packs, not by walking the index.
        assert.ok(s.indexBytes > 0 && s.indexBytes <= (await blockBytes(path.join(tmp, 'inc'))), 'indexBytes counts the blocks the folder holds')
      }
      // Separate ingests (separate stores), merged afterwards in two groupings.
      const sep = await Promise.all(parts.map(async (p, i) => ({ dir: path.join(tmp, `part${i}`), root: CID.parse(await one(`part${i}`, p, 2)) })))
      const dirs = await Promise.all(sep.map(async s => await openIndexDir(s.dir, { write: false })))
      try {
        const store = new NodeStore(new UnionBlocks(dirs.map(d => d.blocks.store)))
        roots.mergedLeft = (await mergeIndexes(store, await mergeIndexes(store, sep[0].root, sep[1].root), sep[2].root)).toString()
        roots.mergedRight = (await mergeIndexes(store, sep[2].root, await mergeIndexes(store, sep[1].root, sep[0].root))).toString()
      } finally {
        for (const d of dirs) await d.close()
      }
      assert.equal(new Set(Object.values(roots)).size, 1, JSON.stringify(roots, null, 2))
      // ...and the index is not trivially empty.
      await withIndex(path.join(tmp, 'w1'), async (store, root) => {
        const stats = await indexStats(store, root)
        assert.ok(stats.documents > 100)
        // The field lengths BM25 averages over are exactly the sums of the documents' own, whatever the
        // ingest and merge order gave this root: no document counted twice, none missed.
        const sums = [0, 0, 0]
        let docs = 0
        for await (const e of entriesOfKind(store, root.docs, KIND_RECORD)) {
          docs++
          decodeDoc(e.value).lengths.forEach((l, f) => {
            sums[f] += l
          })
        }
        assert.equal(stats.documents, docs)
        assert.deepEqual(stats.lengths, sums)
        assert.ok(sums[1] > 1000)
      })
    })
  })

  it('decodes the EUC-JP ClueWeb pages into readable Japanese, searchable as bigrams', async () => {
    await withTmp(async tmp => {
      await ingest({ inputs: [warc('chatnoir-eu__chatnoir-resiliparse')], index: tmp, workers: 2 })
      await withIndex(tmp, async (store, root) => {
        const ja: Array<{ id: Uint8Array; title: string }> = []
        for await (const d of entriesOfKind(store, root.docs, KIND_RECORD)) {
          const doc = decodeDoc(d.value)
          if (doc.lang === 'ja') ja.push({ id: keyDocId(d.key), title: doc.title })
        }
        assert.ok(ja.length >= 5, `${ja.length} Japanese documents`)
        const jaChars = /[\u3040-\u30ff\u4e00-\u9fff]/
        const withTitle = ja.filter(d => jaChars.test(d.title))
        assert.ok(withTitle.length >= 3)
        for (const d of withTitle) assert.ok(!d.title.includes('\ufffd'), `mojibake in ${d.title}`)
        // The first two Japanese characters of a title are an indexed bigram of that document.
        const d = withTitle[0]
        const m = /[\u3040-\u30ff\u4e00-\u9fff]{2}/.exec(d.title)!
        const term = utf8(m[0])
        const holders: string[] = []
        for (const seg of root.segments)
          for await (const e of entries(store, seg.shards[shardOf(term, root.shardCount)], { prefix: termPrefix(term) }))
            holders.push(Buffer.from(e.key.subarray(e.key.length - DOC_ID_BYTES)).toString('hex'))
        assert.ok(holders.includes(Buffer.from(d.id).toString('hex')), `${m[0]} is not indexed for its document`)
      })
    })
  })

  it('attaches revisits to the document they refer to, never duplicating it', async () => {
    await withTmp(async tmp => {
      // The gov.uk revisits refer to pages captured in another file of the same crawl.
      const s = await ingest({ inputs: [warc('ukwa__webarchive-discovery'), warc('openzim__warc2zim')], index: tmp, workers: 2 })
      assert.equal(s.revisits, 35)
      assert.equal(s.stats.documents, 84)
      await withIndex(tmp, async (store, root) => {
        const docIds = new Set<string>()
        for await (const d of entriesOfKind(store, root.docs, KIND_RECORD)) docIds.add(Buffer.from(keyDocId(d.key)).toString('hex'))
        let attached = 0
        const perDoc = new Map<string, number>()
        for await (const c of entriesOfKind(store, root.docs, KIND_CAPTURE)) {
          const id = Buffer.from(keyDocId(c.key)).toString('hex')
          perDoc.set(id, (perDoc.get(id) ?? 0) + 1)
          if (decodeCapture(c.value).type === 'revisit' && docIds.has(id)) attached++
        }
        assert.ok(attached > 0, 'some revisit captures belong to indexed documents')
        assert.ok(
          [...perDoc.entries()].some(([id, n]) => n >= 2 && docIds.has(id)),
          'a document has several capture dates'
        )
        assert.equal(s.stats.documents, docIds.size)
        // A revisit adds a year filter posting to its document, not a new document.
        assert.ok(s.stats.documents < s.captures)
      })
    })
  })

  it('records captures that a replay tool can open: file, offset and length of the exact record', async () => {
    await withTmp(async tmp => {
      await ingest({ inputs: MIX, index: path.join(tmp, 'idx'), workers: 2 })
      const byName = new Map(MIX.map(f => [path.basename(f), f]))
      await withIndex(path.join(tmp, 'idx'), async (store, root) => {
        let checked = 0
        for await (const c of entriesOfKind(store, root.docs, KIND_CAPTURE)) {
          const cap = decodeCapture(c.value)
          if (cap.file.includes('#') || cap.length === 0 || checked >= 40) continue
          const src = byName.get(cap.file)
          assert.ok(src !== undefined, `capture file ${cap.file} is one of the inputs`)
          const fh = await open(src, 'r')
          const buf = Buffer.alloc(cap.length)
          await fh.read(buf, 0, cap.length, cap.offset)
          await fh.close()
          const one = path.join(tmp, `one-${checked}`)
          await writeFile(one, buf)
          const got = []
          for await (const ev of readCrawl(one)) if (ev.kind === 'record') got.push(ev)
          assert.equal(got.length, 1, `exactly one record at ${cap.file}@${cap.offset}`)
          assert.equal(got[0].url, cap.url)
          assert.equal(got[0].date, cap.date)
          checked++
        }
        assert.ok(checked >= 20)
      })
    })
  })

  it('indexes WACZ packages, naming captures by package and inner file', async () => {
    await withTmp(async tmp => {
      const s = await ingest({ inputs: [WACZ_DIR], index: tmp, workers: 2 })
      assert.equal(s.stats.documents, 4)
      await withIndex(tmp, async (store, root) => {
        let wacz = 0
        for await (const c of entriesOfKind(store, root.docs, KIND_CAPTURE)) if (/\.wacz#archive\/[^/]+\.warc(\.gz)?$/.test(decodeCapture(c.value).file)) wacz++
        assert.equal(wacz, s.captures, 'every capture names its package and inner WARC')
        const inst = utf8(filterTerm('inst', 'local'))
        let n = 0
        for (const seg of root.segments) for await (const _ of entries(store, seg.shards[shardOf(inst, root.shardCount)], { prefix: inst })) n++
        assert.ok(n >= s.stats.documents, 'every document carries its institution filter term')
      })
    })
  })

  it('leaves an existing index untouched when a run fails or is cancelled', async () => {
    await withTmp(async tmp => {
      const first = await ingest({ inputs: [warc('netarchivesuite__jwat')], index: tmp, workers: 2 })
      const headBefore = await readFile(path.join(tmp, 'HEAD'), 'utf8')
      // A missing input fails before anything is written.
      await assert.rejects(ingest({ inputs: [warc('webrecorder__pywb'), '/nonexistent/crawl.warc.gz'], index: tmp }), /ENOENT/)
      // Cancelled half-way through reading.
      const ctl = new AbortController()
      let seen = 0
      await assert.rejects(
        ingest({
          inputs: [WARC_DIR],
          index: tmp,
          workers: 2,
          signal: ctl.signal,
          onProgress: p => {
            seen = p.records
            if (p.records > 200) ctl.abort()
          }
        }),
        { name: 'AbortError' }
      )
      assert.ok(seen > 200)
      assert.equal(await readFile(path.join(tmp, 'HEAD'), 'utf8'), headBefore)
      await withIndex(tmp, async (store, root, cid) => {
        assert.equal(cid.toString(), first.root)
        assert.equal((await indexStats(store, root)).documents, first.stats.documents)
        await verifyIndex(store, root)
      })
    })
  })

  it('indexes a page that repeats one word tens of thousands of times (one posting of ~100 KB of positions)', async () => {
    await withTmp(async tmp => {
      const crawl = path.join(tmp, 'spam.warc.gz')
      const w = WarcWriter.toFile(crawl, { seed: 'spam' })
      w.response({
        url: 'http://spam.example/',
        date: '2020-01-01T00:00:00Z',
        status: 200,
        headers: [['Content-Type', 'text/html; charset=utf-8']],
        body: `<html><body><p>${'spam '.repeat(100_000)}</p></body></html>`
      })
      w.close()
      const s = await ingest({ inputs: [crawl], index: path.join(tmp, 'index'), workers: 1 })
      assert.equal(s.documents, 1)
      await withIndex(path.join(tmp, 'index'), async (store, root) => {
        const term = utf8('spam')
        assert.equal(root.segments.length, 1)
        const e = (await entries(store, root.segments[0].shards[shardOf(term, root.shardCount)], { prefix: term }).next()).value!
        assert.ok(e.value.length > 99_000, `${e.value.length} bytes`)
        await verifyIndex(store, root)
      })
    })
  })

  it('indexes records at every size limit: a 20 KB WARC-Record-ID, a 4 KB URL with long CJK title and description', async () => {
    await withTmp(async tmp => {
      const record = (id: string, url: string, html: string): string => {
        const http = `HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}`
        return (
          `WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: ${id}\r\nWARC-Date: 2020-01-01T00:00:00Z\r\nWARC-Target-URI: ${url}\r\n` +
          `Content-Type: application/http; msgtype=response\r\nContent-Length: ${Buffer.byteLength(http)}\r\n\r\n${http}\r\n\r\n`
        )
      }
      const cjk = (n: number): string => Array.from({ length: n }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join('')
      const crawl = path.join(tmp, 'limits.warc')
      await writeFile(
        crawl,
        record(`<urn:x:${'b'.repeat(20_000)}>`, 'http://a.example/', '<html><body><p>hello</p></body></html>') +
          record(
            '<urn:uuid:1>',
            `http://b.example/${'%E6%9D%B1'.repeat(440)}`,
            `<html><head><title>${cjk(1100)}</title><meta name="description" content="${cjk(2100)}"></head><body><p>${cjk(50)}</p></body></html>`
          )
      )
      const s = await ingest({ inputs: [crawl], index: path.join(tmp, 'index'), workers: 1 })
      assert.equal(s.documents, 2)
      await withIndex(path.join(tmp, 'index'), async (store, root) => {
        const caps = []
        for await (const e of entriesOfKind(store, root.docs, KIND_CAPTURE)) caps.push(decodeCapture(e.value))
        assert.equal(caps.length, 2)
        assert.deepEqual(
          caps.map(c => c.recordId).filter(id => id !== null),
          ['<urn:uuid:1>'],
          'an overlong record id is not recorded'
        )
        await verifyIndex(store, root)
      })
    })
  })

  it('merges sorted streams of batches into one sorted stream, one entry per key, whatever the batching', async () => {
    const arb = fc.array(fc.array(fc.tuple(fc.uint8Array({ maxLength: 3 }), fc.nat({ max: 255 })), { maxLength: 40 }), { maxLength: 9 })
    await fc.assert(
      fc.asyncProperty(arb, fc.integer({ min: 1, max: 5 }), async (lists, batch) => {
        const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
        const max = (_k: Uint8Array, a: Uint8Array, b: Uint8Array): Uint8Array => (a[0] >= b[0] ? a : b)
        const want = new Map<string, number>()
        const sources = lists.map(l => {
          const m = new Map<string, [Uint8Array, number]>()
          for (const [k, v] of l) m.set(hex(k), [k, Math.max(v, m.get(hex(k))?.[1] ?? 0)])
          const sorted = [...m.values()].sort((a, b) => Buffer.compare(a[0], b[0])).map(([key, v]) => ({ key, value: Uint8Array.of(v) }))
          for (const e of sorted) want.set(hex(e.key), Math.max(e.value[0], want.get(hex(e.key)) ?? 0))
          return (async function* () {
            for (let i = 0; i < sorted.length; i += batch) yield sorted.slice(i, i + batch)
          })()
        })
        const got: Array<[string, number]> = []
        for await (const b of mergeSorted(sources, max)) for (const e of b) got.push([hex(e.key), e.value[0]])
        assert.deepEqual(
          got,
          [...want].sort((a, b) => Buffer.compare(Buffer.from(a[0], 'hex'), Buffer.from(b[0], 'hex')))
        )
      }),
      { seed: 13, numRuns: 300 }
    )
  })

  it('plans compaction rounds that merge the smallest runs, just enough of them', () => {
    for (const [n, fanIn, parallel] of [
      [5, 4, 2],
      [10, 4, 2],
      [64, 64, 2],
      [65, 64, 2],
      [81, 64, 2],
      [200, 8, 4],
      [9, 2, 2],
      [3, 2, 1]
    ]) {
      let sizes = Array.from({ length: n }, (_, i) => 1000 + ((i * 7919) % 1000))
      for (let round = 0; sizes.length > fanIn; round++) {
        assert.ok(round < 10, 'compaction converges')
        const groups = compactionRound(sizes, fanIn, parallel)
        const all = groups.flat()
        assert.equal(new Set(all).size, all.length, 'groups are disjoint')
        for (const g of groups) assert.ok(g.length >= 2 && g.length <= fanIn, `group of ${g.length}`)
        const left = sizes.filter((_, i) => !all.includes(i))
        if (sizes.length <= fanIn * fanIn) {
          assert.equal(left.length + groups.length, fanIn, 'one round brings the count to fanIn exactly')
          assert.ok(Math.max(...all.map(i => sizes[i])) <= Math.min(...left), 'the smallest runs are merged')
        }
        sizes = [...left, ...groups.map(g => g.reduce((a, i) => a + sizes[i], 0))]
      }
      assert.deepEqual(compactionRound(sizes, fanIn, parallel), [])
    }
  })

  it('refuses a second writer while one holds the index', async () => {
    await withTmp(async tmp => {
      const d = await openIndexDir(tmp, { write: true })
      try {
        await assert.rejects(ingest({ inputs: [warc('netarchivesuite__jwat')], index: tmp }), { name: 'IndexLockedError' })
      } finally {
        await d.close()
      }
    })
  })
})
