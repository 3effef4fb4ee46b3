// Adapts an interface-blockstore (blockstore-fs, helia's blockstore) to Canopy's BlockAccess.
// Their get() yields the block as an async iterable of chunks and throws NotFoundError when missing.

import type { Blockstore } from 'interface-blockstore'
import type { CID } from 'multiformats/cid'
import { concatBytes } from '../bytes.ts'
import type { BlockAccess } from './block-access.ts'

export class BlockstoreAdapter implements BlockAccess {
  readonly inner: Blockstore

  constructor(inner: Blockstore) {
    this.inner = inner
  }

  async get(cid: CID): Promise<Uint8Array | undefined> {
    try {
      const chunks: Uint8Array[] = []
      for await (const c of this.inner.get(cid)) chunks.push(c)
      const b = chunks.length === 1 ? chunks[0] : concatBytes(chunks)
      // Hand out a plain Uint8Array, never a Buffer: Buffer's slice() is a view, a trap for any reader.
      return Object.getPrototypeOf(b) === Uint8Array.prototype ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
    } catch (err) {
      if ((err as Error).name === 'NotFoundError') return undefined
      throw err
    }
  }

  async put(cid: CID, bytes: Uint8Array): Promise<void> {
    await this.inner.put(cid, bytes)
  }

  async has(cid: CID): Promise<boolean> {
    return await this.inner.has(cid)
  }
}
