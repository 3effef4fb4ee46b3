// `npm run bench [-- suite...]`: runs the benchmark suites and writes bench/results/latest.md.
import type { Section } from './report.ts'
import { writeReport } from './report.ts'

type Suite = (args: { quick: boolean }) => Promise<Section[]>

const SUITES: Record<string, () => Promise<Suite>> = {
  prolly: async () => (await import('./prolly.ts')).run,
  ingest: async () => (await import('./ingest.ts')).run,
  'ingest-real': async () => (await import('./ingest-real.ts')).run,
  scale: async () => (await import('./scale.ts')).run,
  query: async () => (await import('./query.ts')).run,
  load: async () => (await import('./load.ts')).run,
  federation: async () => (await import('./federation.ts')).run,
  dht: async () => (await import('./dht.ts')).run,
  split: async () => (await import('./split.ts')).run,
  updates: async () => (await import('./updates.ts')).run,
  replay: async () => (await import('./replay.ts')).run,
  eval: async () => (await import('./eval.ts')).run
}

const args = process.argv.slice(2)
const quick = args.includes('--quick')
/** Options that take a value (`--sizes 20000,100000` for scale): the value is not a suite name. */
const VALUED = ['--sizes']
const names = args.filter((a, i) => !a.startsWith('--') && !VALUED.includes(args[i - 1]))
const unknown = names.filter(n => SUITES[n] === undefined)
if (unknown.length > 0) {
  console.error(`unknown suite ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}`)
  process.exit(2)
}
// Run when asked for, not in every bench run: `eval` measures quality, not speed; `ingest-real` needs the
// real-page corpus (bench/make-real-corpus.ts); `scale` ingests up to a million pages (hours, ~20 GB of disk);
// `replay` ingests a 200,000-page crawl once (kept in /tmp/canopy-bench) and drives Chromium.
const ON_REQUEST = ['eval', 'ingest-real', 'scale', 'replay']
const selected = names.length > 0 ? names : Object.keys(SUITES).filter(n => !ON_REQUEST.includes(n))
const results: Array<{ suite: string; sections: Section[] }> = []
for (const name of selected) {
  const load = SUITES[name]
  console.error(`# ${name}`)
  results.push({ suite: name, sections: await (await load())({ quick }) })
}
process.stdout.write(writeReport(results, Object.keys(SUITES)))
