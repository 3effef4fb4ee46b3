// `canopy publish --index <dir>`: sign and announce the index (or a combined one), optionally serving it.
import { parseArgs } from 'node:util'
import { openInstitution, publish, soleInstitution } from '../../federation/operations/index.ts'
import { applyNetworkFlags, NETWORK_HELP, NETWORK_OPTIONS } from '../../federation/net/index.ts'
import { identityName } from '../../federation/identity/index.ts'
import { UsageError } from '../usage.ts'

export const summary = "publish the index under the institution's signed identity (manifest + IPNS record); --serve keeps a node up"

const HELP = `canopy publish --index <dir> [options]

  --index <dir>          the institution's index directory (its data folder)
  --institution <name>   the institution's name, fixed when its identity is created on first use (default: the
                         one institution the index holds, else local)
  --merged <name>        publish the combined index <name> (made by canopy merge) instead of the local one
  --crawls <file>        also add this crawl file as UnixFS, so partners can replay its records (repeatable;
                         checked against the CID the index recorded for it)
  --serve                then serve the blocks and the IPNS record over libp2p until stopped (where
                         network.json or --listen says; with neither, on an ephemeral port of 127.0.0.1)
  --json                 print the summary as JSON

With --serve:
${NETWORK_HELP}`

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    allowNegative: true,
    options: {
      index: { type: 'string' },
      institution: { type: 'string' },
      merged: { type: 'string' },
      crawls: { type: 'string', multiple: true },
      serve: { type: 'boolean' },
      ...NETWORK_OPTIONS,
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  if (values.index === undefined) throw new UsageError('--index <dir> is required\n\n' + HELP)
  const { index, json, help: _help, institution, merged, crawls, serve, ...flags } = values
  if (serve !== true && Object.values(flags).some(v => v !== undefined)) throw new UsageError('network options need --serve')
  // An identity made now takes the name given, else the one institution the index holds.
  const name = institution ?? (await identityName(index)) ?? (await soleInstitution(index))
  const inst = await openInstitution(index, { write: true, name })
  try {
    const s = await publish(inst, { merged, crawls })
    if (json === true) process.stdout.write(JSON.stringify(s, null, 2) + '\n')
    else {
      process.stdout.write(
        [
          `${s.unchanged ? 'already published' : 'published'}: manifest ${s.manifest} (sequence ${s.seq}) for index ${s.index}`,
          `institution: ${s.institution}`,
          `public key (give partners this): ${s.publicKey}`,
          `IPNS name: /ipns/${s.ipnsName}`,
          ...(s.crawlFiles > 0 ? [`crawl files added: ${s.crawlFiles}`] : [])
        ].join('\n') + '\n'
      )
    }
  } finally {
    await inst.close()
  }
  if (serve !== true) return 0
  const { serveNode } = await import('../network.ts')
  const { config } = await applyNetworkFlags(index, flags)
  const lease = await serveNode(index, config.listen.length > 0 ? config : { ...config, listen: ['/ip4/127.0.0.1/tcp/0'] })
  await new Promise<void>(resolve => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await lease.release()
  return 0
}
