// `npm run bench [-- suite...]`: runs the benchmark suites and writes bench/results/latest.md.
import type { Section } from './report.ts'
import { writeReport } from './report.ts'

type Suite = (args: { quick: boolean }) => Promise<Section[]>

const SUITES: Record<string, () => Promise<Suite>> = {
  prolly: async () => (await import('./prolly.ts')).run
}

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const names = args.filter(a => !a.startsWith('--'))
const selected = names.length > 0 ? names : Object.keys(SUITES)
const sections: Section[] = []
for (const name of selected) {
  const load = SUITES[name]
  if (load === undefined) { console.error(`unknown suite ${name}; known: ${Object.keys(SUITES).join(', ')}`); process.exit(2) }
  console.error(`# ${name}`)
  sections.push(...await (await load())({ quick }))
}
process.stdout.write(writeReport(sections))
