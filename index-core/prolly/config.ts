// The tree configuration, recorded in every root node so that a reader can check it before trusting the tree.

import { UserError } from '../user-error.ts'

/** Bumped on purpose whenever node encoding or chunking changes in a way that changes root CIDs. */
export const PROLLY_FORMAT = 2

/** No block is ever accepted above this, whatever a (possibly hostile) root claims. */
export const HARD_MAX_BLOCK_BYTES = 1 << 20
/** Levels above this cannot occur with sane fan-outs (48^32 entries); deeper claims are rejected. */
export const MAX_LEVEL = 32

export interface TreeConfig {
  readonly format: number
  /** Expected entries between natural boundaries in leaves (boundary probability 1/leafFanout). */
  readonly leafFanout: number
  /** The same for branch nodes. */
  readonly branchFanout: number
  /** No natural boundary is taken before a node's encoded entries reach this many bytes. */
  readonly minBytes: number
  /** Hard cap on the encoded size of any node block. */
  readonly maxBytes: number
  /** Cap on one encoded entry; a node is cut once another entry of this size might not fit. */
  readonly maxEntryBytes: number
  /**
   * Number of summed columns (0 = none): every leaf value then starts with this many varints, and each
   * branch entry carries their sums beside the count (see aggregate.ts).
   */
  readonly sums: number
  /**
   * When non-zero, leaves end by bytes rather than by entries: after an entry of b bytes (key and value) the
   * boundary probability is min(1, b / leafBytes), so leaves average about minBytes + leafBytes whatever the
   * sizes of their entries (leafFanout is then unused). For trees whose entries vary a lot in size, like
   * postings, where a reader pays for the bytes of a leaf rather than its entries.
   */
  readonly leafBytes: number
}

/**
 * Defaults tuned for ~4 KiB leaves with 20-byte keys and small values: about 33 entries of 31 bytes reach
 * minBytes, then a boundary comes on average every leafFanout entries.
 */
export const DEFAULT_CONFIG: TreeConfig = Object.freeze({
  format: PROLLY_FORMAT,
  leafFanout: 96,
  branchFanout: 48,
  minBytes: 1024,
  maxBytes: 16384,
  maxEntryBytes: 4096,
  sums: 0,
  leafBytes: 0
})

/** Bytes reserved in every node for the array headers, level and (in the root) the encoded config. */
export const NODE_OVERHEAD = 512

export class TreeFormatError extends UserError {
  override name = 'TreeFormatError'
}

export function makeConfig(overrides: Partial<Omit<TreeConfig, 'format'>> = {}): TreeConfig {
  const cfg: TreeConfig = Object.freeze({ ...DEFAULT_CONFIG, ...overrides, format: PROLLY_FORMAT })
  checkConfig(cfg)
  return cfg
}

function isUint(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0
}

/** Validates a config (from our own code or decoded from an untrusted root). */
export function checkConfig(cfg: TreeConfig): void {
  const fail = (why: string): never => {
    throw new TreeFormatError(`invalid tree config: ${why}`)
  }
  if (cfg.format !== PROLLY_FORMAT) fail(`format version ${String(cfg.format)}, this reader knows ${PROLLY_FORMAT}`)
  for (const k of ['leafFanout', 'branchFanout', 'minBytes', 'maxBytes', 'maxEntryBytes', 'sums', 'leafBytes'] as const) {
    if (!isUint(cfg[k])) fail(`${k} is not a non-negative integer`)
  }
  // A leaf fan-out of 1 ends a leaf at every entry once minBytes is reached (one large entry per leaf); a
  // branch needs two children or the tree would never end.
  if (cfg.leafFanout < 1 || cfg.branchFanout < 2) fail('leafFanout must be at least 1 and branchFanout at least 2')
  if (cfg.maxBytes > HARD_MAX_BLOCK_BYTES) fail(`maxBytes ${cfg.maxBytes} exceeds ${HARD_MAX_BLOCK_BYTES}`)
  if (cfg.maxEntryBytes < 64) fail('maxEntryBytes below 64')
  // A cut must leave room for at least one more maximal entry plus the node's own overhead.
  if (railBytes(cfg) < cfg.maxEntryBytes) fail('maxBytes leaves no room for two maximal entries')
  if (cfg.minBytes > railBytes(cfg)) fail('minBytes above the size rail')
  if (cfg.sums > 8) fail('at most 8 summed columns')
  if (cfg.leafBytes > HARD_MAX_BLOCK_BYTES) fail('leafBytes above the largest block')
}

/** Once a node's entries reach this many bytes it is cut, so the next entry can never overflow maxBytes. */
export function railBytes(cfg: TreeConfig): number {
  return cfg.maxBytes - NODE_OVERHEAD - cfg.maxEntryBytes
}

export function sameConfig(a: TreeConfig, b: TreeConfig): boolean {
  return (
    a.format === b.format &&
    a.leafFanout === b.leafFanout &&
    a.branchFanout === b.branchFanout &&
    a.minBytes === b.minBytes &&
    a.maxBytes === b.maxBytes &&
    a.maxEntryBytes === b.maxEntryBytes &&
    a.sums === b.sums &&
    a.leafBytes === b.leafBytes
  )
}
