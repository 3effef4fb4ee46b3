// The layout rules of docs/decisions.md ("One public face per folder"), checked on every source file:
// - each folder of the product (index-core's six, ingest and its parts, federation and its parts, search-api
//   and replay/) has a face, index.ts, that exports by name (no `export *`) what the folder's own files offer;
//   a face shows its own folder only (a part has its own face: loading a face loads only its folder);
// - code outside a folder imports only that folder's face; index-core itself has no face (it is a namespace of
//   concept folders plus bytes.ts, varint.ts and user-error.ts, which everything may use);
// - dependencies go one way: index-core <- ingest <- federation <- search-api <- bin; the product never imports
//   test/, bench/ or tools/, and tests never import bench/;
// - tests may reach an internal file to test that mechanism itself (a unit test); bench/ and tools/ may not.

import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { posix } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const ORDER = ['index-core', 'ingest', 'federation', 'search-api', 'bin'] as const
const PRODUCT = new Set(['index-core', 'ingest', 'federation', 'search-api'])
const NO_FACE = new Set(['index-core'])

/** Every relative module specifier of a source file: static imports and re-exports, `import '…'`, `import('…')`. */
export function importsOf(source: string): string[] {
  const out: string[] = []
  const patterns = [/^\s*(?:import|export)\b[^'";]*?\bfrom\s*'([^']+)'/gm, /^\s*import\s*'([^']+)'/gm, /\bimport\(\s*'([^']+)'\s*\)/g]
  for (const re of patterns) for (const m of source.matchAll(re)) if (m[1].startsWith('./') || m[1].startsWith('../')) out.push(m[1])
  return out
}

const top = (file: string): string => file.split('/')[0]

/** The folders that must have a face: every folder of the product holding source, but index-core itself. */
function faceFolders(files: readonly string[]): Set<string> {
  const dirs = new Set<string>()
  for (const f of files) {
    if (!PRODUCT.has(top(f))) continue
    for (let d = posix.dirname(f); d !== '.'; d = posix.dirname(d)) dirs.add(d)
  }
  for (const d of NO_FACE) dirs.delete(d)
  return dirs
}

/** The folder whose face an import from `from` of `to` must go through, or null (the importer is inside it, or it has none). */
function faceBetween(from: string, to: string, faces: Set<string>): string | null {
  const dir = posix.dirname(to)
  return faces.has(dir) && !from.startsWith(`${dir}/`) ? dir : null
}

/** What breaks the layout rules in a set of source files (repository-relative path -> text), one line each. */
export function layoutViolations(sources: ReadonlyMap<string, string>): string[] {
  const files = [...sources.keys()]
  const faces = faceFolders(files)
  const out: string[] = []
  for (const dir of faces) if (!sources.has(`${dir}/index.ts`)) out.push(`${dir}/ has no face (index.ts)`)
  for (const [file, text] of sources) {
    const home = top(file)
    if (PRODUCT.has(home) && /^\s*export\s+(?:type\s+)?\*/m.test(text)) out.push(`${file}: export * (a face exports by name)`)
    if (posix.basename(file) === 'index.ts' && faces.has(posix.dirname(file)))
      for (const spec of importsOf(text)) if (!/^\.\/[^/]+$/.test(spec)) out.push(`${file} shows ${spec}: a face shows its own folder only`)
    for (const spec of importsOf(text)) {
      const target = posix.normalize(posix.join(posix.dirname(file), spec))
      const there = top(target)
      const from = ORDER.indexOf(home as (typeof ORDER)[number])
      const to = ORDER.indexOf(there as (typeof ORDER)[number])
      if (from >= 0 && to > from) out.push(`${file} imports ${target}: ${home} may not depend on ${there}`)
      if ((PRODUCT.has(home) || home === 'bin') && ['test', 'bench', 'tools'].includes(there))
        out.push(`${file} imports ${target}: the product may not depend on ${there}/`)
      if (home === 'test' && there === 'bench') out.push(`${file} imports ${target}: tests may not depend on bench/`)
      if (home === 'test') continue
      const face = faceBetween(file, target, faces)
      if (face !== null && target !== `${face}/index.ts`) out.push(`${file} imports ${target}: past the face of ${face}/`)
    }
  }
  return out
}

function repositorySources(): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (dir: string): void => {
    for (const e of readdirSync(posix.join(ROOT, dir), { withFileTypes: true })) {
      const rel = dir === '' ? e.name : `${dir}/${e.name}`
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.') && e.name !== 'web' && e.name !== 'output') walk(rel)
      } else if (/\.(ts|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.set(rel, readFileSync(posix.join(ROOT, rel), 'utf8'))
    }
  }
  for (const d of [...ORDER, 'test', 'bench', 'tools']) walk(d)
  return out
}

describe('layout', () => {
  it('the repository keeps its faces and its dependency order', () => {
    const sources = repositorySources()
    assert.ok(sources.size > 200, `only ${sources.size} source files found`)
    assert.deepEqual(layoutViolations(sources), [])
  })

  it('names each import that reaches past a face, goes against the order, or leaves a folder without a face', () => {
    const planted = new Map([
      ['index-core/prolly/index.ts', "export { build } from './build.ts'\n"],
      ['index-core/prolly/build.ts', "import { x } from '../query/search.ts'\nexport const build = 1\n"],
      ['index-core/query/index.ts', "export * from './search.ts'\n"],
      ['index-core/query/search.ts', "import { ingest } from '../../ingest/index.ts'\nexport const x = 1\n"],
      ['index-core/bytes.ts', 'export const b = 1\n'],
      ['ingest/index.ts', "export { ingest } from './pipeline.ts'\nexport { warc } from './reader/warc.ts'\n"],
      ['ingest/pipeline.ts', "import { b } from '../index-core/bytes.ts'\nimport { build } from '../index-core/prolly/index.ts'\nexport const ingest = 1\n"],
      ['ingest/reader/warc.ts', "const m = await import('../../federation/trust/keys.ts')\n"],
      ['federation/index.ts', "export { FederationError } from './federation-error.ts'\n"],
      ['federation/federation-error.ts', 'export class FederationError {}\n'],
      ['federation/trust/index.ts', "export { keys } from './keys.ts'\n"],
      [
        'federation/trust/keys.ts',
        "import { FederationError } from '../federation-error.ts'\nimport { tool } from '../../tools/make.ts'\nexport const keys = 1\n"
      ],
      ['federation/net/node.ts', "import { keys } from '../trust/keys.ts'\nimport { FederationError } from '../index.ts'\n"],
      ['bin/cli.ts', "import { keys } from '../federation/trust/index.ts'\nimport { search } from '../index-core/query/search.ts'\n"],
      ['bench/prolly.ts', "import { build } from '../index-core/prolly/build.ts'\n"],
      ['test/prolly.test.ts', "import { build } from '../index-core/prolly/build.ts'\nimport { run } from '../bench/prolly.ts'\n"]
    ])
    assert.deepEqual(layoutViolations(planted).sort(), [
      'bench/prolly.ts imports index-core/prolly/build.ts: past the face of index-core/prolly/',
      'bin/cli.ts imports index-core/query/search.ts: past the face of index-core/query/',
      'federation/net/ has no face (index.ts)',
      'federation/net/node.ts imports federation/trust/keys.ts: past the face of federation/trust/',
      'federation/trust/keys.ts imports tools/make.ts: the product may not depend on tools/',
      'index-core/prolly/build.ts imports index-core/query/search.ts: past the face of index-core/query/',
      'index-core/query/index.ts: export * (a face exports by name)',
      'index-core/query/search.ts imports ingest/index.ts: index-core may not depend on ingest',
      'ingest/index.ts imports ingest/reader/warc.ts: past the face of ingest/reader/',
      'ingest/index.ts shows ./reader/warc.ts: a face shows its own folder only',
      'ingest/reader/ has no face (index.ts)',
      'ingest/reader/warc.ts imports federation/trust/keys.ts: ingest may not depend on federation',
      'ingest/reader/warc.ts imports federation/trust/keys.ts: past the face of federation/trust/',
      'test/prolly.test.ts imports bench/prolly.ts: tests may not depend on bench/'
    ])
  })
})
