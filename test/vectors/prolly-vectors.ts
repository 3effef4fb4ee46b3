// Golden vector definitions for the prolly tree: fixed entry sets, each built with a fixed config.
// The expected roots live in prolly.json. If a change to encoding or chunking alters them, that change
// must bump PROLLY_FORMAT and regenerate them on purpose: `node test/vectors/generate.ts --write`.

import { createHash } from 'node:crypto'
import { compareBytes, utf8 } from '../../index-core/bytes.ts'
import { DEFAULT_CONFIG, makeConfig } from '../../index-core/prolly/index.ts'
import type { Entry, TreeConfig } from '../../index-core/prolly/index.ts'

export interface VectorDef {
  readonly name: string
  readonly cfg: TreeConfig
  entries(): Entry[]
}

function sha(s: string, n: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(s).digest().subarray(0, n))
}

function sortedUnique(es: Entry[]): Entry[] {
  es.sort((a, b) => compareBytes(a.key, b.key))
  return es.filter((e, i) => i === 0 || compareBytes(es[i - 1].key, e.key) !== 0)
}

function hashed(n: number, keyBytes: number, valueBytes: number): Entry[] {
  return sortedUnique(
    Array.from({ length: n }, (_, i) => ({
      key: sha(`canopy/vector/key/${i}`, keyBytes),
      value: sha(`canopy/vector/value/${i}`, valueBytes)
    }))
  )
}

export const VECTORS: readonly VectorDef[] = [
  { name: 'empty', cfg: DEFAULT_CONFIG, entries: () => [] },
  { name: 'one-entry', cfg: DEFAULT_CONFIG, entries: () => [{ key: utf8('canopy'), value: utf8('prolly') }] },
  {
    name: 'sequential-1000',
    cfg: DEFAULT_CONFIG,
    entries: () => sortedUnique(Array.from({ length: 1000 }, (_, i) => ({ key: utf8('doc/' + String(i).padStart(6, '0')), value: utf8('value ' + i) })))
  },
  { name: 'hashed-20000-20x8', cfg: DEFAULT_CONFIG, entries: () => hashed(20000, 20, 8) },
  {
    name: 'variable-urls-3000',
    cfg: DEFAULT_CONFIG,
    entries: () =>
      sortedUnique(
        Array.from({ length: 3000 }, (_, i) => ({
          key: utf8(`org,example${i % 17})/path/${(i * 7919) % 3001}/${'x'.repeat(i % 40)}`),
          value: sha(`v${i}`, 1 + (i % 300))
        }))
      )
  },
  {
    name: 'small-nodes-deep-2000',
    cfg: makeConfig({ leafFanout: 4, branchFanout: 3, minBytes: 24, maxBytes: 1024, maxEntryBytes: 128 }),
    entries: () => hashed(2000, 6, 3)
  },
  // Summed columns: values start with two varints whose totals every branch carries.
  {
    name: 'sums-2-3000',
    cfg: makeConfig({ sums: 2 }),
    entries: () =>
      sortedUnique(
        Array.from({ length: 3000 }, (_, i) => ({ key: sha(`canopy/vector/key/${i}`, 12), value: new Uint8Array([i % 100, i % 7, ...sha(`v${i}`, 5)]) }))
      )
  },
  // Leaves cut by bytes, over entries of very different sizes.
  {
    name: 'leaf-bytes-4000',
    cfg: makeConfig({ leafBytes: 2048, minBytes: 512 }),
    entries: () =>
      sortedUnique(Array.from({ length: 4000 }, (_, i) => ({ key: sha(`canopy/vector/key/${i}`, 14), value: sha(`v${i}`, i % 10 === 0 ? 32 : 2) })))
  },
  // A fan-out so large that natural boundaries almost never occur: the size rail does the cutting.
  { name: 'rail-only-5000', cfg: makeConfig({ leafFanout: 1_000_000_000, branchFanout: 1_000_000_000 }), entries: () => hashed(5000, 16, 16) }
]
