// A URL's captures as the index itself stores them, in the CDX table's line form: what replay answers while an
// index's CDX table is still being made (its crawl files listed for the first time, a partner's fetched whole).
// Only documents have captures in the index (not a page's images or styles), and no MIME type or digest is
// kept with them, so these lines are a stopgap until the table is there.

import { surt, urlKeyOf } from '../../index-core/index/index.ts'
import { docKey } from '../../index-core/query/index.ts'
import type { IndexReader } from '../../index-core/query/index.ts'
import { formatCdxj } from '../../ingest/cdx/index.ts'
import { storedCdxEntry } from './cdx-export.ts'

/** CDXJ lines (with `source`) of the captures the index holds of `url`, oldest first; none for a URL without a SURT key. */
export async function indexCaptureLines(reader: IndexReader, url: string): Promise<string[]> {
  const key = surt(url)
  if (key === null) return []
  const lines: string[] = []
  for (const captures of (await reader.urlCaptures(docKey(urlKeyOf(key)))).values()) {
    for (const c of captures) {
      // Another URL whose key collides, or a record sharing its gzip member (no byte range is it alone): left out.
      if (surt(c.url) !== key || c.length <= 0) continue
      lines.push(formatCdxj(storedCdxEntry(c, undefined), { source: c.institution }))
    }
  }
  return lines.sort()
}
