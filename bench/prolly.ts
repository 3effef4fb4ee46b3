// Prolly tree at scale: 1,000,000 entries of 20-byte keys and 8-byte values, single thread.
// Reference engines run in the same process: SQLite's B-tree (node:sqlite, WITHOUT ROWID table, one
// transaction) for bulk build, and a full rebuild for diff and merge.
import { createHash, randomBytes } from 'node:crypto'
import { DatabaseSync } from 'node:sqlite'
import type { CID } from 'multiformats/cid'
import { compareBytes } from '../index-core/bytes.ts'
import { buildTree, diff, info, merge, mutate, NodeStore, verifyTree } from '../index-core/prolly/index.ts'
import type { Entry } from '../index-core/prolly/index.ts'
import { CountingBlocks, MemoryBlocks } from '../index-core/store/index.ts'
import type { Row, Section } from './report.ts'

function keyOf(i: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`bench-key-${i}`).digest().subarray(0, 20))
}
function valueOf(i: number, salt = 0): Uint8Array {
  const v = new Uint8Array(8)
  new DataView(v.buffer).setUint32(0, i)
  new DataView(v.buffer).setUint32(4, salt)
  return v
}

function stats(xs: number[]): { mean: number; p50: number; p99: number; max: number; min: number } {
  const s = [...xs].sort((a, b) => a - b)
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1], min: s[0] }
}

function time<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now()
  return f().then(value => ({ ms: performance.now() - t, value }))
}

/** A store over one shared memory store, with its own cold cache and counters. */
function cold(mem: MemoryBlocks): { store: NodeStore; io: CountingBlocks } {
  const io = new CountingBlocks(mem)
  return { store: new NodeStore(io), io }
}

export async function run({ quick }: { quick: boolean }): Promise<Section[]> {
  const N = quick ? 100_000 : 1_000_000
  const log = (s: string): void => {
    console.error(s)
  }
  log(`generating ${N} entries`)
  const all: Entry[] = Array.from({ length: N }, (_, i) => ({ key: keyOf(i), value: valueOf(i) }))
  all.sort((a, b) => compareBytes(a.key, b.key))

  // --- bulk build, best of 3, against SQLite inserting the same rows
  const mem = new MemoryBlocks()
  let root: CID | undefined
  const buildMs: number[] = []
  for (let r = 0; r < 3; r++) {
    const m = r === 0 ? mem : new MemoryBlocks()
    const { ms, value } = await time(async () => await buildTree(new NodeStore(m), all))
    buildMs.push(ms)
    root = value
  }
  const sqliteMs: number[] = []
  for (let r = 0; r < 3; r++) {
    const db = new DatabaseSync(':memory:')
    db.exec('CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID')
    const ins = db.prepare('INSERT INTO kv VALUES (?, ?)')
    const t = performance.now()
    db.exec('BEGIN')
    for (const e of all) ins.run(e.key, e.value)
    db.exec('COMMIT')
    sqliteMs.push(performance.now() - t)
    db.close()
  }
  const best = Math.min(...buildMs)
  const bestSql = Math.min(...sqliteMs)
  log(`build ${best.toFixed(0)} ms, sqlite ${bestSql.toFixed(0)} ms`)

  // --- shape
  const shape = await verifyTree(new NodeStore(mem), root!)
  const leaf = stats(shape.leafSizes)
  const branch = stats(shape.branchSizes)

  // --- single-key changes: blocks written per change, averaged over updates, inserts and deletes
  const changes = quick ? 300 : 1000
  let written = 0
  let base = root!
  const store = new NodeStore(mem)
  const rnd = (n: number): number => randomBytes(4).readUInt32BE() % n
  for (let c = 0; c < changes; c++) {
    const kind = c % 3
    const i = rnd(N)
    const edit =
      kind === 0 ? { key: all[i].key, value: valueOf(i, c + 1) } : kind === 1 ? { key: keyOf(N + c), value: valueOf(N + c) } : { key: all[i].key, value: null }
    const s = new NodeStore(new CountingBlocks(mem))
    const next = await mutate(s, base, [edit])
    written += s.stats.nodesWritten
    // Revert deletes and inserts so the tree stays at N entries (not counted).
    if (kind !== 0) await mutate(store, next, [kind === 1 ? { key: edit.key, value: null } : { key: all[i].key, value: all[i].value }])
    else base = next
  }
  const writesPerChange = written / changes

  // --- diff and merge of trees differing in 1% of entries (scattered, and clustered in one key range)
  const diffRows: Row[] = []
  for (const layout of ['scattered', 'clustered'] as const) {
    const k = Math.floor(N / 100)
    const changed = new Set<number>()
    if (layout === 'scattered') while (changed.size < k) changed.add(rnd(N))
    else {
      const start = rnd(N - k)
      for (let i = start; i < start + k; i++) changed.add(i)
    }
    const bEntries = all.map((e, i) => (changed.has(i) ? { key: e.key, value: valueOf(i, 99) } : e))
    const bRoot = await mutate(
      store,
      root!,
      [...changed].sort((x, y) => x - y).map(i => ({ key: all[i].key, value: valueOf(i, 99) }))
    )
    // full rebuild of b (the reference)
    const rebuild = await time(async () => await buildTree(new NodeStore(new MemoryBlocks()), bEntries))
    const d = cold(mem)
    let nChanges = 0
    const dt = await time(async () => {
      for await (const _ of diff(d.store, root!, bRoot)) nChanges++
    })
    const m = cold(mem)
    const mt = await time(async () => await merge(m.store, root!, bRoot, (_k, _a, b) => b))
    if (!mt.value.equals(bRoot)) throw new Error('merge result differs from b')
    diffRows.push({
      '1% changed': layout,
      'changes found': nChanges,
      'diff ms': dt.ms,
      'diff blocks read': d.io.blocksRead,
      'merge ms': mt.ms,
      'merge blocks read': m.io.blocksRead,
      'merge blocks written': m.store.stats.nodesWritten,
      'full rebuild ms': rebuild.ms,
      'blocks in tree': shape.nodes,
      'diff / rebuild': dt.ms / rebuild.ms,
      'merge / rebuild': mt.ms / rebuild.ms
    })
  }
  // disjoint halves (lower and upper key ranges) merged: only the seam is rebuilt
  const lo = await buildTree(new NodeStore(mem), all.slice(0, N / 2))
  const hi = await buildTree(new NodeStore(mem), all.slice(N / 2))
  const mm = cold(mem)
  const mh = await time(async () => await merge(mm.store, lo, hi, (_k, a) => a))
  if (!mh.value.equals(root!)) throw new Error('merge of halves differs from the full build')

  const depth = (await info(new NodeStore(mem), root!)).depth
  const cmd = `npm run bench -- prolly${quick ? ' --quick' : ''}`
  return [
    {
      title: `Prolly tree, ${N.toLocaleString('en-US')} entries (20-byte keys, 8-byte values), single thread`,
      command: cmd,
      rows: [
        {
          figure: 'bulk build (entries/s, best of 3)',
          canopy: Math.round(N / (best / 1000)),
          'sqlite b-tree (reference)': Math.round(N / (bestSql / 1000)),
          'canopy / sqlite': bestSql / best,
          floor: '≥ 300,000'
        },
        { figure: 'bytes stored per entry', canopy: shape.bytes / N, floor: '' },
        { figure: 'tree depth (levels)', canopy: depth, floor: '' },
        { figure: 'nodes (leaves + branches)', canopy: `${shape.leaves} + ${shape.nodes - shape.leaves}`, floor: '' },
        {
          figure: 'leaf size bytes (min / mean / p99 / max)',
          canopy: `${leaf.min} / ${Math.round(leaf.mean)} / ${leaf.p99} / ${leaf.max}`,
          floor: 'target ~4 KiB'
        },
        {
          figure: 'branch size bytes (min / mean / p99 / max)',
          canopy: `${branch.min} / ${Math.round(branch.mean)} / ${branch.p99} / ${branch.max}`,
          floor: ''
        },
        { figure: `blocks written per single-key change (mean of ${changes})`, canopy: writesPerChange, floor: `≤ 1.2 × depth = ${(1.2 * depth).toFixed(1)}` },
        {
          figure: 'merge of two disjoint halves: ms / blocks read / written',
          canopy: `${mh.ms.toFixed(1)} / ${mm.io.blocksRead} / ${mm.store.stats.nodesWritten}`,
          floor: ''
        }
      ]
    },
    {
      title: 'Diff and merge of two trees differing in 1% of entries, against a full rebuild',
      command: cmd,
      notes: [
        'Cold cache: every block read is counted. Scattered changes touch most leaves (10,000 changes over ~' +
          `${shape.leaves.toLocaleString('en-US')} leaves), so diff and merge read most of both trees; clustered changes show the cost following the difference.`
      ],
      rows: diffRows
    }
  ]
}
