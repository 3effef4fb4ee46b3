// An institution's data folder opened for a federation command: its index directory (blocks, HEAD), identity,
// named refs, partner list, and the federation context that reaches partners.

import { openIndexDir } from '../../index-core/store/index.ts'
import type { IndexDir } from '../../index-core/store/index.ts'
import { collectAfterCrash } from '../maintenance/index.ts'
import type { GcResult } from '../maintenance/index.ts'
import { PartnerList, Refs } from '../trust/index.ts'
import { loadOrCreateIdentity } from '../identity/index.ts'
import type { Identity } from '../identity/index.ts'
import { Federation } from './sync.ts'

export interface Institution {
  readonly dir: IndexDir
  readonly identity: Identity
  readonly refs: Refs
  readonly partners: PartnerList
  readonly federation: Federation
  /** What gc did on opening, when a crashed run's leftovers were found (or why it refused). */
  readonly recovered: GcResult | string | null
  close(): Promise<void>
}

/** Opens the folder; the identity is created on first use with `name` (default 'local', ingest's default institution). */
export async function openInstitution(indexDir: string, opts: { write: boolean; name?: string }): Promise<Institution> {
  const dir = await openIndexDir(indexDir, { write: opts.write })
  try {
    const identity = await loadOrCreateIdentity(indexDir, opts.name ?? 'local')
    const recovered = await collectAfterCrash(dir)
    const federation = new Federation(indexDir, dir.blocks.store, identity)
    return {
      recovered,
      dir,
      identity,
      refs: new Refs(indexDir, {
        syncBlocks: async () => {
          await dir.blocks.store.sync()
        }
      }),
      partners: new PartnerList(indexDir),
      federation,
      async close() {
        try {
          await federation.close()
        } finally {
          await dir.close()
        }
      }
    }
  } catch (err) {
    await dir.close()
    throw err
  }
}
