// Webrecorder's replay engine (wabac.js, the service worker behind ReplayWeb.page), found through ordinary
// module resolution so it is the copy npm installed: its package exports only its library entry, whose
// folder (dist/) also holds the prebuilt service worker.

import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let sw: Promise<string> | null = null

/** The path of wabac's prebuilt service worker script. */
export function wabacServiceWorkerPath(): string {
  return join(dirname(fileURLToPath(import.meta.resolve('@webrecorder/wabac'))), 'sw.js')
}

/** wabac's service worker script, read once. */
export async function wabacServiceWorker(): Promise<string> {
  sw ??= readFile(wabacServiceWorkerPath(), 'utf8').catch((err: unknown) => {
    sw = null
    throw err
  })
  return await sw
}
