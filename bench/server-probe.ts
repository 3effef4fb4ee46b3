// Bench only: preloaded (`--import`) into every `canopy serve` process of the load test. Twice a second it
// appends the process's memory (RSS, V8 heap, external, array buffers) as one JSON line to
// $CANOPY_PROBE_DIR/<pid>.jsonl, so the bench can report memory per server process at any moment of the
// run without a debug route in the server itself. On SIGUSR2 (with --expose-gc) it runs a full garbage
// collection first and marks that sample: memory then is what the process retains (caches, and any leak),
// not where the collector's sawtooth happened to be.
import { appendFileSync } from 'node:fs'
import path from 'node:path'
import v8 from 'node:v8'

export interface ProbeSample {
  readonly pid: number
  /** Date.now() of the sample. */
  readonly t: number
  readonly rss: number
  readonly heapUsed: number
  readonly heapTotal: number
  readonly external: number
  readonly arrayBuffers: number
  /** Bytes malloc'ed by V8 itself (outside the heap). */
  readonly malloced: number
  /** Set on the sample taken right after a full collection asked for with SIGUSR2. */
  readonly afterGc?: true
  /** Per V8 heap space (old, new, code, large objects...): [bytes used, bytes committed]. */
  readonly spaces: Record<string, [number, number]>
}

const dir = process.env.CANOPY_PROBE_DIR
if (dir !== undefined && dir !== '') {
  const file = path.join(dir, `${process.pid}.jsonl`)
  const sample = (afterGc = false): void => {
    const m = process.memoryUsage()
    const h = v8.getHeapStatistics()
    const spaces: Record<string, [number, number]> = {}
    for (const x of v8.getHeapSpaceStatistics()) spaces[x.space_name.replace(/_space$/, '')] = [x.space_used_size, x.space_size]
    const s: ProbeSample = {
      pid: process.pid,
      t: Date.now(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      malloced: h.malloced_memory,
      spaces,
      ...(afterGc ? { afterGc: true as const } : {})
    }
    appendFileSync(file, JSON.stringify(s) + '\n')
  }
  sample()
  setInterval(sample, 500).unref()
  const gc = (globalThis as { gc?: () => void }).gc
  process.on('SIGUSR2', () => {
    if (gc !== undefined) {
      gc()
      gc()
    }
    sample(gc !== undefined)
  })
}
