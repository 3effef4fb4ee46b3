// Named pointers kept in an institution's data folder (its index directory), each a small JSON file replaced
// atomically and durably (durable-file.ts): what it last published, the last verified manifest of each partner, and its combined indexes.
//   refs/published.json         { manifest, seq, index }
//   refs/partners/<name>.json   { manifest, seq, index, publicKey }
//   refs/merged/<name>.json     { index, sources: [manifest CIDs] }

import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { CID } from 'multiformats/cid'
import { makeDirDurable, writeFileDurable } from '../index-core/store/durable-file.ts'

export interface PublishedRef { readonly manifest: CID, readonly seq: number, readonly index: CID }
export interface PartnerRef extends PublishedRef { readonly publicKey: string }
export interface MergedRef { readonly index: CID, readonly sources: readonly CID[] }

export class RefError extends Error {
  override name = 'RefError'
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** Partner and combined-index names become file names: keep them to a safe alphabet. */
export function checkName (name: string, what: string): string {
  if (!NAME.test(name)) throw new RefError(`${what} name "${name}" must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`)
  return name
}

async function readJson (file: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new RefError(`${file}: ${(err as Error).message}`)
  }
}

async function writeJson (file: string, value: unknown): Promise<void> {
  await makeDirDurable(path.dirname(file))
  await writeFileDurable(file, JSON.stringify(value, null, 2) + '\n')
}

const cid = (x: unknown, file: string): CID => {
  if (typeof x !== 'string') throw new RefError(`${file}: missing CID`)
  return CID.parse(x)
}

function toPublished (m: Record<string, unknown>, file: string): PublishedRef {
  if (typeof m.seq !== 'number') throw new RefError(`${file}: missing seq`)
  return { manifest: cid(m.manifest, file), seq: m.seq, index: cid(m.index, file) }
}

export class Refs {
  readonly dir: string

  constructor (indexDir: string) { this.dir = path.join(indexDir, 'refs') }

  #file (...parts: string[]): string { return path.join(this.dir, ...parts) + '.json' }

  async published (): Promise<PublishedRef | null> {
    const f = this.#file('published')
    const m = await readJson(f)
    return m === null ? null : toPublished(m, f)
  }

  async setPublished (r: PublishedRef): Promise<void> {
    await writeJson(this.#file('published'), { manifest: r.manifest.toString(), seq: r.seq, index: r.index.toString() })
  }

  async partner (name: string): Promise<PartnerRef | null> {
    const f = this.#file('partners', checkName(name, 'partner'))
    const m = await readJson(f)
    if (m === null) return null
    if (typeof m.publicKey !== 'string') throw new RefError(`${f}: missing publicKey`)
    return { ...toPublished(m, f), publicKey: m.publicKey }
  }

  async setPartner (name: string, r: PartnerRef): Promise<void> {
    await writeJson(this.#file('partners', checkName(name, 'partner')), { manifest: r.manifest.toString(), seq: r.seq, index: r.index.toString(), publicKey: r.publicKey })
  }

  async merged (name: string): Promise<MergedRef | null> {
    const f = this.#file('merged', checkName(name, 'combined index'))
    const m = await readJson(f)
    if (m === null) return null
    if (!Array.isArray(m.sources)) throw new RefError(`${f}: missing sources`)
    return { index: cid(m.index, f), sources: m.sources.map(s => cid(s, f)) }
  }

  async setMerged (name: string, r: MergedRef): Promise<void> {
    await writeJson(this.#file('merged', checkName(name, 'combined index')), { index: r.index.toString(), sources: r.sources.map(s => s.toString()) })
  }

  async list (kind: 'partners' | 'merged'): Promise<string[]> {
    try {
      return (await readdir(path.join(this.dir, kind))).filter(f => f.endsWith('.json')).map(f => f.slice(0, -5)).sort()
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
  }
}
