// Federation end to end, every step a separate `canopy` process under the network guard: three institutions
// ingest different crawls and publish; a fourth follows one over libp2p, one over the HTTP gateway and one
// through a CAR file, merges them in every order and grouping, and gets one root, equal to a single ingest of
// all the files. Then a withdrawal propagates, an older manifest is refused as a replay, and a forged
// partner is refused without touching the store.
import assert from 'node:assert/strict'
import { open, readdir } from 'node:fs/promises'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Cli } from './fixtures/cli.ts'
import { warc, withTmp } from './helpers.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const FILES = {
  A: path.join(ROOT, 'ingest/sample/sample.warc.gz'),
  B: warc('chatnoir-eu__chatnoir-resiliparse/tests__data__clueweb-quirk.warc.gz'),
  C: warc('commoncrawl__whirlwind-python/whirlwind.warc')
} as const
const WITHDRAWN_HOST = 'www.meridian-library.org' // a host of the sample crawl only A holds

const cli = new Cli()
const canopy = cli.run.bind(cli)
const json = cli.json.bind(cli)
const daemon = cli.daemon.bind(cli)

async function countFiles(dir: string): Promise<number> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter(e => e.isFile()).length
}

interface Published {
  publicKey: string
  manifest: string
  index: string
  seq: number
}
interface Merged {
  index: string
  documents: number
}

let tmp = ''
let release: () => void = () => {}

describe('federation between separate processes', { timeout: 600_000 }, () => {
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
  after(async () => {
    await cli.stopDaemons()
    release()
  })

  it('merges partners reached over libp2p, a gateway and a CAR into the root of one ingest, in any order', async () => {
    const dir = (n: string): string => path.join(tmp, n)
    const pub: Record<string, Published> = {}
    for (const n of ['A', 'B', 'C'] as const) {
      await canopy(['ingest', FILES[n], '--index', dir(n), '--institution', n, '--workers', '1', '--json'])
      // A also publishes its crawl file, so partners can replay its records from IPFS.
      pub[n] = await json<Published>(['publish', '--index', dir(n), '--institution', n, ...(n === 'A' ? ['--crawls', FILES.A] : [])])
    }
    // The same files, each under its institution, ingested into one index.
    let single = ''
    for (const n of ['A', 'B', 'C'] as const) {
      single = (await json<{ root: string }>(['ingest', FILES[n], '--index', dir('single'), '--institution', n, '--workers', '1'])).root
    }

    const [, addrA] = await daemon(['publish', '--index', dir('A'), '--serve', '--public'], /listening: (\S+)\n/)
    const [, urlB] = await daemon(
      ['serve', '--index', dir('B'), '--port', '0', '--workers', '1', '--rate-limit', '0'],
      /Canopy API at (http:\/\/127\.0\.0\.1:\d+)\//
    )
    const car = path.join(tmp, 'C.car')
    await canopy(['export', '--index', dir('C'), '--out', car])

    const D = dir('D')
    await canopy(['partners', 'add', 'A', '--key', pub.A.publicKey, '--addr', addrA, '--index', D])
    await canopy(['partners', 'add', 'B', '--key', pub.B.publicKey, '--gateway', urlB, '--index', D])
    await canopy(['partners', 'add', 'C', '--key', pub.C.publicKey, '--car', car, '--index', D])
    const fetched = await json<Array<{ partner: string; index: string; source: string }>>(['fetch', '--index', D])
    assert.deepEqual(
      fetched.map(f => [f.partner, f.index, f.source.split(' ')[0]]),
      [
        ['A', pub.A.index, 'libp2p'],
        ['B', pub.B.index, 'gateway'],
        ['C', pub.C.index, 'car']
      ]
    )

    const merge = async (name: string, ...inputs: string[]): Promise<Merged> =>
      await json<Merged>(['merge', ...inputs, '--name', name, '--no-local', '--index', D])
    const abc = await merge('abc', 'A', 'B', 'C')
    assert.equal(abc.index, single, 'the combined root equals one ingest of all the files')
    assert.equal((await merge('cba', 'C', 'B', 'A')).index, single)
    await merge('ab', 'A', 'B')
    assert.equal((await merge('ab-c', 'ab', 'C')).index, single, '(A+B)+C')
    await merge('bc', 'B', 'C')
    assert.equal((await merge('a-bc', 'A', 'bc')).index, single, 'A+(B+C)')
    await merge('ca', 'C', 'A')
    assert.equal((await merge('ca-b', 'B', 'ca')).index, single, 'B+(C+A)')

    // A withdraws a site and republishes; after re-merging, its pages are gone, even merged with the old result.
    const withdrawn = await json<{ withdrawn: unknown[] }>(['withdraw', '--prefix', `https://${WITHDRAWN_HOST}/`, '--index', dir('A')])
    assert.ok(withdrawn.withdrawn.length > 0)
    const carA1 = path.join(tmp, 'A1.car')
    await canopy(['export', '--index', dir('A'), '--out', carA1]) // still the first publication
    const pubA2 = await json<Published>(['publish', '--index', dir('A')])
    assert.equal(pubA2.seq, 2)
    await canopy(['fetch', 'A', '--index', D])
    const again = await merge('abc2', 'A', 'B', 'C')
    assert.equal(again.documents, abc.documents - withdrawn.withdrawn.length)
    assert.equal((await merge('old-new', 'abc', 'A')).index, again.index, 'the older combined index does not bring them back')

    // The combined index is published in turn, its manifest listing the three it was built from.
    const combinedPub = await json<Published & { sources: string[] }>(['publish', '--merged', 'abc2', '--index', D])
    assert.equal(combinedPub.index, again.index)
    assert.deepEqual([...combinedPub.sources].sort(), [pubA2.manifest, pub.B.manifest, pub.C.manifest].sort())

    // An older publication of A, offered again, is refused as a replay; a CAR signed by someone else is forged.
    const before = await countFiles(path.join(D, 'blocks'))
    assert.match(await canopy(['import', carA1, '--partner', 'A', '--index', D], true), /not newer|older/)
    await canopy(['partners', 'add', 'mallory', '--key', pub.B.publicKey, '--car', car, '--index', D])
    assert.match(await canopy(['fetch', 'mallory', '--index', D], true), /not this partner's/)
    assert.equal(await countFiles(path.join(D, 'blocks')), before, 'refused imports left the store as it was')

    // D serves what it follows: the combined indexes and the partners (read sparsely, fetched as searched).
    const [, urlD] = await daemon(['serve', '--index', D, '--port', '0', '--workers', '1', '--rate-limit', '0'], /Canopy API at (http:\/\/127\.0\.0\.1:\d+)\//)
    const listed = (await (await fetch(`${urlD}/api/v1/indexes`)).json()) as {
      indexes: Array<{
        name: string
        kind: string
        root: string
        manifest: { seq: number } | null
        sources: string[]
        provenance: Array<{ institution: string; publicKey: string; manifest: string | null }>
      }>
    }
    const byName = new Map(listed.indexes.map(i => [i.name, i]))
    assert.equal(byName.get('abc2')?.kind, 'merged')
    assert.equal(byName.get('abc2')?.root, again.index)
    assert.equal(byName.get('abc2')?.sources.length, 3, 'a combined index lists the manifests it was built from')
    assert.deepEqual(
      byName
        .get('abc2')
        ?.provenance.map(p => [p.institution, p.publicKey, p.manifest])
        .sort(),
      [
        ['A', pub.A.publicKey, pubA2.manifest],
        ['B', pub.B.publicKey, pub.B.manifest],
        ['C', pub.C.publicKey, pub.C.manifest]
      ],
      'and per source the institution and key that signed it'
    )
    assert.equal(byName.get('A')?.kind, 'partner')
    assert.equal(byName.get('A')?.manifest?.seq, 2)
    // URL words: every page has some of them.
    const BROAD = 'www OR com OR org OR jp OR html OR http OR https'
    const hits = async (index: string, extra = ''): Promise<Array<{ institutions: string[]; host: string }>> =>
      (
        (await (await fetch(`${urlD}/api/v1/search?index=${index}&q=${encodeURIComponent(BROAD)}&size=100${extra}`)).json()) as {
          hits: Array<{ institutions: string[]; host: string }>
        }
      ).hits
    for (const inst of ['A', 'B', 'C']) {
      const found = await hits('abc2', `&institution=${inst}`)
      assert.ok(found.length > 0 && found.every(h => h.institutions.includes(inst)), `the combined index holds ${inst}'s documents, with their provenance`)
    }
    assert.ok((await hits('abc2')).every(h => h.host !== WITHDRAWN_HOST))
    assert.ok((await hits('B')).length > 0, 'a partner reached over the gateway is searched sparsely')
    assert.ok((await hits('A')).length > 0, 'a partner reached over libp2p is searched sparsely')

    // A raw WARC record of A's, read by D's server from A's crawl file over libp2p, byte for byte as in the file.
    const hitA = (await (await fetch(`${urlD}/api/v1/search?index=abc2&q=${encodeURIComponent(BROAD)}&institution=A&size=1`)).json()) as {
      hits: Array<{ id: string }>
    }
    const doc = (await (await fetch(`${urlD}/api/v1/documents/${hitA.hits[0].id}?index=abc2`)).json()) as {
      captures: Array<{ institution: string; file: string; offset: number; length: number; fileCid: string | null; record: string | null }>
    }
    const cap = doc.captures.find(c => c.institution === 'A')!
    assert.ok(cap.fileCid !== null && cap.record !== null)
    const rec = await fetch(urlD + cap.record)
    assert.equal(rec.status, 200)
    const fh = await open(FILES.A, 'r')
    const want = Buffer.alloc(cap.length)
    await fh.read(want, 0, cap.length, cap.offset)
    await fh.close()
    assert.ok(Buffer.from(await rec.arrayBuffer()).equals(want), 'the record from IPFS is the bytes of the crawl file')

    await cli.stopDaemons()
    assert.deepEqual(cli.violations(), [], 'no process reached beyond 127.0.0.0/8')
  })
})
