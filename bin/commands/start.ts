// `canopy start` (npm start): the main job on the built-in sample crawl: ingest it, report, and show a search.
import { rm } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { ingest } from '../../ingest/pipeline.ts'
import { formatSummary } from './ingest.ts'
import { run as runSearch } from './search.ts'

export const summary = 'ingest the built-in sample crawl and run an example search'

export const SAMPLE_CRAWL = fileURLToPath(new URL('../../ingest/sample/sample.warc.gz', import.meta.url))

export async function run (argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { index: { type: 'string', default: '.canopy/sample' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help === true) { process.stdout.write('canopy start [--index .canopy/sample]\n'); return 0 }
  // The sample index is rebuilt each time: it is quick, and an index left by an older Canopy (another
  // format version) would otherwise be refused.
  await rm(values.index, { recursive: true, force: true })
  process.stdout.write(`Ingesting the sample crawl ${SAMPLE_CRAWL} into ${values.index}\n\n`)
  const s = await ingest({ inputs: [SAMPLE_CRAWL], index: values.index, institution: 'sample' })
  process.stdout.write(formatSummary(s))
  const example = '"web archive" OR preservation'
  process.stdout.write(`\nExample search: ${example}\n\n`)
  await runSearch([example, '--index', values.index, '--size', '3'])
  process.stdout.write(`\nSearch it yourself:\n  npm run canopy -- search '<query>' --index ${values.index}\n` +
    'The query language (phrases, AND/OR/NOT, title:, site:, date:2010..2015, ...) is described in README.md.\n')
  return 0
}
