// What a serving institution announces in its federation's DHT: its IPNS record (so partners resolve its
// latest manifest from its key alone), and itself as provider of its published manifest and index root and
// of every partner's manifest and index root it holds whole (after `canopy fetch --all`), so it serves them
// when their publisher is offline. Only roots are provided: whoever holds a root of an index is asked for
// its other blocks (provider-fetch.ts), which keeps announcements to a few records per index.
//
// Announced at start, again soon after anything changes (a new publication, a partner fetched), and every
// republish interval anyway, since DHT records expire (provider records after 48 h, stored values sooner on
// some implementations) and members come and go.

import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { CID } from 'multiformats/cid'
import type { BlockAccess } from '../../index-core/store/index.ts'
import { walkDag } from '../blocks/index.ts'
import { IPNS_RECORD_FILE, ipnsRecordKey, readIpnsRecord, Refs } from '../trust/index.ts'
import { dhtProvide, dhtPut } from './dht.ts'
import type { KadDHT } from './dht.ts'

export const DEFAULT_REPUBLISH_MS = 60 * 60 * 1000
/** How often the folder is looked at for something new to announce. */
const CHECK_MS = 5_000
/** How long one announcement may take. */
const ANNOUNCE_TIMEOUT_MS = 120_000

export interface AnnounceSummary {
  /** Members that stored the IPNS record (0: none stored it, or there is no record yet). */
  readonly recordPeers: number
  /** The CIDs this node announced itself a provider of. */
  readonly provided: string[]
  readonly errors: string[]
}

export interface AnnouncerOptions {
  readonly dht: KadDHT
  readonly indexDir: string
  /** The institution's public key (the IPNS record's). */
  readonly publicKey: Uint8Array
  /** The local block store: a partner's index is provided only when every block of it is here. */
  readonly blocks: BlockAccess
  readonly republishMs?: number
  readonly log: (msg: string) => void
}

export class Announcer {
  readonly #o: AnnouncerOptions
  readonly #refs: Refs
  /** Index roots found held whole (a held DAG stays held: blocks are not removed under a ref). */
  readonly #whole = new Set<string>()
  readonly #stopped = new AbortController()
  #timer: NodeJS.Timeout | null = null
  #running: Promise<AnnounceSummary> | null = null
  #lastSeen = ''
  #lastAt = 0

  constructor(o: AnnouncerOptions) {
    this.#o = o
    this.#refs = new Refs(o.indexDir)
  }

  /** Announces now (joining one under way). */
  async announce(): Promise<AnnounceSummary> {
    this.#running ??= this.#announce().finally(() => {
      this.#running = null
    })
    return await this.#running
  }

  /** Announces at once, on changes and every republish interval, until stopped. */
  start(): void {
    const tick = async (): Promise<void> => {
      const seen = await this.#changeMark()
      const due = Date.now() - this.#lastAt >= (this.#o.republishMs ?? DEFAULT_REPUBLISH_MS)
      if (seen === this.#lastSeen && !due) return
      const s = await this.announce()
      // Errors of an announcement cut short by stopping the node are no news.
      if (s.errors.length > 0 && !this.#stopped.signal.aborted) this.#o.log(`announce: ${s.errors.join('; ')}`)
    }
    const loop = (): void => {
      this.#timer = setTimeout(() => {
        void tick()
          .catch(err => this.#o.log(`announce: ${(err as Error).message}`))
          .finally(() => {
            if (!this.#stopped.signal.aborted) loop()
          })
      }, CHECK_MS)
      this.#timer.unref()
    }
    void tick()
      .catch(err => this.#o.log(`announce: ${(err as Error).message}`))
      .finally(() => {
        if (!this.#stopped.signal.aborted) loop()
      })
  }

  stop(): void {
    this.#stopped.abort()
    if (this.#timer !== null) clearTimeout(this.#timer)
  }

  /** Changes when the record, the publication or a partner's ref does (files are replaced by rename). */
  async #changeMark(): Promise<string> {
    const dir = this.#o.indexDir
    const marks = await Promise.all(
      [IPNS_RECORD_FILE, path.join('refs', 'published.json'), path.join('refs', 'partners')].map(async f => {
        try {
          return String((await stat(path.join(dir, f))).mtimeMs)
        } catch {
          return '-'
        }
      })
    )
    return marks.join(' ')
  }

  async #announce(): Promise<AnnounceSummary> {
    const mark = await this.#changeMark()
    const signal = AbortSignal.any([this.#stopped.signal, AbortSignal.timeout(ANNOUNCE_TIMEOUT_MS)])
    const errors: string[] = []
    const roots = new Map<string, CID>()
    const pub = await this.#refs.published()
    if (pub !== null) for (const c of [pub.manifest, pub.index]) roots.set(c.toString(), c)
    for (const name of await this.#refs.list('partners')) {
      try {
        const r = await this.#refs.partner(name)
        if (r !== null && (await this.#holdsWhole(r.manifest, r.index))) for (const c of [r.manifest, r.index]) roots.set(c.toString(), c)
      } catch (err) {
        errors.push(`partner ${name}: ${(err as Error).message}`)
      }
    }
    const record = await readIpnsRecord(this.#o.indexDir)
    const [recordPeers, ...provided] = await Promise.all([
      record === undefined
        ? 0
        : dhtPut(this.#o.dht, ipnsRecordKey(this.#o.publicKey), record, signal).then(
            r => r.peers,
            err => {
              errors.push(`IPNS record: ${(err as Error).message}`)
              return 0
            }
          ),
      ...[...roots.values()].map(
        async c =>
          await dhtProvide(this.#o.dht, c, signal).then(
            () => c.toString(),
            err => {
              errors.push(`provide ${c.toString()}: ${(err as Error).message}`)
              return null
            }
          )
      )
    ])
    this.#lastSeen = mark
    this.#lastAt = Date.now()
    return { recordPeers, provided: provided.filter(c => c !== null), errors }
  }

  async #holdsWhole(manifest: CID, index: CID): Promise<boolean> {
    const key = index.toString()
    if (this.#whole.has(key)) return await this.#o.blocks.has(manifest)
    if (!(await this.#o.blocks.has(manifest))) return false
    try {
      await walkDag(this.#o.blocks, [index], () => {}, { signal: this.#stopped.signal })
    } catch {
      return false
    }
    this.#whole.add(key)
    return true
  }
}
