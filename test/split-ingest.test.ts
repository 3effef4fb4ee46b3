// An ingest split across machines: three processes, each with a key of its own, ingest a share of one
// institution's crawl files and serve their index over libp2p (whole copies as CARs over HTTP over libp2p); the institution's own node follows them as
// shares, fetches and merges them over the network into its own index, which is the root of one ingest of
// every file, and publishes it. A share that signs under another name is refused.
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Cli } from './fixtures/cli.ts'
import { warc, withTmp } from './helpers.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const FILES = [
  path.join(ROOT, 'ingest/sample/sample.warc.gz'),
  warc('chatnoir-eu__chatnoir-resiliparse/tests__data__clueweb-quirk.warc.gz'),
  warc('commoncrawl__whirlwind-python/whirlwind.warc')
]

const cli = new Cli()
const canopy = cli.run.bind(cli)
const json = cli.json.bind(cli)
const daemon = cli.daemon.bind(cli)

let tmp = ''
let release: () => void = () => {}

describe('ingest split across machines', { timeout: 600_000 }, () => {
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

  it('merges three shares over the network into the root of one ingest of every file', async () => {
    const dir = (n: string): string => path.join(tmp, n)
    // The single ingest of every file, for comparison.
    const single = (await json<{ root: string }>(['ingest', ...FILES, '--index', dir('single'), '--institution', 'KB', '--workers', '2'])).root

    // Three machines: each its own key and address, named as the institution; each ingests one file and serves it.
    const shares = await Promise.all(
      FILES.map(async (f, i) => {
        const d = dir(`share${i}`)
        await canopy(['ingest', f, '--index', d, '--institution', 'KB', '--workers', '1'])
        const pub = await json<{ publicKey: string }>(['publish', '--index', d, '--institution', 'KB'])
        // Each machine on its own address; --public: it serves whoever asks (it follows no one itself).
        const [, addr] = await daemon(['publish', '--index', d, '--serve', '--listen', `/ip4/127.0.0.${i + 2}/tcp/0`, '--public'], /listening: (\S+)\n/)
        assert.ok(addr.startsWith(`/ip4/127.0.0.${i + 2}/`))
        return { key: pub.publicKey, addr }
      })
    )
    assert.equal(new Set(shares.map(s => s.key)).size, 3, 'three keys')

    const KB = dir('KB')
    // The institution's own node, with no crawl of its own, follows the three as its shares.
    for (const [i, s] of shares.entries()) await canopy(['partners', 'add', `share${i}`, '--key', s.key, '--addr', s.addr, '--share', '--index', KB])
    // Its identity is made on first use, as KB: the name its shares sign under.
    await canopy(['fetch', '--institution', 'KB', '--index', KB])
    const merged = await json<{ index: string; documents: number; blocksFetched: number; blocksStreamed: number }>([
      'merge',
      'share2',
      'share0',
      'share1',
      '--head',
      '--institution',
      'KB',
      '--index',
      KB
    ])
    assert.equal(merged.index, single, 'the shares merged equal one ingest of every file')
    // The sample crawl's share is wide enough to be copied as a CAR over HTTP over libp2p, not block by block.
    assert.ok(merged.blocksStreamed > 0, `${merged.blocksStreamed} of ${merged.blocksFetched} blocks streamed`)

    // It is the institution's own index now: held whole (the shares can go), and publishable under its key.
    await cli.stopDaemons()
    const hits = await json<{ total: number }>(['search', 'www OR html OR http', '--index', KB])
    assert.ok(hits.total > 0)
    const pub = await json<{ index: string; institution: string }>(['publish', '--index', KB])
    assert.equal(pub.index, single)
    assert.equal(pub.institution, 'KB')
    assert.deepEqual(cli.violations(), [])
  })

  it("refuses a share that signs under another name, and a partner made into the institution's own index", async () => {
    const dir = (n: string): string => path.join(tmp, n)
    const other = dir('other')
    await canopy(['ingest', FILES[2], '--index', other, '--institution', 'BnF', '--workers', '1'])
    const pub = await json<{ publicKey: string }>(['publish', '--index', other, '--institution', 'BnF'])
    const car = dir('other.car')
    await canopy(['export', '--index', other, '--out', car])
    const KB2 = dir('KB2')
    await canopy(['partners', 'add', 'x', '--key', pub.publicKey, '--car', car, '--share', '--index', KB2])
    await canopy(['fetch', '--institution', 'KB', '--index', KB2])
    assert.match(await canopy(['merge', 'x', '--head', '--institution', 'KB', '--index', KB2], true), /share x signs as "BnF", not as this institution "KB"/)
    await canopy(['partners', 'add', 'x', '--key', pub.publicKey, '--car', car, '--index', KB2])
    assert.match(await canopy(['merge', 'x', '--head', '--index', KB2], true), /only shares of this institution can become its own index/)
    assert.match(await canopy(['search', 'www', '--index', KB2], true), /holds no index yet/, 'HEAD did not move')
  })
})
