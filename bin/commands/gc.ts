// `canopy gc --index <dir>`: delete the blocks nothing names (a killed build's packs, replaced versions).
import { parseArgs } from 'node:util'
import { openIndexDir } from '../../index-core/store/index.ts'
import { collectGarbage, describeGc } from '../../federation/maintenance/index.ts'
import { UsageError } from '../usage.ts'

export const summary = "delete blocks that HEAD and the refs no longer reach (a killed build's packs, replaced versions)"

const HELP = `canopy gc --index <dir> [--json]

  Keeps every block reachable from HEAD, refs/published.json, refs/partners/*.json, refs/merged/*.json and the
  published crawl files; deletes the rest: packs holding nothing reachable, loose block files, and rewrites
  packs holding some. Takes the index lock (no ingest meanwhile); searches may go on. Files Canopy did not
  make are left alone. Refuses, deleting nothing, when the index is damaged (see canopy verify).
`

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { index: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  if (values.index === undefined) throw new UsageError('--index <dir> is required\n\n' + HELP)
  const dir = await openIndexDir(values.index, { write: true })
  try {
    const r = await collectGarbage(dir)
    process.stdout.write(values.json === true ? JSON.stringify(r, null, 2) + '\n' : describeGc(r) + '\n')
  } finally {
    await dir.close()
  }
  return 0
}
