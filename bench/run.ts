// `npm run bench [-- suite...]`: runs the benchmark suites and writes bench/results/latest.md.
import type { Section } from './report.ts'
import { writeReport } from './report.ts'

type Suite = (args: { quick: boolean }) => Promise<Section[]>

const SUITES: Record<string, () => Promise<Suite>> = {
  prolly: async () => (await import('./prolly.ts')).run,
  ingest: async () => (await import('./ingest.ts')).run,
  query: async () => (await import('./query.ts')).run,
  load: async () => (await import('./load.ts')).run,
  federation: async () => (await import('./federation.ts')).run,
  dht: async () => (await import('./dht.ts')).run,
  split: async () => (await import('./split.ts')).run,
  updates: async () => (await import('./updates.ts')).run,
  eval: async () => (await import('./eval.ts')).run
}

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const names = args.filter(a => !a.startsWith('--'))
// `eval` measures quality, not speed: it runs when asked for (`npm run eval`), not in every bench run.
const selected = names.length > 0 ? names : Object.keys(SUITES).filter(n => n !== 'eval')
const results: Array<{ suite: string; sections: Section[] }> = []
for (const name of selected) {
  const load = SUITES[name]
  if (load === undefined) {
    console.error(`unknown suite ${name}; known: ${Object.keys(SUITES).join(', ')}`)
    process.exit(2)
  }
  console.error(`# ${name}`)
  results.push({ suite: name, sections: await (await load())({ quick }) })
}
process.stdout.write(writeReport(results, Object.keys(SUITES)))
