// The ingest worker thread's entry (what the pool starts): it uses the coordinator's compile cache, when the
// coordinator's thread has one, before loading the worker's modules; each thread otherwise compiles its own
// copy of them again on every run.

import { enableCompileCache } from 'node:module'
import { workerData } from 'node:worker_threads'

const cacheDir = workerData?.compileCache
if (typeof cacheDir === 'string') enableCompileCache(cacheDir)

const { default: run } = await import('./worker.ts')
const { move, transferableSymbol, valueSymbol } = await import('piscina')

/** A result's buffer of bodies goes back to the coordinator moved, not copied: it fills the next batch. */
export default async function runInPool(task) {
  const result = await run(task)
  const bodies = result?.bodies
  if (!(bodies instanceof ArrayBuffer)) return result
  return move({
    get [transferableSymbol]() {
      return [bodies]
    },
    get [valueSymbol]() {
      return result
    }
  })
}
