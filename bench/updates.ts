// Updates (issue 18): an index of a generated crawl grows by a new crawl of 1% and of 10% more documents,
// once by `ingest` into a copy of the index and once by merging it with an index of the new crawl alone.
// Reported: blocks and bytes written, and blocks and bytes a mirror of the old index must fetch to hold the
// new one (the blocks of the new DAG that are not in the old), as fractions of the updated index's bytes,
// per tree (postings shards, docs, docvalues, files, withdrawn, the root block), so that a design can aim at
// the largest share. Blocks and bytes are a function of the crawls, not of the machine: no times here.
import { cp, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import type { CID } from 'multiformats/cid'
import { docStats, mergeIndexes, openIndex } from '../index-core/index/index.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { MemoryBlocks, UnionBlocks, openIndexDir, storeUsage } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'
import { splitCrawl } from './crawl-parts.ts'
import { BENCH_DIR, INDEX_SHAPE, largeCrawl } from './ingest.ts'
import { pct, kb } from './report.ts'
import type { Row, Section } from './report.ts'
import { dagBlocks, TREES } from '../tools/dag-blocks.ts'
import { updateSequence } from './update-sequence.ts'
import { realUpdates } from './update-real.ts'
import type { DagBlocks, TreeName } from '../tools/dag-blocks.ts'

const PARTS = 100
interface Tally {
  blocks: number
  bytes: number
}
type ByTree = Record<TreeName | 'not in the result', Tally>

function tally(cids: Iterable<string>, size: (k: string) => number, treeOf: (k: string) => TreeName | undefined): ByTree {
  const t = Object.fromEntries([...TREES, 'not in the result'].map(n => [n, { blocks: 0, bytes: 0 }])) as ByTree
  for (const k of cids) {
    const x = t[treeOf(k) ?? 'not in the result']
    x.blocks++
    x.bytes += size(k)
  }
  return t
}

const sum = (t: ByTree): Tally => Object.values(t).reduce((a, b) => ({ blocks: a.blocks + b.blocks, bytes: a.bytes + b.bytes }), { blocks: 0, bytes: 0 })
const has = async (p: string): Promise<boolean> =>
  await stat(p).then(
    () => true,
    () => false
  )

export async function ingestParts(name: string, files: string[]): Promise<string> {
  const dir = path.join(BENCH_DIR, `upd-${name}-${INDEX_SHAPE}`)
  if (!(await has(path.join(dir, 'HEAD')))) {
    console.error(`ingesting ${name} (${files.length} parts)`)
    await ingest({ inputs: files, index: dir, workers: 2, institution: 'bench' })
  }
  return dir
}

async function headOf(dir: string): Promise<{ root: CID; docs: number }> {
  const d = await openIndexDir(dir, { write: false })
  try {
    const root = (await d.head())!
    const store = new NodeStore(d.blocks.store)
    return { root, docs: (await docStats(store, await openIndex(store, root))).documents }
  } finally {
    await d.close()
  }
}

interface Measured {
  label: string
  added: number
  baseDocs: number
  index: DagBlocks
  indexBytes: number
  fetched: ByTree
  ingestWritten: Tally
  mergeWritten: ByTree
  sameRoot: boolean
}

async function measureCase(label: string, parts: string[], baseParts: number, all: CID, N: number): Promise<Measured> {
  const baseDir = await ingestParts(`0-${baseParts}-${N}`, parts.slice(0, baseParts))
  const addDir = await ingestParts(`${baseParts}-${PARTS}-${N}`, parts.slice(baseParts))
  const base = await headOf(baseDir)
  const add = await headOf(addDir)

  // 1. `canopy ingest` of the new crawl into a copy of the index: what its folder grows by.
  const copy = path.join(BENCH_DIR, `upd-copy-${baseParts}-${N}-${INDEX_SHAPE}`)
  await rm(copy, { recursive: true, force: true })
  await cp(baseDir, copy, { recursive: true })
  const before = await storeUsage(path.join(copy, 'blocks'))
  console.error(`${label}: ingest into a copy`)
  const s = await ingest({ inputs: parts.slice(baseParts), index: copy, workers: 2, institution: 'bench' })
  const after = await storeUsage(path.join(copy, 'blocks'))
  await rm(copy, { recursive: true, force: true })

  // 2. Merging the index with an index of the new crawl alone, writes kept apart.
  const bd = await openIndexDir(baseDir, { write: false })
  const ad = await openIndexDir(addDir, { write: false })
  try {
    const writes = new MemoryBlocks()
    const store = new UnionBlocks([writes, bd.blocks.store, ad.blocks.store])
    console.error(`${label}: merge`)
    const merged = await mergeIndexes(new NodeStore(store), base.root, add.root)
    // The mirror's side: every block of the new DAG that the old one does not hold.
    const old = await dagBlocks(bd.blocks.store, base.root)
    const index = await dagBlocks(store, merged)
    const fresh = await dagBlocks(store, merged, new Set(old.keys()))
    const size = (k: string): number => index.get(k)?.bytes ?? writes.blocks.get(k)!.length
    return {
      label,
      added: add.docs,
      baseDocs: base.docs,
      index,
      indexBytes: [...index.values()].reduce((a, b) => a + b.bytes, 0),
      fetched: tally(fresh.keys(), size, k => index.get(k)?.tree),
      ingestWritten: { blocks: after.blocks - before.blocks, bytes: after.bytes - before.bytes },
      mergeWritten: tally(writes.blocks.keys(), size, k => index.get(k)?.tree),
      sameRoot: merged.equals(all) && s.root === all.toString()
    }
  } finally {
    await bd.close()
    await ad.close()
  }
}

export async function run({ quick }: { quick: boolean }): Promise<Section[]> {
  const N = quick ? 2000 : 20000
  const crawl = await largeCrawl(N)
  const parts = await splitCrawl(crawl, PARTS, path.join(BENCH_DIR, `fed-parts-${N}`))
  const all = await headOf(await ingestParts(`all-${N}`, parts))
  // 99 parts + 1 (1% more documents), 90 parts + 10 (11% more).
  const cases = [await measureCase('1% new', parts, 99, all.root, N), await measureCase('10% new', parts, 90, all.root, N)]
  const sequence = await updateSequence(parts, N, ingestParts)
  const real = quick ? null : await realUpdates(ingestParts)
  const command = `npm run bench -- updates${quick ? ' --quick' : ''}`
  const totals: Row[] = []
  const perTree: Row[] = []
  for (const c of cases) {
    const f = sum(c.fetched)
    const m = sum(c.mergeWritten)
    const what = `${c.label}: +${c.added.toLocaleString('en-US')} documents to ${c.baseDocs.toLocaleString('en-US')} (${pct(c.added, c.baseDocs)})`
    totals.push({
      update: what,
      'index after: kB (blocks)': `${kb(c.indexBytes)} (${c.index.size})`,
      'ingest into a copy: kB written (blocks)': `${kb(c.ingestWritten.bytes)} (${c.ingestWritten.blocks})`,
      'ingest: written / index': pct(c.ingestWritten.bytes, c.indexBytes),
      'merge: kB written (blocks)': `${kb(m.bytes)} (${m.blocks})`,
      'merge: written / index': pct(m.bytes, c.indexBytes),
      'mirror: kB to fetch (blocks)': `${kb(f.bytes)} (${f.blocks})`,
      'mirror: fetched / index': pct(f.bytes, c.indexBytes),
      'same root as one ingest of all': c.sameRoot ? 'yes' : 'NO'
    })
    for (const t of TREES) {
      const inTree = [...c.index.values()].filter(b => b.tree === t)
      const treeBytes = inTree.reduce((a, b) => a + b.bytes, 0)
      perTree.push({
        update: c.label,
        tree: t === 'postings' ? 'postings (16 shards)' : t,
        'tree kB (blocks)': `${kb(treeBytes)} (${inTree.length})`,
        'share of index': pct(treeBytes, c.indexBytes),
        'fetched kB (blocks)': `${kb(c.fetched[t].bytes)} (${c.fetched[t].blocks})`,
        'fetched / tree': treeBytes === 0 ? '' : pct(c.fetched[t].bytes, treeBytes),
        'fetched / index': pct(c.fetched[t].bytes, c.indexBytes),
        'share of the fetch': pct(c.fetched[t].bytes, f.bytes),
        'merge written kB': kb(c.mergeWritten[t].bytes)
      })
    }
    if (c.mergeWritten['not in the result'].blocks > 0) {
      perTree.push({ update: c.label, tree: 'merge: written, not in the result', 'merge written kB': kb(c.mergeWritten['not in the result'].bytes) })
    }
  }
  return [
    {
      title: `Adding a crawl to an index (${N.toLocaleString('en-US')}-page generated crawl cut into ${PARTS} parts; the index of all of it: ${all.docs.toLocaleString('en-US')} documents)`,
      command,
      notes: [
        '"ingest into a copy": `ingest` of the new parts into a copy of the index folder (what the folder grows by: the new crawl\'s own trees and the merged ones). "merge": the index merged with an index of the new parts alone (the merge\'s own writes). "mirror": the blocks of the updated index\'s DAG that the old index\'s DAG does not hold, what a mirror or partner fetches to follow. Fractions are of the updated index\'s bytes (its DAG, every block once).',
        'Every figure is a count of blocks and bytes, a function of the crawls alone (no timing).'
      ],
      rows: totals
    },
    {
      title: "Where an update's bytes go, per tree",
      command,
      notes: ['"fetched / tree": the part of that tree a mirror fetches again; "share of the fetch": its part of all the mirror fetches.'],
      rows: perTree
    },
    {
      title: `Twenty updates in a row: the index of ${PARTS - 20} parts gets each of the last 20 by \`canopy ingest\``,
      command,
      notes: [
        'Parts are in capture-date order, so each update is the next months\' crawl. "mirror": the blocks of the new DAG that the DAG before the update lacks. "segments": the postings segments before and after (index format 11: blocks of the calendar tiers of the latest first-capture month, split while the documents of their halves differ by more than 4×; a carry merges balanced blocks into one).'
      ],
      rows: sequence.updates
    },
    {
      title: 'Queries after 0, 5 and 20 updates, against one ingest of the same parts and against one segment',
      command,
      notes: [
        'The query bench\'s mix (`bench/query.ts`), without facets. "cold": each query on a new reader, blocks and kB read from the local store, summed over the mix; "warm": the median of 5 runs per query on a warm reader, summed. "one segment": the same index with its postings consolidated into one segment in memory (the layout of format 9). The updated index and one ingest of the same parts have one root, so they are one index: the same blocks, the same costs. Times are from this run only; compare ratios.'
      ],
      rows: sequence.queries
    },
    ...(real === null
      ? []
      : [
          {
            title: "Adding the next months' crawl of real pages (Debian's Rust, PostgreSQL and Python documentation, all captured in January 2026)",
            command,
            notes: [
              'The index of all but part of the real-page corpus (bench/make-real-corpus.ts) gets the rest, captured again in February 2026 (a month where the calendar tiers carry: January and February share a block, which format 10 merged and format 11 keeps split while February is under a quarter of January) or in March 2026 (no carry), by `canopy ingest` into a copy of the index. "segments": blocks of months (1970-01 is month 0; January 2026 is 672). "written": what the folder grows by; "mirror": the blocks of the new DAG that the DAG before lacks.'
            ],
            rows: real
          }
        ])
  ]
}
