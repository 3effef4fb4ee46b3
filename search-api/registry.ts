// The indexes a server serves, by name: an institution's own index (its HEAD), its combined indexes and its
// partners' indexes (from refs/ in its data folder). Partners' and combined indexes are read sparsely: blocks
// not yet held are fetched from the partners (verified) as searches read them, and kept.
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { CID } from 'multiformats/cid'
import { NodeStore } from '../index-core/prolly/index.ts'
import { IndexReader, defaultCacheBytes, ReaderCaches, splitBudget } from '../index-core/query/index.ts'
import type { BlockAccess, IndexDir } from '../index-core/store/index.ts'
import { NotAnIndexError, openIndexDir } from '../index-core/store/index.ts'
import { verifyManifest, PartnerList, publicKeyBytes, Refs } from '../federation/trust/index.ts'
import { identityName, loadOrCreateIdentity } from '../federation/identity/index.ts'
import type { Partner } from '../federation/trust/index.ts'
import { Federation } from '../federation/operations/index.ts'
import { UserError } from '../index-core/user-error.ts'

export type IndexKind = 'local' | 'partner' | 'merged'

/** A served index: a directory's HEAD (local), or one of its refs (a partner's or a combined index). */
export interface IndexSpec {
  readonly name: string
  readonly kind: IndexKind
  readonly path: string
  readonly ref?: string
}

/** What the index's signed manifest says, when it has one. */
export interface ManifestInfo {
  readonly cid: string
  readonly institution: string
  readonly seq: number
  readonly time: string
  readonly sources: string[]
}

export interface ServedIndex {
  readonly name: string
  readonly kind: IndexKind
  readonly path: string
  readonly ref?: string
  readonly reader: IndexReader
  readonly manifest: ManifestInfo | null
  /** For a combined index: the manifests it was built from. */
  readonly sources: string[]
  /** For a combined index: per source, who signed it and what of it was refused (every hit's institution traces to one). */
  readonly provenance: SourceInfo[]
}

export interface SourceInfo {
  readonly name: string
  readonly institution: string
  readonly publicKey: string
  readonly manifest: string | null
  readonly share: boolean
  readonly refused: Record<string, number>
}

export class UnknownIndexError extends UserError {
  override name = 'UnknownIndexError'
}

/** One data folder opened once, however many of its indexes are served. */
interface Folder {
  readonly dir: IndexDir
  readonly refs: Refs
  /** Local blocks, or for partner/combined indexes a store that fetches what is missing from partners. */
  readonly store: BlockAccess
  readonly federation: Federation | null
  /** The partners blocks are fetched from, reread whenever a partner or combined index is (re)loaded. */
  partners: Partner[]
}

export class IndexRegistry {
  readonly #indexes = new Map<string, ServedIndex>()
  readonly #folders = new Map<string, Folder>()
  readonly #dirOf = new Map<string, string>()
  /** One set of query caches for every index served (and every reload): the process's memory budget. */
  #caches = new ReaderCaches()

  /** `cacheBytes`: the memory all query caches of this process may hold (default: from the machine's memory). */
  static async open(specs: readonly IndexSpec[], cacheBytes = defaultCacheBytes()): Promise<IndexRegistry> {
    const r = new IndexRegistry()
    r.#caches = new ReaderCaches(splitBudget(cacheBytes))
    try {
      for (const s of specs) await r.#add(s)
    } catch (err) {
      await r.close()
      throw err
    }
    return r
  }

  /**
   * The specs for everything a data folder holds: its own index, then its combined indexes and partners
   * (by their names; a name already taken gets its kind as prefix).
   */
  static async specsOf(path: string, localName = 'local'): Promise<IndexSpec[]> {
    const refs = new Refs(path)
    // A folder that only follows partners has no index of its own.
    const hasHead = await stat(join(path, 'HEAD')).then(
      () => true,
      () => false
    )
    const out: IndexSpec[] = hasHead ? [{ name: localName, kind: 'local', path }] : []
    const taken = new Set([localName])
    const name = (kind: string, n: string): string => (taken.has(n) ? `${kind}-${n}` : n)
    for (const n of await refs.list('merged')) {
      const x = name('merged', n)
      taken.add(x)
      out.push({ name: x, kind: 'merged', path, ref: n })
    }
    for (const n of await refs.list('partners')) {
      const x = name('partner', n)
      taken.add(x)
      out.push({ name: x, kind: 'partner', path, ref: n })
    }
    // Nothing yet: the local spec, so opening it says what to do.
    return out.length > 0 ? out : [{ name: localName, kind: 'local', path }]
  }

  async #folder(path: string, remote: boolean): Promise<Folder> {
    let f = this.#folders.get(path)
    if (f === undefined) {
      const dir = await openIndexDir(path, { write: false })
      f = { dir, refs: new Refs(path), store: dir.blocks.store, federation: null, partners: [] }
      this.#folders.set(path, f)
    }
    if (remote && f.federation === null) {
      const identity = await loadOrCreateIdentity(path, (await identityName(path)) ?? 'local')
      const federation = new Federation(path, f.dir.blocks.store, identity)
      const folder: Folder = { ...f, federation, store: federation.store(() => folder.partners) }
      f = folder
      this.#folders.set(path, f)
    }
    if (remote) f.partners = await new PartnerList(path).all()
    return f
  }

  async #rootOf(s: IndexSpec, f: Folder): Promise<{ root: CID; manifest: ManifestInfo | null; sources: string[]; provenance: SourceInfo[] }> {
    if (s.kind === 'local') {
      const head = await f.dir.head()
      if (head === null) throw new NotAnIndexError(`${s.path} holds no index yet: run canopy ingest first`)
      const pub = await f.refs.published()
      return { root: head, manifest: pub?.index.equals(head) ? await this.#manifest(f, pub.manifest) : null, sources: [], provenance: [] }
    }
    if (s.kind === 'merged') {
      const m = await f.refs.merged(s.ref ?? s.name)
      if (m === null) throw new Error(`${s.path} has no combined index "${s.ref ?? s.name}"`)
      const provenance = (m.provenance ?? []).map(p => ({
        name: p.name,
        institution: p.institution,
        publicKey: p.publicKey,
        manifest: p.manifest?.toString() ?? null,
        share: p.share === true,
        refused: { ...p.refused }
      }))
      return { root: m.index, manifest: null, sources: m.sources.map(c => c.toString()), provenance }
    }
    const p = await f.refs.partner(s.ref ?? s.name)
    if (p === null) throw new Error(`${s.path} has not fetched partner "${s.ref ?? s.name}"`)
    return {
      root: p.index,
      manifest: await this.#manifest(f, p.manifest, publicKeyBytes({ name: s.name, publicKey: p.publicKey })),
      sources: [],
      provenance: []
    }
  }

  async #manifest(f: Folder, cid: CID, publicKey?: Uint8Array): Promise<ManifestInfo | null> {
    const bytes = await f.store.get(cid)
    if (bytes === undefined) return null
    const m = await verifyManifest(cid, bytes, { publicKey })
    return { cid: cid.toString(), institution: m.institution, seq: m.seq, time: m.time, sources: m.sources.map(c => c.toString()) }
  }

  async #add(s: IndexSpec): Promise<void> {
    const f = await this.#folder(s.path, s.kind !== 'local')
    const { root, manifest, sources, provenance } = await this.#rootOf(s, f)
    const reader = await IndexReader.open(new NodeStore(f.store, { cache: this.#caches.nodes }), root, this.#caches)
    this.#indexes.set(s.name, { ...s, reader, manifest, sources, provenance })
    this.#dirOf.set(s.name, s.path)
  }

  /** Serves the index's current root (after an ingest, fetch or merge moved it); searches in flight finish on the old one. */
  async reload(name: string): Promise<void> {
    const cur = this.get(name)
    const f = await this.#folder(cur.path, cur.kind !== 'local')
    const next = await this.#rootOf(cur, f)
    if (next.root.equals(cur.reader.cid)) return
    const reader = await IndexReader.open(new NodeStore(f.store, { cache: this.#caches.nodes }), next.root, this.#caches)
    this.#indexes.set(name, { ...cur, reader, manifest: next.manifest, sources: next.sources, provenance: next.provenance })
  }

  /** Adds (or reloads) an index while serving, e.g. a combined index made by an admin merge. */
  async upsert(s: IndexSpec): Promise<void> {
    if (this.#indexes.has(s.name)) await this.reload(s.name)
    else await this.#add(s)
  }

  /** The named index, or the first one. */
  get(name?: string): ServedIndex {
    const i = name === undefined ? this.#indexes.values().next().value : this.#indexes.get(name)
    if (i === undefined) throw new UnknownIndexError(`No index named "${name ?? ''}"; see /api/v1/indexes`)
    return i
  }

  list(): ServedIndex[] {
    return [...this.#indexes.values()]
  }

  /** The query caches shared by the served indexes, for metrics. */
  get caches(): ReaderCaches {
    return this.#caches
  }

  /** The directory the named (or first) index is read from: its blocks and refs/, for the IPFS gateway. */
  dir(name?: string): IndexDir {
    return this.#folders.get(this.#dirOf.get(this.get(name).name)!)!.dir
  }

  async close(): Promise<void> {
    for (const f of this.#folders.values()) {
      await f.federation?.close()
      await f.dir.close()
    }
    this.#folders.clear()
  }
}
