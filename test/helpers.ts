// Shared test fixtures: where ../shared's crawls are, and temporary directories.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const SHARED = fileURLToPath(new URL('../../shared/', import.meta.url))
export const WARC_DIR = path.join(SHARED, 'data/warc')
export const WARC_BAD_DIR = path.join(SHARED, 'data/warc-bad')
export const WACZ_DIR = path.join(SHARED, 'data/wacz')

export function warc(rel: string): string {
  return path.join(WARC_DIR, rel)
}

/** Runs `f` with a fresh temporary directory, removed afterwards. */
export async function withTmp<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'canopy-test-'))
  try {
    return await f(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
