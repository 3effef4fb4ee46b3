// Expands the command line's files and folders into the crawl files to read.

import { readdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'

const CRAWL_NAME = /\.(warc|arc|wacz)(\.[A-Za-z0-9]+){0,2}$/i

export interface InputFile { path: string, bytes: number }

/**
 * Files named on the command line are always read, in the order given; inside folders, files named like
 * crawls, in name order. (Order does not change the index; it only decides what is read first.)
 */
export async function expandInputs (inputs: readonly string[]): Promise<InputFile[]> {
  const out = new Map<string, InputFile>()
  const walk = async (p: string, explicit: boolean): Promise<void> => {
    const s = await stat(p)
    if (s.isDirectory()) {
      const names = (await readdir(p)).sort()
      for (const n of names) await walk(join(p, n), false)
    } else if (s.isFile() && (explicit || CRAWL_NAME.test(p))) {
      out.set(resolve(p), { path: resolve(p), bytes: s.size })
    }
  }
  for (const i of inputs) await walk(i, true)
  return [...out.values()]
}
