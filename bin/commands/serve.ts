// `canopy serve --index <dir>`: the search API (on loopback unless --host says otherwise) and, with --listen
// (or a network.json that has listen addresses), the institution's libp2p node: bitswap, DHT, IPNS.
import cluster from 'node:cluster'
import { availableParallelism } from 'node:os'
import { basename, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { applyNetworkFlags, NETWORK_HELP, NETWORK_OPTIONS } from '../../federation/net/index.ts'
import { IndexRegistry, buildServer, serverLogger } from '../../search-api/index.ts'
import { checkIndexDir } from '../../index-core/store/index.ts'
import { defaultCacheBytes } from '../../index-core/query/index.ts'
import { CrawlFolders } from '../../federation/records/index.ts'
import { UsageError } from '../usage.ts'

export const summary = 'serve the search API (JSON under /api/v1) over one or more indexes'

const HELP = `canopy serve --index <dir> [--index <dir>...] [options]

  --index <dir>        an index directory (repeat for several; the first is the default, and its combined
                       indexes and fetched partners are served too, by name)
  --name <name>        the name of the --index in the same place (repeat in the same order; default: the
                       folder's name); the page and the API choose an index by it (?index=<name>)
  --host <addr>        address to bind (default 127.0.0.1)
  --port <n>           port (default 8080; 0 picks a free one)
  --replay <base>      an outside replay tool for capture links, e.g. https://webarchive.example/wayback
                       (by default captures replay in Canopy's own viewer, /view)
  --cors <origin>      allow this origin (repeatable; CORS is off by default)
  --rate-limit <n>     requests per minute per client (default 1200; 0 turns the limit off)
  --workers <n>        server processes sharing the port (default: one per core; one when admin is on,
                       since admin jobs are tracked by the process that started them, and one when the
                       libp2p node runs, since it has one peer id)
  --admin-token <t>    enables the admin routes (or CANOPY_ADMIN_TOKEN)
  --replay-origin <url>  a second name of this server (another host name or port's address, e.g.
                       http://replay.archive.example:8080) archived pages are replayed on, apart from the search
                       page, its storage and the API (what ReplayWeb.page and pywb advise); without it archived
                       pages share this origin: they cannot reach the admin token (never kept in the browser),
                       but their scripts could read the search page's storage and call the public API
  --crawl-root <dir>   the folder admin ingest may read crawls from, and replay reads crawls not published
                       with --crawls from (a file there is used once its CID is the one the index recorded)
  --crawls <dir>       crawl files (or folders of them) the CDX API (/cdx) lists every record of
                       (repeatable; crawl files published into the index folder are read without it)
  --log-json           log JSON lines (one per request or event) to stderr instead of short human lines
  --log-file <file>    append the log, as JSON lines, to this file instead of stderr

The institution's libp2p node (for the first --index folder) runs when listen addresses are set:
${NETWORK_HELP}`

/**
 * The served name of each --index: its --name, else its folder's name, made unique with a number (two
 * folders called `index` in different places are `index` and `index-2`).
 */
export function indexNames(paths: readonly string[], given: readonly string[]): string[] {
  if (given.length > paths.length)
    throw new UsageError(`${given.length} --name for ${paths.length} --index: give at most one --name per --index, in the same order`)
  const out: string[] = []
  for (let i = 0; i < paths.length; i++) {
    const name = given[i]
    if (name !== undefined) {
      if (!/^[\p{L}\p{N}._-]{1,100}$/u.test(name)) throw new UsageError(`--name ${JSON.stringify(name)}: use 1-100 letters, digits, '.', '_' or '-'`)
      if (out.includes(name)) throw new UsageError(`--name ${name} is given twice`)
      out.push(name)
      continue
    }
    const base =
      basename(resolve(paths[i]))
        .replace(/[^\p{L}\p{N}._-]/gu, '-')
        .slice(0, 90) || 'index'
    let n = base
    for (let k = 2; out.includes(n) || given.includes(n); k++) n = `${base}-${k}`
    out.push(n)
  }
  return out
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    allowNegative: true,
    options: {
      ...NETWORK_OPTIONS,
      index: { type: 'string', multiple: true },
      name: { type: 'string', multiple: true },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      replay: { type: 'string' },
      cors: { type: 'string', multiple: true },
      workers: { type: 'string' },
      'admin-token': { type: 'string' },
      'crawl-root': { type: 'string' },
      'replay-origin': { type: 'string' },
      crawls: { type: 'string', multiple: true },
      'rate-limit': { type: 'string' },
      'log-json': { type: 'boolean' },
      'log-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  if (values.index === undefined || values.index.length === 0) throw new UsageError('--index <dir> is required\n\n' + HELP)
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535')
  const adminToken = values['admin-token'] ?? process.env.CANOPY_ADMIN_TOKEN
  // Before any process is started or anything saved: a folder that is no index is one error, not one per process.
  for (const path of values.index) await checkIndexDir(path)
  const names = indexNames(values.index, values.name ?? [])
  // The primary saves the flags; workers (started with the same arguments) read the same settings.
  const { listen, announce, bootstrap, federation, amino, public: pub } = values
  const net = cluster.isPrimary ? (await applyNetworkFlags(values.index[0], { listen, announce, bootstrap, federation, amino, public: pub })).config : null
  const withNode = net !== null && net.listen.length > 0
  // Admin jobs live in the process that started them, and the node is one peer: either means one process.
  const workers = values.workers === undefined ? (adminToken === undefined && !withNode ? availableParallelism() : 1) : Number(values.workers)
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError('--workers must be 1..64')
  if (withNode && workers > 1) throw new UsageError('the libp2p node runs in one process: use --workers 1 with --listen')
  if (workers > 1 && cluster.isPrimary) {
    // One process per core, sharing the port: Node runs a query on one thread, so cores need processes.
    for (let i = 0; i < workers; i++) cluster.fork()
    let exits = 0
    let failed = false
    await new Promise<void>(resolve => {
      // Signal each worker directly: its handler closes the server and ends idle keep-alive connections.
      // (worker.kill() would first wait for the cluster disconnect, which waits for every open connection.)
      let stopping = false
      const stop = (): void => {
        stopping = true
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM')
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      // A worker ended by our own SIGTERM (before it set its handler, it dies of the signal) has not failed.
      cluster.on('exit', (_worker, code) => {
        if (code !== 0 && !stopping) failed = true
        if (++exits === workers) resolve()
      })
    })
    return failed ? 1 : 0
  }
  // The node first: the registry's and admin's federation work then uses it rather than a second node.
  const lease = withNode ? await (await import('../network.ts')).serveNode(values.index[0], net) : null
  try {
    // The first folder is the institution's: its own index, combined indexes and partners. Others: their HEADs.
    const registry = await IndexRegistry.open(
      [
        ...(await IndexRegistry.specsOf(values.index[0], names[0])),
        ...values.index.slice(1).map((path, i) => ({ name: names[i + 1], kind: 'local' as const, path }))
      ],
      defaultCacheBytes(workers)
    ).catch((err: unknown) => {
      cluster.worker?.disconnect() // else its channel to the primary keeps this failed process running
      throw err
    })
    const app = await buildServer({
      registry,
      replay: { bases: values.replay === undefined ? {} : { '*': values.replay } },
      corsOrigins: values.cors,
      rateLimit: values['rate-limit'] === undefined ? undefined : Number(values['rate-limit']),
      loggerInstance: serverLogger({ json: values['log-json'], file: values['log-file'] }),
      admin: { token: adminToken, crawlRoot: values['crawl-root'] },
      ...(values['replay-origin'] === undefined ? {} : { replayOrigin: replayOriginOf(values['replay-origin']) }),
      crawls: await CrawlFolders.open(values.crawls ?? []),
      // One process lists the crawl files for replay ahead of the first capture opened; the others find its lists on disk.
      warmReplay: cluster.isPrimary || cluster.worker?.id === 1,
      // Providers answered through the routing API offer bitswap at the node's addresses, when it runs.
      routing: { libp2pAddrs: () => lease?.node.multiaddrs ?? [] }
    })
    const address = await app.listen({ host: values.host, port })
    if (cluster.isPrimary || cluster.worker?.id === 1) {
      process.stdout.write(
        `Canopy search page at ${address}/\n` +
          `Canopy API at ${address}/api/v1/search?q=... (OpenAPI: ${address}/api/v1/openapi.json, docs: ${address}/api/v1/docs)\n` +
          `Serving ${registry
            .list()
            .map(i => `${i.name} (${i.kind})`)
            .join(', ')}\n`
      )
    }
    await new Promise<void>(resolve => {
      const stop = (): void => {
        resolve()
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    await app.close()
    await registry.close()
  } finally {
    await lease?.release()
  }
  // A worker's channel to the primary would keep it running: close it so the process can end.
  cluster.worker?.disconnect()
  return 0
}

/** --replay-origin's value, as an origin: http(s) and a host, nothing else. */
function replayOriginOf(v: string): string {
  let u: URL
  try {
    u = new URL(v)
  } catch {
    throw new UsageError(`--replay-origin ${v} is not a URL (http://replay.example:8080)`)
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.pathname !== '/' || u.search !== '')
    throw new UsageError(`--replay-origin ${v} must be an origin: http(s)://host[:port]`)
  return u.origin
}
