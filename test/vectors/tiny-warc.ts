// A tiny crawl for a self-contained end-to-end vector: a few records written by Canopy's own WARC writer
// (tools/warc-writer.ts) with fixed dates and record ids, committed as test/vectors/tiny.warc.gz. Ingesting it
// must give the root in test/vectors/tiny-warc.json. The file is written only when absent (its gzip bytes come
// from the zlib of the Node that writes it); the expected root is rewritten by `node test/vectors/generate-small.ts --write`.

import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { WarcWriter } from '../../tools/warc-writer.ts'

export const TINY_WARC = fileURLToPath(new URL('./tiny.warc.gz', import.meta.url))
/** The institution the vector's captures name. */
export const TINY_INSTITUTION = 'Vector Library'

const HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tiny Archive Home</title>
<meta name="description" content="The home page of a tiny test crawl"></head>
<body><h1>Welcome to the tiny archive</h1><p>Librarians preserve websites; preserving the web is running work.</p>
<p>Café, naïve, résumé: diacritics fold.</p></body></html>`

const FRENCH = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Archives du Web</title></head>
<body><p>Les bibliothèques nationales conservent les archives du Web depuis des années.</p></body></html>`

/** Writes the tiny crawl to `path`: warcinfo, request/response pairs, a duplicate, a revisit, a text resource. */
export function writeTinyWarc(path: string = TINY_WARC): void {
  const w = WarcWriter.toFile(path, { seed: 'canopy-tiny-vector' })
  w.warcinfo({
    date: '2024-05-01T10:00:00Z',
    filename: 'tiny.warc.gz',
    fields: [
      ['software', 'Canopy test vector'],
      ['format', 'WARC File Format 1.1']
    ]
  })
  const home = { url: 'https://tiny.example/', status: 200, headers: [['Content-Type', 'text/html; charset=utf-8']] as [string, string][], body: HTML }
  const first = w.response({ ...home, date: '2024-05-01T10:00:01Z' })
  w.request({ url: home.url, date: '2024-05-01T10:00:01Z', headers: [['Host', 'tiny.example']], concurrentTo: first.id })
  w.response({
    url: 'https://tiny.example/fr/archives.html',
    date: '2024-05-01T10:00:02Z',
    status: 200,
    headers: [['Content-Type', 'text/html; charset=utf-8']],
    body: FRENCH
  })
  w.response({
    url: 'https://tiny.example/notes.txt',
    date: '2024-05-01T10:00:03Z',
    status: 200,
    headers: [['Content-Type', 'text/plain']],
    body: 'Plain text notes: x1 y2 z3.\n'
  })
  // The same bytes again a day later (a second capture of one document), then a revisit a year later.
  w.response({ ...home, date: '2024-05-02T10:00:00Z' })
  w.revisit({
    url: home.url,
    date: '2025-05-01T10:00:00Z',
    status: 200,
    headers: [['Content-Type', 'text/html; charset=utf-8']],
    refersToUrl: home.url,
    refersToDate: '2024-05-01T10:00:01Z',
    refersTo: first.id,
    payloadDigest: first.payloadDigest!
  })
  w.response({
    url: 'https://tiny.example/missing',
    date: '2024-05-01T10:00:04Z',
    status: 404,
    headers: [['Content-Type', 'text/html']],
    body: '<html><body>Not here</body></html>'
  })
  w.close()
}

/** Writes the crawl unless it is there (a rewrite could differ in its gzip bytes, and so in its file CID). */
export function ensureTinyWarc(): string {
  if (!existsSync(TINY_WARC)) writeTinyWarc()
  return TINY_WARC
}
