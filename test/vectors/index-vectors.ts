// Golden vectors for the index format: the root CID of ingesting fixed crawls. A change to extraction,
// analysis, encoding or chunking that moves them must bump INDEX_FORMAT (or ANALYZER_VERSION) and
// regenerate them on purpose: `node test/vectors/generate-index.ts --write`.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { warc } from '../helpers.ts'

export interface IndexVector {
  readonly name: string
  readonly inputs: () => string[]
}

const dir = (d: string): string[] =>
  readdirSync(warc(d))
    .sort()
    .map(f => warc(path.join(d, f)))

export const INDEX_VECTORS: readonly IndexVector[] = [
  { name: 'jwat', inputs: () => dir('netarchivesuite__jwat') },
  { name: 'ukwa-with-revisits', inputs: () => dir('ukwa__webarchive-discovery') },
  { name: 'pywb-iana', inputs: () => [warc('webrecorder__pywb/sample_archive__warcs__iana.warc.gz')] },
  { name: 'clueweb-euc-jp', inputs: () => dir('chatnoir-eu__chatnoir-resiliparse') }
]
