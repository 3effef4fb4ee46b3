// The `canopy` command's subcommands (one per module in ./commands), run from ./canopy.mjs.
import process from 'node:process'

interface Command {
  summary: string
  run(argv: string[]): Promise<number>
}

import { readFile } from 'node:fs/promises'
import { UserError } from '../index-core/user-error.ts'

/** Errors of the file system that are about what the user named (a missing file, a folder not allowed). */
const FILE_ERRORS = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'ELOOP', 'ENAMETOOLONG', 'EROFS', 'ENOSPC'])

const COMMANDS: Record<string, () => Promise<Command>> = {
  demo: async () => await import('./commands/demo.ts'),
  ingest: async () => await import('./commands/ingest.ts'),
  search: async () => await import('./commands/search.ts'),
  serve: async () => await import('./commands/serve.ts'),
  start: async () => await import('./commands/start.ts'),
  publish: async () => await import('./commands/publish.ts'),
  partners: async () => await import('./commands/partners.ts'),
  fetch: async () => await import('./commands/fetch.ts'),
  merge: async () => await import('./commands/merge.ts'),
  withdraw: async () => await import('./commands/withdraw.ts'),
  export: async () => await import('./commands/export.ts'),
  import: async () => await import('./commands/import.ts'),
  gc: async () => await import('./commands/gc.ts'),
  verify: async () => await import('./commands/verify.ts')
}

/** Every command with what it does (its module's summary). */
async function usage(): Promise<string> {
  const rows = await Promise.all(Object.entries(COMMANDS).map(async ([n, load]) => `  ${n.padEnd(10)} ${(await load()).summary}`))
  return (
    'usage: canopy <command> [options]\n\n' +
    rows.join('\n') +
    "\n\nRun `canopy <command> --help` for a command's options; `canopy --version` for the version.\n"
  )
}

async function version(): Promise<string> {
  // Loaded here, not at the top: every other command would pay for them at start-up.
  const { INDEX_FORMAT } = await import('../index-core/index/index.ts')
  const { EXTRACTION_VERSION } = await import('../ingest/extract/index.ts')
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  return `canopy ${pkg.version} (index format ${INDEX_FORMAT}, ${EXTRACTION_VERSION}, Node ${process.versions.node})\n`
}

const [name, ...rest] = process.argv.slice(2)
if (name === '--version' || name === '-V') {
  process.stdout.write(await version())
  process.exit(0)
}
if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
  process.stdout.write(await usage())
  process.exit(name === undefined ? 2 : 0)
}
const load = COMMANDS[name]
if (load === undefined) {
  process.stderr.write(`canopy: unknown command '${name}'\n\n${await usage()}`)
  process.exit(2)
}
try {
  process.exitCode = await (await load()).run(rest)
} catch (err) {
  // Errors meant for the user carry their message and exit status; anything else is a bug and keeps its stack.
  const e = err as Error
  const code = (e as NodeJS.ErrnoException).code
  const usage = typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_') // node:util parseArgs: unknown option, bad value
  const forUser = e instanceof UserError || usage || (code !== undefined && FILE_ERRORS.has(code))
  const text = forUser ? e.message : (e.stack ?? String(e))
  process.stderr.write(`canopy ${name}: ${text}${usage ? ` (canopy ${name} --help lists the options)` : ''}\n`)
  process.exitCode = e instanceof UserError ? e.exitCode : usage ? 2 : 1
}
