// Finding a partner through the federation's DHT: the time and bytes for a new partner, knowing only the
// publisher's public key, to resolve its latest signed manifest (IPNS record from the DHT, providers of the
// manifest) and run a first search over its index, against the same partner given the publisher's address.
// Real libp2p nodes in this process on 127.0.0.1: the publisher, two more federation members, and the
// partner, which joins the DHT through a member, not through the publisher.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { NodeStore } from '../index-core/prolly/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import { loadOrCreateIdentity } from '../federation/identity/index.ts'
import { openInstitution, publish } from '../federation/operations/index.ts'
import { checkNetworkConfig, writeNetworkConfig, folderNode } from '../federation/net/index.ts'
import type { NodeLease } from '../federation/net/index.ts'
import type { Partner } from '../federation/trust/index.ts'
import { BENCH_DIR, benchIndex } from './ingest.ts'
import type { Row, Section } from './report.ts'

const FEDERATION = 'canopy-bench'
const QUERIES = ['breast cancer', 'stem cells', 'immune response']

/** A federation member serving a folder (publicly: the bench's partners are no partners of its). */
async function member(dir: string, bootstrap: string[]): Promise<NodeLease> {
  const config = checkNetworkConfig({ listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, federation: FEDERATION, public: true })
  return await folderNode(dir, await loadOrCreateIdentity(dir, path.basename(dir)), { serve: true, config })
}

/** A new partner's first contact: resolve the latest manifest, open the index, run one search. */
async function firstSearch(dir: string, partner: Partner, q: string): Promise<{ resolveMs: number; searchMs: number; blocks: number; bytes: number }> {
  const inst = await openInstitution(dir, { write: true, name: 'bench-partner' })
  try {
    const t0 = performance.now()
    const r = await inst.federation.latest(partner, null)
    const resolveMs = performance.now() - t0
    const store = inst.federation.store([partner])
    const reader = await IndexReader.open(new NodeStore(store), r.manifest.index)
    await search(reader, { q, pageSize: 10, facets: false })
    const searchMs = performance.now() - t0 - resolveMs
    const manifestBytes = (await inst.dir.blocks.store.get(r.cid))?.length ?? 0
    return { resolveMs, searchMs, blocks: store.stats.fetched + 1, bytes: store.stats.bytesFetched + manifestBytes }
  } finally {
    await inst.close()
  }
}

export async function run({ quick }: { quick: boolean }): Promise<Section[]> {
  const N = quick ? 2000 : 20000
  const rows = await measure(await benchIndex(N))
  return [
    {
      title: `A new partner's first search of a publisher's index: found by key through the DHT, or at a known address (${N.toLocaleString('en-US')}-page crawl)`,
      command: `npm run bench -- dht${quick ? ' --quick' : ''}`,
      notes: [
        'Real libp2p nodes in one process on 127.0.0.1 (TCP, noise, yamux, bitswap, kad-dht /canopy/canopy-bench/kad/1.0.0): the publisher, two more members, and each time a new partner with an empty store that joins the DHT through the last member (a short-lived node, as `canopy fetch` starts). "resolve manifest" is from the partner node\'s start to a verified manifest: by key, the IPNS record from the DHT and the manifest from the providers the DHT names; by address, the record over libp2p fetch and the manifest over bitswap from the publisher. Then the index is opened and a top-10 search without facets runs, fetching only the blocks it reads. Bytes are block bytes (manifest included), not DHT or protocol traffic.'
      ],
      rows
    }
  ]
}

/** The rows of the table for the index folder `source` (left as it is). */
export async function measure(source: string): Promise<Row[]> {
  await mkdir(BENCH_DIR, { recursive: true })
  const tmp = await mkdtemp(path.join(BENCH_DIR, 'dht-'))
  const leases: NodeLease[] = []
  const rows: Row[] = []
  try {
    // The publisher works on a hard-linked copy, so the shared bench index gets no identity or refs.
    const pubDir = path.join(tmp, 'publisher')
    await promisify(execFile)('cp', ['-al', source, pubDir])
    // Named as the bench index's captures are (ingested without --institution): publish refuses other names.
    const inst = await openInstitution(pubDir, { write: true, name: 'local' })
    const pub = await (async () => {
      try {
        return await publish(inst)
      } finally {
        await inst.close()
      }
    })()
    const p = await member(pubDir, [])
    leases.push(p)
    const m1 = await member(path.join(tmp, 'member-1'), [p.node.multiaddrs[0]])
    const m2 = await member(path.join(tmp, 'member-2'), [m1.node.multiaddrs[0]])
    leases.push(m1, m2)
    await p.node.announce()
    for (const q of QUERIES) {
      for (const how of ['key alone, through the DHT', 'known address'] as const) {
        const dir = path.join(tmp, `partner-${rows.length}`)
        await writeNetworkConfig(dir, checkNetworkConfig({ bootstrap: [m2.node.multiaddrs[0]], federation: FEDERATION }))
        const sources = how === 'known address' ? [{ kind: 'libp2p' as const, addr: p.node.multiaddrs[0] }] : []
        const r = await firstSearch(dir, { name: 'publisher', publicKey: pub.publicKey, sources }, q)
        rows.push({
          query: q,
          'partner knows': how,
          'resolve manifest ms': Math.round(r.resolveMs),
          'open + first search ms': Math.round(r.searchMs),
          'total ms': Math.round(r.resolveMs + r.searchMs),
          'blocks fetched': r.blocks,
          'kB fetched': Math.round(r.bytes / 1024)
        })
      }
    }
  } finally {
    for (const l of leases.reverse()) await l.release()
    await rm(tmp, { recursive: true, force: true })
  }
  return rows
}
