// Throughput/memory check by hand: ./node_modules/.bin/node bench/read.ts <crawl file> [--no-body]
// Prints records, MiB/s of input, and peak heap/RSS sampled while reading.

import { createStats, readCrawl } from '../ingest/reader/index.ts'

const path = process.argv[2]
if (!path) {
  console.error('usage: node bench/read.ts <file.warc|.warc.gz|.wacz> [--no-body]')
  process.exit(2)
}
const wantBody = !process.argv.includes('--no-body')
const stats = createStats()
let peakHeap = 0
let peakRss = 0
let n = 0
const t0 = performance.now()
for await (const e of readCrawl(path, { stats, wantBody: () => wantBody })) {
  if (e.kind === 'record' && (++n & 255) === 0) {
    const m = process.memoryUsage()
    peakHeap = Math.max(peakHeap, m.heapUsed)
    peakRss = Math.max(peakRss, m.rss)
  }
}
const secs = (performance.now() - t0) / 1000
const mib = (b: number) => (b / 1048576).toFixed(1)
console.log(
  JSON.stringify({
    yielded: stats.yielded,
    records: stats.records,
    skipped: stats.skipped,
    seconds: +secs.toFixed(2),
    inputMiBps: +(stats.bytes / 1048576 / secs).toFixed(1),
    recordsPerSec: Math.round(stats.records / secs),
    peakHeapMiB: +mib(peakHeap),
    peakRssMiB: +mib(peakRss)
  })
)
