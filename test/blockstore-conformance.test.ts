// One contract, every block store (as Tantivy's directory/tests.rs): the same cases run against each store
// Canopy reads and writes through — memory, an index folder's loose files and its packs, a union, a store
// fetching from a partner's gateway over loopback HTTP, the adapter over an interface-blockstore (blockstore-fs,
// and the folder as helia serves it), and the counting wrapper. A last group runs each case against a store
// made to break exactly what that case checks, so no case passes whatever the store does.
import assert, { AssertionError } from 'node:assert/strict'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { once } from 'node:events'
import { mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import { FsBlockstore } from 'blockstore-fs'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import {
  CountingBlocks,
  MemoryBlocks,
  UnionBlocks,
  openFolderBlocks,
  BlockstoreAdapter,
  PACKS_DIR,
  PackedBlockstore,
  storeUsage
} from '../index-core/store/index.ts'
import type { BlockAccess } from '../index-core/store/index.ts'
import type { FolderBlocks } from '../index-core/store/folder-blocks.ts'
import { FetchingBlocks, MAX_FETCHED_BLOCK_BYTES } from '../federation/blocks/index.ts'
import { gatewayFetcher } from '../federation/net/index.ts'
import { equalBytes } from '../index-core/bytes.ts'
import { withTmp } from './helpers.ts'

interface Opened {
  readonly store: BlockAccess
  close(): Promise<void>
}

/** A kind of store, opened (and opened again) in a folder of its own. */
interface StoreKind {
  readonly name: string
  open(dir: string): Promise<Opened>
  /** Blocks survive close and open. */
  readonly persistent: boolean
  /** How many blocks the store keeps, asked after close: a block put twice must be kept once. */
  held?(dir: string, opened: Opened): Promise<number>
  /** Runs `work` with the store's writes going into a pack (stores that write packs). */
  packing?(opened: Opened, work: () => Promise<void>): Promise<void>
  /** How many packs the folder holds, to check the writes did go into one. */
  packs?(dir: string): Promise<number>
  /** Writes a block only where the store reads from beside itself (a union's other stores, a partner). */
  upstream?(dir: string, cid: CID, bytes: Uint8Array): Promise<void>
}

interface Block {
  readonly cid: CID
  readonly bytes: Uint8Array
}

/** Compared by equalBytes, not deepEqual: a failing deepEqual diffs megabyte arrays for minutes. */
function sameBytes(got: Uint8Array | undefined, want: Uint8Array, what = 'bytes'): void {
  assert.ok(got !== undefined, `${what}: missing`)
  assert.ok(got.length === want.length && equalBytes(got, want), `${what}: ${got.length} bytes differ from the ${want.length} put`)
}

/** A raw block of `size` bytes drawn from `seed` (xorshift): distinct seeds give distinct blocks. */
async function block(seed: number, size = 64): Promise<Block> {
  const bytes = new Uint8Array(size)
  let x = (seed * 2654435761 + 1) >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    bytes[i] = x & 0xff
  }
  return { cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes }
}

const MiB = 1 << 20

async function countPacks(dir: string): Promise<number> {
  return (await readdir(path.join(dir, PACKS_DIR)).catch(() => [] as string[])).filter(n => n.endsWith('.pack')).length
}

async function bulkOf(opened: Opened, kind: StoreKind, work: () => Promise<void>): Promise<void> {
  if (kind.packing !== undefined) await kind.packing(opened, work)
  else await work()
}

/** Puts every block, `width` at a time. */
async function putAll(store: BlockAccess, blocks: readonly Block[], width = 32): Promise<void> {
  for (let i = 0; i < blocks.length; i += width) {
    await Promise.all(
      blocks.slice(i, i + width).map(async b => {
        await store.put(b.cid, b.bytes)
      })
    )
  }
}

async function expectAll(store: BlockAccess, blocks: readonly Block[], what: string): Promise<void> {
  for (const b of blocks) {
    assert.equal(await store.has(b.cid), true, `${what}: has ${b.cid.toString()}`)
    sameBytes(await store.get(b.cid), b.bytes, `${what}: ${b.cid.toString()}`)
  }
}

interface Case {
  readonly name: string
  applies?(kind: StoreKind): boolean
  run(kind: StoreKind, dir: string): Promise<void>
}

const CASES: readonly Case[] = [
  {
    name: 'put, then has and get find the block',
    async run(kind, dir) {
      const s = await kind.open(dir)
      try {
        const b = await block(1)
        assert.equal(await s.store.has(b.cid), false)
        await s.store.put(b.cid, b.bytes)
        assert.equal(await s.store.has(b.cid), true)
        sameBytes(await s.store.get(b.cid), b.bytes)
      } finally {
        await s.close()
      }
    }
  },
  {
    name: 'a block never put is absent: get gives undefined, has false, and other blocks are unaffected',
    async run(kind, dir) {
      const s = await kind.open(dir)
      try {
        const [held, absent] = [await block(2), await block(3)]
        await s.store.put(held.cid, held.bytes)
        assert.equal(await s.store.get(absent.cid), undefined)
        assert.equal(await s.store.has(absent.cid), false)
        sameBytes(await s.store.get(held.cid), held.bytes)
      } finally {
        await s.close()
      }
    }
  },
  {
    name: 'a second put of the same block changes nothing and is kept once',
    async run(kind, dir) {
      const s = await kind.open(dir)
      const [a, b] = [await block(4), await block(5)]
      try {
        await s.store.put(a.cid, a.bytes)
        await s.store.put(b.cid, b.bytes)
        await s.store.put(a.cid, a.bytes)
        sameBytes(await s.store.get(a.cid), a.bytes)
      } finally {
        await s.close()
      }
      if (kind.held !== undefined) assert.equal(await kind.held(dir, s), 2)
    }
  },
  {
    name: 'the bytes returned equal those put, as a plain Uint8Array whose slices are copies, of every size up to a few KiB',
    async run(kind, dir) {
      const s = await kind.open(dir)
      try {
        const blocks = await Promise.all([0, 1, 2, 255, 256, 4095, 4096, 4097].map(async (n, i) => await block(100 + i, n)))
        for (const b of blocks) await s.store.put(b.cid, b.bytes)
        for (const b of blocks) {
          const got = await s.store.get(b.cid)
          sameBytes(got, b.bytes)
          assert.ok(got !== undefined)
          // A Buffer holds the same bytes but hands out views from slice(): a reader keeping a key it sliced
          // from a block would see it change.
          assert.equal(Object.getPrototypeOf(got), Uint8Array.prototype, 'not a Buffer or other subclass')
          if (got.length > 0) {
            const part = got.slice(0, 1)
            part[0] ^= 0xff
            assert.equal(got[0], b.bytes[0], 'slice() copies')
          }
        }
      } finally {
        await s.close()
      }
    }
  },
  {
    name: 'many puts of the same block at once, with reads among them: one block, whole',
    async run(kind, dir) {
      const s = await kind.open(dir)
      const b = await block(6, 200_000)
      const other = await block(7)
      try {
        const reads: Array<Promise<Uint8Array | undefined>> = []
        await Promise.all(
          Array.from({ length: 16 }, async (_, i) => {
            if (i % 4 === 0) reads.push(s.store.get(b.cid))
            await s.store.put(b.cid, b.bytes)
          })
        )
        await s.store.put(other.cid, other.bytes)
        for (const r of await Promise.all(reads)) if (r !== undefined) sameBytes(r, b.bytes, 'a read during the puts sees the whole block or none')
        sameBytes(await s.store.get(b.cid), b.bytes)
      } finally {
        await s.close()
      }
      if (kind.held !== undefined) assert.equal(await kind.held(dir, s), 2)
    }
  },
  {
    name: 'blocks at the 1 MiB bound (prolly nodes, UnixFS chunks) and at the fetch limit read back whole',
    async run(kind, dir) {
      const s = await kind.open(dir)
      try {
        const blocks = await Promise.all([MiB - 1, MiB, MiB + 1, MAX_FETCHED_BLOCK_BYTES].map(async (n, i) => await block(200 + i, n)))
        for (const b of blocks) await s.store.put(b.cid, b.bytes)
        await expectAll(s.store, blocks, 'large')
      } finally {
        await s.close()
      }
    }
  },
  {
    name: 'blocks survive closing and opening the store again',
    applies: kind => kind.persistent,
    async run(kind, dir) {
      const blocks = await Promise.all([8, 9, 10].map(async n => await block(n, n * 100)))
      const s = await kind.open(dir)
      try {
        for (const b of blocks) await s.store.put(b.cid, b.bytes)
      } finally {
        await s.close()
      }
      const again = await kind.open(dir)
      try {
        await expectAll(again.store, blocks, 'after reopening')
        assert.equal(await again.store.get((await block(11)).cid), undefined)
      } finally {
        await again.close()
      }
    }
  },
  {
    name: 'blocks written into a pack are in one pack, read back by the writer, and by the store opened again',
    applies: kind => kind.packing !== undefined,
    async run(kind, dir) {
      const blocks = await Promise.all(Array.from({ length: 50 }, async (_, i) => await block(300 + i, 10 + i * 997)))
      const s = await kind.open(dir)
      try {
        await kind.packing!(s, async () => {
          await putAll(s.store, blocks)
          await expectAll(s.store, blocks.slice(0, 5), 'the writer, before the pack is in place')
        })
      } finally {
        await s.close()
      }
      if (kind.packs !== undefined) assert.equal(await kind.packs(dir), 1, 'the blocks went into one pack')
      const again = await kind.open(dir)
      try {
        await expectAll(again.store, blocks, 'after reopening')
      } finally {
        await again.close()
      }
    }
  },
  {
    name: 'a bulk write of thousands of blocks, many at once: every one reads back, kept once each',
    async run(kind, dir) {
      const blocks = await Promise.all(Array.from({ length: 2000 }, async (_, i) => await block(1000 + i, (i * 37) % 3000)))
      const s = await kind.open(dir)
      try {
        await bulkOf(s, kind, async () => {
          await putAll(s.store, blocks, 64)
        })
        await expectAll(s.store, blocks, 'after the bulk write')
      } finally {
        await s.close()
      }
      if (kind.held !== undefined) assert.equal(await kind.held(dir, s), blocks.length)
      if (kind.persistent) {
        const again = await kind.open(dir)
        try {
          await expectAll(again.store, blocks, 'after reopening')
        } finally {
          await again.close()
        }
      }
    }
  },
  {
    name: 'a block held only beside the store (another store of a union, a partner) is read through it',
    applies: kind => kind.upstream !== undefined,
    async run(kind, dir) {
      const b = await block(12, 5000)
      await kind.upstream!(dir, b.cid, b.bytes)
      const s = await kind.open(dir)
      try {
        sameBytes(await s.store.get(b.cid), b.bytes)
        assert.equal(await s.store.get((await block(13)).cid), undefined, 'a block held nowhere is still absent')
      } finally {
        await s.close()
      }
    }
  }
]

// ---- the stores ----

async function fsHeld(dir: string): Promise<number> {
  return (await storeUsage(dir)).blocks
}

async function openFs(dir: string, pack: boolean): Promise<Opened & { store: FolderBlocks }> {
  await mkdir(dir, { recursive: true })
  return await openFolderBlocks(dir, { pack })
}

/** A partner's blocks behind a plain trustless gateway on loopback (GET /ipfs/{cid}?format=raw; no batch route). */
async function gateway(blocks: MemoryBlocks): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const m = /^\/ipfs\/([a-z0-9]+)\?format=raw$/.exec(req.url ?? '')
    const bytes = m === null || req.method !== 'GET' ? undefined : blocks.blocks.get(CID.parse(m[1]).toString())
    if (bytes === undefined) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/vnd.ipld.raw', 'content-length': bytes.length }).end(bytes)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

/** Each folder's partner, kept across reopenings as a partner would be. */
const partners = new Map<string, MemoryBlocks>()
const partnerOf = (dir: string): MemoryBlocks => {
  let p = partners.get(dir)
  if (p === undefined) {
    p = new MemoryBlocks()
    partners.set(dir, p)
  }
  return p
}

const KINDS: readonly StoreKind[] = [
  {
    name: 'MemoryBlocks',
    persistent: false,
    async open() {
      return { store: new MemoryBlocks(), close: async () => {} }
    },
    async held(_dir, opened) {
      return (opened.store as MemoryBlocks).size
    }
  },
  {
    name: 'FolderBlocks, loose files',
    persistent: true,
    async open(dir) {
      return await openFs(dir, false)
    },
    held: fsHeld,
    async packing(opened, work) {
      await (opened.store as FolderBlocks).bulk(work)
    },
    packs: countPacks
  },
  {
    name: 'FolderBlocks, packs',
    persistent: true,
    async open(dir) {
      return await openFs(dir, true)
    },
    held: fsHeld,
    async packing(_opened, work) {
      await work()
    },
    packs: countPacks
  },
  {
    name: 'UnionBlocks over two index folders',
    persistent: true,
    async open(dir) {
      const [front, back] = [await openFs(path.join(dir, 'front'), false), await openFs(path.join(dir, 'back'), false)]
      return {
        store: new UnionBlocks([front.store, back.store]),
        close: async () => {
          await front.close()
          await back.close()
        }
      }
    },
    // Writes go to the first store only.
    async held(dir) {
      return (await fsHeld(path.join(dir, 'front'))) + (await fsHeld(path.join(dir, 'back')))
    },
    async upstream(dir, cid, bytes) {
      const back = await openFs(path.join(dir, 'back'), false)
      try {
        await back.store.put(cid, bytes)
      } finally {
        await back.close()
      }
    }
  },
  {
    name: 'FetchingBlocks over an index folder and a gateway on loopback',
    persistent: true,
    async open(dir) {
      const local = await openFs(path.join(dir, 'local'), false)
      const gw = await gateway(partnerOf(dir))
      return {
        store: new FetchingBlocks(local.store, gatewayFetcher(gw.url)),
        close: async () => {
          gw.server.close()
          await local.close()
        }
      }
    },
    async held(dir) {
      return await fsHeld(path.join(dir, 'local'))
    },
    async upstream(dir, cid, bytes) {
      await partnerOf(dir).put(cid, bytes)
    }
  },
  {
    name: 'BlockstoreAdapter over blockstore-fs',
    persistent: true,
    async open(dir) {
      const fs = new FsBlockstore(dir)
      await fs.open()
      return {
        store: new BlockstoreAdapter(fs),
        close: async () => {
          await fs.close()
        }
      }
    },
    held: fsHeld
  },
  {
    name: 'BlockstoreAdapter over an index folder as helia serves it (PackedBlockstore)',
    persistent: true,
    async open(dir) {
      const disk = new PackedBlockstore(dir)
      await disk.open()
      return {
        store: new BlockstoreAdapter(disk),
        close: async () => {
          await disk.close()
        }
      }
    },
    held: fsHeld
  },
  {
    name: 'CountingBlocks over an index folder',
    persistent: true,
    async open(dir) {
      const inner = await openFs(dir, false)
      return { store: new CountingBlocks(inner.store), close: inner.close }
    },
    held: fsHeld
  }
]

for (const kind of KINDS) {
  describe(`block store conformance: ${kind.name}`, () => {
    for (const c of CASES) {
      if (c.applies !== undefined && !c.applies(kind)) continue
      it(c.name, async () => {
        await withTmp(async dir => {
          await c.run(kind, dir)
        })
      })
    }
  })
}

// ---- stores that break one rule each: every case must fail one ----

/** A store over a simulated disk (one map per folder), with a pack that close() puts in place. */
class SimStore implements BlockAccess {
  readonly disk: Map<string, Uint8Array>
  pack: Map<string, Uint8Array> | null = null
  constructor(disk: Map<string, Uint8Array>) {
    this.disk = disk
  }
  async get(cid: CID): Promise<Uint8Array | undefined> {
    return this.pack?.get(cid.toString()) ?? this.disk.get(cid.toString())
  }
  async has(cid: CID): Promise<boolean> {
    return this.pack?.has(cid.toString()) === true || this.disk.has(cid.toString())
  }
  async put(cid: CID, bytes: Uint8Array): Promise<void> {
    ;(this.pack ?? this.disk).set(cid.toString(), bytes.slice())
  }
}

type Fault = (s: SimStore) => void

const disks = new Map<string, Map<string, Uint8Array>>()

/** A persistent, packing kind over SimStore with `fault` applied to each store it opens (and `close` in place of the honest one). */
function faulty(name: string, fault: Fault, opts: { close?: (s: SimStore) => void; held?: (s: SimStore) => number; upstream?: boolean } = {}): StoreKind {
  return {
    name,
    persistent: true,
    async open(dir) {
      let disk = disks.get(dir)
      if (disk === undefined) {
        disk = new Map()
        disks.set(dir, disk)
      }
      const s = new SimStore(disk)
      fault(s)
      return {
        store: s,
        close: async () => {
          if (opts.close !== undefined) {
            opts.close(s)
            return
          }
          if (s.pack !== null) for (const [k, v] of s.pack) s.disk.set(k, v)
          s.pack = null
        }
      }
    },
    async held(_dir, opened) {
      return opts.held?.(opened.store as SimStore) ?? (opened.store as SimStore).disk.size
    },
    async packing(opened, work) {
      const s = opened.store as SimStore
      s.pack = new Map()
      await work()
    },
    ...(opts.upstream === true ? { upstream: async () => {} } : {})
  }
}

let puts = 0
const BROKEN: ReadonlyArray<[string, StoreKind]> = [
  [
    'put, then has and get find the block',
    faulty('forgets every block', s => {
      s.put = async () => {}
    })
  ],
  [
    'a block never put is absent: get gives undefined, has false, and other blocks are unaffected',
    faulty('claims to hold every block', s => {
      s.has = async () => true
    })
  ],
  [
    'a second put of the same block changes nothing and is kept once',
    faulty('keeps a copy per put', s => {
      const put = s.put.bind(s)
      s.put = async (cid, bytes) => {
        await put(cid, bytes)
        s.disk.set(`${cid.toString()}#${puts++}`, bytes)
      }
    })
  ],
  [
    'the bytes returned equal those put, as a plain Uint8Array whose slices are copies, of every size up to a few KiB',
    faulty('hands out Buffers', s => {
      const get = s.get.bind(s)
      s.get = async cid => {
        const b = await get(cid)
        return b === undefined ? b : Buffer.from(b)
      }
    })
  ],
  [
    'many puts of the same block at once, with reads among them: one block, whole',
    faulty('shows a block while it is being written', s => {
      s.put = async (cid, bytes) => {
        // Written in two halves with a wait between: a read in the middle sees half the block.
        s.disk.set(cid.toString(), bytes.slice(0, bytes.length >> 1))
        await new Promise(resolve => setImmediate(resolve))
        s.disk.set(cid.toString(), bytes.slice())
      }
    })
  ],
  [
    'blocks at the 1 MiB bound (prolly nodes, UnixFS chunks) and at the fetch limit read back whole',
    faulty('cuts blocks at 1 MiB', s => {
      const put = s.put.bind(s)
      s.put = async (cid, bytes) => {
        await put(cid, bytes.subarray(0, MiB))
      }
    })
  ],
  [
    'blocks survive closing and opening the store again',
    faulty('loses its disk on reopening', s => {
      s.disk.clear()
    })
  ],
  [
    'blocks written into a pack are in one pack, read back by the writer, and by the store opened again',
    faulty('drops its pack on close', () => {}, {
      close: s => {
        s.pack = null
      }
    })
  ],
  [
    'a bulk write of thousands of blocks, many at once: every one reads back, kept once each',
    faulty('loses writes made at the same time', s => {
      s.put = async (cid, bytes) => {
        // Copy, wait, write back: concurrent writers overwrite each other's copies.
        const next = new Map(s.disk)
        await new Promise(resolve => setImmediate(resolve))
        next.set(cid.toString(), bytes)
        s.disk.clear()
        for (const [k, v] of next) s.disk.set(k, v)
      }
    })
  ],
  [
    'a block held only beside the store (another store of a union, a partner) is read through it',
    faulty('never reads beside itself', () => {}, { upstream: true })
  ]
]

describe('block store conformance: each case fails a store that breaks its rule', () => {
  it('every case has a store that breaks it', () => {
    assert.deepEqual(BROKEN.map(([name]) => name).sort(), CASES.map(c => c.name).sort())
  })
  for (const [name, kind] of BROKEN) {
    const c = CASES.find(x => x.name === name)!
    it(`${name}: fails "${kind.name}"`, async () => {
      await withTmp(async dir => {
        await assert.rejects(c.run(kind, dir), AssertionError)
      })
    })
  }
})
