// Where the blocks of partners known by key alone are likely found (provider-fetch.ts): their publishers'
// peers, and the roots of their indexes — the manifest and index being resolved now, or else the last ones
// accepted (refs/partners/), reread at most once a minute since fetching them runs once per block.

import type { CID } from 'multiformats/cid'
import { publicKeyBytes, peerIdOf, Refs } from '../trust/index.ts'
import type { Partner } from '../trust/index.ts'
import type { FetchHints } from './provider-fetch.ts'

const REREAD_MS = 60_000

export class PartnerHints {
  readonly #refs: Refs
  /** By partner name: the roots, and when they were read from refs/ (Infinity: set while resolving). */
  readonly #roots = new Map<string, { cids: CID[]; at: number }>()

  constructor(indexDir: string) {
    this.#refs = new Refs(indexDir)
  }

  /** The roots of a partner's index being resolved (its newest manifest, then its index). */
  add(name: string, cid: CID): void {
    const cur = this.#roots.get(name)
    const cids = cur?.at === Infinity ? cur.cids : []
    if (!cids.some(c => c.equals(cid))) cids.push(cid)
    this.#roots.set(name, { cids, at: Infinity })
  }

  async #rootsOf(name: string): Promise<CID[]> {
    const cur = this.#roots.get(name)
    if (cur !== undefined && Date.now() - cur.at < REREAD_MS) return cur.cids
    let cids: CID[] = []
    try {
      const r = await this.#refs.partner(name)
      if (r !== null) cids = [r.manifest, r.index]
    } catch {} // an unreadable ref only means fewer hints
    this.#roots.set(name, { cids, at: Date.now() })
    return cids
  }

  async of(partners: readonly Partner[]): Promise<FetchHints> {
    const peers = []
    const roots = []
    for (const p of partners) {
      try {
        peers.push(peerIdOf(publicKeyBytes(p)))
      } catch {
        continue
      }
      roots.push(...(await this.#rootsOf(p.name)))
    }
    return { peers, roots }
  }
}
