// `canopy import <file.car> --index <dir> [--partner <name>]`: blocks from a CAR file, every one verified.
import { parseArgs } from 'node:util'
import { openInstitution, importIndex } from '../../federation/operations/index.ts'
import { UsageError } from '../usage.ts'

export const summary = "import a CAR file (a partner's exported index) with every block and the manifest verified"

const HELP = `canopy import <file.car> --index <dir> [--partner <name>] [--json]

  --partner <name>  the CAR is that partner's publication: its manifest must be signed by the partner's key and
                    not older than the last accepted; it becomes the partner's latest (as canopy fetch)
`

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { index: { type: 'string' }, partner: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }
  })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  if (values.index === undefined || positionals.length !== 1) throw new UsageError('give one CAR file and --index <dir>\n\n' + HELP)
  const inst = await openInstitution(values.index, { write: true })
  try {
    const partner = values.partner === undefined ? undefined : await inst.partners.get(values.partner)
    const s = await importIndex(inst, positionals[0], partner)
    process.stdout.write(
      values.json === true
        ? JSON.stringify(s, null, 2) + '\n'
        : 'roots' in s
          ? `imported ${s.blocks} blocks (${s.written} new), roots ${s.roots.map(r => r.toString()).join(', ')}\n`
          : `${s.partner}: manifest ${s.manifest} (seq ${s.seq}), index ${s.index}, ${s.documents} documents\n`
    )
  } finally {
    await inst.close()
  }
  return 0
}
