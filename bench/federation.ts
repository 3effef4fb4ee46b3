// Federation: (1) merging two partners' indexes that are disjoint, ~90% overlapping, or 1% different (a
// partner republishing after adding 1% of documents), against rebuilding the union from the crawls: time,
// blocks read locally, blocks fetched from the partner, blocks written; (2) a two-term query against a
// remote index of the large crawl served by `canopy serve`'s trustless gateway: bytes and blocks fetched,
// cold and warm, against the index's total size (Pagefind's reference: 100-300 kB per search).
import { spawn } from 'node:child_process'
import { readdir, rm, stat } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import type { CID } from 'multiformats/cid'
import { docStats, mergeIndexes, openIndex } from '../index-core/index/index.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import { CountingBlocks, MemoryBlocks, UnionBlocks, openIndexDir, storeUsage } from '../index-core/store/index.ts'
import type { IndexDir } from '../index-core/store/index.ts'
import { FetchingBlocks } from '../federation/blocks/index.ts'
import type { FetchStats } from '../federation/blocks/index.ts'
import { gatewayFetcher } from '../federation/net/index.ts'
import { ingest } from '../ingest/index.ts'
import { splitCrawl } from './crawl-parts.ts'
import { BENCH_DIR, benchIndex, INDEX_SHAPE, largeCrawl } from './ingest.ts'
import type { Row, Section } from './report.ts'

const PARTS = 100

async function ingestParts(name: string, files: string[]): Promise<{ dir: string; ms: number }> {
  const dir = path.join(BENCH_DIR, `fed-${name}-${INDEX_SHAPE}`)
  const t0 = performance.now()
  if (
    !(await stat(path.join(dir, 'HEAD')).then(
      () => true,
      () => false
    ))
  )
    await ingest({ inputs: files, index: dir, workers: 2, institution: 'bench' })
  return { dir, ms: performance.now() - t0 }
}

/**
 * Merges `local` with `partner`, the partner's blocks reached only through a fetcher (as over the network):
 * what is read locally, what has to be fetched, and what is written.
 */
async function measureMerge(
  local: IndexDir,
  partner: IndexDir
): Promise<{ root: CID; ms: number; localReads: number; fetched: number; fetchedBytes: number; written: number; writtenBytes: number }> {
  const partnerBlocks = partner.blocks.store
  const localReads = new CountingBlocks(local.blocks.store)
  const writes = new CountingBlocks(new MemoryBlocks())
  const fetching = new FetchingBlocks(new UnionBlocks([writes, localReads]), async cid => await partnerBlocks.get(cid))
  const store = new NodeStore(fetching)
  const t0 = performance.now()
  const root = await mergeIndexes(store, (await local.head())!, (await partner.head())!)
  const ms = performance.now() - t0
  // Fetched blocks are kept in the writable store too: count only the merge's own output as written.
  return {
    root,
    ms,
    localReads: localReads.blocksRead,
    fetched: fetching.stats.fetched,
    fetchedBytes: fetching.stats.bytesFetched,
    written: writes.blocksWritten - fetching.stats.fetched,
    writtenBytes: writes.bytesWritten - fetching.stats.bytesFetched
  }
}

async function mergeSection(quick: boolean): Promise<Section> {
  const N = 2000
  const crawl = await largeCrawl(N)
  const parts = await splitCrawl(crawl, PARTS, path.join(BENCH_DIR, `fed-parts-${N}`))
  const range = (a: number, b: number): string[] => parts.slice(a, b)
  // The union, built from the crawls: what a merge is compared with.
  const all = await ingestParts(`all-${N}`, range(0, PARTS))
  const rebuild = await (async () => {
    const t0 = performance.now()
    const dir = path.join(BENCH_DIR, `fed-rebuild-${Date.now()}`)
    const s = await ingest({ inputs: range(0, PARTS), index: dir, workers: 2, institution: 'bench' })
    await rm(dir, { recursive: true, force: true })
    return { ms: performance.now() - t0, root: s.root, documents: s.stats.documents }
  })()
  const cases: Array<{ label: string; a: [number, number]; b: [number, number] }> = [
    { label: 'disjoint (halves)', a: [0, 50], b: [50, 100] },
    { label: '~89% overlapping (parts 0-89 and 10-99)', a: [0, 90], b: [10, 100] },
    { label: '1% different (partner adds 1%: parts 0-98, then 0-99)', a: [0, 99], b: [0, 100] }
  ]
  const rows: Row[] = []
  const allDir = await openIndexDir(all.dir, { write: false })
  const total = await storeUsage(path.join(all.dir, 'blocks'))
  rows.push({
    case: 'rebuild the union from the crawls (ingest, 2 workers)',
    ms: Math.round(rebuild.ms),
    'blocks read locally': '',
    'blocks fetched from partner': '',
    'kB fetched': '',
    'blocks written': total.blocks,
    'kB written': Math.round(total.bytes / 1024),
    'same root as rebuild': 'yes'
  })
  for (const c of quick ? cases.slice(2) : cases) {
    const a = await ingestParts(`${c.a[0]}-${c.a[1]}-${N}`, range(...c.a))
    const b = c.b[0] === 0 && c.b[1] === PARTS ? all : await ingestParts(`${c.b[0]}-${c.b[1]}-${N}`, range(...c.b))
    const da = await openIndexDir(a.dir, { write: false })
    const db = b === all ? allDir : await openIndexDir(b.dir, { write: false })
    try {
      const m = await measureMerge(da, db)
      rows.push({
        case: c.label,
        ms: Math.round(m.ms),
        'blocks read locally': m.localReads,
        'blocks fetched from partner': m.fetched,
        'kB fetched': Math.round(m.fetchedBytes / 1024),
        'blocks written': m.written,
        'kB written': Math.round(m.writtenBytes / 1024),
        'same root as rebuild': m.root.toString() === rebuild.root ? 'yes' : 'NO'
      })
    } finally {
      await da.close()
      if (db !== allDir) await db.close()
    }
  }
  await allDir.close()
  return {
    title: `Merging two partners' indexes (${N}-page generated crawl cut into ${PARTS} parts; union: ${rebuild.documents.toLocaleString('en-US')} documents, ${(total.bytes / 1e6).toFixed(1)} MB in ${total.blocks.toLocaleString('en-US')} blocks)`,
    command: `npm run bench -- federation${quick ? ' --quick' : ''}`,
    notes: [
      "The local index is read from its directory; the partner's blocks are reached only through a fetcher (every block verified), as over the network. Cold caches. A merge reads and fetches only subtrees that differ; identical subtrees are taken by their CID.",
      'Each merge\'s root is compared with the root of ingesting all the parts at once ("same root as rebuild").'
    ],
    rows
  }
}

/** The index of the real-page corpus (bench/make-real-corpus.ts), built once per index shape; null when the corpus is not there. */
async function realCorpusIndex(): Promise<{ index: string; pages: number } | null> {
  const files = (await readdir(REAL_CORPUS).catch(() => [] as string[])).filter(f => f.endsWith('.warc.gz')).sort()
  if (files.length === 0) return null
  const index = path.join(BENCH_DIR, `index-real-${INDEX_SHAPE}`)
  if (
    !(await stat(path.join(index, 'HEAD')).then(
      () => true,
      () => false
    ))
  ) {
    console.error(`ingesting the real-page corpus (${files.length} files)`)
    await ingest({ inputs: files.map(f => path.join(REAL_CORPUS, f)), index, workers: 2, institution: 'bench' })
  }
  const d = await openIndexDir(index, { write: false })
  try {
    const store = new NodeStore(d.blocks.store)
    return { index, pages: (await docStats(store, await openIndex(store, (await d.head())!))).documents }
  } finally {
    await d.close()
  }
}

const REAL_CORPUS = path.join(BENCH_DIR, 'real-corpus')

/** `canopy serve` over the index in a process of its own (as a partner's server is), one worker. */
async function startServer(index: string): Promise<{ base: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('../bin/canopy.mjs', import.meta.url)), 'serve', '--index', index, '--port', '0', '--workers', '1', '--rate-limit', '0'],
    { stdio: ['ignore', 'pipe', 'ignore'] }
  )
  const base = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /Canopy API at (http:\/\/[^/\s]+)\//.exec(out)
      if (m !== null) resolve(m[1])
    })
    child.on('close', code => {
      reject(new Error(`canopy serve exited ${String(code)}`))
    })
  })
  return {
    base,
    stop: async () => {
      child.kill('SIGTERM')
      await new Promise(r => child.once('close', r))
    }
  }
}

const COLD_RUNS = 5

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

async function remoteQuerySection(quick: boolean, index: string, what: string, queries: readonly string[]): Promise<Section> {
  const size = await storeUsage(path.join(index, 'blocks'))
  const server = await startServer(index)
  const base = server.base
  const d = await openIndexDir(index, { write: false })
  const head = (await d.head())!
  await d.close()
  const rows: Row[] = []
  try {
    // One untimed search first: the client's code is compiled and its connection to the server open, as in
    // a client that has searched before (its block store is empty again for each query below).
    await search(await IndexReader.open(new NodeStore(new FetchingBlocks(new MemoryBlocks(), gatewayFetcher(base))), head), {
      q: 'warm up',
      pageSize: 10,
      facets: false
    })
    for (const q of queries) {
      // Cold: a client that has nothing yet, opening the index and searching, several times (each from an
      // empty store; the median is reported), batched as Canopy's client asks and block by block as the
      // trustless gateway spec alone allows. Warm: the same client, after another query.
      const coldRun = async (
        batch: boolean
      ): Promise<{
        client: FetchingBlocks
        reader: IndexReader
        r: Awaited<ReturnType<typeof search>>
        opened: FetchStats
        openMs: number
        totalMs: number
      }> => {
        const client = new FetchingBlocks(new MemoryBlocks(), gatewayFetcher(base, { batch }))
        const t0 = performance.now()
        const reader = await IndexReader.open(new NodeStore(client), head)
        const opened = { ...client.stats }
        const t1 = performance.now()
        const r = await search(reader, { q, pageSize: 10, facets: false })
        return { client, reader, r, opened, openMs: t1 - t0, totalMs: performance.now() - t0 }
      }
      const runs: Array<Awaited<ReturnType<typeof coldRun>>> = []
      const single: number[] = []
      for (let i = 0; i < COLD_RUNS; i++) {
        runs.push(await coldRun(true))
        single.push((await coldRun(false)).totalMs)
      }
      const { client, reader, r, opened } = runs[runs.length - 1]
      const cold = { blocks: client.stats.fetched, bytes: client.stats.bytesFetched }
      const p50 = median(runs.map(x => x.totalMs))
      const singleP50 = median(single)
      const other = queries[(queries.indexOf(q) + 1) % queries.length]
      const before = { ...client.stats }
      const t3 = performance.now()
      await search(reader, { q: other, pageSize: 10, facets: false })
      const warmMs = performance.now() - t3
      const warm = { blocks: client.stats.fetched - before.fetched, bytes: client.stats.bytesFetched - before.bytesFetched }
      // The same query with facets, from another empty client: facets count over every match, so they
      // read every match's doc values.
      const faceted = new FetchingBlocks(new MemoryBlocks(), gatewayFetcher(base))
      const t4 = performance.now()
      await search(await IndexReader.open(new NodeStore(faceted), head), { q, pageSize: 10, facets: true })
      const facetMs = performance.now() - t4
      rows.push({
        query: q,
        'matches found': `${r.total}${r.totalRelation === 'gte' ? '+' : ''}`,
        'open (root blocks) kB': Math.round(opened.bytesFetched / 1024),
        'cold: blocks': cold.blocks,
        'cold: kB': Math.round(cold.bytes / 1024),
        'cold: open ms (p50)': Math.round(median(runs.map(x => x.openMs))),
        'cold: open + search ms (p50)': Math.round(p50),
        'cold: max ms': Math.round(Math.max(...runs.map(x => x.totalMs))),
        'block by block, cold p50 ms': Math.round(singleP50),
        'block by block / batched': (singleP50 / p50).toFixed(2),
        'next query, warm client: blocks': warm.blocks,
        'next query: kB': Math.round(warm.bytes / 1024),
        'next query: ms': Math.round(warmMs),
        'with facets, cold: kB': Math.round(faceted.stats.bytesFetched / 1024),
        'with facets, cold: ms': Math.round(facetMs)
      })
    }
  } finally {
    await server.stop()
  }
  return {
    title: `Two-term queries against a remote index over the HTTP trustless gateway (${what}; index ${(size.bytes / 1e6).toFixed(1)} MB in ${size.blocks.toLocaleString('en-US')} blocks)`,
    command: `npm run bench -- federation${quick ? ' --quick' : ''}`,
    notes: [
      `Each cold search runs ${COLD_RUNS} times from an empty client (median and slowest reported), alternating with the same search block by block (one GET per block, all a plain trustless gateway offers; Canopy's client otherwise asks for many blocks, and for each lookup's path down a tree, in one POST /api/v1/blocks). ` +
        'Top 10 with snippets, grouping by URL, no facets: the search reads its words\' posting lists best first (impact order) and stops once the page is decided, so the matches it reports are a lower bound ("+"; exactTotal=true counts them all), and it reads no doc values. Reads that do not depend on each other (the words\' lists, a hit\'s record, captures and text) are fetched side by side. "cold" starts from an empty client store: "open" fetches the index root and its trees\' roots, "search" the rest; "warm" is the next, different query on the same client. "with facets": the same query with facet counts over every match, from an empty client. The server is canopy serve (one process) on loopback; the client verifies every block. The client\'s code is warmed by one untimed search first. Pagefind loads 100-300 kB per search on a 10,000-page site.'
    ],
    rows
  }
}

export async function run({ quick }: { quick: boolean }): Promise<Section[]> {
  const sections = [await mergeSection(quick)]
  const real = await realCorpusIndex()
  if (real !== null) {
    sections.push(
      await remoteQuerySection(
        quick,
        real.index,
        `real pages: Debian's Rust, PostgreSQL and Python documentation, ${real.pages.toLocaleString('en-US')} documents`,
        ['hash map', 'foreign key', 'string slice', 'thread spawn', 'regular expression', 'file descriptor']
      )
    )
  } else {
    console.error(`no real-page corpus in ${REAL_CORPUS} (node bench/make-real-corpus.ts --install): the real-page section is left out`)
  }
  const N = quick ? 2000 : 20000
  sections.push(
    await remoteQuerySection(quick, await benchIndex(N), `${N.toLocaleString('en-US')}-page generated crawl`, [
      'breast cancer',
      'stem cells',
      'immune response',
      'blood pressure',
      'vitamin supplementation',
      'gene therapy'
    ])
  )
  return sections
}
