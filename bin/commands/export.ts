// `canopy export --index <dir> --out <file.car>`: the published index as a CAR file, for offline exchange.
// `canopy export --cdxj --index <dir> [--crawls <dir>]`: a CDXJ index of its captures, for pywb and other tools.
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { parseArgs } from 'node:util'
import { openInstitution, exportIndex } from '../../federation/operations/index.ts'
import { UsageError } from '../usage.ts'

export const summary = 'write the published index to a CAR file, or (--cdxj) a CDXJ index of every record of its crawl files'

const HELP = `canopy export --index <dir> --out <file.car> [--merged <name>]
canopy export --cdxj --index <dir> [--out <file.cdxj>] [--crawls <file or folder>...] [--name <name>]

  Exports the last published manifest and its index (or, if nothing was published, the index alone; with
  --merged, a combined index). Partners import it with canopy import --partner <name> or partners add --car.

  --cdxj writes a CDXJ index of every record of every crawl file the index names (responses, revisits,
  resources, metadata and requests, as pywb's and cdxj-indexer's indexers list them), sorted, in pywb's
  form: SURT key, 14-digit timestamp, then url, mime, status, digest, length, offset, filename. Each file is
  read once, its record bodies skipped (a gzip member is inflated as it streams by, never held): from the
  crawl files in --crawls (found by the names the index records, checked by size), else from the crawl
  files published into the index folder (canopy publish --crawls). Files that cannot be read are left out
  and counted.
  --name exports a combined index or a partner's instead of the folder's own. Default output: stdout.
`

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      index: { type: 'string' },
      out: { type: 'string' },
      merged: { type: 'string' },
      cdxj: { type: 'boolean' },
      crawls: { type: 'string', multiple: true },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  if (values.cdxj === true) return await cdxj(values.index, values.out, values.crawls ?? [], values.name)
  if (values.index === undefined || values.out === undefined) throw new UsageError('--index <dir> and --out <file> are required\n\n' + HELP)
  const inst = await openInstitution(values.index, { write: false })
  try {
    const s = await exportIndex(inst, values.out, { merged: values.merged })
    process.stdout.write(`wrote ${values.out}: root ${s.roots[0].toString()}, ${s.blocks} blocks, ${(s.bytes / 1e6).toFixed(2)} MB\n`)
  } finally {
    await inst.close()
  }
  return 0
}

async function cdxj(index: string | undefined, out: string | undefined, crawls: string[], name: string | undefined): Promise<number> {
  if (index === undefined) throw new UsageError('--index <dir> is required\n\n' + HELP)
  // Loaded here: the CAR export does not need the reader, the crawl reader or the registry.
  const { IndexRegistry } = await import('../../search-api/index.ts')
  const { CrawlFolders, openCdxTable, tableLines } = await import('../../federation/records/index.ts')
  const folders = await CrawlFolders.open(crawls)
  const specs = (await IndexRegistry.specsOf(index)).filter(s => (name === undefined ? s.kind === 'local' : s.name === name || s.ref === name))
  if (specs.length === 0) throw new UsageError(`${index} has no ${name === undefined ? 'index of its own' : `combined index or partner named "${name}"`}`)
  const registry = await IndexRegistry.open(specs.slice(0, 1))
  try {
    // Built in a temporary folder (an export writes nothing into the index folder) and streamed out.
    const r = await openCdxTable(registry.get().reader, folders)
    try {
      const stream = out === undefined ? process.stdout : createWriteStream(out)
      // A reader that stops early (| head) closes the pipe: stop writing, as other Unix tools do.
      // Any other write error (a full disk) is kept and thrown from here: thrown inside the 'error' listener it
      // would be an uncaught exception, a crash with a stack instead of one line.
      let closed = false
      let failed: NodeJS.ErrnoException | null = null
      const epipe = (err: NodeJS.ErrnoException): void => {
        if (err.code === 'EPIPE') closed = true
        else failed ??= err
      }
      stream.on('error', epipe)
      for await (const { line } of tableLines(r)) {
        if (failed !== null) throw failed
        if (closed) return 0
        let more = true
        // A pipe to stdout is written synchronously, so a closed one throws here rather than emitting 'error'.
        try {
          more = stream.write(line + '\n')
        } catch (err) {
          epipe(err as NodeJS.ErrnoException)
          continue
        }
        // once() rejects with the stream's error: a pipe closed while waiting for it to drain.
        if (!more) await Promise.race([once(stream, 'drain'), once(stream, 'close')]).catch(epipe)
      }
      if (failed !== null) throw failed
      if (out !== undefined) {
        stream.end()
        await once(stream, 'finish')
      }
      const left = Object.entries(r.skipped)
      process.stderr.write(
        `${r.lines} CDXJ lines from ${r.files} crawl files${out === undefined ? '' : ` written to ${out}`}` +
          (left.length === 0
            ? '\n'
            : `; left out: ${left.map(([k, v]) => `${k} ${v}`).join(', ')}\n${[...new Set(r.unread.map(u => u.message))]
                .slice(0, 10)
                .map(d => `  ${d}\n`)
                .join('')}`)
      )
      return left.length === 0 ? 0 : 1
    } finally {
      await r.remove()
    }
  } finally {
    await registry.close()
  }
}
