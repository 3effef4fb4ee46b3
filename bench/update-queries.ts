// Design measurement for issue 18 (docs/updates.md, plan step 1), before the format changes: what reading
// postings over calendar-tier segments costs queries, against one segment of the same documents, in one run.
// The index of the whole generated crawl (`npm run bench -- updates [--quick]` builds it) is copied, and its
// postings are cut (index/segments.ts cutPostings) as they would stand 20, 15 and 0 months before its
// latest month (after 0, 5 and 20 monthly updates of the last 20 months): the documents first captured up
// to then, as one segment (a fresh build of today's layout) and as base-4 and base-2 tiers. The side trees
// are the whole index's, the same for every variant. The query bench's mix is run on each variant: warm and
// cold from the local store (blocks and bytes read, time), and cold through `canopy serve`'s gateway as a
// partner reads it (blocks and bytes fetched, time). Times are medians; compare ratios within the run.
//
//   node bench/update-queries.ts [--pages 2000] [--reps 5] [--points 0,5,20]
import { cp, readFile, stat, writeFile } from 'node:fs/promises'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { CID } from 'multiformats/cid'
import { cutPostings, firstMonths, openIndex, tierBlocks, wholePostings } from '../index-core/index/index.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import { CountingBlocks, MemoryBlocks, openIndexDir } from '../index-core/store/index.ts'
import { FetchingBlocks } from '../federation/blocks/index.ts'
import { gatewayFetcher } from '../federation/net/index.ts'
import { median } from './report.ts'
import { BENCH_DIR, INDEX_SHAPE } from './ingest.ts'

const args = process.argv.slice(2)
const opt = (name: string, d: number): number => {
  const i = args.indexOf(name)
  return i < 0 ? d : Number(args[i + 1])
}
const N = opt('--pages', 2000)
const REPS = opt('--reps', 5)
const POINTS = args.includes('--points') ? args[args.indexOf('--points') + 1].split(',').map(Number) : [0, 5, 20]
const VARIANTS = [
  { name: 'one segment', base: 0 },
  { name: 'base 4', base: 4 },
  { name: 'base 2', base: 2 }
]

// The query bench's mix (bench/query.ts), with its filtered queries on a host of this crawl.
const QUERIES = [
  'protein',
  'mutation',
  'insulin',
  'macrophages',
  'cholesterol',
  'neurons',
  'breast cancer',
  'stem cells',
  'immune response',
  'blood pressure',
  'vitamin supplementation',
  'gene therapy',
  '"gene expression"',
  '"cell proliferation"',
  '"randomized trial"',
  '"risk factors"',
  'cells date:2010..2015',
  'cancer lang:en type:html'
]

const has = async (p: string): Promise<boolean> =>
  await stat(p).then(
    () => true,
    () => false
  )

type Cuts = Record<string, { latest: number; segments: string[][] }>

/** The copy of the index with every variant's segments in its block store (built once, named in cuts.json). */
async function prepare(): Promise<{ dir: string; head: CID; cuts: Cuts }> {
  const src = path.join(BENCH_DIR, `upd-all-${N}-${INDEX_SHAPE}`)
  const dir = path.join(BENCH_DIR, `updq-${N}-${INDEX_SHAPE}`)
  const file = path.join(dir, `cuts-${POINTS.join('-')}.json`)
  if (!(await has(file))) {
    if (!(await has(path.join(src, 'HEAD')))) throw new Error(`${src} is missing: run npm run bench -- updates${N === 2000 ? ' --quick' : ''} first`)
    if (!(await has(path.join(dir, 'HEAD')))) await cp(src, dir, { recursive: true })
    const d = await openIndexDir(dir, { write: true })
    const store = new NodeStore(d.blocks.store)
    const root = await openIndex(store, (await d.head())!)
    const months = await firstMonths(store, root.docvalues)
    const last = Math.max(...months.values())
    const cuts: Cuts = {}
    for (const u of POINTS) {
      const latest = last - 20 + u
      for (const v of VARIANTS) {
        console.error(`cutting ${v.name} after ${u} updates`)
        const blocks = v.base === 0 ? [[0, latest + 1] as [number, number]] : tierBlocks(latest, v.base)
        const segs = await cutPostings(store, await wholePostings(store, root), months, blocks)
        cuts[`${u} ${v.name}`] = { latest, segments: segs.map(s => s.shards.map(c => c.toString())) }
      }
    }
    await d.close()
    await writeFile(file, JSON.stringify(cuts))
  }
  const d = await openIndexDir(dir, { write: false })
  const head = (await d.head())!
  await d.close()
  return { dir, head, cuts: JSON.parse(await readFile(file, 'utf8')) as Cuts }
}

async function startServer(index: string): Promise<{ base: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('../bin/canopy.mjs', import.meta.url)), 'serve', '--index', index, '--port', '0', '--workers', '1', '--rate-limit', '0'],
    { stdio: ['ignore', 'pipe', 'ignore'] }
  )
  const base = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString()
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

interface Figures {
  warmMs: number
  coldMs: number
  coldBlocks: number
  coldKB: number
  remoteMs: number
  remoteBlocks: number
  remoteKB: number
  /** Result pages, to check every variant answers alike. */
  pages: string[]
  /** Cold local kB per query. */
  perQueryKB: number[]
}

async function main(): Promise<void> {
  const { dir, head, cuts } = await prepare()
  const d = await openIndexDir(dir, { write: false })
  const server = await startServer(dir)
  const results = new Map<string, Figures>()
  try {
    const segOf = (k: string): CID[][] => cuts[k].segments.map(s => s.map(c => CID.parse(c)))
    // Warm the code paths and the server's caches once, untimed.
    for (const q of QUERIES) await search(await IndexReader.open(new NodeStore(d.blocks.store), head), { q, pageSize: 10, facets: false })
    // Variants interleaved query by query, so that a slower stretch of the shared machine hits them alike.
    const keys = POINTS.flatMap(u => VARIANTS.map(v => `${u} ${v.name}`))
    for (const k of keys)
      results.set(k, { warmMs: 0, coldMs: 0, coldBlocks: 0, coldKB: 0, remoteMs: 0, remoteBlocks: 0, remoteKB: 0, pages: [], perQueryKB: [] })
    const warmReaders = new Map<string, IndexReader>()
    for (const k of keys)
      warmReaders.set(k, await IndexReader.open(new NodeStore(d.blocks.store, { cacheBytes: 256 * 1024 * 1024 }), head, undefined, { segments: segOf(k) }))
    for (const q of QUERIES) {
      console.error(q)
      const req = { q, pageSize: 10, facets: false }
      for (const k of keys) {
        const f = results.get(k)!
        const segments = segOf(k)
        // Cold, local: a reader with no node cached, every block read from the store.
        const cold: number[] = []
        let io = { blocks: 0, bytes: 0 }
        for (let i = 0; i < REPS; i++) {
          const counting = new CountingBlocks(d.blocks.store)
          const t = performance.now()
          const r = await search(await IndexReader.open(new NodeStore(counting), head, undefined, { segments }), req)
          cold.push(performance.now() - t)
          io = { blocks: counting.blocksRead, bytes: counting.bytesRead }
          if (i === 0) f.pages.push(JSON.stringify(r.hits.map(h => [h.url, h.score])))
        }
        f.coldMs += median(cold)
        f.coldBlocks += io.blocks
        f.coldKB += io.bytes / 1024
        f.perQueryKB.push(io.bytes / 1024)
        // Warm: the same reader again (its nodes and decoded lists cached).
        const warm = warmReaders.get(k)!
        await search(warm, req)
        const ws: number[] = []
        for (let i = 0; i < REPS; i++) {
          const t = performance.now()
          await search(warm, req)
          ws.push(performance.now() - t)
        }
        f.warmMs += median(ws)
        // Cold, remote: a partner with nothing yet, through the gateway (Canopy's batched client).
        const rs: number[] = []
        let fetched = { blocks: 0, bytes: 0 }
        for (let i = 0; i < REPS; i++) {
          const client = new FetchingBlocks(new MemoryBlocks(), gatewayFetcher(server.base))
          const t = performance.now()
          await search(await IndexReader.open(new NodeStore(client), head, undefined, { segments }), req)
          rs.push(performance.now() - t)
          fetched = { blocks: client.stats.fetched, bytes: client.stats.bytesFetched }
        }
        f.remoteMs += median(rs)
        f.remoteBlocks += fetched.blocks
        f.remoteKB += fetched.bytes / 1024
      }
    }
  } finally {
    await server.stop()
    await d.close()
  }
  console.log(
    `Queries over postings segments, ${N}-page crawl, ${QUERIES.length} queries (the query bench's mix), sums over the mix of per-query medians of ${REPS} runs; ratios against one segment of the same documents\n`
  )
  console.log(
    '| updates | variant | segments (latest month) | same pages | warm ms | cold ms | cold blocks | cold kB | remote cold ms | remote blocks | remote kB |'
  )
  console.log('|---|---|---|---|---|---|---|---|---|---|---|')
  const r = (a: number, b: number): string => (b === 0 ? '' : ` (${(a / b).toFixed(2)}×)`)
  for (const u of POINTS) {
    const one = results.get(`${u} one segment`)!
    for (const v of VARIANTS) {
      const k = `${u} ${v.name}`
      const f = results.get(k)!
      const same = f.pages.every((p, i) => p === one.pages[i])
      console.log(
        `| ${u} | ${v.name} | ${cuts[k].segments.length} (${cuts[k].latest}) | ${same ? 'yes' : 'NO'} | ${f.warmMs.toFixed(1)}${r(f.warmMs, one.warmMs)} | ${f.coldMs.toFixed(0)}${r(f.coldMs, one.coldMs)} | ${f.coldBlocks}${r(f.coldBlocks, one.coldBlocks)} | ${Math.round(f.coldKB)}${r(f.coldKB, one.coldKB)} | ${f.remoteMs.toFixed(0)}${r(f.remoteMs, one.remoteMs)} | ${f.remoteBlocks}${r(f.remoteBlocks, one.remoteBlocks)} | ${Math.round(f.remoteKB)}${r(f.remoteKB, one.remoteKB)} |`
      )
    }
  }
  const u = POINTS[POINTS.length - 1]
  console.log(`\nCold local kB per query after ${u} updates\n`)
  console.log(`| query | ${VARIANTS.map(v => v.name).join(' | ')} |`)
  console.log(`|---|${VARIANTS.map(() => '---|').join('')}`)
  const one = results.get(`${u} one segment`)!
  QUERIES.forEach((q, i) => {
    const cells = VARIANTS.map(v => {
      const x = results.get(`${u} ${v.name}`)!.perQueryKB[i]
      return `${Math.round(x)} (${(x / one.perQueryKB[i]).toFixed(2)}×)`
    })
    console.log(`| ${q} | ${cells.join(' | ')} |`)
  })
}

await main()
