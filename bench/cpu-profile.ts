// Summarises a V8 .cpuprofile (node --cpu-prof) by time, not by sample count: V8 takes samples unevenly (bursts
// a few microseconds apart, then gaps), so counting samples can rank a function ten times too high (an ingest
// worker's BatchPostings.sections came out at 24% of samples and 2% of time). Each sample is weighted by the
// time to the next one.
//
//   node bench/cpu-profile.ts <file.cpuprofile> [top=30] [--inclusive]
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
}

const [file, topArg] = process.argv.slice(2).filter(a => !a.startsWith('--'))
if (file === undefined) {
  console.error('usage: node bench/cpu-profile.ts <file.cpuprofile> [top] [--inclusive]')
  process.exit(2)
}
const inclusive = process.argv.includes('--inclusive')
const top = Number(topArg ?? 30)
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(p.nodes.map(n => [n.id, n]))
const parent = new Map<number, number>()
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const name = (n: Node): string =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(node_modules\/)?/, '')}:${n.callFrame.lineNumber + 1}`
const fileOf = (n: Node): string => n.callFrame.url.replace(/^file:\/\/.*?\/(ingest|index-core|federation|search-api|bin|node_modules)\//, '$1/') || '(vm)'

const byName = new Map<string, number>()
const byFile = new Map<string, number>()
let total = 0
for (let i = 0; i < p.samples.length; i++) {
  const dt = p.timeDeltas[i + 1] ?? 0
  total += dt
  const leaf = byId.get(p.samples[i])!
  byFile.set(fileOf(leaf), (byFile.get(fileOf(leaf)) ?? 0) + dt)
  if (!inclusive) {
    byName.set(name(leaf), (byName.get(name(leaf)) ?? 0) + dt)
    continue
  }
  // Inclusive: each function once per stack, however often it recurs.
  const seen = new Set<string>()
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const k = name(byId.get(id)!)
    if (seen.has(k)) continue
    seen.add(k)
    byName.set(k, (byName.get(k) ?? 0) + dt)
  }
}
const list = (m: Map<string, number>, n: number): string =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}% ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`)
    .join('\n')
console.log(`${(total / 1e6).toFixed(2)} s profiled; ${inclusive ? 'inclusive' : 'self'} time by function`)
console.log(list(byName, top))
console.log('--- self time by file')
console.log(list(byFile, 20))
