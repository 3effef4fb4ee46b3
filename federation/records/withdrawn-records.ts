// Withdrawals reach the records of crawl files too: a document an institution withdrew is removed from its
// index (withdraw.ts), and the records that hold it must not come back through the CDX API, `export --cdxj` or
// replay. A record is the document (SURT of its URL, payload digest) that ingest made of it, so it is dropped
// when (that document, the institution whose crawl file holds it) has a tombstone. A record whose digest is
// not known is dropped when its institution withdrew any version of its URL: it cannot be told apart.

import { toHex } from '../../index-core/bytes.ts'
import { decodeWithdrawal, docIdOf, normalizeDigest, surt, URL_KEY_BYTES, urlKeyOf } from '../../index-core/index/index.ts'
import { entries } from '../../index-core/prolly/index.ts'
import type { IndexReader } from '../../index-core/query/index.ts'
import type { CdxEntry } from '../../ingest/cdx/index.ts'

/** Whether a record of `institution`'s crawl files was withdrawn. */
export type WithdrawnTest = (e: Pick<CdxEntry, 'url' | 'digest'>, institution: string) => boolean

/** The test for `reader`'s index, or null when it holds no tombstone (nothing to check). */
export async function withdrawnRecords(reader: IndexReader): Promise<WithdrawnTest | null> {
  // URL key ‖ institution → the documents withdrawn (their full ids).
  const byUrl = new Map<string, Set<string>>()
  for await (const x of entries(reader.store, reader.root.withdrawn)) {
    const w = decodeWithdrawal(x.key, x.value)
    const k = `${toHex(w.docId.subarray(0, URL_KEY_BYTES))}\n${w.institution}`
    const set = byUrl.get(k) ?? new Set<string>()
    set.add(toHex(w.docId))
    byUrl.set(k, set)
  }
  if (byUrl.size === 0) return null
  return (e, institution) => {
    const s = surt(e.url)
    if (s === null) return false
    const ids = byUrl.get(`${toHex(urlKeyOf(s))}\n${institution}`)
    if (ids === undefined) return false
    // pywb's form drops the 'sha1:' of SHA-1 digests; others keep their algorithm.
    const digest = e.digest === undefined ? null : normalizeDigest(e.digest.includes(':') ? e.digest : `sha1:${e.digest}`)
    return digest === null || ids.has(toHex(docIdOf(s, digest)))
  }
}
