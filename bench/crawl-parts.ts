// A crawl cut into parts at record boundaries: the crawls an index grows by, for the update and merge benches.
import { mkdir, open, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { createStats, readCrawl } from '../ingest/reader/index.ts'

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
