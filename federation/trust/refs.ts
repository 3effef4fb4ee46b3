// Named pointers kept in an institution's data folder (its index directory), each a small JSON file replaced
// atomically and durably (durable-file.ts): what it last published, the last verified manifest of each partner, and its combined indexes.
//   refs/published.json         { manifest, seq, index }
//   refs/partners/<name>.json   { manifest, seq, index, publicKey, checked? }
//   refs/merged/<name>.json     { index, sources: [manifest CIDs], provenance? }
// `checked` remembers the partner index last checked for provenance and what was refused of it, so a later
// merge checks only what changed; `provenance` lists, per source of a combined index, the signed manifest it
// came from and what was refused of it.

import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { CID } from 'multiformats/cid'
import { NO_REFUSALS } from '../../index-core/index/index.ts'
import type { Refusals } from '../../index-core/index/index.ts'
import { makeDirDurable, writeFileDurable } from '../../index-core/store/index.ts'
import { UserError } from '../../index-core/user-error.ts'

export interface PublishedRef {
  readonly manifest: CID
  readonly seq: number
  readonly index: CID
}
/** A partner index checked for provenance: as published, as merged (without refused entries), what was refused. */
export interface CheckedRef {
  readonly institution: string
  readonly index: CID
  readonly merged: CID
  readonly refused: Refusals
}
export interface PartnerRef extends PublishedRef {
  readonly publicKey: string
  readonly checked?: CheckedRef
}
/** Where one source of a combined index came from. */
export interface SourceRef {
  /** The partner's name here, or the institution's own name for its own index. */
  readonly name: string
  /** The institution named by the signed manifest (every capture taken from this source names it). */
  readonly institution: string
  /** base64 Ed25519 public key that signed the manifest. */
  readonly publicKey: string
  /** The signed manifest, or null for the institution's own index not published yet. */
  readonly manifest: CID | null
  readonly index: CID
  readonly refused: Refusals
  /** A machine of this institution ingesting a share of its crawls under a key of its own. */
  readonly share?: boolean
}
export interface MergedRef {
  readonly index: CID
  readonly sources: readonly CID[]
  readonly provenance?: readonly SourceRef[]
}

export class RefError extends UserError {
  override name = 'RefError'
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** Partner and combined-index names become file names: keep them to a safe alphabet. */
export function checkName(name: string, what: string): string {
  if (!NAME.test(name)) throw new RefError(`${what} name "${name}" must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`)
  return name
}

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new RefError(`${file}: ${(err as Error).message}`)
  }
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await makeDirDurable(path.dirname(file))
  await writeFileDurable(file, JSON.stringify(value, null, 2) + '\n')
}

const cid = (x: unknown, file: string): CID => {
  if (typeof x !== 'string') throw new RefError(`${file}: missing CID`)
  return CID.parse(x)
}

function refusals(x: unknown, file: string): Refusals {
  if (x === null || typeof x !== 'object') throw new RefError(`${file}: malformed refusal counts`)
  const out: Record<string, number> = { ...NO_REFUSALS }
  for (const k of Object.keys(NO_REFUSALS)) {
    const v = (x as Record<string, unknown>)[k]
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)) throw new RefError(`${file}: malformed refusal count ${k}`)
    out[k] = (v as number | undefined) ?? 0
  }
  return out as unknown as Refusals
}

function sourceRef(x: unknown, file: string): SourceRef {
  const p = x as Record<string, unknown> | null
  if (p === null || typeof p !== 'object' || typeof p.name !== 'string' || typeof p.institution !== 'string' || typeof p.publicKey !== 'string') {
    throw new RefError(`${file}: malformed provenance`)
  }
  return {
    name: p.name,
    institution: p.institution,
    publicKey: p.publicKey,
    manifest: p.manifest === null ? null : cid(p.manifest, file),
    index: cid(p.index, file),
    refused: refusals(p.refused, file),
    ...(p.share === true ? { share: true } : {})
  }
}

function toPublished(m: Record<string, unknown>, file: string): PublishedRef {
  if (typeof m.seq !== 'number') throw new RefError(`${file}: missing seq`)
  return { manifest: cid(m.manifest, file), seq: m.seq, index: cid(m.index, file) }
}

export class Refs {
  readonly dir: string
  /** Makes the blocks a ref is about to name durable first (the data folder's store.sync()). */
  readonly #syncBlocks: () => Promise<void>

  constructor(indexDir: string, opts: { syncBlocks?: () => Promise<void> } = {}) {
    this.dir = path.join(indexDir, 'refs')
    this.#syncBlocks = opts.syncBlocks ?? (async () => {})
  }

  async #write(file: string, value: unknown): Promise<void> {
    await this.#syncBlocks()
    await writeJson(file, value)
  }

  #file(...parts: string[]): string {
    return path.join(this.dir, ...parts) + '.json'
  }

  async published(): Promise<PublishedRef | null> {
    const f = this.#file('published')
    const m = await readJson(f)
    return m === null ? null : toPublished(m, f)
  }

  async setPublished(r: PublishedRef): Promise<void> {
    await this.#write(this.#file('published'), { manifest: r.manifest.toString(), seq: r.seq, index: r.index.toString() })
  }

  async partner(name: string): Promise<PartnerRef | null> {
    const f = this.#file('partners', checkName(name, 'partner'))
    const m = await readJson(f)
    if (m === null) return null
    if (typeof m.publicKey !== 'string') throw new RefError(`${f}: missing publicKey`)
    const c = m.checked as Record<string, unknown> | undefined
    const checked =
      c === undefined || c === null || typeof c.institution !== 'string'
        ? undefined
        : { institution: c.institution, index: cid(c.index, f), merged: cid(c.merged, f), refused: refusals(c.refused, f) }
    return { ...toPublished(m, f), publicKey: m.publicKey, ...(checked === undefined ? {} : { checked }) }
  }

  async setPartner(name: string, r: PartnerRef): Promise<void> {
    const checked =
      r.checked === undefined
        ? undefined
        : { institution: r.checked.institution, index: r.checked.index.toString(), merged: r.checked.merged.toString(), refused: r.checked.refused }
    await this.#write(this.#file('partners', checkName(name, 'partner')), {
      manifest: r.manifest.toString(),
      seq: r.seq,
      index: r.index.toString(),
      publicKey: r.publicKey,
      checked
    })
  }

  async merged(name: string): Promise<MergedRef | null> {
    const f = this.#file('merged', checkName(name, 'combined index'))
    const m = await readJson(f)
    if (m === null) return null
    if (!Array.isArray(m.sources)) throw new RefError(`${f}: missing sources`)
    const provenance = Array.isArray(m.provenance) ? m.provenance.map(p => sourceRef(p, f)) : undefined
    return { index: cid(m.index, f), sources: m.sources.map(s => cid(s, f)), ...(provenance === undefined ? {} : { provenance }) }
  }

  async setMerged(name: string, r: MergedRef): Promise<void> {
    await this.#write(this.#file('merged', checkName(name, 'combined index')), {
      index: r.index.toString(),
      sources: r.sources.map(s => s.toString()),
      provenance: r.provenance?.map(p => ({ ...p, manifest: p.manifest?.toString() ?? null, index: p.index.toString() }))
    })
  }

  async list(kind: 'partners' | 'merged'): Promise<string[]> {
    try {
      return (await readdir(path.join(this.dir, kind)))
        .filter(f => f.endsWith('.json'))
        .map(f => f.slice(0, -5))
        .sort()
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
  }
}
