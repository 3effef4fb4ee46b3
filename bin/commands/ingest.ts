// `canopy ingest <files or folders...> --index <dir>`: index WARC and WACZ crawls.
import { parseArgs } from 'node:util'
import { ingest } from '../../ingest/index.ts'
import type { IngestProgress, IngestSummary, StoreCare } from '../../ingest/index.ts'
import { terminalSafe } from '../terminal.ts'
import { UsageError } from '../usage.ts'

export const summary = 'index WARC/WACZ crawls (files or folders) into an index directory'

const HELP = `canopy ingest <files or folders...> --index <dir> [options]

  --index <dir>          index directory (created if missing; new crawls are merged into what it holds)
  --workers <n>          worker threads (default: number of cores)
  --institution <name>   name recorded on every capture (default: the index's publishing identity, else local)
  --json                 print the summary as JSON
`

function mb(n: number): string {
  return (n / 1e6).toFixed(1)
}

function countLine(m: Record<string, number>): string {
  const e = Object.entries(m).sort((a, b) => b[1] - a[1])
  return e.length === 0 ? 'none' : e.map(([k, v]) => `${k} ${v}`).join(', ')
}

async function progressReporter(): Promise<{ update: (p: IngestProgress) => void; stop: () => void }> {
  const t0 = performance.now()
  const rate = (p: IngestProgress): { rps: number; mbs: number } => {
    const s = Math.max(0.001, (performance.now() - t0) / 1000)
    return { rps: p.records / s, mbs: p.bytesRead / 1e6 / s }
  }
  if (process.stderr.isTTY) {
    // Loaded only for a terminal: piped and scripted runs do not pay for it at start-up.
    const { default: cliProgress } = await import('cli-progress')
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: '{phase} [{bar}] {percentage}% | {mbRead}/{mbTotal} MB | {records} records {rps}/s | {mbs} MB/s | ETA {eta_formatted}',
        hideCursor: true
      },
      cliProgress.Presets.shades_classic
    )
    let started = false
    return {
      update(p) {
        const r = rate(p)
        const payload = {
          phase: p.phase.padEnd(8),
          mbRead: mb(p.bytesRead),
          mbTotal: mb(p.bytesTotal),
          records: p.records,
          rps: r.rps.toFixed(0),
          mbs: r.mbs.toFixed(1)
        }
        if (!started) {
          bar.start(Math.max(1, p.bytesTotal), p.bytesRead, payload)
          started = true
        } else bar.update(p.bytesRead, payload)
      },
      stop() {
        if (started) bar.stop()
      }
    }
  }
  let last = 0
  return {
    update(p) {
      const now = performance.now()
      if (now - last < 2000 && p.phase === 'reading') return
      last = now
      const r = rate(p)
      process.stderr.write(
        `ingest: ${p.phase} ${mb(p.bytesRead)}/${mb(p.bytesTotal)} MB, ${p.filesDone}/${p.files} files, ${p.records} records (${r.rps.toFixed(0)}/s, ${r.mbs.toFixed(1)} MB/s)\n`
      )
    },
    stop() {}
  }
}

// gc and the publishing identity live in federation, whose modules (libp2p's keys among them) cost a short
// ingest more than its work: they are loaded when a run needs them, not at start-up.
const maintenance = async (): Promise<typeof import('../../federation/maintenance/index.ts')> => await import('../../federation/maintenance/index.ts')

/** gc's care of the folder, loaded only when there is something to collect (dir.leftovers: a crashed run's). */
const care: StoreCare = {
  async afterCrash(dir) {
    return dir.leftovers ? await (await maintenance()).storeCare.afterCrash(dir) : null
  },
  async afterFailure(dir) {
    await (await maintenance()).storeCare.afterFailure(dir)
  }
}

export async function formatSummary(s: IngestSummary): Promise<string> {
  const secs = s.ms / 1000
  const recovered =
    s.recovered === null
      ? []
      : [
          typeof s.recovered === 'string'
            ? `a crashed run's leftovers were found; gc refused: ${s.recovered}`
            : `a crashed run's leftovers were found; ${(await maintenance()).describeGc(s.recovered)}`
        ]
  return (
    [
      ...recovered,
      `read ${s.files} files, ${mb(s.bytesRead)} MB in ${secs.toFixed(1)} s (${(s.bytesRead / 1e6 / secs).toFixed(1)} MB/s)`,
      `records read: ${s.records} captures of interest (${countLine(s.recordsByType)} by WARC type)`,
      `documents indexed: ${s.documents} new (${(s.documents / secs).toFixed(0)}/s); captures recorded: ${s.captures} new; duplicates: ${s.duplicates}; revisits: ${s.revisits}`,
      `not indexed: ${countLine(s.notIndexed)}`,
      `skipped (unreadable input): ${countLine(s.skipped)}`,
      ...Object.entries(s.skippedByFile).map(([file, counts]) => `  in ${terminalSafe(file)}: ${countLine(counts)}`),
      `notices (read around): ${countLine(s.notices)}`,
      `index: ${s.stats.documents} documents, ${s.stats.captures} captures, ${s.stats.postings} postings in ${s.stats.segments} segments of ${s.stats.shards} shards; ${mb(s.indexBytes)} MB in its folder (what a merge replaced stays there until canopy gc)`,
      `root: ${s.root}${s.previousRoot === null ? '' : ` (merged into previous ${s.previousRoot})`}`
    ].join('\n') + '\n'
  )
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      index: { type: 'string' },
      workers: { type: 'string' },
      institution: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  if (values.index === undefined) throw new UsageError('--index <dir> is required\n\n' + HELP)
  if (positionals.length === 0) throw new UsageError('give at least one crawl file or folder\n\n' + HELP)
  const workers = values.workers === undefined ? undefined : Number(values.workers)
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 256))
    throw new UsageError('--workers must be a whole number from 1 to 256')
  const progress = values.json === true ? null : await progressReporter()
  let s: IngestSummary
  try {
    // Captures carry the publishing identity's name unless told otherwise, so `institution:` filters match it.
    const institution = values.institution ?? (await (await import('../../federation/identity/index.ts')).identityName(values.index)) ?? undefined
    // This process does nothing else meanwhile, so a small crawl is indexed without starting a worker.
    s = await ingest({ inputs: positionals, index: values.index, workers, smallInThread: true, institution, onProgress: progress?.update, care })
  } finally {
    progress?.stop()
  }
  process.stdout.write(values.json === true ? JSON.stringify(s, null, 2) + '\n' : await formatSummary(s))
  return 0
}
