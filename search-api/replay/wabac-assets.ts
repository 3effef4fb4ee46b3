// Webrecorder's replay engine (wabac.js, the service worker behind ReplayWeb.page), found through ordinary
// module resolution so it is the copy npm installed: its package exports only its library entry, whose
// folder (dist/) also holds the service-worker library Canopy's worker (web/replay-sw.js) is built on, and the
// module that library imports as './index'.

import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The files of wabac's dist/ that replay serves, by the name they are served under (in /replay/wabac/). */
export const WABAC_FILES: Readonly<Record<string, string>> = { 'swlib.js': 'swlib.js', index: 'index.js', 'index.js': 'index.js' }

const read = new Map<string, Promise<string>>()

/** The path of a file of wabac's dist/. */
export function wabacPath(file: string): string {
  return join(dirname(fileURLToPath(import.meta.resolve('@webrecorder/wabac'))), file)
}

/** A file of wabac's dist/, read once. */
export async function wabacFile(file: string): Promise<string> {
  let p = read.get(file)
  if (p === undefined) {
    p = readFile(wabacPath(file), 'utf8')
    p.catch(() => read.delete(file))
    read.set(file, p)
  }
  return await p
}
