// `canopy withdraw --url <url> | --prefix <url> --index <dir>`: take documents out of the institution's index.
import { parseArgs } from 'node:util'
import { identityName } from '../../federation/identity/index.ts'
import { openInstitution, selectionFromUrls, withdraw } from '../../federation/operations/index.ts'
import { UsageError } from '../usage.ts'

export const summary = "withdraw documents (by URL or URL prefix) from the institution's own index; republish to propagate"

const HELP = `canopy withdraw --index <dir> (--url <url> | --prefix <url>)... [--institution <name>] [--json]

  Records a tombstone for each of the institution's documents at that URL (or under that prefix): its captures
  go, and the document too when no other institution holds it. Every later merge applies the tombstones, so
  partners that merged an older version do not bring the documents back. Publish again to propagate.

  --institution <name>  whose captures to withdraw (default: the identity's name, else local)
`

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      index: { type: 'string' },
      url: { type: 'string', multiple: true },
      prefix: { type: 'string', multiple: true },
      institution: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  if (values.index === undefined) throw new UsageError('--index <dir> is required\n\n' + HELP)
  let sel
  try {
    sel = selectionFromUrls(values.url ?? [], values.prefix ?? [])
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${HELP}`)
  }
  const institution = values.institution ?? (await identityName(values.index)) ?? 'local'
  const inst = await openInstitution(values.index, { write: true, name: institution })
  try {
    const s = await withdraw(inst, institution, sel)
    if (values.json === true) process.stdout.write(JSON.stringify(s, null, 2) + '\n')
    else {
      for (const w of s.withdrawn) process.stdout.write(`withdrawn: ${w.url} (${w.docId})\n`)
      process.stdout.write(s.withdrawn.length === 0 ? `nothing of ${institution} matched\n` : `${s.withdrawn.length} documents withdrawn; index ${s.index}\n`)
    }
  } finally {
    await inst.close()
  }
  return 0
}
