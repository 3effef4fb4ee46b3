// `canopy publish --index <dir>`: sign and announce the index (or a combined one), optionally serving it.
import { parseArgs } from 'node:util'
import { openInstitution } from '../../federation/institution.ts'
import { publish, soleInstitution } from '../../federation/operations.ts'
import { identityName } from '../../federation/identity.ts'
import { UsageError } from '../usage.ts'

export const summary = 'publish the index under the institution\'s signed identity (manifest + IPNS record); --serve keeps a node up'

const HELP = `canopy publish --index <dir> [options]

  --index <dir>          the institution's index directory (its data folder)
  --institution <name>   the institution's name, fixed when its identity is created on first use (default: the
                         one institution the index holds, else local)
  --merged <name>        publish the combined index <name> (made by canopy merge) instead of the local one
  --crawls <file>        also add this crawl file as UnixFS, so partners can replay its records (repeatable;
                         checked against the CID the index recorded for it)
  --serve                then serve the blocks and the IPNS record over libp2p until stopped
  --listen <multiaddr>   where to listen with --serve (default /ip4/127.0.0.1/tcp/0; loopback only)
  --json                 print the summary as JSON
`

export async function run (argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      index: { type: 'string' }, institution: { type: 'string' }, merged: { type: 'string' }, crawls: { type: 'string', multiple: true },
      serve: { type: 'boolean' }, listen: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) { process.stdout.write(HELP); return 0 }
  if (values.index === undefined) throw new UsageError('--index <dir> is required\n\n' + HELP)
  // An identity made now takes the name given, else the one institution the index holds.
  const name = values.institution ?? (await identityName(values.index) ?? await soleInstitution(values.index))
  const inst = await openInstitution(values.index, { write: true, name })
  try {
    const s = await publish(inst, { merged: values.merged, crawls: values.crawls })
    if (values.json === true) process.stdout.write(JSON.stringify(s, null, 2) + '\n')
    else {
      process.stdout.write([
        `${s.unchanged ? 'already published' : 'published'}: manifest ${s.manifest} (sequence ${s.seq}) for index ${s.index}`,
        `institution: ${s.institution}`,
        `public key (give partners this): ${s.publicKey}`,
        `IPNS name: /ipns/${s.ipnsName}`,
        ...(s.crawlFiles > 0 ? [`crawl files added: ${s.crawlFiles}`] : [])
      ].join('\n') + '\n')
    }
  } finally {
    await inst.close()
  }
  if (values.serve !== true) return 0
  const { startNode } = await import('../../federation/node.ts')
  const { loadOrCreateIdentity } = await import('../../federation/identity.ts')
  const node = await startNode({ indexDir: values.index, identity: await loadOrCreateIdentity(values.index, 'local'), listen: values.listen })
  // One line per address, flushed before anything else: scripts and tests read them to dial.
  for (const a of node.multiaddrs) process.stdout.write(`listening: ${a}\n`)
  await new Promise<void>(resolve => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await node.stop()
  return 0
}
