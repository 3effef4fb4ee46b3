// Block stores and the index directory: where blocks live (memory, a folder, packs), durable files, sweeping. What
// code outside the folder may use, by name.

export { CountingBlocks, MemoryBlocks, UnionBlocks } from './block-access.ts'
export type { BlockAccess, PathFrom, PathHint } from './block-access.ts'
export { makeDirDurable, writeFileDurable, writeFileLinked } from './durable-file.ts'
export { openFolderBlocks } from './folder-blocks.ts'
export { NotAnIndexError, checkIndexDir, clearIndex, makeTmpDir, openIndexDir } from './index-dir.ts'
export type { IndexDir } from './index-dir.ts'
export { BlockstoreAdapter } from './blockstore-adapter.ts'
export { PACKS_DIR, PackedBlockstore, compactPacks, storeUsage } from './packed-blockstore.ts'
export { isPackName, sweepBlocks } from './sweep.ts'
export type { GcResult } from './sweep.ts'
