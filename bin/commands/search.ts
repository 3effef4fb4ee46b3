// `canopy search <query> --index <dir>`: ranked search from the command line.
import { parseArgs } from 'node:util'
import { NodeStore } from '../../index-core/prolly/index.ts'
import { IndexReader, MAX_PAGE_SIZE, search } from '../../index-core/query/index.ts'
import type { SearchResult, SortOrder } from '../../index-core/query/index.ts'
import { openIndexDir } from '../../index-core/store/index.ts'
import { UsageError } from '../usage.ts'
import { terminalSafe } from '../terminal.ts'
import { Refs } from '../../federation/trust/index.ts'
import type { CID } from 'multiformats/cid'

export const summary = 'search an index (query language in the README)'

const HELP = `canopy search <query> --index <dir> [options]

  --index <dir>        index directory
  --name <name>        search the combined index of that name (canopy merge --name), or a partner's fetched
                       index, held in the directory, instead of its own
  --site, --type, --lang, --institution <value>   filters (same as site:, type:, ... in the query)
  --from, --to <date>  capture date range (YYYY, YYYY-MM or YYYY-MM-DD)
  --sort <order>       relevance (default), date-desc, date-asc
  --all-versions       list every matching document instead of one result per URL
  --captures           list every capture of each result (date, institution, file, offset, length)
  --size <n>           results per page (default 10, at most ${MAX_PAGE_SIZE})
  --cursor <c>         the next-page cursor a previous search printed
  --and                require every word (default: any word, ranked)
  --facets             count every match by site, type, language, year and institution (slower on a large
                       index; without it a relevance search reads its lists only until its page is decided,
                       and its totals are lower bounds, printed with a +)
  --exact-total        count every match, without facets
  --json               print the result as JSON
`

const plain = (html: string): string =>
  terminalSafe(html.replace(/&#(x[0-9a-fA-F]+|\d+);/g, (_, n: string) => String.fromCodePoint(Number(n.startsWith('x') ? '0' + n : n))))
    .replace(/<mark>/g, '\u001b[1m')
    .replace(/<\/mark>/g, '\u001b[0m')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')

function format(r: SearchResult, color: boolean): string {
  const strip = (s: string): string => (color ? plain(s) : plain(s).replace(/\u001b\[[01]m/g, ''))
  const t = terminalSafe
  const more = r.totalRelation === 'gte' ? '+' : ''
  const lines = [
    `${r.total}${more} document${r.total === 1 && more === '' ? '' : 's'} at ${r.totalUrls}${more} URL${r.totalUrls === 1 && more === '' ? '' : 's'} (${r.tookMs.toFixed(1)} ms, ${r.io.blocksRead} blocks / ${r.io.bytesRead} bytes read)`,
    ''
  ]
  for (const [i, h] of r.hits.entries()) {
    lines.push(`${i + 1}. ${strip(h.titleHtml) || '(untitled)'}`)
    lines.push(`   ${t(h.url)}`)
    lines.push(`   ${strip(h.snippet)}`)
    const dates = h.captureDates.map(d => d.slice(0, 10))
    lines.push(
      `   ${h.captureCount} capture${h.captureCount === 1 ? '' : 's'} ${dates.length > 4 ? `${dates[0]} … ${dates[dates.length - 1]}` : dates.join(', ')} · ${t(h.mime)} · ${t(h.lang ?? '?')} · ${t(h.institutions.join(', '))} · score ${h.score.toFixed(3)}`
    )
    for (const c of h.captures ?? []) lines.push(`     ${c.timestamp} ${c.type} ${t(c.institution)} ${t(c.file)} @${c.offset}+${c.length} ${t(c.url)}`)
    lines.push('')
  }
  if (r.facets !== null) {
    for (const [name, values] of Object.entries(r.facets)) {
      if (values.length > 0)
        lines.push(
          `${name}: ${values
            .slice(0, 8)
            .map(v => `${t(String(v.value))} (${v.count})`)
            .join(', ')}`
        )
    }
  }
  if (r.nextCursor !== null) lines.push('', `next page: --cursor ${r.nextCursor}`)
  return lines.join('\n') + '\n'
}

/** A combined index's root, else a partner's last fetched one, by name. */
async function namedIndex(indexDir: string, name: string): Promise<CID> {
  const refs = new Refs(indexDir)
  const root = (await refs.merged(name))?.index ?? (await refs.partner(name))?.index
  if (root === undefined) throw new UsageError(`${indexDir} has no combined index or partner named "${name}"`)
  return root
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      index: { type: 'string' },
      name: { type: 'string' },
      site: { type: 'string' },
      type: { type: 'string' },
      lang: { type: 'string' },
      institution: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      sort: { type: 'string' },
      size: { type: 'string' },
      cursor: { type: 'string' },
      'all-versions': { type: 'boolean' },
      captures: { type: 'boolean' },
      and: { type: 'boolean' },
      facets: { type: 'boolean' },
      'exact-total': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  if (values.index === undefined) throw new UsageError('--index <dir> is required\n\n' + HELP)
  if (positionals.length === 0) throw new UsageError('give a query\n\n' + HELP)
  const size = values.size === undefined ? undefined : Number(values.size)
  if (size !== undefined && (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE)) throw new UsageError(`--size must be 1..${MAX_PAGE_SIZE}`)
  const sort = (values.sort ?? 'relevance') as SortOrder
  if (!['relevance', 'date-desc', 'date-asc'].includes(sort)) throw new UsageError('--sort must be relevance, date-desc or date-asc')
  const dir = await openIndexDir(values.index, { write: false })
  try {
    const head = values.name === undefined ? await dir.head() : await namedIndex(values.index, values.name)
    if (head === null) throw new UsageError(`${values.index} holds no index yet: run canopy ingest first`)
    const reader = await IndexReader.open(new NodeStore(dir.blocks.store), head)
    const r = await search(reader, {
      q: positionals.join(' '),
      defaultOperator: values.and === true ? 'and' : 'or',
      filters: { site: values.site, type: values.type, lang: values.lang, institution: values.institution, from: values.from, to: values.to },
      sort,
      group: values['all-versions'] !== true,
      pageSize: size,
      cursor: values.cursor ?? null,
      allCaptures: values.captures === true,
      // As the web page asks first: the page of results alone, which early termination serves without reading
      // whole lists; facets (and exact totals) only when asked.
      facets: values.facets === true,
      exactTotal: values['exact-total'] === true
    })
    process.stdout.write(values.json === true ? JSON.stringify(r, null, 2) + '\n' : format(r, process.stdout.isTTY))
    return 0
  } finally {
    await dir.close()
  }
}
