#!/usr/bin/env node
// The `canopy` command: one subcommand per module in ./commands.
import process from 'node:process'

interface Command { summary: string, run (argv: string[]): Promise<number> }

// Messages the user can act on (bad arguments, a locked or malformed index) print alone; anything else is
// a bug and keeps its stack.
const EXPECTED = new Set(['UsageError', 'IndexLockedError', 'NotAnIndexError', 'NotACrawlError', 'IndexFormatError', 'TreeFormatError', 'QueryError', 'SearchError', 'ENOENT',
  'FederationError', 'ManifestError', 'BlockRefusedError', 'CarError', 'IpnsError', 'NodeError', 'RefError', 'IdentityError', 'DagWalkError', 'HeadError', 'GcRefusedError',
  'PeerAddressError', 'NetworkConfigError'])

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

function usage (): string {
  return 'usage: canopy <command> [options]\n\ncommands: ' + Object.keys(COMMANDS).join(', ') +
    '\n\nRun `canopy <command> --help` for a command\'s options.\n'
}

const [name, ...rest] = process.argv.slice(2)
if (name === undefined || name === '--help' || name === '-h') {
  process.stdout.write(usage())
  process.exit(name === undefined ? 2 : 0)
}
const load = COMMANDS[name]
if (load === undefined) {
  process.stderr.write(`canopy: unknown command '${name}'\n\n${usage()}`)
  process.exit(2)
}
try {
  process.exitCode = await (await load()).run(rest)
} catch (err) {
  // Expected failures carry a message for the user; anything else is a bug and keeps its stack.
  const e = err as Error
  const code = (e as NodeJS.ErrnoException).code
  const expected = EXPECTED.has(e.name) || (code !== undefined && EXPECTED.has(code))
  process.stderr.write(`canopy ${name}: ${expected ? e.message : (e.stack ?? String(e))}\n`)
  process.exitCode = e.name === 'UsageError' ? 2 : 1
}
