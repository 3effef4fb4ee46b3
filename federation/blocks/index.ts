// Blocks between institutions: CAR files, DAG walks and copies, and the store that fetches and verifies missing
// blocks. What code outside the folder may use, by name.

export { currentVersionLinks, exportCar, importCar, readCarStream } from './car.ts'
export type { CarImportSummary, CarSummary } from './car.ts'
export { copyDag } from './dag-copy.ts'
export type { DagStream } from './dag-copy.ts'
export { linksOf, walkDag } from './dag-walk.ts'
export { BlockRefusedError, FetchingBlocks, MAX_FETCHED_BLOCK_BYTES } from './fetching-blocks.ts'
export type { BlockFetcher, FetchHints, FetchStats } from './fetching-blocks.ts'
