// Withdrawals: an institution takes documents out of what it publishes (a takedown, a rights request).
// A withdrawal is a tombstone in the `withdrawn` tree, key docId ‖ institution, value { url }. Tombstones merge
// by union like every other entry, and every merge applies all of them: the institution's captures of the
// document are removed, and the document itself when no institution holds a capture of it any more. So a
// partner that merged an older version of the index cannot bring a withdrawn document back, and the result
// of a merge stays a function of the union of entries and tombstones, whatever the order of merges.
//
// Applying a tombstone that was already applied finds none of the institution's captures and does nothing,
// so the cost of re-applying them all on every merge is a few reads per tombstone.

import * as dagCbor from '@ipld/dag-cbor'
import type { CID } from 'multiformats/cid'
import { compareBytes, concatBytes, fromUtf8, prefixEnd, utf8 } from '../bytes.ts'
import { mutate, sortEdits, count, entries, get } from '../prolly/index.ts'
import type { Edit, NodeStore } from '../prolly/index.ts'
import { decodeCapture } from './capture-codec.ts'
import type { Capture } from './capture-codec.ts'
import { decodeDoc } from './doc-codec.ts'
import { docKindKey, KIND_CAPTURE, recordKey } from './doc-keys.ts'
import { captureEntries } from './document.ts'
import { documentPostings, storedDocument } from './doc-postings.ts'
import type { ShardEntry } from './document.ts'
import { decodeDocValues, encodeDocValues, unionDocValues } from './docvalues-codec.ts'
import type { IndexRoot } from './index-root.ts'
import { postingKey } from './posting-codec.ts'
import { DOC_ID_BYTES, filterTerm, LIMITS, shardOf } from './schema.ts'
import type { SideTree } from './schema.ts'
import { loadMonthCounts } from './month-counts.ts'
import { recount, settle } from './placement.ts'
import type { Placed } from './placement.ts'
import { monthOf } from './tiers.ts'

export interface Withdrawal {
  readonly docId: Uint8Array
  readonly institution: string
  readonly url: string
}

export function withdrawnKey(docId: Uint8Array, institution: string): Uint8Array {
  return concatBytes([docId, utf8(institution.slice(0, LIMITS.institutionChars))])
}

export function encodeWithdrawal(w: Withdrawal): Uint8Array {
  return dagCbor.encode({ url: w.url })
}

export function decodeWithdrawal(key: Uint8Array, value: Uint8Array): Withdrawal {
  const m = dagCbor.decode(value) as { url?: unknown }
  return { docId: key.subarray(0, DOC_ID_BYTES), institution: fromUtf8(key.subarray(DOC_ID_BYTES)), url: typeof m?.url === 'string' ? m.url : '' }
}

/** What to withdraw: exact URLs and URL prefixes, both given in SURT form (the caller normalises). */
export interface WithdrawSelection {
  readonly surts?: readonly string[]
  readonly surtPrefixes?: readonly string[]
}

/** Document ids whose SURT is one of `surts` or starts with one of `prefixes`, read off the surt: filter terms. */
async function docsBySurt(store: NodeStore, root: IndexRoot, sel: WithdrawSelection): Promise<Uint8Array[]> {
  const found = new Map<string, Uint8Array>()
  const take = async (shard: CID, lo: Uint8Array, hi: Uint8Array | null): Promise<void> => {
    for await (const e of entries(store, shard, hi === null ? { gte: lo } : { gte: lo, lt: hi })) {
      const id = e.key.subarray(e.key.length - DOC_ID_BYTES)
      found.set(Buffer.from(id).toString('hex'), new Uint8Array(id))
    }
  }
  for (const s of sel.surts ?? []) {
    const term = utf8(filterTerm('surt', s))
    const prefix = concatBytes([term, Uint8Array.of(0)])
    for (const seg of root.segments) await take(seg.shards[shardOf(term, root.shardCount)], prefix, prefixEnd(prefix))
  }
  for (const p of sel.surtPrefixes ?? []) {
    // A prefix of terms may fall in any shard.
    const lo = utf8(filterTerm('surt', p))
    for (const seg of root.segments) for (const shard of seg.shards) await take(shard, lo, prefixEnd(lo))
  }
  return [...found.values()].sort(compareBytes)
}

async function capturesOf(store: NodeStore, root: IndexRoot, docId: Uint8Array): Promise<Array<{ key: Uint8Array; capture: Capture }>> {
  const out: Array<{ key: Uint8Array; capture: Capture }> = []
  for await (const e of entries(store, root.docs, { prefix: docKindKey(docId, KIND_CAPTURE) })) out.push({ key: e.key, capture: decodeCapture(e.value) })
  return out
}

/**
 * The documents `institution` holds captures of among those selected: what `withdraw` would record.
 * Documents only other institutions hold are not the institution's to withdraw.
 */
export async function findWithdrawals(store: NodeStore, root: IndexRoot, institution: string, sel: WithdrawSelection): Promise<Withdrawal[]> {
  const out: Withdrawal[] = []
  for (const docId of await docsBySurt(store, root, sel)) {
    const mine = (await capturesOf(store, root, docId)).filter(c => c.capture.institution === institution)
    if (mine.length === 0) continue
    const doc = await get(store, root.docs, recordKey(docId))
    out.push({ docId, institution, url: doc === undefined ? mine[0].capture.url : decodeDoc(doc).url })
  }
  return out
}

/** Adds tombstones for `withdrawals` and applies every tombstone of the index. */
export async function addWithdrawals(store: NodeStore, root: IndexRoot, withdrawals: readonly Withdrawal[]): Promise<IndexRoot> {
  const edits = sortEdits(withdrawals.map(w => ({ key: withdrawnKey(w.docId, w.institution), value: encodeWithdrawal(w) })))
  const withdrawn = await mutate(store, root.withdrawn, edits)
  return await applyWithdrawals(store, { ...root, withdrawn })
}

/**
 * Edits to the index's trees, gathered per tree and applied at the end. Postings are deleted from every
 * segment (a document's are in one, and deleting a key a tree lacks changes nothing); the documents whose
 * first capture may have moved are settled after (placement.ts).
 */
class IndexEdits {
  readonly postings = new Map<number, Edit[]>()
  readonly side = new Map<SideTree, Edit[]>()
  readonly touched: Placed[] = []
  size = 0

  /** Removes a filter posting (impact 0) of the document. */
  delFilter(shards: number, term: string, docId: Uint8Array): void {
    const tb = utf8(term)
    this.#push(this.postings, shardOf(tb, shards), { key: postingKey(tb, 0, docId), value: null })
  }

  delPosting(p: ShardEntry): void {
    this.#push(this.postings, p.shard, { key: p.key, value: null })
  }

  set(tree: SideTree, key: Uint8Array, value: Uint8Array | null): void {
    this.#push(this.side, tree, { key, value })
  }

  #push<K>(m: Map<K, Edit[]>, k: K, e: Edit): void {
    let l = m.get(k)
    if (l === undefined) m.set(k, (l = []))
    l.push(e)
    this.size++
  }

  async apply(store: NodeStore, root: IndexRoot): Promise<IndexRoot> {
    const sorted = new Map([...this.postings].map(([i, e]) => [i, sortEdits(e)]))
    const segments = await Promise.all(
      root.segments.map(async seg => ({
        ...seg,
        shards: await Promise.all(
          seg.shards.map(async (s, i) => {
            const e = sorted.get(i)
            return e === undefined ? s : await mutate(store, s, e)
          })
        )
      }))
    )
    const next: Record<string, unknown> = { ...root, segments }
    for (const [tree, e] of this.side) next[tree] = await mutate(store, root[tree], sortEdits(e))
    // The touched documents leave the months they were counted in for where they are now; settling drops a
    // segment the deletions emptied with its month.
    const counts = await loadMonthCounts(store.blocks, root.months)
    return await settle(store, next as unknown as IndexRoot, this.touched, now => recount(counts, this.touched, now))
  }
}

/** Filter terms a capture adds to its document (institution, year, month). */
function captureTerms(docId: Uint8Array, c: Capture, shards: number): string[] {
  return captureEntries(docId, c, shards).postings.map(p => p.term)
}

/**
 * Removes the captures of one document that `drop` selects, and the document itself when no capture is left
 * (also when it had none to begin with: a document no capture names belongs to nobody).
 */
async function applyToDoc(store: NodeStore, root: IndexRoot, docId: Uint8Array, drop: (c: Capture) => boolean, edits: IndexEdits): Promise<void> {
  const caps = await capturesOf(store, root, docId)
  const removed = caps.filter(c => drop(c.capture))
  if (removed.length === 0 && caps.length > 0) return // applied before
  const remaining = caps.filter(c => !drop(c.capture))
  const shards = root.shardCount
  for (const c of removed) edits.set('docs', c.key, null)
  const kept = new Set(remaining.flatMap(c => captureTerms(docId, c.capture, shards)))
  for (const t of new Set(removed.flatMap(c => captureTerms(docId, c.capture, shards)))) if (!kept.has(t)) edits.delFilter(shards, t, docId)

  const dvBytes = await get(store, root.docvalues, docId)
  // Its first capture may move, or it may leave: where its postings were placed, for settle.
  if (dvBytes !== undefined) edits.touched.push({ id: docId, month: monthOf(decodeDocValues(dvBytes).first) })
  if (remaining.length > 0) {
    // Dates, years and institutions come from captures: recompute them from those that remain; the content
    // part (host, type, ...) stays as it was.
    const content = dvBytes === undefined ? null : decodeDocValues(dvBytes).content
    let dv = encodeDocValues({ content, first: 0, last: 0, years: [], institutions: [] })
    for (const c of remaining) dv = unionDocValues(docId, dv, captureEntries(docId, c.capture, shards).docvalues.value)
    edits.set('docvalues', docId, dv)
    return
  }
  if (dvBytes !== undefined) edits.set('docvalues', docId, null)
  const stored = await storedDocument(store, root.docs, docId)
  if (stored === null) return
  // The document's postings are found by analysing it again (doc-postings.ts).
  edits.set('docs', recordKey(docId), null)
  for (const k of stored.textKeys) edits.set('docs', k, null)
  for (const p of documentPostings(
    docId,
    stored,
    caps.map(c => c.capture.url),
    [],
    shards,
    root.analyzer
  ))
    edits.delPosting(p)
}

/** Applies every tombstone of the index: the result depends only on the index's entries and tombstones. */
export async function applyWithdrawals(store: NodeStore, root: IndexRoot): Promise<IndexRoot> {
  if ((await count(store, root.withdrawn)) === 0) return root
  const edits = new IndexEdits()
  let docId: Uint8Array | null = null
  let institutions = new Set<string>()
  const flush = async (id: Uint8Array, of: ReadonlySet<string>): Promise<void> => {
    await applyToDoc(store, root, id, c => of.has(c.institution), edits)
  }
  for await (const e of entries(store, root.withdrawn)) {
    const w = decodeWithdrawal(e.key, e.value)
    if (docId !== null && compareBytes(docId, w.docId) !== 0) {
      await flush(docId, institutions)
      institutions = new Set()
    }
    docId = w.docId
    institutions.add(w.institution)
  }
  if (docId !== null) await flush(docId, institutions)
  return edits.size === 0 ? root : await edits.apply(store, root)
}

/**
 * Removes, without leaving tombstones, the captures `drop` selects from each of `docIds`, with what they
 * alone contributed (filter terms, dates, institutions), and every one of those documents left with no
 * capture. What a merge does with a partner's entries it refuses (provenance.ts).
 */
export async function removeCaptures(store: NodeStore, root: IndexRoot, docIds: readonly Uint8Array[], drop: (c: Capture) => boolean): Promise<IndexRoot> {
  const edits = new IndexEdits()
  // Each document once: it is counted out of its month once.
  const ids = [...docIds].sort(compareBytes).filter((id, i, all) => i === 0 || compareBytes(all[i - 1], id) !== 0)
  for (const id of ids) await applyToDoc(store, root, id, drop, edits)
  return edits.size === 0 ? root : await edits.apply(store, root)
}
