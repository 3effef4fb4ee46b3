// The ingest worker thread's entry (what the pool starts): it uses the coordinator's compile cache, when the
// coordinator's thread has one, before loading the worker's modules; each thread otherwise compiles its own
// copy of them again on every run.

import { enableCompileCache } from 'node:module'
import { workerData } from 'node:worker_threads'

const cacheDir = workerData?.compileCache
if (typeof cacheDir === 'string') enableCompileCache(cacheDir)

const { default: run } = await import('./worker.ts')
export default run
