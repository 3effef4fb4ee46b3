// `canopy serve --index <dir>`: the search API on loopback.
import { parseArgs } from 'node:util'
import { IndexRegistry } from '../../search-api/registry.ts'
import { buildServer } from '../../search-api/server.ts'
import { UsageError } from '../usage.ts'

export const summary = 'serve the search API (JSON under /api/v1) over one or more indexes'

const HELP = `canopy serve --index <dir> [--index <dir>...] [options]

  --index <dir>        an index directory (repeat for several; the first is the default)
  --host <addr>        address to bind (default 127.0.0.1)
  --port <n>           port (default 8080; 0 picks a free one)
  --replay <base>      replay base for capture links, e.g. https://webarchive.example/wayback
  --cors <origin>      allow this origin (repeatable; CORS is off by default)
`

export async function run (argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      index: { type: 'string', multiple: true }, host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '8080' },
      replay: { type: 'string' }, cors: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) { process.stdout.write(HELP); return 0 }
  if (values.index === undefined || values.index.length === 0) throw new UsageError('--index <dir> is required\n\n' + HELP)
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535')
  const registry = await IndexRegistry.open(values.index.map((path, i) => ({ name: i === 0 ? 'local' : `index-${i}`, kind: 'local' as const, path })))
  const app = await buildServer({ registry, replay: { bases: values.replay === undefined ? {} : { '*': values.replay } }, corsOrigins: values.cors, logger: true })
  const address = await app.listen({ host: values.host, port })
  process.stdout.write(`Canopy API at ${address}/api/v1/search?q=... (OpenAPI: ${address}/api/v1/openapi.json, docs: ${address}/api/v1/docs)\n`)
  await new Promise<void>(resolve => {
    const stop = (): void => { resolve() }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await app.close()
  await registry.close()
  return 0
}
