// Block stores and the index directory: where blocks live (memory, a folder, packs), durable files, sweeping. What
// code outside the folder may use, by name.

export { CountingBlockStore, MemoryBlockStore, UnionBlockStore } from './blockstore.ts'
export type { BlockStore, PathFrom, PathHint } from './blockstore.ts'
export { makeDirDurable, writeFileDurable, writeFileLinked } from './durable-file.ts'
export { openFsBlockStore } from './fs-blockstore.ts'
export { NotAnIndexError, checkIndexDir, clearIndex, makeTmpDir, openIndexDir } from './index-dir.ts'
export type { IndexDir } from './index-dir.ts'
export { IpfsBlockStore } from './ipfs-blockstore.ts'
export { PACKS_DIR, PackedBlockstore, compactPacks, storeUsage } from './packed-blockstore.ts'
export { isPackName, sweepBlocks } from './sweep.ts'
export type { GcResult } from './sweep.ts'
