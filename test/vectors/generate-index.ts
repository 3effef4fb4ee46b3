// Prints (or with --write, rewrites) the expected index roots. Run only with an intended format change.
import { writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { ingest } from '../../ingest/index.ts'
import { INDEX_VECTORS } from './index-vectors.ts'

const out: Record<string, { root: string; documents: number }> = {}
for (const v of INDEX_VECTORS) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'canopy-vec-'))
  const s = await ingest({ inputs: v.inputs(), index: dir, workers: 2 })
  out[v.name] = { root: s.root, documents: s.stats.documents }
  await rm(dir, { recursive: true, force: true })
}
const json = JSON.stringify(out, null, 2) + '\n'
if (process.argv.includes('--write')) writeFileSync(new URL('./index.json', import.meta.url), json)
else process.stdout.write(json)
