// Prints (or with --write, rewrites) the expected roots of the golden vectors. Run only when a format
// change is intended, together with a PROLLY_FORMAT bump.
import { writeFileSync } from 'node:fs'
import { buildTree, info, NodeStore } from '../../index-core/prolly/index.ts'
import { MemoryBlocks } from '../../index-core/store/index.ts'
import { VECTORS } from './prolly-vectors.ts'

const out: Record<string, { root: string; entries: number; depth: number }> = {}
for (const v of VECTORS) {
  const store = new NodeStore(new MemoryBlocks())
  const root = await buildTree(store, v.entries(), v.cfg)
  const i = await info(store, root)
  out[v.name] = { root: root.toString(), entries: i.count, depth: i.depth }
}
const json = JSON.stringify(out, null, 2) + '\n'
if (process.argv.includes('--write')) writeFileSync(new URL('./prolly.json', import.meta.url), json)
else process.stdout.write(json)
