// Following partners: find a partner's latest signed manifest through any of its sources (libp2p, gateway,
// CAR file), check it against the partner's key and the last sequence number accepted, and read its index
// through a store that fetches missing blocks from the partner on demand (sparse) or all at once (--all).

import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import type { CID } from 'multiformats/cid'
import type { BlockAccess } from '../../index-core/store/index.ts'
import { openFolderBlocks } from '../../index-core/store/index.ts'
import { currentVersionLinks, importCar, walkDag, FetchingBlocks } from '../blocks/index.ts'
import type { BlockFetcher, DagStream } from '../blocks/index.ts'
import { fetchIpnsRecord, gatewayDag, gatewayFetcher, folderNode, PartnerHints } from '../net/index.ts'
import type { Manifest, Partner, PartnerSource, PartnerRef } from '../trust/index.ts'
import type { Identity } from '../identity/index.ts'
import { resolvePartner, verifyIpnsRecord, verifyManifest, publicKeyBytes, ipnsNameOf, peerIdOf } from '../trust/index.ts'
import type { CanopyNode, NodeLease } from '../net/index.ts'
import { FederationError } from '../federation-error.ts'

export interface Resolved {
  readonly cid: CID
  readonly manifest: Manifest
  readonly source: PartnerSource
  /** The partner's signed IPNS record that named the manifest (none from a CAR file). */
  readonly record?: Uint8Array
}

/** A partner's sources; one known by key alone is found through the DHT, as /p2p/<its peer id>. */
function sourcesOf(p: Partner): readonly PartnerSource[] {
  return p.sources.length > 0 ? p.sources : [{ kind: 'libp2p', addr: `/p2p/${peerIdOf(publicKeyBytes(p)).toString()}` }]
}

/** A partner known by its key alone: found, with its blocks' holders, through the DHT. */
function isKeyOnly(p: Partner): boolean {
  return p.sources.length === 0
}

/** The sources that serve blocks on demand (a CAR file is imported whole instead). */
function onlineSources(p: Partner): PartnerSource[] {
  return sourcesOf(p).filter(s => s.kind !== 'car')
}

export class Federation {
  readonly indexDir: string
  /** The institution's own block store (its index directory's blocks/). */
  readonly local: BlockAccess
  readonly #identity: Identity
  #node: Promise<NodeLease> | null = null
  readonly #hints: PartnerHints

  constructor(indexDir: string, local: BlockAccess, identity: Identity) {
    this.indexDir = indexDir
    this.local = local
    this.#identity = identity
    this.#hints = new PartnerHints(indexDir)
  }

  /**
   * The libp2p node, on first need (only partners reached over libp2p need it): the folder's running node
   * when this process serves it, else a short-lived one that only dials.
   */
  async node(): Promise<CanopyNode> {
    this.#node ??= folderNode(this.indexDir, this.#identity, { serve: false })
    return (await this.#node).node
  }

  /** `keyOnly`: the partners found through the DHT, whose blocks this source may be asked for. */
  async #fetcherOf(s: PartnerSource, keyOnly: () => readonly Partner[] = () => []): Promise<BlockFetcher | null> {
    if (s.kind === 'gateway') return gatewayFetcher(s.url)
    if (s.kind === 'libp2p') return (await this.node()).fetcher(s.addr, async () => await this.#hints.of(keyOnly()))
    return null
  }

  /** Tries a partner's sources in turn for each block. */
  /** `partners` may be a function: a server's list changes as partners are added while it runs. */
  fetcher(partners: readonly Partner[] | (() => readonly Partner[])): BlockFetcher {
    const list = typeof partners === 'function' ? partners : () => partners
    const fetchers = new Map<string, Promise<BlockFetcher | null>>()
    return async (cid, signal, hints) => {
      let lastError: unknown = null
      const tried = new Set<string>()
      for (const s of list().flatMap(onlineSources)) {
        // Partners known by key alone share one source: whoever the DHT says holds the block.
        const key = s.kind === 'libp2p' && s.addr.startsWith('/p2p/') ? 'dht' : JSON.stringify(s)
        if (tried.has(key)) continue
        if (hints?.pathOnly === true && s.kind !== 'gateway') continue // only gateways fetch paths
        tried.add(key)
        if (!fetchers.has(key))
          fetchers.set(
            key,
            this.#fetcherOf(s, () => list().filter(isKeyOnly))
          )
        const f = await fetchers.get(key)!
        if (f === null) continue
        try {
          const b = await f(cid, signal, hints)
          if (b !== undefined) return b
        } catch (err) {
          lastError = err
        }
      }
      if (lastError !== null) throw lastError
      return undefined
    }
  }

  /**
   * Where a partner's whole DAGs can be streamed from, one CAR each: its HTTP gateways, and its libp2p nodes at
   * known addresses (HTTP over libp2p); a partner known by key alone is copied block by block.
   */
  dagStreams(partner: Partner): DagStream[] {
    return onlineSources(partner).flatMap((s): DagStream[] => {
      if (s.kind === 'gateway') return [gatewayDag(s.url)]
      if (s.kind !== 'libp2p' || s.addr.startsWith('/p2p/')) return []
      return [
        async (root, signal) => {
          const stream = (await this.node()).dagStream(s.addr)
          if (stream === null) throw new FederationError(`${s.addr} names no address to stream from`)
          return await stream(root, signal)
        }
      ]
    })
  }

  /** A store that reads the local blocks and fetches (verified) what they lack from `partners`. */
  store(partners: readonly Partner[] | (() => readonly Partner[])): FetchingBlocks {
    return new FetchingBlocks(this.local, this.fetcher(partners))
  }

  /**
   * The partner's newest manifest among its sources, verified: signed by its key, and newer than (or the
   * same as) the one accepted last time. An older one is refused as a replay.
   */
  async latest(partner: Partner, known: PartnerRef | null): Promise<Resolved> {
    const key = publicKeyBytes(partner)
    const errors: string[] = []
    let best: Resolved | null = null
    for (const s of sourcesOf(partner)) {
      try {
        const r = await this.#resolveAt(partner, s, key, known)
        if (best === null || r.manifest.seq > best.manifest.seq) best = r
      } catch (err) {
        errors.push(`${s.kind}: ${(err as Error).message}`)
      }
    }
    if (best === null) throw new FederationError(`partner ${partner.name}: no source gave a valid manifest (${errors.join('; ')})`)
    return best
  }

  async #resolveAt(partner: Partner, s: PartnerSource, key: Uint8Array, known: PartnerRef | null): Promise<Resolved> {
    // A manifest with the sequence already accepted is fine (nothing new); a lower one is a replay.
    const afterSeq = known === null ? undefined : known.seq - 1
    if (s.kind === 'car') {
      const cid = await this.importPartnerCar(s.path, key, afterSeq)
      const manifest = await verifyManifest(cid, (await this.local.get(cid))!, { publicKey: key, afterSeq })
      return { cid, manifest, source: s }
    }
    let name
    if (s.kind === 'gateway') {
      name = await verifyIpnsRecord(await fetchIpnsRecord(s.url, ipnsNameOf(key)), key, { minSeq: known?.seq })
    } else {
      name = await resolvePartner(await this.node(), s.addr, key, { minSeq: known?.seq })
    }
    if (isKeyOnly(partner)) this.#hints.add(partner.name, name.manifest)
    const f = (await this.#fetcherOf(s, () => [partner]))!
    const bytes = await f(name.manifest, AbortSignal.timeout(30_000))
    if (bytes === undefined) throw new FederationError(`partner ${partner.name} names manifest ${name.manifest.toString()} but does not serve it`)
    const manifest = await verifyManifest(name.manifest, bytes, { publicKey: key, afterSeq })
    if (manifest.seq !== name.seq)
      throw new FederationError(`partner ${partner.name}: the IPNS record's sequence ${name.seq} is not the manifest's ${manifest.seq}`)
    if (isKeyOnly(partner)) this.#hints.add(partner.name, manifest.index)
    await this.local.put(name.manifest, bytes)
    return { cid: name.manifest, manifest, source: s, record: name.record }
  }

  /**
   * Imports a partner's CAR: staged apart, its root manifest verified against the partner's key, and only
   * then copied into the local store, so a forged CAR leaves the local store as it was.
   */
  async importPartnerCar(carPath: string, key: Uint8Array, afterSeq?: number): Promise<CID> {
    const stage = path.join(this.indexDir, 'tmp', `car-${process.pid}-${Date.now()}`)
    await mkdir(stage, { recursive: true })
    const staged = await openFolderBlocks(stage)
    try {
      const summary = await importCar(carPath, staged.store)
      if (summary.roots.length !== 1) throw new FederationError(`CAR ${carPath} has ${summary.roots.length} roots; a published index has one (its manifest)`)
      const root = summary.roots[0]
      await verifyManifest(root, (await staged.store.get(root))!, { publicKey: key, afterSeq })
      await walkDag(
        staged.store,
        [root],
        async (cid, bytes) => {
          await this.local.put(cid, bytes)
        },
        { follow: currentVersionLinks }
      )
      return root
    } finally {
      await staged.close()
      await rm(stage, { recursive: true, force: true })
    }
  }

  async close(): Promise<void> {
    const lease = this.#node
    this.#node = null
    if (lease !== null) await (await lease.catch(() => null))?.release()
  }
}
