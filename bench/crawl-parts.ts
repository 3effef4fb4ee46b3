// A crawl cut into parts at record boundaries: the crawls an index grows by, for the update and merge benches.
import { mkdir, open, readdir, rename, stat } from 'node:fs/promises'
import path from 'node:path'
import { createStats, readCrawl } from '../ingest/reader/index.ts'
import { WarcWriter } from '../tools/warc-writer.ts'

/**
 * Cuts a .warc.gz into `parts` files at record boundaries (each gzip member is a record: any run of them is a
 * valid file), kept in `outDir` between runs.
 */
export async function splitCrawl(crawl: string, parts: number, outDir: string): Promise<string[]> {
  const files = Array.from({ length: parts }, (_, i) => path.join(outDir, `part-${String(i).padStart(3, '0')}.warc.gz`))
  if ((await readdir(outDir).catch(() => [])).length === parts) return files
  await mkdir(outDir, { recursive: true })
  const starts: number[] = []
  for await (const ev of readCrawl(crawl, { wantBody: () => false, stats: createStats() })) if (ev.kind !== 'skip') starts.push(ev.offset)
  const size = (await stat(crawl)).size
  const cut = (i: number): number => (i === 0 ? 0 : i === parts ? size : starts[Math.floor((i * starts.length) / parts)])
  const src = await open(crawl, 'r')
  try {
    for (let i = 0; i < parts; i++) {
      const buf = Buffer.alloc(cut(i + 1) - cut(i))
      await src.read(buf, 0, buf.length, cut(i))
      const out = await open(files[i], 'w')
      await out.write(buf)
      await out.close()
    }
  } finally {
    await src.close()
  }
  return files
}

/**
 * A copy of a crawl's responses captured again at `date`: the same URLs, HTTP headers and bodies (so the same
 * documents), dated then; kept at `out` between runs. For update benches on a corpus that has a single date.
 */
export async function redatedCopy(crawl: string, out: string, date: string): Promise<string> {
  if (
    await stat(out).then(
      () => true,
      () => false
    )
  )
    return out
  await mkdir(path.dirname(out), { recursive: true })
  const tmp = `${out}.tmp`
  const w = WarcWriter.toFile(tmp, { seed: `${path.basename(crawl)} ${date}` })
  for await (const ev of readCrawl(crawl, { wantBody: () => true, stats: createStats() })) {
    if (ev.kind === 'skip' || ev.type !== 'response' || ev.body === null || ev.bodyTruncated) continue
    w.response({ url: ev.url, date, status: ev.status ?? 200, headers: ev.headers, body: ev.body })
  }
  w.close()
  await rename(tmp, out)
  return out
}
