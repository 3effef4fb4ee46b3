// Trust bound to keys. What a partner contributes to a combined index is what its signed manifest vouches
// for: the manifest names the institution (and its key signs it), and every capture, tombstone, crawl file
// and facet value taken from the partner's index must name that institution; the rest is refused and
// counted (index-core/index/provenance.ts). Within one combined index an institution name belongs to one
// key, so a second key cannot speak under a name a partner already holds. And indexes made by different
// extractions are never mixed.

import { checkMonthCounts, openIndex, saveIndexRoot, refusedTotal, restrictToInstitution } from '../../index-core/index/index.ts'
import type { IndexRoot } from '../../index-core/index/index.ts'
import type { NodeStore } from '../../index-core/prolly/index.ts'
import { verifyManifest } from './manifest.ts'
import type { Manifest } from './manifest.ts'
import { publicKeyBytes } from './partners.ts'
import type { Partner } from './partners.ts'
import type { CheckedRef, PartnerRef, SourceRef } from './refs.ts'
import { FederationError } from '../federation-error.ts'

/** The partner's last accepted manifest, read back from the store (it was verified and kept when fetched). */
async function acceptedManifest(store: NodeStore, partner: Partner, ref: PartnerRef): Promise<Manifest> {
  const bytes = await store.blocks.get(ref.manifest)
  if (bytes === undefined)
    throw new FederationError(`partner ${partner.name}: its manifest ${ref.manifest.toString()} is not held here (run canopy fetch ${partner.name})`)
  return await verifyManifest(ref.manifest, bytes, { publicKey: publicKeyBytes(partner) })
}

export interface CheckedSource {
  readonly source: SourceRef
  /** What to remember in the partner's ref, so the next merge checks only what changed. */
  readonly checked: CheckedRef
}

/**
 * A partner's index as a merge may take it: its root checked against the manifest, and without the entries
 * that claim another institution. Reads the whole index the first time, then only what changed since the
 * last index found clean.
 */
export async function checkPartnerIndex(store: NodeStore, partner: Partner, ref: PartnerRef, ownName: string): Promise<CheckedSource> {
  const m = await acceptedManifest(store, partner, ref)
  // A share speaks for this institution; a partner for the one its manifest names.
  if (partner.share === true && m.institution !== ownName) {
    throw new FederationError(
      `share ${partner.name} signs as "${m.institution}", not as this institution "${ownName}" (create its identity with --institution "${ownName}")`
    )
  }
  if (!m.index.equals(ref.index)) throw new FederationError(`partner ${partner.name}: its manifest names index ${m.index.toString()}, not ${String(ref.index)}`)
  const root = await openIndex(store, ref.index)
  if (root.extraction !== m.extraction || root.analyzer.version !== m.analyzer) {
    throw new FederationError(
      `partner ${partner.name}: its index was made by ${root.extraction} / ${root.analyzer.version}, but its manifest says ${m.extraction} / ${m.analyzer}`
    )
  }
  let checked: CheckedRef
  const prev = ref.checked
  // A check holds for one institution name (a partner re-added with another key starts afresh).
  const usable = prev !== undefined && prev.institution === m.institution ? prev : undefined
  if (usable?.index.equals(ref.index)) {
    checked = usable
  } else {
    const since = usable !== undefined && refusedTotal(usable.refused) === 0 ? await openIndex(store, usable.index) : undefined
    await checkMonthCounts(store, root, since)
    const r = await restrictToInstitution(store, root, m.institution, { since })
    const merged = refusedTotal(r.refused) === 0 ? ref.index : await saveIndexRoot(store.blocks, r.root)
    checked = { institution: m.institution, index: ref.index, merged, refused: r.refused }
  }
  return {
    checked,
    source: {
      name: partner.name,
      institution: m.institution,
      publicKey: partner.publicKey,
      manifest: ref.manifest,
      index: ref.index,
      refused: checked.refused,
      ...(partner.share === true ? { share: true } : {})
    }
  }
}

/** Refuses a merge in which two keys claim one institution name (the institution's shares speak for it). */
export function checkNamesBoundToKeys(sources: readonly SourceRef[]): void {
  const byName = new Map<string, SourceRef>()
  for (const s of sources) {
    if (s.share === true) continue
    const other = byName.get(s.institution)
    if (other !== undefined && other.publicKey !== s.publicKey) {
      throw new FederationError(
        `two keys claim the institution name "${s.institution}": ${other.name} (key ${other.publicKey}) and ${s.name} (key ${s.publicKey}); ` +
          'a name belongs to one key in a combined index: merge without one of them (canopy partners remove <name>)'
      )
    }
    byName.set(s.institution, s)
  }
}

/** Refuses a merge of indexes made by different extractions, saying which has which. */
export async function checkSameExtraction(inputs: ReadonlyArray<{ readonly name: string; readonly root: IndexRoot }>): Promise<void> {
  const versions = new Map<string, string[]>()
  for (const i of inputs) versions.set(i.root.extraction, [...(versions.get(i.root.extraction) ?? []), i.name])
  if (versions.size <= 1) return
  // extraction's face loads the HTML parser and charset decoders; only this message needs its version
  const { EXTRACTION_VERSION } = await import('../../ingest/extract/index.ts')
  const list = [...versions].map(([v, names]) => `${names.join(', ')}: ${v}`).join('; ')
  throw new FederationError(
    `cannot merge indexes made by different extractions (${list}); this Canopy makes ${EXTRACTION_VERSION}. ` +
      'The same crawl would give different documents: the institutions whose version differs re-ingest their crawls with one Canopy version and publish again'
  )
}
