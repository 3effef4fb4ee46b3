// `canopy fetch [partner...] --index <dir>`: bring partners' indexes up to date (sparse unless --all).
import { parseArgs } from 'node:util'
import { openInstitution, fetchPartner } from '../../federation/operations/index.ts'
import { UsageError } from '../usage.ts'

export const summary = "fetch partners' latest signed indexes (only their roots; --all for every block)"

const HELP = `canopy fetch [partner...] --index <dir> [--all] [--json]

  Resolves each partner's newest manifest from its sources, checks its signature against the partner's key
  and that it is not older than the last one accepted, and records it. Without --all only the index's root
  blocks are fetched; searches and merges fetch the rest as they read it. No partner names: all of them.

  --all     fetch and keep every block of the partners' indexes, for offline use
  --institution <name>  the institution's name, fixed when its identity is created on first use (default: local)
`

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      index: { type: 'string' },
      institution: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  if (values.index === undefined) throw new UsageError('--index <dir> is required\n\n' + HELP)
  const inst = await openInstitution(values.index, { write: true, name: values.institution })
  try {
    const partners = positionals.length === 0 ? await inst.partners.all() : await Promise.all(positionals.map(async n => await inst.partners.get(n)))
    if (partners.length === 0) throw new UsageError('no partners to fetch (canopy partners add)')
    const out = []
    for (const p of partners) {
      const s = await fetchPartner(inst, p, { all: values.all })
      out.push(s)
      if (values.json !== true) {
        process.stdout.write(
          `${s.partner}: ${s.updated ? 'new' : 'unchanged'} manifest ${s.manifest} (seq ${s.seq}) via ${s.source}; index ${s.index}, ` +
            `${s.documents} documents; fetched ${s.blocksFetched} blocks, ${(s.bytesFetched / 1e6).toFixed(2)} MB\n`
        )
      }
    }
    if (values.json === true) process.stdout.write(JSON.stringify(out, null, 2) + '\n')
  } finally {
    await inst.close()
  }
  return 0
}
