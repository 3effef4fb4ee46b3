// `canopy partners add|list|remove`: the partners an institution follows.
import { parseArgs } from 'node:util'
import { PartnerList, Refs } from '../../federation/trust/index.ts'
import type { PartnerSource } from '../../federation/trust/index.ts'
import { UsageError } from '../usage.ts'

export const summary = 'add, list or remove partners (name, public key, and where their index is found)'

const HELP = `canopy partners add <name> --key <base64> [--addr <multiaddr>] [--gateway <url>] [--car <file>] [--share] --index <dir>
canopy partners list --index <dir> [--json]
canopy partners remove <name> --index <dir>

  --key <base64>      the partner's Ed25519 public key (printed by its canopy publish)
  --addr <multiaddr>  its libp2p address, e.g. /ip4/192.0.2.7/tcp/4001/p2p/<peer id> (repeatable)
                      With none of --addr, --gateway, --car the partner is found from its key alone, through
                      the federation's DHT (see --bootstrap in canopy serve --help).
  --gateway <url>     an IPFS trustless gateway serving its blocks, e.g. its canopy serve (repeatable)
  --car <file>        a CAR file it exported (repeatable)
  --share             not a partner but a machine of this institution that ingests a share of its crawls
                      under a key of its own: its captures must name this institution; canopy merge --head
                      makes the shares (and the local index) this institution's own index
`

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      index: { type: 'string' },
      key: { type: 'string' },
      addr: { type: 'string', multiple: true },
      gateway: { type: 'string', multiple: true },
      car: { type: 'string', multiple: true },
      share: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  const [verb, name] = positionals
  if (values.index === undefined) throw new UsageError('--index <dir> is required\n\n' + HELP)
  const list = new PartnerList(values.index)
  if (verb === 'add') {
    if (name === undefined || values.key === undefined) throw new UsageError('partners add needs a name and --key\n\n' + HELP)
    const sources: PartnerSource[] = [
      ...(values.addr ?? []).map(addr => ({ kind: 'libp2p' as const, addr })),
      ...(values.gateway ?? []).map(url => ({ kind: 'gateway' as const, url })),
      ...(values.car ?? []).map(path => ({ kind: 'car' as const, path }))
    ]
    await list.put({ name, publicKey: values.key, sources, ...(values.share === true ? { share: true } : {}) })
    const what = values.share === true ? 'share' : 'partner'
    process.stdout.write(
      sources.length > 0 ? `${what} ${name} saved with ${sources.length} source(s)\n` : `${what} ${name} saved: found by its key through the DHT\n`
    )
    return 0
  }
  if (verb === 'remove') {
    if (name === undefined) throw new UsageError('partners remove needs a name')
    process.stdout.write((await list.remove(name)) ? `partner ${name} removed\n` : `no partner named ${name}\n`)
    return 0
  }
  if (verb === 'list' || verb === undefined) {
    const refs = new Refs(values.index)
    const rows = await Promise.all((await list.all()).map(async p => ({ ...p, latest: await refs.partner(p.name) })))
    if (values.json === true) {
      process.stdout.write(JSON.stringify(rows, null, 2) + '\n')
      return 0
    }
    for (const r of rows) {
      const src = r.sources.length === 0 ? 'dht' : r.sources.map(s => (s.kind === 'libp2p' ? s.addr : s.kind === 'gateway' ? s.url : s.path)).join(', ')
      const latest = r.latest === null ? 'not fetched yet' : `manifest ${r.latest.manifest.toString()} (seq ${r.latest.seq})`
      process.stdout.write(`${r.name}\tkey ${r.publicKey}\t${src}\t${latest}\n`)
    }
    if (rows.length === 0) process.stdout.write('no partners yet (canopy partners add)\n')
    return 0
  }
  throw new UsageError(`unknown partners command "${verb}"\n\n` + HELP)
}
