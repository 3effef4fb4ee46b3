// Trust bound to keys: a partner that signs its own manifest but writes another institution's name into its
// index (captures "of KB", a tombstone withdrawing one of KB's pages) has those entries refused and counted,
// and the combined index is exactly what it would be without them; two keys cannot share a name; an index
// made by another extraction is refused at merge with a message naming both versions. Every step a separate
// `canopy` process, except the forging partner's publication, which Canopy itself refuses to make.
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { CID } from 'multiformats/cid'
import { indexStats, openIndex, loadIndexRoot, saveIndexRoot } from '../index-core/index/index.ts'
import { NodeStore } from '../index-core/prolly/index.ts'
import { openIndexDir } from '../index-core/store/index.ts'
import { exportCar } from '../federation/blocks/index.ts'
import { signManifest } from '../federation/trust/index.ts'
import { loadOrCreateIdentity } from '../federation/identity/index.ts'
import { EXTRACTION_RULES } from '../ingest/extract/version.ts'
import { Cli } from './fixtures/cli.ts'
import { warc, withTmp } from './helpers.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SAMPLE = path.join(ROOT, 'ingest/sample/sample.warc.gz')
const OTHER = warc('commoncrawl__whirlwind-python/whirlwind.warc')
const KB_PAGE = 'https://www.meridian-library.org/' // a page of the sample crawl, KB's

const cli = new Cli()
const canopy = cli.run.bind(cli)
const json = cli.json.bind(cli)

/** Signs a manifest for the index at HEAD of `dir` under `name`'s identity, bypassing publish's own check, and exports it. */
async function forgePublication(dir: string, name: string, car: string, head?: CID): Promise<string> {
  const id = await loadOrCreateIdentity(dir, name)
  const d = await openIndexDir(dir, { write: true })
  try {
    const store = new NodeStore(d.blocks.store)
    const index = head ?? (await d.head())!
    const root = await openIndex(store, index)
    const st = await indexStats(store, root)
    const m = await signManifest(id, {
      index,
      indexFormat: root.format,
      analyzer: root.analyzer.version,
      extraction: root.extraction,
      stats: { documents: st.documents, captures: st.captures, postings: st.postings },
      time: new Date().toISOString(),
      seq: 1,
      previous: null,
      sources: []
    })
    await d.blocks.store.put(m.cid, m.bytes)
    await exportCar(d.blocks.store, [m.cid], car)
  } finally {
    await d.close()
  }
  return Buffer.from(id.publicKey).toString('base64')
}

interface Hit {
  id: string
  url: string
  institutions: string[]
}
interface Merged {
  index: string
  documents: number
  refused: Array<{ name: string; institution: string } & Record<string, number>>
}

let tmp = ''
let release: () => void = () => {}

describe('trust bound to the signing key', { timeout: 600_000 }, () => {
  before(async () => {
    await new Promise<void>(resolve => {
      void withTmp(async t => {
        tmp = t
        resolve()
        await new Promise<void>(r => {
          release = r
        })
      })
    })
  })
  after(() => {
    release()
  })

  it("refuses captures and tombstones a partner writes in another institution's name, and leaves the rest as it would be", async () => {
    const dir = (n: string): string => path.join(tmp, n)
    // KB: the sample crawl, published honestly.
    await canopy(['ingest', SAMPLE, '--index', dir('KB'), '--institution', 'KB', '--workers', '1'])
    const kb = await json<{ publicKey: string }>(['publish', '--index', dir('KB'), '--institution', 'KB'])
    await canopy(['export', '--index', dir('KB'), '--out', dir('KB.car')])

    // Evil: its own crawl, plus KB's crawl recorded in KB's name, and one of KB's pages withdrawn as KB.
    await loadOrCreateIdentity(dir('Evil'), 'Evil')
    await canopy(['ingest', OTHER, '--index', dir('Evil'), '--institution', 'Evil', '--workers', '1'])
    await canopy(['ingest', SAMPLE, '--index', dir('Evil'), '--institution', 'KB', '--workers', '1'])
    const w = await json<{ withdrawn: unknown[] }>(['withdraw', '--url', KB_PAGE, '--index', dir('Evil'), '--institution', 'KB'])
    assert.equal(w.withdrawn.length, 1)
    // Canopy will not publish that under Evil's key...
    assert.match(await canopy(['publish', '--index', dir('Evil')], true), /holds captures, withdrawals or crawl files of "KB"/)
    // ...so the forger signs it itself.
    const evilKey = await forgePublication(dir('Evil'), 'Evil', dir('Evil.car'))

    // What the combined index must be: KB's crawl as KB's and Evil's own crawl as Evil's, nothing else.
    await canopy(['ingest', SAMPLE, '--index', dir('want'), '--institution', 'KB', '--workers', '1'])
    const want = (await json<{ root: string }>(['ingest', OTHER, '--index', dir('want'), '--institution', 'Evil', '--workers', '1'])).root

    const F = dir('F')
    await canopy(['partners', 'add', 'KB', '--key', kb.publicKey, '--car', dir('KB.car'), '--index', F])
    await canopy(['partners', 'add', 'Evil', '--key', evilKey, '--car', dir('Evil.car'), '--index', F])
    await canopy(['fetch', '--index', F])
    const merged = await json<Merged>(['merge', 'KB', 'Evil', '--no-local', '--name', 'all', '--index', F])
    const evil = merged.refused.find(r => r.name === 'Evil')!
    const kbRefused = merged.refused.find(r => r.name === 'KB')!
    assert.equal(evil.institution, 'Evil', 'the institution is the one the manifest names')
    assert.ok(evil['foreign-capture'] > 0, "captures in KB's name are refused")
    assert.equal(evil['foreign-tombstone'], 1, "the tombstone in KB's name is refused")
    assert.equal(evil['foreign-file'], 1, "the crawl file listed as KB's is refused")
    assert.ok(evil['document-without-capture'] > 0, "documents Evil held only in KB's name go with those captures")
    assert.deepEqual(
      Object.entries(kbRefused).filter(([k, v]) => typeof v === 'number' && v > 0 && k !== 'name'),
      [],
      'nothing of KB is refused'
    )
    assert.equal(merged.index, want, "the combined index is exactly KB's crawl as KB's plus Evil's own crawl")

    // Merged the other way round, and again (the second check reads only what changed: nothing), the same root.
    assert.equal((await json<Merged>(['merge', 'Evil', 'KB', '--no-local', '--name', 'all2', '--index', F])).index, want)

    // institution:KB on the combined index lists exactly KB's own pages, the withdrawn one among them.
    const search = async (index: string, q: string, extra: string[] = []): Promise<Hit[]> =>
      (await json<{ hits: Hit[] }>(['search', q, '--index', index, '--size', '100', ...extra])).hits
    const broad = 'www OR com OR org OR html OR http OR https'
    const kbOwn = (await search(dir('KB'), broad, ['--institution', 'KB'])).map(h => h.url).sort()
    assert.ok(kbOwn.includes(KB_PAGE))
    const combined = (await search(F, broad, ['--name', 'all', '--institution', 'KB'])).map(h => h.url).sort()
    assert.deepEqual(combined, kbOwn)
    assert.ok((await search(F, broad, ['--name', 'all', '--institution', 'Evil'])).length > 0, "Evil's own pages are there")
    assert.deepEqual(cli.violations(), [])
  })

  it('refuses a partner claiming a name another key holds, and an index of another extraction', async () => {
    const dir = (n: string): string => path.join(tmp, n)
    // Mallory names her identity KB and publishes her own crawl honestly under that name.
    await canopy(['ingest', OTHER, '--index', dir('M'), '--institution', 'KB', '--workers', '1'])
    const m = await json<{ publicKey: string }>(['publish', '--index', dir('M'), '--institution', 'KB'])
    await canopy(['export', '--index', dir('M'), '--out', dir('M.car')])
    const G = dir('G')
    const kbKey = JSON.parse(await canopy(['publish', '--index', dir('KB'), '--json'])).publicKey as string
    await canopy(['partners', 'add', 'KB', '--key', kbKey, '--car', dir('KB.car'), '--index', G])
    await canopy(['partners', 'add', 'M', '--key', m.publicKey, '--car', dir('M.car'), '--index', G])
    await canopy(['fetch', '--index', G])
    assert.match(await canopy(['merge', 'KB', 'M', '--no-local', '--index', G], true), /two keys claim the institution name "KB"/)

    // Old: KB's index as an older extraction would have made it (same trees, another label), signed by its own key.
    const old = dir('Old')
    await canopy(['ingest', SAMPLE, '--index', old, '--institution', 'Old', '--workers', '1'])
    const d = await openIndexDir(old, { write: true })
    let relabelled: CID
    try {
      const r = await loadIndexRoot(d.blocks.store, (await d.head())!)
      relabelled = await saveIndexRoot(d.blocks.store, { ...r, extraction: 'canopy-extract/0 htmlparser2@11.0.0' })
    } finally {
      await d.close()
    }
    const oldKey = await forgePublication(old, 'Old', dir('Old.car'), relabelled)
    await canopy(['partners', 'add', 'Old', '--key', oldKey, '--car', dir('Old.car'), '--index', G])
    await canopy(['fetch', 'Old', '--index', G])
    const err = await canopy(['merge', 'KB', 'Old', '--no-local', '--index', G], true)
    assert.match(err, /different extractions/)
    assert.match(err, /Old: canopy-extract\/0 htmlparser2@11\.0\.0/)
    assert.match(err, new RegExp(`KB: canopy-extract/${EXTRACTION_RULES} `))
    assert.match(err, /re-ingest/)
    assert.equal(err.trim().split('\n').length, 1, 'one line, no stack')
  })
})
