// A federation found through its own DHT, with four real institutions in separate processes under the net
// guard, each on its own loopback address (127.0.0.2-5): each ingests a small crawl, publishes, and follows
// the other three by public key alone. They form a private DHT (/canopy/<federation>/kad/1.0.0), each
// joining through the one started before it, and announce their IPNS records and index roots there. Then
// they resolve each other's latest signed manifests from the keys, fetch blocks from whoever provides them,
// and merge in different orders to one root. Then C keeps A's index whole, A goes offline, and D still
// resolves A (the record lives in the DHT) and fetches all of it (from the holders the DHT names), verified,
// and its merge reaches the same root.
import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, it } from 'node:test'
import { Peer } from './fixtures/peer-client.ts'
import { violationsIn } from './net-guard.ts'
import { warc, withTmp } from './helpers.ts'

const NAMES = ['A', 'B', 'C', 'D'] as const
type Name = (typeof NAMES)[number]
const IP: Record<Name, string> = { A: '127.0.0.2', B: '127.0.0.3', C: '127.0.0.4', D: '127.0.0.5' }
const FILES: Record<Name, string> = {
  A: warc('harvard-lil__scoop/assets__fixtures__example.com.wacz__archive__data.warc'),
  B: warc('apache__incubator-stormcrawler/external__warc__src__test__resources__test.warc.gz'),
  C: warc('chatnoir-eu__chatnoir-resiliparse/tests__data__warcfile.warc.gz'),
  D: warc('openzim__warc2zim/tests__data__main-entry-403.warc.gz')
}
const FEDERATION = 'canopy-test'

interface Published {
  publicKey: string
  manifest: string
  index: string
}

describe('federation through a private DHT', { timeout: 180_000 }, () => {
  it("four institutions find each other from keys alone, merge to one root, and one serves another's index when its publisher is offline", async () => {
    await withTmp(async tmp => {
      const peer = Object.fromEntries(NAMES.map(n => [n, new Peer(n)])) as Record<Name, Peer>
      try {
        // Each ingests and publishes, all at once.
        const pub = Object.fromEntries(
          await Promise.all(
            NAMES.map(async n => {
              const { publicKey, guarded } = await peer[n].call('init', { dir: path.join(tmp, n), name: `Institution ${n}` })
              assert.equal(guarded, true, `${n} runs under the net guard`)
              await peer[n].call('ingest', { warc: FILES[n] }, 60_000)
              const p = await peer[n].call('publishIndex')
              return [n, { publicKey: String(publicKey), manifest: String(p.manifest), index: String(p.index) }] as const
            })
          )
        ) as Record<Name, Published>
        // Each follows the other three by key alone: no addresses anywhere.
        await Promise.all(
          NAMES.flatMap(n => NAMES.filter(m => m !== n).map(async m => await peer[n].call('partner', { name: m, publicKey: pub[m].publicKey })))
        )

        // The DHT: each node joins through the one started before it.
        let prev: string | null = null
        for (const n of NAMES) {
          const s = await peer[n].call('serve', { listen: [`/ip4/${IP[n]}/tcp/0`], bootstrap: prev === null ? [] : [prev], federation: FEDERATION })
          const addrs = s.addrs as string[]
          assert.equal(addrs.length, 1)
          assert.ok(addrs[0].startsWith(`/ip4/${IP[n]}/tcp/`), `${n} listens where it was told: ${addrs[0]}`)
          prev = addrs[0]
        }
        // Each puts its IPNS record and provides its manifest and index root.
        await Promise.all(
          NAMES.map(async n => {
            const a = await peer[n].call('announce', {}, 60_000)
            assert.deepEqual(a.errors, [], `${n} announced everything`)
            assert.ok((a.recordPeers as number) > 0, `${n}'s record is stored by other members`)
            assert.deepEqual([...(a.provided as string[])].sort(), [pub[n].manifest, pub[n].index].sort())
          })
        )

        // From keys alone: the latest signed manifest through the DHT, blocks from its providers.
        const follows: Record<Name, Name[]> = { A: ['B', 'C', 'D'], B: ['A', 'C', 'D'], C: ['A', 'B', 'D'], D: ['B', 'C'] }
        await Promise.all(
          NAMES.map(async n => {
            for (const m of follows[n]) {
              const f = await peer[n].call('fetch', { name: m }, 60_000)
              assert.deepEqual([f.manifest, f.index, f.seq], [pub[m].manifest, pub[m].index, 1], `${n} resolved ${m}'s manifest`)
              assert.match(String(f.source), /^libp2p \/p2p\/12D3Koo/, 'found by key, not by address')
            }
          })
        )
        // Merged in different orders (each with its own index), one root.
        const [rootA, rootB, rootC] = await Promise.all([
          peer.A.call('merge', { names: ['B', 'C', 'D'], name: 'all' }, 60_000),
          peer.B.call('merge', { names: ['D', 'C', 'A'], name: 'all' }, 60_000),
          peer.C.call('merge', { names: ['D', 'A', 'B'], name: 'all' }, 60_000)
        ])
        assert.equal(rootB.index, rootA.index, "B merged to A's root")
        assert.equal(rootC.index, rootA.index, "C merged to A's root")

        // C keeps A's index whole and provides it too.
        const pinned = await peer.C.call('fetch', { name: 'A', all: true }, 60_000)
        assert.equal(pinned.manifest, pub.A.manifest)
        const held = await peer.C.call('walkPartner', { name: 'A' })
        const announced = await peer.C.call('announce', {}, 60_000)
        assert.deepEqual(announced.errors, [])
        for (const c of [pub.A.manifest, pub.A.index]) assert.ok((announced.provided as string[]).includes(c), `C provides A's ${c}`)

        // A goes offline. D, which never held any of A's blocks, resolves A's name from the DHT and fetches
        // A's whole index from the holders the DHT names, each block checked against A's signed root.
        await peer.A.call('stop')
        await peer.A.close()
        const got = await peer.D.call('fetch', { name: 'A', all: true }, 90_000)
        assert.deepEqual([got.manifest, got.index], [pub.A.manifest, pub.A.index])
        const copy = await peer.D.call('walkPartner', { name: 'A' })
        assert.deepEqual([copy.blocks, copy.documents], [held.blocks, held.documents], "D holds A's whole index")
        // (D's own index may share a block or two with A's, such as an empty tree: those it already had.)
        assert.ok(
          (got.blocksFetched as number) >= (held.blocks as number) - 2,
          `A's blocks came from partners while A was offline (${String(got.blocksFetched)} of ${String(held.blocks)})`
        )
        const rootD = await peer.D.call('merge', { names: ['C', 'A', 'B'], name: 'all' }, 60_000)
        assert.equal(rootD.index, rootA.index, 'D merged to the same root')

        await Promise.all(['B', 'C', 'D'].map(async n => await peer[n as Name].call('stop')))
      } finally {
        await Promise.all(NAMES.map(async n => await peer[n].close()))
      }
      for (const n of NAMES) assert.deepEqual(violationsIn(peer[n].stderr), [], `${n} reached beyond loopback`)
    })
  })
})
