// Format detection from magic bytes. File names lie (gzip files named .warc are common), so only content counts.

export type CrawlFormat = 'gzip' | 'zip' | 'warc' | 'arc' | 'lz4' | 'zstd' | 'bzip2' | 'xz' | 'empty' | 'unknown'

/** Bytes detectFormat wants to see (fewer is fine at the end of a file). */
export const DETECT_BYTES = 64

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false
  return true
}

/** True if `b` (at `at`) starts with 'WARC/' in any letter case (some writers lower-case it). */
export function isWarcMagic(b: Uint8Array, at = 0): boolean {
  if (b.length < at + 5) return false
  return (
    (b[at] | 0x20) === 0x77 && // w
    (b[at + 1] | 0x20) === 0x61 && // a
    (b[at + 2] | 0x20) === 0x72 && // r
    (b[at + 3] | 0x20) === 0x63 && // c
    b[at + 4] === 0x2f // '/'
  )
}

export function detectFormat(head: Uint8Array): CrawlFormat {
  if (head.length === 0) return 'empty'
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip'
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return 'zip'
  if (startsWith(head, [0x04, 0x22, 0x4d, 0x18])) return 'lz4'
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd'
  // zstd skippable frame (used for the dictionary of .warc.zst files)
  if (head.length >= 4 && (head[0] & 0xf0) === 0x50 && startsWith(head, [0x2a, 0x4d, 0x18], 1)) return 'zstd'
  if (startsWith(head, [0x42, 0x5a, 0x68])) return 'bzip2'
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz'
  // Plain text: allow a BOM and leading blank lines before the first version line.
  let i = 0
  if (startsWith(head, [0xef, 0xbb, 0xbf])) i = 3
  while (i < head.length && (head[i] === 0x0d || head[i] === 0x0a || head[i] === 0x20 || head[i] === 0x09)) i++
  if (isWarcMagic(head, i)) return 'warc'
  if (startsWith(head, [...new TextEncoder().encode('filedesc://')], i)) return 'arc'
  return 'unknown'
}
