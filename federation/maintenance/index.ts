// Maintenance of a data folder: garbage collection and verification. What code outside the folder may use, by
// name.

export { collectAfterCrash, collectGarbage, describeGc, storeCare } from './gc.ts'
export type { GcResult } from './gc.ts'
export { verifyIndexDir } from './verify.ts'
