// Ingest: crawls into an index (inputs, the worker pool pipeline). Its parts have their own faces: reader/,
// extract/, cdx/. What code outside the folder may use, by name.

export { expandInputs } from './inputs.ts'
export { ingest } from './pipeline.ts'
export type { IngestProgress, IngestSummary, StoreCare } from './pipeline.ts'
