// Prints (or with --write, rewrites) the self-contained vectors: test/vectors/documents.json (documents to
// entries, blocks and root), test/vectors/manifest.json (a manifest of that index signed with a fixed test key)
// and test/vectors/tiny-warc.json (the root of ingesting tiny.warc.gz, which is written first if absent). One command after an intended format or extraction change:
//
//   node test/vectors/generate-small.ts --write
import { writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { ingest } from '../../ingest/index.ts'
import { buildDocumentsVector } from './documents-vector.ts'
import { buildManifestVector } from './manifest-vector.ts'
import { ensureTinyWarc, TINY_INSTITUTION } from './tiny-warc.ts'

/** The root of ingesting the tiny crawl, and what the run counted. */
export async function tinyWarcRoot(): Promise<{ root: string; documents: number; captures: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'canopy-tiny-'))
  try {
    const s = await ingest({ inputs: [ensureTinyWarc()], index: dir, workers: 1, institution: TINY_INSTITUTION })
    return { root: s.root, documents: s.stats.documents, captures: s.stats.captures }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  const vector = await buildDocumentsVector()
  const docs = JSON.stringify(vector, null, 1) + '\n'
  const manifest = JSON.stringify(await buildManifestVector(vector), null, 2) + '\n'
  const tiny = JSON.stringify(await tinyWarcRoot(), null, 2) + '\n'
  if (process.argv.includes('--write')) {
    writeFileSync(new URL('./documents.json', import.meta.url), docs)
    writeFileSync(new URL('./tiny-warc.json', import.meta.url), tiny)
    writeFileSync(new URL('./manifest.json', import.meta.url), manifest)
  } else process.stdout.write(tiny + manifest)
}
