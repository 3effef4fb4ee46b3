// Throughput of extractDocument on real pages, single thread. Not part of the pipeline: a developer tool.
//   ./node_modules/.bin/node bench/extract.ts [warc-dir] [rounds]
// Loads every HTTP response from the WARCs under warc-dir (default ../shared/data/warc) into memory with warcio,
// keeps those isIndexableType accepts, then times extractDocument over them `rounds` times (default 5; the first
// round is a warm-up and is not timed).

import { readdirSync, statSync, createReadStream } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WARCParser } from 'warcio'
import { extractDocument, isIndexableType } from '../ingest/extract/index.ts'
import type { ExtractInput } from '../ingest/extract/index.ts'

const dir = process.argv[2] ?? fileURLToPath(new URL('../../shared/data/warc/', import.meta.url))
const rounds = Math.max(2, Number(process.argv[3] ?? 5))

function warcFiles(root: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(root)) {
    const p = join(root, name)
    if (statSync(p).isDirectory()) out.push(...warcFiles(p))
    else if (/\.warc(\.gz)?$/.test(name)) out.push(p)
  }
  return out.sort()
}

async function load(): Promise<ExtractInput[]> {
  const inputs: ExtractInput[] = []
  const warn = console.warn
  console.warn = () => {} // warcio reports every lenient fix-up on the quirky fixtures
  try {
    for (const file of warcFiles(dir)) {
      try {
        for await (const record of new WARCParser(createReadStream(file))) {
          if (record.warcType !== 'response' || !record.httpHeaders) continue
          const headers = [...(record.httpHeaders.headers as Headers)] as [string, string][]
          const contentType = record.httpHeaders.headers.get('content-type') ?? null
          const url = record.warcTargetURI ?? ''
          if (!isIndexableType(contentType, url)) continue
          const status = Number(record.httpHeaders.statusCode)
          // Decoded content (warcio undoes chunking and gzip), as a WARC reader stage would hand it over.
          const body = await record.readFully(true)
          inputs.push({ url, contentType, headers, body, status: Number.isFinite(status) ? status : null })
        }
      } catch {
        // A fixture warcio cannot read is skipped: this measures extraction, not reading.
      }
    }
  } finally {
    console.warn = warn
  }
  return inputs
}

const inputs = await load()
const bytes = inputs.reduce((n, i) => n + i.body.length, 0)
let ok = 0
for (const i of inputs) if (extractDocument(i).ok) ok++ // warm-up
const start = performance.now()
for (let r = 1; r < rounds; r++) for (const i of inputs) extractDocument(i)
const ms = performance.now() - start
const docs = inputs.length * (rounds - 1)
console.log(
  `${inputs.length} candidate responses (${(bytes / 1e6).toFixed(1)} MB, ${ok} become documents) x ${rounds - 1} rounds: ` +
    `${(docs / (ms / 1000)).toFixed(0)} docs/s, ${((bytes * (rounds - 1)) / 1e6 / (ms / 1000)).toFixed(1)} MB/s, ` +
    `${(ms / docs).toFixed(2)} ms/doc`
)
