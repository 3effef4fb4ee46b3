// `canopy export --index <dir> --out <file.car>`: the published index as a CAR file, for offline exchange.
import { parseArgs } from 'node:util'
import { openInstitution } from '../../federation/institution.ts'
import { exportIndex } from '../../federation/operations.ts'
import { UsageError } from '../usage.ts'

export const summary = 'write the published index (manifest and every block under it) to a CAR file'

const HELP = `canopy export --index <dir> --out <file.car> [--merged <name>]

  Exports the last published manifest and its index (or, if nothing was published, the index alone; with
  --merged, a combined index). Partners import it with canopy import --partner <name> or partners add --car.
`

export async function run (argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { index: { type: 'string' }, out: { type: 'string' }, merged: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help === true) { process.stdout.write(HELP); return 0 }
  if (values.index === undefined || values.out === undefined) throw new UsageError('--index <dir> and --out <file> are required\n\n' + HELP)
  const inst = await openInstitution(values.index, { write: false })
  try {
    const s = await exportIndex(inst, values.out, { merged: values.merged })
    process.stdout.write(`wrote ${values.out}: root ${s.roots[0].toString()}, ${s.blocks} blocks, ${(s.bytes / 1e6).toFixed(2)} MB\n`)
  } finally {
    await inst.close()
  }
  return 0
}
