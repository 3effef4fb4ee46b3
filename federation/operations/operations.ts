// The federation operations behind `canopy publish | fetch | merge | withdraw | export | import` and the
// admin routes: each takes an opened institution and returns a summary to print or serve.

import type { CID } from 'multiformats/cid'
import {
  indexStats,
  openIndex,
  saveIndexRoot,
  decodeFile,
  addWithdrawals,
  findWithdrawals,
  importCrawlFile,
  surt,
  NO_REFUSALS,
  otherInstitutions
} from '../../index-core/index/index.ts'
import { openIndexDir, compactPacks } from '../../index-core/store/index.ts'
import type { IndexRoot, WithdrawSelection, Refusals } from '../../index-core/index/index.ts'
import { NodeStore, entries } from '../../index-core/prolly/index.ts'
import { currentVersionLinks, exportCar, importCar, copyDag } from '../blocks/index.ts'
import type { CarImportSummary, CarSummary } from '../blocks/index.ts'
import { combineIndexes } from './combine.ts'
import { publishIpnsRecord, IpnsRecordStore, signManifest, ipnsNameOf, checkNamesBoundToKeys, checkPartnerIndex, checkSameExtraction } from '../trust/index.ts'
import type { Institution } from './institution.ts'
import type { Partner, PartnerRef, SourceRef } from '../trust/index.ts'
import { FederationError } from '../federation-error.ts'
import path from 'node:path'

export interface PublishSummary {
  readonly institution: string
  readonly publicKey: string
  readonly ipnsName: string
  readonly manifest: string
  readonly index: string
  readonly seq: number
  readonly unchanged: boolean
  readonly crawlFiles: number
  /** For a combined index: the manifests it was built from, as its manifest lists them. */
  readonly sources: string[]
}

/**
 * Publishes the local index (or a combined one): a signed manifest naming its root, stats and previous
 * manifest, and an IPNS record pointing at it. Publishing the same root again changes nothing.
 */
export async function publish(inst: Institution, opts: { merged?: string; crawls?: readonly string[] } = {}): Promise<PublishSummary> {
  const store = new NodeStore(inst.dir.blocks.store)
  let index: CID | null
  let sources: CID[] = []
  if (opts.merged !== undefined) {
    const m = await inst.refs.merged(opts.merged)
    if (m === null) throw new FederationError(`no combined index named "${opts.merged}" (run canopy merge --name ${opts.merged})`)
    index = m.index
    sources = [...m.sources]
  } else {
    index = await inst.dir.head()
  }
  if (index === null) throw new FederationError('nothing to publish: the index is empty (run canopy ingest first)')
  const opened = await openIndex(store, index)
  if (opts.merged === undefined) {
    // An institution's own index may only name it: partners refuse captures in another's name anyway.
    const others = await otherInstitutions(store, opened, inst.identity.name)
    if (others.length > 0) {
      throw new FederationError(
        `the index holds captures, withdrawals or crawl files of ${others.map(o => JSON.stringify(o)).join(', ')}, but this identity is "${inst.identity.name}": ` +
          `a published index may only hold its own institution's (re-ingest with --institution "${inst.identity.name}")`
      )
    }
  }
  const stats = await indexStats(store, opened)
  const crawlFiles = await addCrawlFiles(inst, store, opened, opts.crawls ?? [])
  const prev = await inst.refs.published()
  const base = {
    institution: inst.identity.name,
    publicKey: Buffer.from(inst.identity.publicKey).toString('base64'),
    ipnsName: ipnsNameOf(inst.identity.publicKey),
    index: index.toString(),
    crawlFiles,
    sources: sources.map(c => c.toString())
  }
  if (prev?.index.equals(index)) {
    // Rewrite the record (it may have been lost), with the same sequence: nothing new to announce.
    await publishIpnsRecord(inst.dir.path, inst.identity, prev.manifest, prev.seq)
    return { ...base, manifest: prev.manifest.toString(), seq: prev.seq, unchanged: true }
  }
  const seq = (prev?.seq ?? 0) + 1
  const { cid, bytes } = await signManifest(inst.identity, {
    index,
    indexFormat: opened.format,
    analyzer: opened.analyzer.version,
    extraction: opened.extraction,
    stats: { documents: stats.documents, captures: stats.captures, postings: stats.postings },
    time: new Date().toISOString(),
    seq,
    previous: prev?.manifest ?? null,
    sources
  })
  await inst.dir.blocks.store.put(cid, bytes)
  await inst.dir.blocks.store.sync() // the record names the manifest: it reaches the disk first
  await publishIpnsRecord(inst.dir.path, inst.identity, cid, seq)
  await inst.refs.setPublished({ manifest: cid, seq, index })
  return { ...base, manifest: cid.toString(), seq, unchanged: false }
}

/**
 * Adds crawl files to the block store as UnixFS, with the settings ingest used to name them, and checks each
 * against the CID the index recorded: a file that differs from the one indexed is refused.
 */
async function addCrawlFiles(inst: Institution, store: NodeStore, root: IndexRoot, files: readonly string[]): Promise<number> {
  if (files.length === 0) return 0
  const known = new Map<string, string>()
  for await (const e of entries(store, root.files)) {
    const f = decodeFile(e.key, e.value)
    known.set(f.file, f.cid.toString())
  }
  const put = {
    put: async (cid: CID, bytes: Uint8Array) => {
      await inst.dir.blocks.store.put(cid, bytes)
      return cid
    }
  }
  for (const file of files) {
    const want = known.get(path.basename(file))
    if (want === undefined) throw new FederationError(`${file} is not a crawl file of this index`)
    const { cid } = await importCrawlFile(file, put)
    if (cid.toString() !== want) throw new FederationError(`${file} has CID ${cid.toString()}, but the index recorded ${want}: not the file that was indexed`)
  }
  return files.length
}

/**
 * The one institution an index directory's own index names, if it names exactly one: the name an identity made
 * on first publication takes when none is given, so `ingest --institution KB` then `publish` just works.
 */
export async function soleInstitution(indexDir: string): Promise<string | undefined> {
  const dir = await openIndexDir(indexDir, { write: false })
  try {
    const head = await dir.head()
    if (head === null) return undefined
    const store = new NodeStore(dir.blocks.store)
    const names = await otherInstitutions(store, await openIndex(store, head), '')
    return names.length === 1 ? names[0] : undefined
  } finally {
    await dir.close()
  }
}

export interface FetchSummary {
  readonly partner: string
  readonly manifest: string
  readonly index: string
  readonly seq: number
  readonly source: string
  readonly updated: boolean
  readonly documents: number
  /** Blocks and bytes fetched from the partner in this run; how many of the blocks came in a CAR stream (--all). */
  readonly blocksFetched: number
  readonly blocksStreamed: number
  readonly bytesFetched: number
}

/**
 * Brings a partner up to date: its newest verified manifest, and its index root checked by opening it
 * (which reads only the root blocks: sparse). With `all`, every block of the index is fetched and kept.
 */
export async function fetchPartner(inst: Institution, partner: Partner, opts: { all?: boolean } = {}): Promise<FetchSummary> {
  if (opts.all !== true) return await fetchLatest(inst, partner, false)
  // A full copy writes every block of the index: into a pack, not a file each.
  return await packed(inst, async () => await fetchLatest(inst, partner, true))
}

/**
 * Runs a bulk writer with its blocks written into a pack, then keeps the number of packs bounded (after a
 * success only: a failure's own error is the one to report, and the next bulk write compacts).
 */
async function packed<T>(inst: Institution, work: () => Promise<T>): Promise<T> {
  const result = await inst.dir.blocks.store.bulk(work)
  compactPacks(inst.dir.blocksDir)
  return result
}

async function fetchLatest(inst: Institution, partner: Partner, all: boolean): Promise<FetchSummary> {
  const known = await inst.refs.partner(partner.name)
  const r = await inst.federation.latest(partner, known)
  const blocks = inst.federation.store([partner])
  const store = new NodeStore(blocks)
  const root = await openIndex(store, r.manifest.index)
  const stats = await indexStats(store, root)
  const streamed = all ? (await copyDag(blocks, r.manifest.index, inst.federation.dagStreams(partner))).streamed : 0
  // The last provenance check stays: the next merge checks only what changed since.
  await inst.refs.setPartner(partner.name, {
    manifest: r.cid,
    seq: r.manifest.seq,
    index: r.manifest.index,
    publicKey: partner.publicKey,
    checked: known?.publicKey === partner.publicKey ? known.checked : undefined
  })
  // The record too, so this institution's server can answer for the partner's name (routing API, gateway).
  if (r.record !== undefined) await new IpnsRecordStore(inst.dir.path).keepPartner(partner.name, r.record)
  const source = r.source.kind === 'libp2p' ? r.source.addr : r.source.kind === 'gateway' ? r.source.url : r.source.path
  return {
    partner: partner.name,
    manifest: r.cid.toString(),
    index: r.manifest.index.toString(),
    seq: r.manifest.seq,
    source: `${r.source.kind} ${source}`,
    updated: known === null || !known.manifest.equals(r.cid),
    documents: stats.documents,
    blocksFetched: blocks.stats.fetched,
    blocksStreamed: streamed,
    bytesFetched: blocks.stats.bytesFetched
  }
}

export interface MergeSummary {
  readonly name: string
  readonly index: string
  readonly inputs: Array<{ name: string; index: string }>
  readonly documents: number
  readonly blocksFetched: number
  /** Of those, the blocks that came in CAR streams (whole copies, --head), not one request each. */
  readonly blocksStreamed: number
  readonly blocksWritten: number
  /** Per partner merged now: the institution its manifest names and what of its index was refused. */
  readonly refused: Array<{ name: string; institution: string } & Refusals>
  readonly ms: number
}

/**
 * Combines the local index (unless `local` is false) with the partners' last fetched indexes into the
 * combined index `name`. Blocks the merge reads and does not have are fetched from the partners. Each
 * partner's index is taken as its signed manifest vouches for it: entries naming another institution are
 * refused and counted (provenance.ts).
 */
export async function mergePartners(
  inst: Institution,
  names: readonly string[],
  opts: { name?: string; local?: boolean; head?: boolean } = {}
): Promise<MergeSummary> {
  // The blocks fetched and the merged trees' nodes go into a pack, put in place before HEAD or a ref names them.
  return await packed(inst, async () => await merge(inst, names, opts))
}

async function merge(inst: Institution, names: readonly string[], opts: { name?: string; local?: boolean; head?: boolean }): Promise<MergeSummary> {
  const t0 = performance.now()
  const inputs: Array<{ name: string; index: CID }> = []
  const provenance: SourceRef[] = []
  const ownKey = Buffer.from(inst.identity.publicKey).toString('base64')
  if (opts.local !== false) {
    const head = await inst.dir.head()
    if (head !== null) {
      inputs.push({ name: inst.identity.name, index: head })
      provenance.push({
        name: inst.identity.name,
        institution: inst.identity.name,
        publicKey: ownKey,
        manifest: (await inst.refs.published())?.manifest ?? null,
        index: head,
        refused: NO_REFUSALS
      })
    }
  }
  const partners: Partner[] = []
  const sources: CID[] = []
  const pending: Array<{ partner: Partner; ref: PartnerRef }> = []
  const following = await inst.partners.all()
  for (const n of names) {
    // A name is a partner's, or that of a combined index made earlier (so merges can be grouped at will).
    const known = following.find(p => p.name === n)
    const merged = known === undefined ? await inst.refs.merged(n) : null
    if (merged !== null) {
      inputs.push({ name: n, index: merged.index })
      sources.push(...merged.sources)
      provenance.push(...(merged.provenance ?? []))
      continue
    }
    const ref = await inst.refs.partner(n)
    if (ref === null)
      throw new FederationError(
        known === undefined ? `no partner or combined index named "${n}"` : `partner ${n} has not been fetched yet (run canopy fetch ${n})`
      )
    partners.push(known!)
    pending.push({ partner: known!, ref })
  }
  // Blocks of a combined input may come from any partner.
  if (sources.length > 0) for (const p of following) if (!partners.some(q => q.name === p.name)) partners.push(p)
  if (inputs.length + pending.length === 0) throw new FederationError('nothing to merge')
  const blocks = inst.federation.store(partners)
  const store = new NodeStore(blocks)
  let streamed = 0
  if (opts.head === true) {
    // Refused before anything is fetched: only the institution's own index and its shares can become its HEAD.
    const others = [
      ...provenance.filter(p => p.share !== true && p.publicKey !== ownKey).map(p => p.name),
      ...pending.filter(x => x.partner.share !== true).map(x => x.partner.name)
    ]
    if (others.length > 0)
      throw new FederationError(
        `only shares of this institution can become its own index (--head): ${others.join(', ')} ${others.length === 1 ? 'is' : 'are'} not (canopy partners add <name> --share)`
      )
    // Every block of the shares becomes the institution's own: fetch them all first, many at a time, so the
    // checks and the merge read locally instead of waiting on one node at a time over the network.
    const copies = await Promise.all(pending.map(async ({ partner, ref }) => await copyDag(blocks, ref.index, inst.federation.dagStreams(partner))))
    streamed = copies.reduce((n, c) => n + c.streamed, 0)
  }
  const refused: MergeSummary['refused'] = []
  for (const { partner, ref } of pending) {
    const c = await checkPartnerIndex(store, partner, ref, inst.identity.name)
    await inst.refs.setPartner(partner.name, { ...ref, checked: c.checked })
    inputs.push({ name: partner.name, index: c.checked.merged })
    provenance.push(c.source)
    sources.push(ref.manifest)
    refused.push({ name: partner.name, institution: c.source.institution, ...c.checked.refused })
  }
  checkNamesBoundToKeys(provenance)
  // Every input checked before any work.
  await checkSameExtraction(await Promise.all(inputs.map(async i => ({ name: i.name, root: await openIndex(store, i.index) }))))
  const index = await combineIndexes(
    store,
    inputs.map(i => i.index)
  )
  const name = opts.head === true ? 'HEAD' : (opts.name ?? 'combined')
  if (opts.head === true) {
    // Every block is held here now (the shares' were fetched first; the merge wrote the rest).
    await inst.dir.setHead(index)
  } else {
    const local = provenance.find(p => p.publicKey === ownKey)?.manifest
    const all = new Map([...sources, ...(local === undefined || local === null ? [] : [local])].map(c => [c.toString(), c]))
    const bySource = new Map(provenance.map(p => [`${p.publicKey} ${p.index.toString()}`, p]))
    await inst.refs.setMerged(name, {
      index,
      sources: [...all.keys()].sort().map(k => all.get(k)!),
      provenance: [...bySource.keys()].sort().map(k => bySource.get(k)!)
    })
  }
  const stats = await indexStats(store, await openIndex(store, index))
  return {
    name,
    index: index.toString(),
    inputs: inputs.map(i => ({ name: i.name, index: i.index.toString() })),
    documents: stats.documents,
    blocksFetched: blocks.stats.fetched,
    blocksStreamed: streamed,
    blocksWritten: store.stats.nodesWritten,
    refused,
    ms: performance.now() - t0
  }
}

export interface WithdrawSummary {
  readonly withdrawn: Array<{ docId: string; url: string }>
  readonly index: string
  readonly previous: string
}

/**
 * URLs and URL prefixes as a withdrawal selection, in SURT form. A prefix loses the closing '/' of an empty
 * path, so https://example.org covers every page of it.
 */
export function selectionFromUrls(urls: readonly string[], prefixes: readonly string[]): WithdrawSelection {
  const toSurt = (u: string): string => {
    const parsed = URL.parse(u)
    const s = parsed !== null && (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '' ? surt(u) : null
    if (s === null) throw new FederationError(`${JSON.stringify(u)} is not an http(s) URL`)
    return s
  }
  const surtPrefixes = prefixes.map(p => {
    const s = toSurt(p)
    return s.endsWith(')/') ? s.slice(0, -1) : s
  })
  if (urls.length + prefixes.length === 0) throw new FederationError('give at least one URL or URL prefix to withdraw')
  return { surts: urls.map(toSurt), surtPrefixes }
}

/** Withdraws the institution's documents matching `sel` from its own index (HEAD), by tombstones. */
export async function withdraw(inst: Institution, institution: string, sel: WithdrawSelection): Promise<WithdrawSummary> {
  const head = await inst.dir.head()
  if (head === null) throw new FederationError('the index is empty')
  const store = new NodeStore(inst.dir.blocks.store)
  const root = await openIndex(store, head)
  const found = await findWithdrawals(store, root, institution, sel)
  if (found.length === 0) return { withdrawn: [], index: head.toString(), previous: head.toString() }
  const next = await saveIndexRoot(inst.dir.blocks.store, await addWithdrawals(store, root, found))
  await inst.dir.setHead(next)
  return { withdrawn: found.map(w => ({ docId: Buffer.from(w.docId).toString('hex'), url: w.url })), index: next.toString(), previous: head.toString() }
}

/** Writes the published manifest (or a combined or plain index root) and everything under it as a CAR. */
export async function exportIndex(inst: Institution, out: string, opts: { merged?: string } = {}): Promise<CarSummary> {
  let root: CID | null
  if (opts.merged !== undefined) root = (await inst.refs.merged(opts.merged))?.index ?? null
  else root = (await inst.refs.published())?.manifest ?? (await inst.dir.head())
  if (root === null) throw new FederationError('nothing to export (ingest and publish first)')
  return await exportCar(inst.dir.blocks.store, [root], out, { follow: currentVersionLinks })
}

/**
 * Imports a CAR: as a partner's publication when `partner` is given (its manifest verified against the
 * partner's key before anything is kept), else as plain blocks (every block still verified).
 */
export async function importIndex(inst: Institution, carPath: string, partner?: Partner): Promise<CarImportSummary | FetchSummary> {
  if (partner !== undefined) return await fetchPartner(inst, { ...partner, sources: [{ kind: 'car', path: carPath }] })
  return await importCar(carPath, inst.dir.blocks.store)
}
