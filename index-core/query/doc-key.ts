// A document id as queries hold it: a latin1 string of its bytes, which compares like the bytes and works as a
// Map key.

import { URL_KEY_BYTES } from '../index/index.ts'

/** A document id (DOC_ID_BYTES, 10 bytes) as a latin1 string of as many characters: compares like the bytes, works as a Map key. */
export type DocKey = string

export function docKey(bytes: Uint8Array): DocKey {
  // One call makes a flat string; appending a character at a time makes a rope that every Map lookup flattens.
  return String.fromCharCode.apply(null, bytes as unknown as number[])
}

export function docKeyBytes(k: DocKey): Uint8Array {
  const b = new Uint8Array(k.length)
  for (let i = 0; i < k.length; i++) b[i] = k.charCodeAt(i)
  return b
}

export function docKeyHex(k: DocKey): string {
  return Buffer.from(docKeyBytes(k)).toString('hex')
}

/** The URL key a document's key starts with: the same for every version of one URL. */
export function urlKeyOfDoc(k: DocKey): string {
  return k.slice(0, URL_KEY_BYTES)
}
