// `canopy merge <partner...> --index <dir>`: one combined index from the local one and partners'.
import { parseArgs } from 'node:util'
import { openInstitution, fetchPartner, mergePartners } from '../../federation/operations/index.ts'
import type { MergeSummary } from '../../federation/operations/index.ts'
import { UsageError } from '../usage.ts'

export const summary = "merge partners' indexes (and the local one) into a combined index, deterministically"

const HELP = `canopy merge <partner...> --index <dir> [options]

  The combined root depends only on the documents, never on the order of partners or of earlier merges.

  --name <name>   name of the combined index (default: combined); serve or publish it with this name
  --no-local      leave the institution's own index out
  --institution <name>  the institution's name, fixed when its identity is created on first use (default: local)
  --head          merge shares (canopy partners add --share) into the institution's own index (HEAD) instead
                  of a combined index: an ingest split across machines, equal to one ingest of every file
  --fetch         fetch the partners' latest manifests first (as canopy fetch)
  --json          print the summary as JSON
`

/** What was refused of each partner, by reason: entries that name an institution other than the signer. */
function refusedLines(refused: MergeSummary['refused']): string {
  return refused
    .map(({ name, institution, ...counts }) => {
      const list = Object.entries(counts)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
      return list.length === 0 ? '' : `refused from ${name} (signed as ${institution}): ${list.join(', ')}\n`
    })
    .join('')
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      index: { type: 'string' },
      name: { type: 'string' },
      'no-local': { type: 'boolean' },
      head: { type: 'boolean' },
      institution: { type: 'string' },
      fetch: { type: 'boolean' },
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
    if (values.fetch === true) for (const n of positionals) await fetchPartner(inst, await inst.partners.get(n))
    const s = await mergePartners(inst, positionals, { name: values.name, local: values['no-local'] !== true, head: values.head === true })
    if (values.json === true) process.stdout.write(JSON.stringify(s, null, 2) + '\n')
    else {
      process.stdout.write(
        `combined index "${s.name}": ${s.index}\n` +
          `from: ${s.inputs.map(i => `${i.name} (${i.index})`).join(', ')}\n` +
          `${s.documents} documents; ${s.blocksFetched} blocks fetched${s.blocksStreamed > 0 ? ` (${s.blocksStreamed} of them in CAR streams)` : ''}, ${s.blocksWritten} written, ${(s.ms / 1000).toFixed(2)} s\n` +
          refusedLines(s.refused)
      )
    }
  } finally {
    await inst.close()
  }
  return 0
}
