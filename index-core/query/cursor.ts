// Result order and the page cursor: the one total order of results (sort value, then document key) and the
// opaque token that resumes a search after a result, so pages never overlap or skip.

import { DOC_ID_BYTES } from '../index/index.ts'
import { SearchError } from './search-error.ts'
import { docKeyHex } from './doc-key.ts'
import type { DocKey } from './doc-key.ts'
import type { SortOrder } from './search.ts'

export interface Ranked {
  readonly key: DocKey
  readonly score: number
  readonly sortValue: number
}

export function encodeCursor(r: Ranked, sort: SortOrder): string {
  return Buffer.from(JSON.stringify({ s: sort, v: r.sortValue, k: docKeyHex(r.key) })).toString('base64url')
}

export function decodeCursor(c: string, sort: SortOrder): { v: number; k: DocKey } {
  try {
    const o = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as { s: string; v: number; k: string }
    if (o.s !== sort || typeof o.v !== 'number' || typeof o.k !== 'string' || o.k.length !== 2 * DOC_ID_BYTES || !/^[0-9a-f]+$/.test(o.k))
      throw new Error('shape')
    let k = ''
    for (const b of Buffer.from(o.k, 'hex')) k += String.fromCharCode(b)
    return { v: o.v, k }
  } catch {
    throw new SearchError('bad-cursor', 'The page cursor is not valid for this search (it may belong to another sort order)')
  }
}

/** Orders by sortValue descending, then document key ascending: total, so pages never overlap. */
export function compareRanked(a: { sortValue: number; key: DocKey }, b: { sortValue: number; key: DocKey }): number {
  if (a.sortValue !== b.sortValue) return b.sortValue - a.sortValue
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0
}
