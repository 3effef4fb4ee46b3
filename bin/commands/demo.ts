// `canopy demo`: builds a prolly tree on disk from generated data and exercises it, to show what the
// index core does before any crawl is ingested.
import { rm } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { compareBytes, fromUtf8, utf8 } from '../../index-core/bytes.ts'
import { buildTree, count, diff, entries, get, info, merge, mutate, NodeStore, verifyTree } from '../../index-core/prolly/index.ts'
import type { Entry } from '../../index-core/prolly/index.ts'
import { openFolderBlocks } from '../../index-core/store/index.ts'

export const summary = 'build and query a demo prolly tree on disk'

const WORDS: readonly string[] = [
  'archive',
  'crawl',
  'capture',
  'replay',
  'record',
  'harvest',
  'collection',
  'seed',
  'scope',
  'frontier',
  'wayback',
  'snapshot',
  'mirror',
  'heritage',
  'library',
  'museum',
  'memory',
  'digital',
  'preserve',
  'access'
]

function wordFor(i: number, salt: string): string {
  return WORDS[(i * 7 + salt.length) % WORDS.length]
}

function sampleEntries(n: number, salt: string): Entry[] {
  const out: Entry[] = []
  for (let i = 0; i < n; i++) {
    const w = wordFor(i, salt)
    out.push({ key: utf8(`${w}/${salt}/${String(i).padStart(6, '0')}`), value: utf8(`doc ${i} from ${salt}`) })
  }
  return out.sort((a, b) => compareBytes(a.key, b.key))
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { dir: { type: 'string', default: '.canopy/demo' }, entries: { type: 'string', default: '50000' }, help: { type: 'boolean' } }
  })
  if (values.help === true) {
    process.stdout.write('canopy demo [--dir .canopy/demo] [--entries 50000]\n')
    return 0
  }
  const n = Number(values.entries)
  await rm(values.dir, { recursive: true, force: true })
  const disk = await openFolderBlocks(values.dir)
  try {
    const store = new NodeStore(disk.store)
    const say = (s: string): void => {
      process.stdout.write(s + '\n')
    }
    let t = performance.now()
    const a = await buildTree(store, sampleEntries(n, 'library-a'))
    const b = await buildTree(store, sampleEntries(n, 'library-b'))
    say(`built two trees of ${n} entries each in ${(performance.now() - t).toFixed(0)} ms (blocks in ${values.dir})`)
    say(`  library-a root ${a.toString()}`)
    say(`  library-b root ${b.toString()}`)
    t = performance.now()
    const ab = await merge(store, a, b, (_k, x) => x)
    const ba = await merge(store, b, a, (_k, x) => x)
    const shape = await verifyTree(store, ab)
    say(`merged in ${(performance.now() - t).toFixed(0)} ms: ${shape.entries} entries, depth ${shape.depth}, ${shape.nodes} blocks`)
    say(`  a+b root ${ab.toString()}`)
    say(`  b+a root ${ba.toString()} (${ab.equals(ba) ? 'same: merge order does not matter' : 'DIFFERENT'})`)
    const probe = utf8(`${wordFor(11, 'library-b')}/library-b/000011`)
    const v = await get(store, ab, probe)
    say(`get ${fromUtf8(probe)} -> ${v === undefined ? '(absent)' : fromUtf8(v)}`)
    say(`count prefix "wayback/" -> ${await count(store, ab, { prefix: utf8('wayback/') })}`)
    const first: string[] = []
    for await (const e of entries(store, ab, { prefix: utf8('seed/library-a/') })) {
      first.push(fromUtf8(e.key))
      if (first.length === 3) break
    }
    say(`first keys under "seed/library-a/": ${first.join(', ')}`)
    const edited = await mutate(store, ab, [{ key: utf8('archive/library-z/000001'), value: utf8('late addition') }])
    let changes = 0
    for await (const _ of diff(store, ab, edited)) changes++
    const rebuilt = await buildTree(
      store,
      [...sampleEntries(n, 'library-a'), ...sampleEntries(n, 'library-b'), { key: utf8('archive/library-z/000001'), value: utf8('late addition') }].sort(
        (x, y) => compareBytes(x.key, y.key)
      )
    )
    say(`one insert: diff finds ${changes} change; root ${edited.equals(rebuilt) ? 'equals' : 'DIFFERS FROM'} a fresh build of the same entries`)
    say(`tree info: ${JSON.stringify(await info(store, edited))}`)
    return ab.equals(ba) && edited.equals(rebuilt) ? 0 : 1
  } finally {
    await disk.close()
  }
}
