// The partners an institution follows (partners.json in its data folder): a name, the Ed25519 public key its
// manifests must be signed with, and where to find its index — a libp2p address, a gateway URL, a CAR file.

import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { makeDirDurable, writeFileDurable } from '../../index-core/store/index.ts'
import { checkName, RefError } from './refs.ts'

export type PartnerSource =
  | { readonly kind: 'libp2p'; readonly addr: string }
  | { readonly kind: 'gateway'; readonly url: string }
  | { readonly kind: 'car'; readonly path: string }

export interface Partner {
  readonly name: string
  /** Raw 32-byte Ed25519 public key, base64. */
  readonly publicKey: string
  readonly sources: readonly PartnerSource[]
  /**
   * A machine of this institution that ingests a share of its crawls under a key of its own: its index must
   * name this institution (not the name its manifest is signed under), and merged with the other shares it
   * gives what one ingest of every file would.
   */
  readonly share?: boolean
}

export function publicKeyBytes(p: Pick<Partner, 'publicKey' | 'name'>): Uint8Array {
  const k = new Uint8Array(Buffer.from(p.publicKey, 'base64'))
  if (k.length !== 32) throw new RefError(`partner ${p.name}: the public key must be 32 bytes in base64`)
  return k
}

function checkSource(s: PartnerSource): PartnerSource {
  if (s.kind === 'libp2p' && typeof s.addr === 'string' && s.addr.startsWith('/')) return { kind: 'libp2p', addr: s.addr }
  if (s.kind === 'gateway' && typeof s.url === 'string' && /^https?:\/\//.test(s.url)) return { kind: 'gateway', url: s.url.replace(/\/+$/, '') }
  if (s.kind === 'car' && typeof s.path === 'string' && s.path !== '') return { kind: 'car', path: s.path }
  throw new RefError(`unusable partner source ${JSON.stringify(s)}`)
}

export function checkPartner(p: Partner): Partner {
  checkName(p.name, 'partner')
  publicKeyBytes(p)
  if (!Array.isArray(p.sources)) throw new RefError(`partner ${p.name}: sources must be a list`)
  if (p.share !== undefined && typeof p.share !== 'boolean') throw new RefError(`partner ${p.name}: share must be true or false`)
  return { name: p.name, publicKey: p.publicKey, sources: p.sources.map(checkSource), ...(p.share === true ? { share: true } : {}) }
}

export class PartnerList {
  readonly file: string

  constructor(indexDir: string) {
    this.file = path.join(indexDir, 'partners.json')
  }

  async all(): Promise<Partner[]> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    const list = JSON.parse(text) as Partner[]
    if (!Array.isArray(list)) throw new RefError(`${this.file}: not a list of partners`)
    return list.map(checkPartner)
  }

  async get(name: string): Promise<Partner> {
    const p = (await this.all()).find(x => x.name === name)
    if (p === undefined) throw new RefError(`no partner named "${name}" (see canopy partners list)`)
    return p
  }

  /** Adds a partner, or replaces the one of that name. */
  async put(p: Partner): Promise<void> {
    const checked = checkPartner(p)
    const list = (await this.all()).filter(x => x.name !== p.name)
    list.push(checked)
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    await this.#write(list)
  }

  async remove(name: string): Promise<boolean> {
    const list = await this.all()
    const next = list.filter(x => x.name !== name)
    if (next.length !== list.length) await this.#write(next)
    return next.length !== list.length
  }

  async #write(list: Partner[]): Promise<void> {
    await makeDirDurable(path.dirname(this.file))
    await writeFileDurable(this.file, JSON.stringify(list, null, 2) + '\n')
  }
}
