// `canopy gc`: a crashed build's packs go, the index shrinks to exactly what HEAD and the refs reach and
// answers the same searches; partners' (sparse) and combined indexes survive; files Canopy did not make stay.
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { openIndexDir } from '../index-core/store/index.ts'
import { PackReader, PackWriter } from '../index-core/store/pack-file.ts'
import { isPackName, looseMultihash } from '../index-core/store/sweep.ts'
import { walkDag } from '../federation/blocks/index.ts'
import { Refs } from '../federation/trust/index.ts'
import { markReachable, multihashKey, namedRoots } from '../federation/maintenance/reachable.ts'
import { warc, withTmp } from './helpers.ts'

const run = promisify(execFile)
const CLI = new URL('../bin/canopy.mjs', import.meta.url).pathname
const SMALL = warc('webrecorder__warcio')
const LARGER = warc('netarchivesuite__jwat')
const OTHER = warc('netarchivesuite__jwat/jwat-common__src__test__resources__test-utf8.warc')

/** A search's answer without its timings and I/O counts. */
const answer = (json: string): unknown => {
  const { tookMs: _t, io: _io, ...rest } = JSON.parse(json) as Record<string, unknown>
  return rest
}

const canopy = async (...args: string[]): Promise<string> => (await run(process.execPath, [CLI, ...args], { maxBuffer: 16 << 20 })).stdout

/** Every block the folder holds (packs and loose files), by multihash. */
function held(index: string): Set<string> {
  const blocks = path.join(index, 'blocks')
  const out = new Set<string>()
  for (const e of readdirSync(blocks, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue
    if (isPackName(e.name) && e.parentPath === path.join(blocks, 'packs')) {
      const p = PackReader.open(path.join(e.parentPath, e.name))
      for (const mh of p.multihashes()) out.add(multihashKey(mh))
      p.close()
    } else {
      const mh = looseMultihash(path.basename(e.parentPath), e.name)
      if (mh !== null) out.add(multihashKey(mh))
    }
  }
  return out
}

async function reachable(index: string): Promise<Set<string>> {
  const d = await openIndexDir(index, { write: false })
  try {
    const r = await markReachable(d.blocks.store, await namedRoots(index, await d.head()))
    assert.equal(r.missing.length, 0)
    return r.keys
  } finally {
    await d.close()
  }
}

async function block(value: unknown): Promise<{ cid: CID; bytes: Uint8Array }> {
  const bytes = dagCbor.encode(value)
  return { cid: CID.createV1(dagCbor.code, await sha256.digest(bytes)), bytes }
}

/** Copies the blocks under `root` from one index folder to another as loose files, skipping `skip` of them. */
async function copyBlocks(from: string, to: string, root: CID, keepEvery = 1): Promise<number> {
  const src = await openIndexDir(from, { write: false })
  const dst = await openIndexDir(to, { write: true })
  let n = 0
  try {
    await walkDag(src.blocks.store, [root], async (cid, bytes) => {
      if (n++ % keepEvery === 0) await dst.blocks.store.put(cid, bytes)
    })
  } finally {
    await src.close()
    await dst.close()
  }
  return n
}

describe('canopy gc', { timeout: 300_000 }, () => {
  it("takes an index with a crashed build's packs back to exactly its reachable set; searches answer the same", async () => {
    await withTmp(async tmp => {
      const index = path.join(tmp, 'idx')
      await canopy('ingest', SMALL, '--index', index, '--workers', '2')
      const alive = await reachable(index)
      const search = await canopy('search', 'example', '--index', index, '--json')
      assert.deepEqual(held(index), alive, 'a fresh index holds only what it reaches')
      // A build killed with SIGKILL once some of its packs are written: they are named by nothing.
      const packsDir = path.join(index, 'blocks', 'packs')
      const before = new Set(readdirSync(packsDir))
      const child = spawn(process.execPath, [CLI, 'ingest', LARGER, '--index', index, '--workers', '2'], { stdio: 'ignore' })
      const exited = new Promise<NodeJS.Signals | null>(resolve =>
        child.on('exit', (_c, signal) => {
          resolve(signal)
        })
      )
      let seen = 0
      const watcher = watch(packsDir, (_e, name) => {
        if (name?.endsWith('.pack') === true && !before.has(name) && ++seen === 3) child.kill('SIGKILL')
      })
      assert.equal(await exited, 'SIGKILL')
      watcher.close()
      // And a pack holding one live block beside dead ones (a rewrite keeps the live one), and a dead loose block.
      const live = await openIndexDir(index, { write: false })
      const head = (await live.head())!
      const headBytes = (await live.blocks.store.get(head))!
      await live.close()
      const w = new PackWriter(packsDir)
      w.add(head.multihash.bytes, headBytes)
      for (let i = 0; i < 3; i++) {
        const b = await block({ dead: i })
        w.add(b.cid.multihash.bytes, b.bytes)
      }
      w.commit()
      const d = await openIndexDir(index, { write: false })
      const dead = await block({ dead: 'loose' })
      await d.blocks.store.put(dead.cid, dead.bytes)
      await d.close()
      assert.ok(held(index).size > alive.size + 4, 'the crash and the extra packs left garbage')
      await new Promise(resolve => setTimeout(resolve, 150)) // past gc's margin for files written as it starts

      const out = await canopy('gc', '--index', index)
      assert.match(out, /^gc: freed \d+\.\d\d MB \(\d+ packs deleted, 1 rewritten, 1 loose blocks removed\); the index holds \d+ reachable blocks/)
      assert.deepEqual(held(index), alive, 'the folder holds exactly the reachable blocks')
      assert.deepEqual(answer(await canopy('search', 'example', '--index', index, '--json')), answer(search))
      assert.match(await canopy('verify', '--index', index), /^ok: /)
      assert.match(await canopy('gc', '--index', index), /^gc: freed 0\.00 MB \(0 packs deleted, 0 rewritten, 0 loose blocks removed\)/)
    })
  })

  it("a writer that finds a killed run's leftovers collects its garbage before it starts", async () => {
    await withTmp(async tmp => {
      const index = path.join(tmp, 'idx')
      await canopy('ingest', SMALL, '--index', index, '--workers', '2')
      const packsDir = path.join(index, 'blocks', 'packs')
      const before = new Set(readdirSync(packsDir))
      const child = spawn(process.execPath, [CLI, 'ingest', LARGER, '--index', index, '--workers', '2'], { stdio: 'ignore' })
      const exited = new Promise<NodeJS.Signals | null>(resolve =>
        child.on('exit', (_c, signal) => {
          resolve(signal)
        })
      )
      const watcher = watch(packsDir, (_e, name) => {
        if (name?.endsWith('.pack') === true && !before.has(name)) child.kill('SIGKILL')
      })
      assert.equal(await exited, 'SIGKILL')
      watcher.close()
      const orphans = readdirSync(packsDir).filter(n => isPackName(n) && !before.has(n))
      assert.ok(orphans.length > 0)
      await new Promise(resolve => setTimeout(resolve, 150))
      const out = await canopy('ingest', OTHER, '--index', index, '--workers', '2')
      assert.match(out, /a crashed run's leftovers were found; gc: freed \d+\.\d\d MB \([1-9]\d* packs deleted/)
      for (const n of orphans) assert.ok(!existsSync(path.join(packsDir, n)), `the killed run's pack ${n} is gone`)
    })
  })

  it("keeps partners' sparse indexes, combined indexes and files it did not make", async () => {
    await withTmp(async tmp => {
      const index = path.join(tmp, 'idx')
      const partner = path.join(tmp, 'partner')
      const other = path.join(tmp, 'other')
      await canopy('ingest', SMALL, '--index', index, '--workers', '2')
      await canopy('ingest', OTHER, '--index', partner, '--workers', '2', '--institution', 'partner')
      await canopy('ingest', warc('webrecorder__warcio/test__data__example-digest.warc'), '--index', other, '--workers', '2', '--institution', 'other')
      const pRoot = CID.parse(readHead(partner))
      const oRoot = CID.parse(readHead(other))
      // The partner's index held sparsely (every other block), the combined one whole; their manifests loose.
      const copied = await copyBlocks(partner, index, pRoot, 2)
      await copyBlocks(other, index, oRoot)
      const manifest = await block({ manifest: { canopy: 'manifest', index: pRoot }, signature: new Uint8Array(64) })
      const d = await openIndexDir(index, { write: true })
      await d.blocks.store.put(manifest.cid, manifest.bytes)
      await d.close()
      const refs = new Refs(index)
      await refs.setPartner('p', { manifest: manifest.cid, seq: 1, index: pRoot, publicKey: 'AAAA' })
      await refs.setMerged('m', { index: oRoot, sources: [manifest.cid] })
      // Files Canopy did not make, in places it writes.
      const foreign = [
        path.join(index, 'blocks', 'README.txt'),
        path.join(index, 'blocks', 'packs', 'mine.pack'),
        path.join(index, 'blocks', 'AB', 'not-a-block.data'),
        path.join(index, 'blocks', 'notes', 'x.data')
      ]
      for (const f of foreign) {
        mkdirSync(path.dirname(f), { recursive: true })
        writeFileSync(f, 'keep me')
      }
      const dead = await block({ dead: 'loose' })
      const d2 = await openIndexDir(index, { write: true })
      await d2.blocks.store.put(dead.cid, dead.bytes)
      await d2.close()
      const alive = await reachable(index)
      assert.ok(copied > 2 && alive.has(multihashKey(pRoot.multihash.bytes)) && alive.has(multihashKey(oRoot.multihash.bytes)))
      await new Promise(resolve => setTimeout(resolve, 150))

      assert.match(await canopy('gc', '--index', index), /1 loose blocks removed/)
      assert.deepEqual(held(index), alive, 'every block of the partner and combined indexes held is kept; the dead one is gone')
      for (const f of foreign) assert.ok(existsSync(f), `${f} stays`)
      assert.match(await canopy('verify', '--index', index), /^ok: .* blocks of partners' sparse indexes/)
    })
  })
})

function readHead(index: string): string {
  return readFileSync(path.join(index, 'HEAD'), 'utf8').trim()
}
