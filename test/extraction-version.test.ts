// The extraction label recorded in index roots names the exact packages that shape what a page yields: the
// installed ones must be those, and package.json must pin them exactly, so that an upgrade cannot change
// documents without changing the label (and so refusing merges with indexes of the old one).
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { describe, it } from 'node:test'
import { EXTRACTION_PACKAGES, EXTRACTION_VERSION } from '../ingest/extract/version.ts'

const ROOT = new URL('..', import.meta.url)

async function json(rel: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(new URL(rel, ROOT), 'utf8')) as Record<string, unknown>
}

describe('extraction version', () => {
  it('names the installed version of every package that shapes documents, pinned exactly', async () => {
    const pkg = await json('package.json')
    const deps = pkg.dependencies as Record<string, string>
    for (const [name, version] of Object.entries(EXTRACTION_PACKAGES)) {
      assert.equal(deps[name], version, `package.json pins ${name} exactly at ${version}`)
      const installed = await json(`node_modules/${name}/package.json`)
      assert.equal(
        installed.version,
        version,
        `${name} installed is ${String(installed.version)}: change EXTRACTION_PACKAGES (and the index format's vectors) on purpose`
      )
      assert.ok(EXTRACTION_VERSION.includes(` ${name}@${version}`))
    }
  })

  it('pins exactly every dependency whose output enters an index, and what they depend on', async () => {
    const pkg = await json('package.json')
    const deps = pkg.dependencies as Record<string, string>
    const overrides = pkg.overrides as Record<string, string>
    const exact = /^\d+\.\d+\.\d+$/
    for (const name of [
      'multiformats',
      '@ipld/dag-cbor',
      '@ipld/dag-pb',
      '@helia/unixfs',
      'ipfs-unixfs-importer',
      'fflate',
      'libdeflate',
      ...Object.keys(EXTRACTION_PACKAGES)
    ]) {
      assert.match(deps[name], exact, `${name} is pinned exactly`)
    }
    for (const [name, version] of Object.entries(overrides)) {
      assert.match(version, exact, `override ${name} is exact`)
      assert.equal((await json(`node_modules/${name}/package.json`)).version, version)
    }
  })
})
