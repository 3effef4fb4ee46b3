// Provenance: what an institution's published index may hold. A capture's institution, a tombstone's, a
// crawl file's and a document's facet values name who holds the page; in an index signed by one institution
// they may only name that institution. A partner that writes another's name (to put pages in its name, or to
// withdraw its documents from every combined index) is refused entry by entry: restrictToInstitution gives
// the index as it would be without those entries, and counts them by reason.
//
// It reads every capture, tombstone, file entry and doc value of the index once (or, given the index it
// checked last time and found clean, only what changed since), and the filter postings of other
// institutions' names, which an honest index does not have.

import type { CID } from 'multiformats/cid'
import { concatBytes, fromUtf8, prefixEnd, toHex, utf8 } from '../bytes.ts'
import { mutate, sortEdits, diff, count, entries, get } from '../prolly/index.ts'
import type { Edit, NodeStore, Entry } from '../prolly/index.ts'
import { decodeCapture } from './capture-codec.ts'
import { docKindKey, keyDocId, keyKind, KIND_CAPTURE, KIND_RECORD, recordKey } from './doc-keys.ts'
import { decodeDocValues, encodeDocValues } from './docvalues-codec.ts'
import { decodeFile } from './file-codec.ts'
import type { IndexRoot } from './index-root.ts'
import { filterTerm, LIMITS, TERM_SEPARATOR } from './schema.ts'
import { decodeWithdrawal, removeCaptures } from './withdraw.ts'

/** Entries refused, by reason. */
export interface Refusals {
  /** Captures naming another institution. */
  readonly 'foreign-capture': number
  /** Tombstones withdrawing another institution's captures. */
  readonly 'foreign-tombstone': number
  /** Crawl files listed under another institution. */
  readonly 'foreign-file': number
  /** Documents no capture of the institution names (dropped with their postings and text). */
  readonly 'document-without-capture': number
  /** Doc values listing another institution (the institution: facet). */
  readonly 'foreign-facet-value': number
  /** institution: filter postings of another institution. */
  readonly 'foreign-filter-posting': number
}

export const NO_REFUSALS: Refusals = Object.freeze({
  'foreign-capture': 0,
  'foreign-tombstone': 0,
  'foreign-file': 0,
  'document-without-capture': 0,
  'foreign-facet-value': 0,
  'foreign-filter-posting': 0
})

export function refusedTotal(r: Refusals): number {
  return Object.values(r).reduce((a: number, b: number) => a + b, 0)
}

export interface Restricted {
  readonly root: IndexRoot
  readonly refused: Refusals
}

/** The entries of tree `after` that are new or changed since tree `before` (every entry without one). */
async function* changedEntries(store: NodeStore, before: CID | undefined, after: CID): AsyncGenerator<Entry> {
  if (before === undefined) {
    yield* entries(store, after)
    return
  }
  for await (const c of diff(store, before, after)) if (c.after !== null) yield { key: c.key, value: c.after }
}

/**
 * The index `root` without what it claims for institutions other than `institution`. With `since` (an index
 * of the same publisher that this function found clean before), only what changed since is read; without
 * it, everything is.
 */
export async function restrictToInstitution(store: NodeStore, root: IndexRoot, institution: string, opts: { since?: IndexRoot } = {}): Promise<Restricted> {
  const own = institution.slice(0, LIMITS.institutionChars)
  const since = opts.since
  const refused: Record<keyof Refusals, number> = { ...NO_REFUSALS }
  let next: IndexRoot = root

  // Tombstones and crawl files: small trees, checked entry by entry.
  const dropWithdrawn: Edit[] = []
  for await (const e of changedEntries(store, since?.withdrawn, root.withdrawn)) {
    if (decodeWithdrawal(e.key, e.value).institution !== own) dropWithdrawn.push({ key: e.key, value: null })
  }
  refused['foreign-tombstone'] = dropWithdrawn.length
  const dropFiles: Edit[] = []
  for await (const e of changedEntries(store, since?.files, root.files)) {
    if (decodeFile(e.key, e.value).institution !== own) dropFiles.push({ key: e.key, value: null })
  }
  refused['foreign-file'] = dropFiles.length
  if (dropWithdrawn.length > 0) next = { ...next, withdrawn: await mutate(store, next.withdrawn, sortEdits(dropWithdrawn)) }
  if (dropFiles.length > 0) next = { ...next, files: await mutate(store, next.files, sortEdits(dropFiles)) }

  // Captures: those naming another institution go, and so does every document left with none of its own.
  const foreign = new Map<string, Uint8Array>()
  const records = new Map<string, Uint8Array>()
  const captured = new Set<string>()
  for await (const e of changedEntries(store, since?.docs, root.docs)) {
    const kind = keyKind(e.key)
    if (kind === KIND_RECORD) {
      const id = keyDocId(e.key)
      records.set(toHex(id), id)
    } else if (kind === KIND_CAPTURE) {
      const id = keyDocId(e.key)
      const hex = toHex(id)
      if (decodeCapture(e.value).institution !== own) {
        refused['foreign-capture']++
        foreign.set(hex, id)
      } else {
        captured.add(hex)
      }
    }
  }
  // A record whose captures were not among the entries read (unchanged since `since`, or none at all).
  for (const [hex, id] of records) {
    if (captured.has(hex) || foreign.has(hex)) continue
    if ((await count(store, root.docs, { prefix: docKindKey(id, KIND_CAPTURE) })) === 0) foreign.set(hex, id)
  }
  if (foreign.size > 0) {
    next = await removeCaptures(store, next, [...foreign.values()], c => c.institution !== own)
    for (const id of foreign.values()) {
      const key = recordKey(id)
      if ((await get(store, root.docs, key)) !== undefined && (await get(store, next.docs, key)) === undefined) refused['document-without-capture']++
    }
  }

  // Facet values and filter postings naming another institution, where no capture backs them.
  const fixValues: Edit[] = []
  for await (const e of changedEntries(store, since?.docvalues, next.docvalues)) {
    const dv = decodeDocValues(e.value)
    if (dv.institutions.every(i => i === own)) continue
    fixValues.push({ key: e.key, value: encodeDocValues({ ...dv, institutions: dv.institutions.filter(i => i === own) }) })
  }
  refused['foreign-facet-value'] = fixValues.length
  if (fixValues.length > 0) next = { ...next, docvalues: await mutate(store, next.docvalues, sortEdits(fixValues)) }

  const instPrefix = utf8(filterTerm('inst', ''))
  const ownTerm = concatBytes([utf8(filterTerm('inst', own)), Uint8Array.of(TERM_SEPARATOR)])
  const segments = await Promise.all(
    next.segments.map(async seg => ({
      ...seg,
      shards: await Promise.all(
        seg.shards.map(async shard => {
          const drop: Edit[] = []
          const ranges = [
            { gte: instPrefix, lt: ownTerm },
            { gte: prefixEnd(ownTerm)!, lt: prefixEnd(instPrefix)! }
          ]
          for (const r of ranges) for await (const e of entries(store, shard, r)) drop.push({ key: e.key, value: null })
          refused['foreign-filter-posting'] += drop.length
          return drop.length === 0 ? shard : await mutate(store, shard, sortEdits(drop))
        })
      )
    }))
  )
  // Every document left has a capture of the institution, so its filter posting: no segment is left empty.
  next = { ...next, segments }
  return { root: next, refused }
}

/**
 * The other institutions an index names, read off its institution: filter postings, tombstones and crawl
 * files: a quick check of an index built here (whose postings ingest derived from its captures), not of a
 * partner's, whose postings could disagree with its captures.
 */
export async function otherInstitutions(store: NodeStore, root: IndexRoot, institution: string): Promise<string[]> {
  const own = institution.slice(0, LIMITS.institutionChars)
  const found = new Set<string>()
  const instPrefix = utf8(filterTerm('inst', ''))
  for (const seg of root.segments) {
    for (const shard of seg.shards) {
      for await (const e of entries(store, shard, { prefix: instPrefix })) {
        const name = fromUtf8(e.key.subarray(instPrefix.length, e.key.indexOf(TERM_SEPARATOR, instPrefix.length)))
        if (name !== own) found.add(name)
      }
    }
  }
  for await (const e of entries(store, root.withdrawn)) found.add(decodeWithdrawal(e.key, e.value).institution)
  for await (const e of entries(store, root.files)) found.add(decodeFile(e.key, e.value).institution)
  found.delete(own)
  return [...found].sort()
}
