// The on-disk block store: blockstore-fs (one file per block), opened and closed explicitly because
// helia's start/stop does not do it for us.

import { FsBlockstore } from 'blockstore-fs'
import { IpfsBlockStore } from './ipfs-blockstore.ts'

export interface OpenStore {
  readonly store: IpfsBlockStore
  close (): Promise<void>
}

export async function openFsBlockStore (dir: string): Promise<OpenStore> {
  const fs = new FsBlockstore(dir)
  await fs.open()
  return { store: new IpfsBlockStore(fs), close: async () => { await fs.close() } }
}
