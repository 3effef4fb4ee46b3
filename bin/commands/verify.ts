// `canopy verify --index <dir>`: check every block and tree the index names; exit 1 when anything is damaged.
import { parseArgs } from 'node:util'
import { verifyIndexDir } from '../../federation/maintenance/index.ts'
import { UsageError } from '../usage.ts'

export const summary = 'check every block reachable from HEAD and the refs against its CID and the index format'

const HELP = `canopy verify --index <dir> [--json]

  Reads every block reachable from HEAD, refs/published.json, refs/partners/*.json and refs/merged/*.json,
  checks each against its CID and every tree of the index against the format, and every pack's framing.
  Prints what is damaged, one line each, and exits 1; exits 0 with the count of blocks checked when sound.
  Blocks of partners' sparse indexes that were never fetched are counted, not damage. Read-only.
`

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { index: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  if (values.index === undefined) throw new UsageError('--index <dir> is required\n\n' + HELP)
  const r = await verifyIndexDir(values.index)
  if (values.json === true) process.stdout.write(JSON.stringify(r, null, 2) + '\n')
  else if (r.damage.length > 0) for (const d of r.damage) process.stderr.write(`canopy verify: ${d}\n`)
  else {
    const sparse = r.notHeld > 0 ? `; ${r.notHeld} blocks of partners' sparse indexes or unpublished crawl files not held here` : ''
    process.stdout.write(`ok: ${r.blocks} blocks checked (${(r.bytes / 1e6).toFixed(2)} MB), no damage${sparse}\n`)
  }
  return r.damage.length > 0 ? 1 : 0
}
