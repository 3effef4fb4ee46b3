// `canopy start` (npm start): the main job on the built-in sample crawl: ingest it, then serve the web page
// and API on 127.0.0.1 and print the address.
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { ingest } from '../../ingest/index.ts'
import { clearIndex, openIndexDir } from '../../index-core/store/index.ts'
import { IndexRegistry, buildServer } from '../../search-api/index.ts'
import { UsageError } from '../usage.ts'
import { formatSummary } from './ingest.ts'
import { storeCare } from '../../federation/maintenance/index.ts'
import { importCrawlFile } from '../../index-core/index/index.ts'
import type { CID } from 'multiformats/cid'

export const summary = 'ingest the built-in sample crawl and serve the search page on 127.0.0.1'

export const SAMPLE_CRAWL = fileURLToPath(new URL('../../ingest/sample/sample.warc.gz', import.meta.url))

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      index: { type: 'string', default: '.canopy/sample' },
      port: { type: 'string', default: process.env.PORT ?? '8080' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    process.stdout.write('canopy start [--index .canopy/sample] [--port 8080]\n')
    return 0
  }
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535')
  // The sample index is rebuilt each time: it is quick, and an index left by an older Canopy (another
  // format version) would otherwise be refused. Only the index is removed, and a folder holding anything
  // else is refused (--index may name a folder of the user's).
  await clearIndex(values.index)
  process.stdout.write(`Ingesting the sample crawl ${SAMPLE_CRAWL} into ${values.index}\n\n`)
  const s = await ingest({ inputs: [SAMPLE_CRAWL], index: values.index, institution: 'sample', care: storeCare })
  process.stdout.write(await formatSummary(s))
  // The crawl's blocks go into the index's store, as `canopy publish --crawls` adds them: replay reads its
  // records by range from there, offline.
  const dir = await openIndexDir(values.index, { write: true })
  try {
    await importCrawlFile(SAMPLE_CRAWL, {
      put: async (cid: CID, bytes: Uint8Array) => {
        await dir.blocks.store.put(cid, bytes)
        return cid
      }
    })
    await dir.blocks.store.sync()
  } finally {
    await dir.close()
  }
  const registry = await IndexRegistry.open([{ name: 'sample', kind: 'local', path: values.index }])
  const app = await buildServer({ registry, warmReplay: true })
  const address = await app.listen({ host: '127.0.0.1', port })
  process.stdout.write(
    `\nCanopy is serving the sample at ${address}/  (API: ${address}/api/v1/search?q=library, OpenAPI: ${address}/api/v1/docs)\nPress Ctrl-C to stop.\n`
  )
  await new Promise<void>(resolve => {
    process.once('SIGINT', () => {
      resolve()
    })
    process.once('SIGTERM', () => {
      resolve()
    })
  })
  await app.close()
  await registry.close()
  return 0
}
