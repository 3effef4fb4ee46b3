// Where the coordinator's tasks run: a pool of worker threads (piscina), or, for a crawl too small to repay
// starting one, the calling thread itself. worker.ts does the same work either way, so the index is the same.

import { getCompileCacheDir } from 'node:module'
import type { Task } from './tasks.ts'

export interface TaskPool {
  /** Runs a task; `transfer` lists buffers the task may take over (moved to a worker, not copied). */
  run(task: Task, transfer?: ArrayBuffer[]): Promise<unknown>
  destroy(): Promise<void>
}

/**
 * Each task's memory is bounded (a batch of at most 32 MiB of bodies, or one tree's merge), so a modest
 * heap limit makes V8 collect promptly instead of letting every worker grow toward its default limit.
 */
const WORKER_HEAP_MB = 512
/**
 * The young generation's limit. V8 sizes it from the machine's memory (on 24 GiB, semi-spaces of 64 MB: ~190 MB
 * per thread, touched in full); what a task allocates dies young either way, and on real pages 48 MB took the
 * same CPU and ~100 MB less memory per worker (bench/results/ingest-profile.md).
 */
const WORKER_YOUNG_MB = 48

/** `workers` threads, or none (0): the tasks then run in this thread, one after another between awaits. */
export async function openTaskPool(workers: number): Promise<TaskPool> {
  if (workers === 0) {
    const { default: run } = await import('./worker.ts')
    return { run: async task => await run(task), async destroy() {} }
  }
  const { Piscina } = await import('piscina')
  const pool = new Piscina({
    filename: new URL('./worker-entry.mjs', import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
    workerData: { compileCache: getCompileCacheDir() ?? null }
  })
  return {
    run: async (task, transfer) => await pool.run(task, transfer === undefined ? undefined : { transferList: transfer }),
    async destroy() {
      await pool.destroy()
    }
  }
}
