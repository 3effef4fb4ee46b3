// The ingest coordinator. The main thread reads crawls, names each capture's document (SURT + payload
// digest), and hands batches to a pool of worker threads that extract, analyse and spill sorted runs; the
// workers then build every tree from the runs in parallel, one task per postings shard and per side tree (docs,
// which holds records, captures and stored text together, docvalues, files, withdrawn); the crawl files' CIDs
// go into the files tree. Finally the new index is merged into the existing one and HEAD moves, in one atomic
// step.

import { createHash, hash } from 'node:crypto'
import { rm, stat } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { basename, join } from 'node:path'
import { CID } from 'multiformats/cid'
import {
  docIdOf,
  DOC_ID_BYTES,
  normalizeDigest,
  DEFAULT_ANALYZER,
  docStats,
  indexStats,
  mergeIndexes,
  openIndex,
  saveIndexRoot,
  DEFAULT_SHARDS,
  INDEX_FORMAT,
  LIMITS,
  SIDE_TREES,
  surt,
  encodeFile,
  fileKey,
  cutOf,
  lastMonth,
  saveMonthCounts
} from '../index-core/index/index.ts'
import type { IndexStats, SideTree, Capture } from '../index-core/index/index.ts'
import { NodeStore, mutate, sortEdits } from '../index-core/prolly/index.ts'
import { makeTmpDir, openIndexDir, storeUsage } from '../index-core/store/index.ts'
import type { GcResult, IndexDir } from '../index-core/store/index.ts'
import { base32, compareBytes } from '../index-core/bytes.ts'
import { EXTRACTION_VERSION, extractionHeaders, isIndexableType } from './extract/index.ts'
import { BodyPack } from './body-pack.ts'
import { compactionRound } from './compaction.ts'
import { ByteKeySet } from './key-set.ts'
import { expandInputs } from './inputs.ts'
import { createStats, readCrawl } from './reader/index.ts'
import { analysisKey, sectionsFor } from './tasks.ts'
import { openTaskPool } from './task-pool.ts'
import type { AnalyzeResult, BuildResult, BuildTask, FileResult, TaskItem } from './tasks.ts'

export interface IngestOptions {
  readonly inputs: readonly string[]
  readonly index: string
  /** Worker threads; defaults to the number of cores, fewer for small crawls (one per WORKER_BYTES of input). */
  readonly workers?: number
  /**
   * With the default workers, index a crawl of at most IN_THREAD_BYTES in the calling thread, without starting
   * a worker: for a process of its own (the CLI), not for a server, whose requests would wait meanwhile.
   */
  readonly smallInThread?: boolean
  /** Name recorded on every capture (provenance, the institution: filter). */
  readonly institution?: string
  readonly shards?: number
  readonly onProgress?: (p: IngestProgress) => void
  /** Cancels the run; HEAD is then left as it was. */
  readonly signal?: AbortSignal
  /** Most run files one tree build reads at once (more are compacted first); bounds open files. */
  readonly fanIn?: number
  /** Captures per analyse task (tuning and tests; the index does not depend on it). */
  readonly batchItems?: number
  /** Read only files whose real path lies in this folder (the server's crawl folder): symlinks cannot lead out. */
  readonly confineTo?: string
  /** Garbage collection (federation/maintenance/gc.ts storeCare); default: none. */
  readonly care?: StoreCare
}

/**
 * Keeping the store tidy needs every root the data folder names, and federation's refs name most of them, so
 * the caller supplies it (the CLI and the server pass federation/maintenance's storeCare).
 */
export interface StoreCare {
  /** On taking the lock: collect what a crashed run left, or say why not. */
  afterCrash(dir: IndexDir): Promise<GcResult | string | null>
  /** After a failed or cancelled run: take back its packs. */
  afterFailure(dir: IndexDir): Promise<void>
}

/** Without gc: nothing collected. */
const NO_CARE: StoreCare = {
  async afterCrash() {
    return null
  },
  async afterFailure() {}
}

export interface IngestProgress {
  readonly filesDone: number
  readonly files: number
  readonly bytesRead: number
  readonly bytesTotal: number
  readonly records: number
  /** Documents analysed so far (the summary counts those new to the index). */
  readonly documents: number
  readonly phase: 'reading' | 'building' | 'merging'
}

export interface IngestSummary {
  readonly files: number
  readonly bytesRead: number
  /** WARC records read whole, by type. */
  readonly recordsByType: Record<string, number>
  readonly records: number
  /** Captures the index holds now and did not before (responses, resources and revisits of its documents). */
  readonly captures: number
  /** Documents the index holds now and did not before (none when a crawl is ingested again). */
  readonly documents: number
  /** Captures of a document already seen in this run (same URL and payload). */
  readonly duplicates: number
  readonly revisits: number
  /** Captures not indexed, by reason (not-html, http-status-404, empty-body, ...). */
  readonly notIndexed: Record<string, number>
  /** Input that could not be read, by reason (from the WARC reader, and folder entries left out); data was lost there. */
  readonly skipped: Record<string, number>
  /** The same, per crawl file (by the name captures record), for the files that had any. */
  readonly skippedByFile: Record<string, Record<string, number>>
  /** Oddities that were read around (invalid dates, non-UTF-8 headers, ...). */
  readonly notices: Record<string, number>
  readonly root: string
  readonly previousRoot: string | null
  readonly stats: IndexStats
  /**
   * Bytes of the blocks the index folder holds afterwards (packs and loose blocks), read off the pack headers: what
   * a fresh index holds, and after an ingest into an existing index also the nodes its merge replaced, until
   * `canopy gc` (which reports the reachable size) takes them back. Counting only what HEAD and the refs reach
   * walks the whole index: seconds per hundred MB, a cost that would grow with the index at every ingest.
   */
  readonly indexBytes: number
  /** What gc took back on opening, when a crashed run had left garbage (or why it refused). */
  readonly recovered: GcResult | string | null
  readonly ms: number
}

/**
 * Captures per analyse task, at most: each task spills one run, and every tree build merges all runs at once,
 * so large batches make that merge cheap (no compaction below ~200,000 pages).
 */
const BATCH_ITEMS = 4096
/** Bodies per task, at most: real pages fill this before BATCH_ITEMS, and each worker holds about twice it. */
const BATCH_BYTES = 32 * 1024 * 1024
/** The first task's captures; tasks then double up to BATCH_ITEMS, so the workers start early. */
const FIRST_BATCH_ITEMS = 256
/**
 * Input bytes per worker started by default. A worker costs a few hundred ms of CPU to start (a thread and its
 * own copy of the modules), which a small crawl never earns back: 4 MiB of gzipped WARC holds ~1,000 real pages,
 * seconds of work for one worker.
 */
const WORKER_BYTES = 4 * 1024 * 1024
/** Input small enough to index without a worker when the caller allows it (smallInThread): a few hundred pages. */
const IN_THREAD_BYTES = 1024 * 1024
/** Bytes of a variant's fingerprint kept: 128 bits, so two variants of a billion never share one. */
const VARIANT_BYTES = 16
/** Most runs a tree build reads at once by default; beyond it, the smallest are merged first (compaction.ts). */
const FAN_IN = 64

function bump(m: Record<string, number>, k: string, n = 1): void {
  m[k] = (m[k] ?? 0) + n
}

/** The file name recorded on captures: the base name, so the index does not depend on where crawls sit. */
export function captureFileName(path: string): string {
  const hash = path.indexOf('#')
  return hash < 0 ? basename(path) : basename(path.slice(0, hash)) + path.slice(hash)
}

export async function ingest(opts: IngestOptions): Promise<IngestSummary> {
  const t0 = performance.now()
  const shards = opts.shards ?? DEFAULT_SHARDS
  const fixedBatch = opts.batchItems === undefined ? null : Math.max(1, opts.batchItems)
  const institution = (opts.institution ?? 'local').slice(0, LIMITS.institutionChars)
  const expanded = await expandInputs(opts.inputs, { root: opts.confineTo })
  const files = expanded.files
  const bytesTotal = files.reduce((a, f) => a + f.bytes, 0)
  // The index does not depend on the number of workers, so a small crawl is spared starting threads it cannot use.
  const workers = Math.max(1, opts.workers ?? Math.min(availableParallelism(), Math.ceil(bytesTotal / WORKER_BYTES)))
  const inThread = opts.workers === undefined && opts.smallInThread === true && bytesTotal <= IN_THREAD_BYTES
  const care = opts.care ?? NO_CARE
  const dir = await openIndexDir(opts.index, { write: true })
  const pool = await openTaskPool(inThread ? 0 : workers)
  let tmp: string | null = null
  let done = false
  try {
    const recovered = await care.afterCrash(dir)
    tmp = await makeTmpDir(dir, 'ingest')
    // Each crawl file's UnixFS CID, hashed by the pool beside the analysis (captures name their file).
    const fileCids = Promise.all(files.map(async f => ({ name: basename(f.path), ...((await pool.run({ kind: 'file', path: f.path })) as FileResult) })))
    fileCids.catch(() => {}) // awaited below; a failure surfaces there
    const sec = sectionsFor(shards)
    const runs: string[] = []
    const inflight = new Set<Promise<void>>()
    let failure: unknown = null
    const recordsByType: Record<string, number> = {}
    const notIndexed: Record<string, number> = {}
    const skipped: Record<string, number> = { ...expanded.skipped }
    const skippedByFile: Record<string, Record<string, number>> = {}
    const notices: Record<string, number> = {}
    let records = 0
    let documents = 0
    let duplicates = 0
    let revisits = 0
    let bytesDone = 0
    let filesDone = 0
    let runSeq = 0
    // Fingerprints of the variants analysed (16 bytes of their SHA-1) and the ids of the documents seen.
    const seenVariants = new ByteKeySet(VARIANT_BYTES)
    const seenDocs = new ByteKeySet(DOC_ID_BYTES)
    // What became of each variant analysed. A duplicate (the same variant again, not analysed again) shares its
    // variant's fate, decided by the same bytes whatever else the run holds: recorded when the variant was
    // indexed, counted with its reason when not, so identical empty pages leave no captures behind. It waits
    // in `waiting` until its variant's analysis is done. A revisit is recorded whatever this run holds (its
    // original may come from another crawl or partner): what an index holds depends on each record alone,
    // never on which records were ingested together.
    const indexedVariants = new ByteKeySet(VARIANT_BYTES)
    const rejectedVariants = new Map<string, string>()
    const waiting: TaskItem[] = []
    let batch: TaskItem[] = []
    let pack: BodyPack | null = null
    // Buffers of bodies the workers handed back (BATCH_BYTES each), for the next batches (body-pack.ts).
    const spare: ArrayBuffer[] = []
    let batchItems = fixedBatch ?? FIRST_BATCH_ITEMS
    let lastReport = 0
    const report = (phase: IngestProgress['phase'], bytesRead: number, force = false): void => {
      const now = performance.now()
      if (opts.onProgress === undefined || (!force && now - lastReport < 250)) return
      lastReport = now
      opts.onProgress({ filesDone, files: files.length, bytesRead, bytesTotal, records, documents, phase })
    }

    const track = (p: Promise<void>): void => {
      const q = p
        .catch((err: unknown) => {
          failure ??= err
        })
        .finally(() => inflight.delete(q))
      inflight.add(q)
    }
    const dispatch = async (): Promise<void> => {
      if (batch.length === 0) return
      const runPath = join(tmp!, `run-${String(runSeq++).padStart(6, '0')}.run`)
      const task = { kind: 'analyze' as const, items: batch, runPath, shards }
      const transfer = pack === null ? [] : [pack.buffer]
      batch = []
      pack = null
      // Doubling: the workers start early, and most captures go in large batches.
      batchItems = fixedBatch ?? Math.min(BATCH_ITEMS, FIRST_BATCH_ITEMS * 2 ** Math.min(runSeq, 16))
      track(
        (pool.run(task, transfer) as Promise<AnalyzeResult>).then(r => {
          documents += r.documents
          for (const v of r.indexed) indexedVariants.add(Buffer.from(v, 'base64'))
          for (const [v, reason] of r.rejected) {
            bump(notIndexed, reason)
            rejectedVariants.set(v, reason)
          }
          if (r.bodies !== null && r.bodies.byteLength === BATCH_BYTES && spare.length <= workers) spare.push(r.bodies)
          runs.push(runPath)
        })
      )
      // One batch waits ready while each worker has one: a waiting batch is held here, whole, until a worker takes it.
      while (inflight.size >= workers + 1) await Promise.race(inflight)
      if (failure !== null) throw failure
    }

    const add = async (item: TaskItem): Promise<void> => {
      const body = item.body
      if (body !== null) {
        if (pack !== null && !pack.fits(body.length)) await dispatch()
        // A body larger than a batch goes alone, in a pack of its size.
        pack ??= body.length <= BATCH_BYTES ? new BodyPack(BATCH_BYTES, spare.pop()) : new BodyPack(body.length)
        item = { ...item, body: pack.put(body) }
      }
      batch.push(item)
      if (batch.length >= batchItems) await dispatch()
    }

    for (const f of files) {
      const stats = createStats()
      for await (const ev of readCrawl(f.path, { wantBody: isIndexableType, stats })) {
        opts.signal?.throwIfAborted()
        report('reading', bytesDone + stats.bytes)
        if (ev.kind === 'skip') {
          bump(ev.dropped ? skipped : notices, ev.reason)
          if (ev.dropped) bump((skippedByFile[captureFileName(f.path)] ??= {}), ev.reason)
          continue
        }
        records++
        const target = ev.type === 'revisit' ? (ev.refersToUrl ?? ev.url) : ev.url
        const s = surt(target)
        if (s === null) {
          bump(notIndexed, 'bad-url')
          continue
        }
        if (Buffer.byteLength(ev.url) > LIMITS.urlBytes) {
          bump(notIndexed, 'url-too-long')
          continue
        }
        if (ev.type === 'revisit') {
          // A revisit repeats its original's headers: one of a stylesheet or image has no page to join.
          if (ev.contentType !== null && !isIndexableType(ev.contentType, target)) {
            bump(notIndexed, 'not-html')
            continue
          }
        } else {
          if (ev.body === null) {
            bump(notIndexed, 'not-html')
            continue
          }
          if (ev.status !== null && (ev.status < 200 || ev.status > 299)) {
            bump(notIndexed, `http-status-${Math.floor(ev.status / 100)}xx`)
            continue
          }
        }
        let digest = ev.payloadDigest === null ? null : normalizeDigest(ev.payloadDigest)
        if (digest === null) {
          if (ev.type === 'revisit' || ev.body === null) {
            bump(notIndexed, 'no-payload-digest')
            continue
          }
          // A payload the reader knows to be incomplete: name it by what was captured.
          digest = 'sha1:' + base32(createHash('sha1').update(ev.body).digest())
        }
        const docId = docIdOf(s, digest)
        const hex = Buffer.from(docId).toString('hex')
        const capture: Capture = {
          date: ev.date,
          url: ev.url,
          type: ev.type,
          status: ev.status,
          institution,
          file: captureFileName(ev.file),
          offset: ev.offset,
          length: ev.length,
          memberOffset: ev.memberOffset,
          recordId: ev.recordId
        }
        let body = ev.type === 'revisit' ? null : ev.body
        // Workers get the headers extraction reads, no others (extract/headers.ts).
        const base = { docId: hex, digest, capture, contentType: ev.contentType, headers: extractionHeaders(ev.headers), bodyTruncated: ev.bodyTruncated }
        let fingerprint: Buffer | null = null
        if (ev.type === 'revisit') revisits++
        else {
          if (!seenDocs.add(docId)) duplicates++
          // The same document with the same inputs of analysis gives the same entries: analyse it once.
          fingerprint = hash('sha1', analysisKey(base), 'buffer').subarray(0, VARIANT_BYTES)
          if (!seenVariants.add(fingerprint)) body = null
        }
        const item: TaskItem = { ...base, variant: fingerprint?.toString('base64') ?? null, body }
        // A duplicate whose variant's fate is not known yet waits, with only what its capture needs.
        if (body === null && fingerprint !== null && !indexedVariants.has(fingerprint)) waiting.push({ ...item, contentType: null, headers: [] })
        else await add(item)
      }
      for (const [k, v] of Object.entries(stats.byType)) bump(recordsByType, k, v)
      bytesDone += stats.bytes
      filesDone++
    }
    await dispatch()
    await Promise.all(inflight)
    if (failure !== null) throw failure
    // Every variant of this run has been analysed: a waiting duplicate is recorded if its variant was indexed,
    // else counted with its variant's reason.
    const store = new NodeStore(dir.blocks.store)
    const previous = await dir.head()
    const before = previous === null ? { documents: 0, captures: 0 } : await docStats(store, await openIndex(store, previous))
    for (const item of waiting) {
      if (indexedVariants.has(Buffer.from(item.variant!, 'base64'))) await add(item)
      else bump(notIndexed, rejectedVariants.get(item.variant!) ?? 'not-indexed')
    }
    waiting.length = 0
    await dispatch()
    await Promise.all(inflight)
    if (failure !== null) throw failure
    // Reading is over: the buffers kept for the next batches are not needed while the trees are built.
    spare.length = 0
    report('building', bytesDone, true)

    // Compact while there are more runs than one build reads at once.
    const fanIn = Math.max(2, opts.fanIn ?? FAN_IN)
    for (let level = 0; ; level++) {
      const sizes = await Promise.all(runs.map(async r => (await stat(r)).size))
      const groups = compactionRound(sizes, fanIn, workers)
      if (groups.length === 0) break
      const merged = await Promise.all(
        groups.map(async (g, i) => {
          const out = join(tmp!, `compact-${level}-${i}.run`)
          const inputs = g.map(j => runs[j])
          await pool.run({ kind: 'compact', runs: inputs, out, shards })
          await Promise.all(inputs.map(async r => await rm(r, { force: true })))
          return out
        })
      )
      const taken = new Set(groups.flat())
      runs.splice(0, runs.length, ...runs.filter((_, j) => !taken.has(j)), ...merged)
    }

    // Postings are cut by the month of each document's first capture (segments), on the cut of the month
    // counts: the doc values tree is built first, gathering those months, then every other tree side by side.
    const build = async (section: number, more: Partial<BuildTask> = {}): Promise<BuildResult> =>
      (await pool.run({ kind: 'build', runs, section, tree: sec.kinds[section], blocksDir: dir.blocksDir, ...more })) as BuildResult
    const dv = await build(sec.side.docvalues, { collectMonths: true })
    const months = dv.months!
    // Every block of the cut holds a document, and every document has postings (each capture gives it an
    // institution filter term), so no segment is empty.
    const blocks = cutOf(months.counts)
    const built = await Promise.all(
      sec.kinds.map(async (tree, section) =>
        section === sec.side.docvalues ? dv : await build(section, tree === 'postings' ? { cut: { months, blocks } } : {})
      )
    )
    const cid = (i: number): CID => CID.parse(built[i].root)
    const segments = blocks.map(([from, to], k) => ({ from, to, shards: Array.from({ length: shards }, (_, i) => CID.parse(built[i].roots[k])) }))
    const side = {} as Record<SideTree, CID>
    for (const t of SIDE_TREES) side[t] = cid(sec.side[t])
    side.files = await mutate(
      store,
      side.files,
      sortEdits(
        (await fileCids)
          .flatMap(f => [
            { file: f.name, cid: f.cid, size: f.size, offset: 0 },
            ...f.inner.map(e => ({ file: `${f.name}#${e.name}`, cid: f.cid, size: e.size, offset: e.offset }))
          ])
          .map(f => ({
            key: fileKey(institution, f.file),
            value: encodeFile({ institution, file: f.file, cid: CID.parse(f.cid), size: f.size, offset: f.offset })
          }))
          // Two files of one name (from different folders): the larger value wins, as in a merge, whatever the order.
          .sort((a, b) => compareBytes(a.value, b.value))
      )
    )
    let root = await saveIndexRoot(dir.blocks.store, {
      format: INDEX_FORMAT,
      analyzer: DEFAULT_ANALYZER,
      extraction: EXTRACTION_VERSION,
      shardCount: shards,
      latest: lastMonth(months.counts),
      months: await saveMonthCounts(dir.blocks.store, months.counts),
      segments,
      ...side
    })
    opts.signal?.throwIfAborted()
    if (previous !== null) {
      report('merging', bytesDone, true)
      root = await mergeIndexes(store, previous, root)
    }
    opts.signal?.throwIfAborted()
    // Each ingest adds a pack per tree: their number stays bounded (before HEAD moves, so a failure here
    // fails the run and leaves the index as it was; in the pool, since merging packs reads and writes them
    // with synchronous calls, and this thread may be a server's).
    await pool.run({ kind: 'packs', blocksDir: dir.blocksDir })
    await dir.setHead(root)
    done = true
    const stats = await indexStats(store, await openIndex(store, root))
    return {
      files: files.length,
      bytesRead: bytesDone,
      recordsByType,
      records,
      // What the index gained (a document analysed twice, or again, is one it already held).
      captures: stats.captures - before.captures,
      documents: stats.documents - before.documents,
      duplicates,
      revisits,
      notIndexed,
      skipped,
      skippedByFile,
      notices,
      root: root.toString(),
      previousRoot: previous?.toString() ?? null,
      stats,
      indexBytes: (await storeUsage(dir.blocksDir)).bytes,
      recovered,
      ms: performance.now() - t0
    }
  } finally {
    await pool.destroy()
    if (tmp !== null) await rm(tmp, { recursive: true, force: true })
    // A failed run's packs are named by nothing: take them back now (best effort) rather than leave them.
    if (!done) await care.afterFailure(dir).catch(() => {})
    await dir.close()
  }
}
