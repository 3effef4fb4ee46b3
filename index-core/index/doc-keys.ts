// Keys of the docs tree, which holds everything a search shows of a document: its record, its captures and
// its stored text. A key starts with the document's URL key and a kind byte, then the rest of its id:
//
//   record   urlKey ‖ 0x00 ‖ contentKey
//   capture  urlKey ‖ 0x01 ‖ contentKey ‖ 14-digit timestamp ‖ 8 bytes of hash(institution, file, offset)
//   text     urlKey ‖ 0x02 ‖ contentKey ‖ u32 big-endian body position of the chunk's first token
//
// So all a URL holds sits in one key range, its records together, then its captures, then its text: a hit's
// record, the captures of every version of its URL and its snippet's text are neighbouring leaves under one
// path, which over the network costs one path of branch nodes instead of three (one per tree, as before).
// Every value starts with the five varints the tree sums (schema.ts DOCS_TREE): a record's 1, 0 and its title,
// body and url lengths in tokens (doc-codec.ts), a capture's 0, 1, 0, 0, 0, a text chunk's five zeros. The root
// then holds the number of documents and captures and the total length of each field.

import type { CID } from 'multiformats/cid'
import type { NodeStore, Entry } from '../prolly/index.ts'
import { entries } from '../prolly/index.ts'
import { DOC_ID_BYTES, URL_KEY_BYTES } from './schema.ts'

export const KIND_RECORD = 0
export const KIND_CAPTURE = 1
export const KIND_TEXT = 2

/** urlKey ‖ kind ‖ contentKey: a record's key, and the prefix of a document's captures or text. */
export function docKindKey(docId: Uint8Array, kind: number, extra = 0): Uint8Array {
  const k = new Uint8Array(DOC_ID_BYTES + 1 + extra)
  k.set(docId.subarray(0, URL_KEY_BYTES))
  k[URL_KEY_BYTES] = kind
  k.set(docId.subarray(URL_KEY_BYTES, DOC_ID_BYTES), URL_KEY_BYTES + 1)
  return k
}

export function recordKey(docId: Uint8Array): Uint8Array {
  return docKindKey(docId, KIND_RECORD)
}

/** The prefix of every key of one kind under a URL key (every version of the URL). */
export function urlKindPrefix(urlKey: Uint8Array, kind: number): Uint8Array {
  const k = new Uint8Array(URL_KEY_BYTES + 1)
  k.set(urlKey.subarray(0, URL_KEY_BYTES))
  k[URL_KEY_BYTES] = kind
  return k
}

export function keyKind(key: Uint8Array): number {
  return key[URL_KEY_BYTES]
}

/** The document id a docs-tree key belongs to. */
export function keyDocId(key: Uint8Array): Uint8Array {
  const id = new Uint8Array(DOC_ID_BYTES)
  id.set(key.subarray(0, URL_KEY_BYTES))
  id.set(key.subarray(URL_KEY_BYTES + 1, DOC_ID_BYTES + 1), URL_KEY_BYTES)
  return id
}

/** The varints a value of each kind starts with (a record's are followed by its three field lengths). */
export const RECORD_SUMS = Uint8Array.of(1, 0)
export const CAPTURE_SUMS = Uint8Array.of(0, 1, 0, 0, 0)
export const TEXT_SUMS = Uint8Array.of(0, 0, 0, 0, 0)

/** `value` without its leading constant sums, or null when it does not start with them. */
export function afterSums(value: Uint8Array, sums: Uint8Array): Uint8Array | null {
  if (value.length < sums.length) return null
  for (let i = 0; i < sums.length; i++) if (value[i] !== sums[i]) return null
  return value.subarray(sums.length)
}

export function withSums(sums: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(sums.length + body.length)
  out.set(sums)
  out.set(body, sums.length)
  return out
}

/** Every entry of one kind in a docs tree (a whole-tree scan: for checks and exports, not for queries). */
export async function* entriesOfKind(store: NodeStore, docs: CID, kind: number): AsyncGenerator<Entry> {
  for await (const e of entries(store, docs)) if (keyKind(e.key) === kind) yield e
}
