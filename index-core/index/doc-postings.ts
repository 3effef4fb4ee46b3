// A document's postings found again from what the index stores of it: its record and text analysed exactly as
// ingest analysed them, under every URL its captures name (variants of one SURT with the same content give one
// document, whose URL terms and impacts differ per variant), and its captures' filter terms. Postings keys are
// term-major, so this is how a document's postings are found without reading every list: to remove them
// (withdrawals) or move them to another segment (placement.ts).

import type { NodeStore } from '../prolly/index.ts'
import { entries, get } from '../prolly/index.ts'
import type { Capture } from './capture-codec.ts'
import { decodeDoc } from './doc-codec.ts'
import type { DocRecord } from './doc-codec.ts'
import { docKindKey, KIND_TEXT, recordKey } from './doc-keys.ts'
import { captureEntries, documentEntries } from './document.ts'
import type { AnalyzerSettings, ShardEntry } from './document.ts'
import { decodeTextChunk } from './text-codec.ts'
import { urlKeys } from './url-keys.ts'
import type { CID } from 'multiformats/cid'

export interface StoredDocument {
  readonly doc: DocRecord
  readonly text: string
  /** The keys of its text chunks in the docs tree. */
  readonly textKeys: readonly Uint8Array[]
}

/** The document's record and text as the docs tree holds them; null when it holds no record. */
export async function storedDocument(store: NodeStore, docs: CID, docId: Uint8Array): Promise<StoredDocument | null> {
  const bytes = await get(store, docs, recordKey(docId))
  if (bytes === undefined) return null
  const chunks: string[] = []
  const textKeys: Uint8Array[] = []
  for await (const e of entries(store, docs, { prefix: docKindKey(docId, KIND_TEXT) })) {
    textKeys.push(e.key)
    chunks.push(decodeTextChunk(e.value))
  }
  return { doc: decodeDoc(bytes), text: chunks.join(''), textKeys }
}

/**
 * Every posting the document can have: its text's under each of `urls` (with its record's own URL), and the
 * filter terms of `captures`, each key once. Some may be absent (a URL variant no one ingested): callers
 * delete them all, or look them up before moving them.
 */
export function documentPostings(
  docId: Uint8Array,
  stored: StoredDocument | null,
  urls: Iterable<string>,
  captures: readonly Capture[],
  shards: number,
  analyzer: AnalyzerSettings
): ShardEntry[] {
  const out = new Map<string, ShardEntry>()
  const add = (p: ShardEntry): void => {
    out.set(Buffer.from(p.key).toString('latin1'), p)
  }
  if (stored !== null) {
    for (const url of new Set([stored.doc.url, ...urls])) {
      // Each variant with its own host and domain, as extraction gave them (www.example.org and example.org
      // share a SURT, so a document, but not a host: term).
      const keys = url === stored.doc.url ? null : urlKeys(url)
      const host = keys?.host ?? stored.doc.host
      const domain = keys?.domain ?? stored.doc.domain
      for (const p of documentEntries(docId, { ...stored.doc, url, host, domain, text: stored.text }, shards, analyzer).postings) add(p)
    }
  }
  for (const c of captures) for (const p of captureEntries(docId, c, shards).postings) add(p)
  return [...out.values()]
}
