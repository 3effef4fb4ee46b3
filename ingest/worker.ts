// The ingest worker thread (piscina): analyses batches of captures into sorted runs, merges runs, and builds
// the index trees from runs. Everything it does is a pure function of its input, so the index does not
// depend on which worker did what.

import { extractDocument } from './extract/index.ts'
import { analyseDocument, blockOf, captureRecord, DEFAULT_ANALYZER, resolverFor, TREE_CONFIGS } from '../index-core/index/index.ts'
import { DocMonthCollector, DocMonths } from './doc-months.ts'
import { BatchPostings } from './batch-postings.ts'
import type { Entry } from '../index-core/prolly/index.ts'
import { TreeBuilder, NodeStore } from '../index-core/prolly/index.ts'
import { openFolderBlocks, compactPacks } from '../index-core/store/index.ts'
import { mergeSorted } from './kway.ts'
import { readSection, RunWriter, sortUnique, writeRun } from './run-file.ts'
import { sectionsFor } from './tasks.ts'
import type { AnalyzeResult, AnalyzeTask, BuildResult, BuildTask, CompactTask, FileResult, Task, TaskItem } from './tasks.ts'

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

/** Where analyse puts what it makes: per-section entries, the postings, and each variant's fate. */
interface BatchOut {
  readonly sec: ReturnType<typeof sectionsFor>
  readonly sections: Entry[][]
  readonly postings: BatchPostings
  readonly rejected: Array<[string, string]>
  readonly indexed: string[]
}

/**
 * One capture: its document's entries and postings when it carries a body, then the capture's own. Returns
 * whether a document was indexed. A function of its own, called per capture, rather than the body of analyse's
 * loop: analyse runs once per batch, so its loop is compiled on stack replacement, and the smaller the
 * function around that loop, the cheaper each such compile.
 */
function addItem(item: TaskItem, out: BatchOut): boolean {
  const { sec, sections, postings } = out
  const docId = fromHex(item.docId)
  postings.beginItem(docId)
  let indexed = false
  if (item.body !== null) {
    const r = extractDocument({ url: item.capture.url, contentType: item.contentType, headers: item.headers, body: item.body, status: item.capture.status })
    if (!r.ok) {
      out.rejected.push([item.variant!, r.reason])
      return false
    }
    const d = r.doc
    const a = analyseDocument(
      docId,
      {
        url: d.url,
        surt: d.surt,
        host: d.host,
        domain: d.domain,
        mime: d.mime,
        lang: d.lang,
        title: d.title,
        description: d.description,
        status: item.capture.status,
        charset: d.charset,
        digest: item.digest,
        textTruncated: d.textTruncated || item.bodyTruncated,
        text: d.text
      },
      DEFAULT_ANALYZER,
      postings
    )
    postings.endItem(a.lengths)
    sections[sec.side.docs].push(a.doc)
    sections[sec.side.docvalues].push(a.docvalues)
    for (const e of a.text) sections[sec.side.docs].push(e)
    for (const f of a.filters) postings.addFilter(f)
    out.indexed.push(item.variant!)
    indexed = true
  }
  const cap = captureRecord(docId, item.capture)
  sections[sec.side.docs].push(cap.capture)
  sections[sec.side.docvalues].push(cap.docvalues)
  for (const f of cap.filters) postings.addFilter(f)
  return indexed
}

async function analyze(task: AnalyzeTask): Promise<AnalyzeResult> {
  const sec = sectionsFor(task.shards)
  const sections: Entry[][] = Array.from({ length: sec.count }, () => [])
  const postings = new BatchPostings(task.shards)
  const rejected: Array<[string, string]> = []
  const indexed: string[] = []
  const out: BatchOut = { sec, sections, postings, rejected, indexed }
  let documents = 0
  // In document-id order, so each term's postings come out sorted (see BatchPostings).
  const items = [...task.items].sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0))
  for (const item of items) if (addItem(item, out)) documents++
  const shardSections = postings.sections()
  let entries = 0
  const sorted = sections.map((s, i) => {
    if (i < task.shards) {
      entries += shardSections[i].entries
      return shardSections[i]
    }
    const u = sortUnique(s, resolverFor(sec.kinds[i]))
    entries += u.length
    return u
  })
  await writeRun(task.runPath, sorted)
  // Every body is a view of the one buffer of the task's pack (or none has a body).
  const bodies = task.items.find(i => i.body !== null)?.body?.buffer
  return { documents, rejected, entries, indexed, bodies: bodies instanceof ArrayBuffer ? bodies : null }
}

async function compact(task: CompactTask): Promise<{ entries: number }> {
  // Section by section, streamed from the inputs to the output: memory does not grow with the runs.
  const w = await RunWriter.create(task.out)
  const sec = sectionsFor(task.shards)
  let entries = 0
  for (let s = 0; s < sec.count; s++) {
    w.beginSection()
    for await (const batch of mergeSorted(
      task.runs.map(r => readSection(r, s)),
      resolverFor(sec.kinds[s])
    )) {
      for (const e of batch) await w.add(e)
      entries += batch.length
    }
    w.endSection()
  }
  await w.close()
  return { entries }
}

async function build(task: BuildTask): Promise<BuildResult> {
  // The tree's blocks go into one new pack, put in place only when the tree is whole.
  const disk = await openFolderBlocks(task.blocksDir, { pack: true })
  try {
    const store = new NodeStore(disk.store, { cacheBytes: 8 * 1024 * 1024 })
    const cut = task.cut
    const months = cut === undefined || cut.blocks.length === 1 ? null : new DocMonths(cut.months)
    const blocks = cut?.blocks ?? [[0, 0] as const]
    const builders = blocks.map(() => new TreeBuilder(store, TREE_CONFIGS[task.tree]))
    // The doc values build is the one pass over them: it gathers each document's month for the postings' cut.
    const collect = task.collectMonths === true ? new DocMonthCollector() : null
    let entries = 0
    for await (const batch of mergeSorted(
      task.runs.map(r => readSection(r, task.section)),
      resolverFor(task.tree)
    )) {
      for (const e of batch) {
        collect?.add(e)
        const b = builders[months === null ? 0 : blockOf(blocks, months.monthOfKey(e.key))]
        if (b.addSync(e.key, e.value)) await b.flush()
      }
      entries += batch.length
    }
    const roots: string[] = []
    for (const b of builders) roots.push((await b.finish()).toString())
    disk.store.commit()
    return {
      root: roots[0] ?? '',
      roots,
      entries,
      nodesWritten: store.stats.nodesWritten,
      bytesWritten: store.stats.bytesWritten,
      bytesAdded: disk.store.bytesAdded,
      ...(collect === null ? {} : { months: collect.finish() })
    }
  } catch (err) {
    disk.store.abort()
    throw err
  } finally {
    await disk.close()
  }
}

export default async function run(task: Task): Promise<unknown> {
  switch (task.kind) {
    case 'analyze':
      return await analyze(task)
    case 'compact':
      return await compact(task)
    case 'build':
      return await build(task)
    case 'packs':
      return compactPacks(task.blocksDir)
    case 'file': {
      // The UnixFS importer (some 90 modules) loads only in workers that hash a crawl file.
      const { importCrawlFile } = await import('../index-core/index/index.ts')
      const { storedWarcEntries } = await import('./reader/index.ts')
      const { cid, size } = await importCrawlFile(task.path)
      return { cid: cid.toString(), size, inner: await storedWarcEntries(task.path) } satisfies FileResult
    }
  }
}
