// Stored body text, for snippets: the text in chunks of up to 16,000 bytes (most pages are one chunk, which
// deflates better than several), each keyed by the body position of its first token, so a snippet for a
// match at position p reads one chunk.
//   key   = urlKey ‖ 0x02 ‖ contentKey ‖ u32 big-endian start position (in the docs tree, doc-keys.ts)
//   value = two zero varints (the docs tree's sums), then the chunk's text, UTF-8, raw-deflated (level 6) by
//           libdeflate compiled to WebAssembly, pinned to one version: the bytes (and root CIDs) cannot drift
//           with the zlib a Node build bundles or with the CPU. It deflates about twice as fast as fflate's
//           pure-JS deflate (once an ingest's largest cost after tokenizing) and 3% smaller. Any raw-deflate
//           reader inflates it; fflate does.

import { inflateSync } from 'fflate'
import { deflate } from 'libdeflate'
import { fromUtf8, utf8 } from '../bytes.ts'
import { afterSums, docKindKey, KIND_TEXT, TEXT_SUMS, withSums } from './doc-keys.ts'
import { DOC_ID_BYTES, LIMITS } from './schema.ts'
import { UserError } from '../user-error.ts'

export class TextFormatError extends UserError {
  override name = 'TextFormatError'
}

/** Longest text a chunk may inflate to (a hostile block cannot make a reader allocate more). */
const MAX_CHUNK_BYTES = LIMITS.textChunkBytes

export function encodeTextChunk(chunk: string): Uint8Array {
  return withSums(TEXT_SUMS, deflate(utf8(chunk), 6))
}

export function decodeTextChunk(value: Uint8Array): string {
  const deflated = afterSums(value, TEXT_SUMS)
  if (deflated === null) throw new TextFormatError('stored text: malformed sums')
  let out: Uint8Array
  try {
    out = inflateSync(deflated, { out: new Uint8Array(MAX_CHUNK_BYTES) })
  } catch (err) {
    throw new TextFormatError(`stored text: ${(err as Error).message}`)
  }
  return fromUtf8(out)
}

export function textKey(docId: Uint8Array, startPosition: number): Uint8Array {
  const k = docKindKey(docId, KIND_TEXT, 4)
  new DataView(k.buffer).setUint32(DOC_ID_BYTES + 1, startPosition)
  return k
}

export function textKeyPosition(key: Uint8Array): number {
  return new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(DOC_ID_BYTES + 1)
}

/**
 * Cuts text into chunks of at most `maxBytes` bytes of UTF-8, at white space where there is some in the last
 * fifth of the window (so no word is split), never inside a surrogate pair.
 */
export function chunkText(text: string, maxBytes: number = LIMITS.textChunkBytes): string[] {
  if (maxBytes < 4) throw new RangeError('chunks need room for one character')
  const out: string[] = []
  let i = 0
  while (i < text.length) {
    let end = i
    let bytes = 0
    while (end < text.length) {
      const c = text.charCodeAt(end)
      const d = c >= 0xd800 && c <= 0xdbff && end + 1 < text.length ? text.charCodeAt(end + 1) : 0
      const pair = d >= 0xdc00 && d <= 0xdfff
      // A lone surrogate is written as U+FFFD, 3 bytes.
      const n = pair ? 4 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3
      if (bytes + n > maxBytes) break
      bytes += n
      end += pair ? 2 : 1
    }
    if (end < text.length) {
      const floor = i + Math.floor((end - i) * 0.8)
      let j = end
      while (j > floor && !/\s/.test(text[j - 1])) j--
      if (j > floor) end = j
      const c = text.charCodeAt(end - 1)
      if (c >= 0xd800 && c <= 0xdbff && end - 1 > i) end--
    }
    out.push(text.slice(i, end))
    i = end
  }
  return out
}
