// Which extraction made an index's documents. What a page yields (its text, title, language, URL key) and how
// that text is analysed depend on Canopy's own rules and on the exact versions of a few packages; two installs
// that differ in any of them can give different documents for the same crawl, and a merge of their indexes
// would mix two variants of one page. The label is recorded in every index root and manifest, and merges of
// indexes with different labels are refused. test/extraction-version.test.ts checks that the installed
// packages are the ones named here, so upgrading one without changing the label fails the tests.

/**
 * Canopy's own extraction and analysis rules: bump when they change what a page yields.
 * 2: main-content selection (docs/extraction.md), language detection only when nothing is declared.
 */
export const EXTRACTION_RULES = 2

/** The packages whose output enters an index through extraction or analysis, at their pinned versions. */
export const EXTRACTION_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  chardet: '2.2.0',
  htmlparser2: '12.0.0',
  'iconv-lite': '0.7.3',
  natural: '8.1.1',
  tinyld: '1.3.4',
  tldts: '7.5.4'
})

/** The label recorded in index roots: 'canopy-extract/2 chardet@2.2.0 htmlparser2@12.0.0 ...'. */
export const EXTRACTION_VERSION = [`canopy-extract/${EXTRACTION_RULES}`, ...Object.entries(EXTRACTION_PACKAGES).map(([p, v]) => `${p}@${v}`)].join(' ')
