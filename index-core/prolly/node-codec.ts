// The one encoding of a prolly-tree node, and its strict decoder.
//
// A node is the dag-cbor array  [level, prefixLens, suffixes, payload, counts, config]:
//   level      0 for leaves, n for a branch whose children are at level n-1
//   prefixLens per entry, bytes shared with the previous key in this node (0 for the first); always maximal
//   suffixes   per entry, the rest of the key
//   payload    leaves: the values (bytes); branches: the children's CIDs
//   counts     leaves: null; branches: per child, the number of leaf entries beneath it, or in a tree with
//              `sums` the array [count, sum1, ...] (see aggregate.ts)
//   config     the tree config in the root node only, null elsewhere
// Positional arrays rather than maps keep nodes small; prefix compression pays for sorted keys that share
// prefixes (terms, URLs). Decoding re-encodes and compares, so only the canonical bytes are ever accepted.

import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { commonPrefixLength, compareBytes, equalBytes } from '../bytes.ts'
import { checkConfig, HARD_MAX_BLOCK_BYTES, MAX_LEVEL, PROLLY_FORMAT, TreeFormatError } from './config.ts'
import type { TreeConfig } from './config.ts'
import { readSums } from './aggregate.ts'
import type { Agg } from './aggregate.ts'

export interface LeafNode {
  readonly kind: 'leaf'
  readonly level: 0
  readonly keys: readonly Uint8Array[]
  readonly values: readonly Uint8Array[]
  readonly cfg: TreeConfig | null
}

export interface BranchNode {
  readonly kind: 'branch'
  readonly level: number
  readonly keys: readonly Uint8Array[]
  readonly children: readonly CID[]
  /** Per child, [count, ...sums]. */
  readonly aggs: readonly Agg[]
  readonly cfg: TreeConfig | null
}

export type ProllyNode = LeafNode | BranchNode

/** Name of the boundary rule, recorded beside the config so a reader can refuse a rule it does not know. */
export const BOUNDARY_RULE = 'xxh32(key, seed=level) < 2^32/fanout'
/** The rule of leaves cut by bytes (config leafBytes). */
export const BYTES_BOUNDARY_RULE = 'leaves: xxh32(key, seed=0) < 2^32*min(1, (|key|+|value|)/leafBytes)'

/** Length of a CBOR head (major type + argument) for argument n. */
export function cborHeadLen(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9
}

/** Encoded bytes of one leaf entry inside a node, given its prefix length against the previous key. */
export function leafEntrySize(prefix: number, suffixLen: number, valueLen: number): number {
  return cborHeadLen(prefix) + cborHeadLen(suffixLen) + suffixLen + cborHeadLen(valueLen) + valueLen
}

/** Encoded bytes of an aggregate: a plain count, or the array [count, ...sums]. */
export function aggSize(agg: Agg): number {
  if (agg.length === 1) return cborHeadLen(agg[0])
  let n = cborHeadLen(agg.length)
  for (const x of agg) n += cborHeadLen(x)
  return n
}

/** Encoded bytes of one branch entry: prefix, suffix, CID (tag 42 + 0x00-prefixed bytes), aggregate. */
export function branchEntrySize(prefix: number, suffixLen: number, cidLen: number, agg: Agg): number {
  return cborHeadLen(prefix) + cborHeadLen(suffixLen) + suffixLen + 2 + cborHeadLen(cidLen + 1) + cidLen + 1 + aggSize(agg)
}

function configToCbor(cfg: TreeConfig): Record<string, unknown> {
  // `sums` and `leafBytes` are written only when set, so trees without them keep the shape they always had.
  return {
    ...(cfg.sums > 0 ? { sums: cfg.sums } : {}),
    ...(cfg.leafBytes > 0 ? { leafBytes: cfg.leafBytes, leafBoundary: BYTES_BOUNDARY_RULE } : {}),
    format: cfg.format,
    leafFanout: cfg.leafFanout,
    branchFanout: cfg.branchFanout,
    minBytes: cfg.minBytes,
    maxBytes: cfg.maxBytes,
    maxEntryBytes: cfg.maxEntryBytes,
    boundary: BOUNDARY_RULE
  }
}

/** The node as the generic data model, for cross-checking encodeNode against @ipld/dag-cbor. */
export function nodeToDataModel(node: ProllyNode): unknown[] {
  const n = node.keys.length
  const prefixes = new Array<number>(n)
  const suffixes = new Array<Uint8Array>(n)
  for (let i = 0; i < n; i++) {
    const p = i === 0 ? 0 : commonPrefixLength(node.keys[i - 1], node.keys[i])
    prefixes[i] = p
    suffixes[i] = node.keys[i].subarray(p)
  }
  const cfg = node.cfg === null ? null : configToCbor(node.cfg)
  return node.kind === 'leaf'
    ? [0, prefixes, suffixes, node.values, null, cfg]
    : [node.level, prefixes, suffixes, node.children, node.aggs.map(a => (a.length === 1 ? a[0] : a)), cfg]
}

const cfgBytesCache = new WeakMap<TreeConfig, Uint8Array>()
function configBytes(cfg: TreeConfig): Uint8Array {
  let b = cfgBytesCache.get(cfg)
  if (b === undefined) {
    b = dagCbor.encode(configToCbor(cfg))
    cfgBytesCache.set(cfg, b)
  }
  return b
}

const MT_UINT = 0
const MT_BYTES = 2
const MT_ARRAY = 4
const CBOR_NULL = 0xf6

function writeHead(out: Uint8Array, o: number, major: number, n: number): number {
  const m = major << 5
  if (n < 24) {
    out[o] = m | n
    return o + 1
  }
  if (n < 0x100) {
    out[o] = m | 24
    out[o + 1] = n
    return o + 2
  }
  if (n < 0x10000) {
    out[o] = m | 25
    out[o + 1] = n >>> 8
    out[o + 2] = n & 0xff
    return o + 3
  }
  if (n < 0x100000000) {
    out[o] = m | 26
    out[o + 1] = n >>> 24
    out[o + 2] = (n >>> 16) & 0xff
    out[o + 3] = (n >>> 8) & 0xff
    out[o + 4] = n & 0xff
    return o + 5
  }
  out[o] = m | 27
  const hi = Math.floor(n / 0x100000000)
  const lo = n >>> 0
  out[o + 1] = hi >>> 24
  out[o + 2] = (hi >>> 16) & 0xff
  out[o + 3] = (hi >>> 8) & 0xff
  out[o + 4] = hi & 0xff
  out[o + 5] = lo >>> 24
  out[o + 6] = (lo >>> 16) & 0xff
  out[o + 7] = (lo >>> 8) & 0xff
  out[o + 8] = lo & 0xff
  return o + 9
}

/** Copies src[from..] into out at o; a plain loop beats TypedArray.set for the short keys typical here. */
function copyBytes(out: Uint8Array, o: number, src: Uint8Array, from: number): number {
  const n = src.length - from
  if (n > 48) {
    out.set(from === 0 ? src : src.subarray(from), o)
    return o + n
  }
  for (let i = from; i < src.length; i++) out[o++] = src[i]
  return o
}

/**
 * Canonical dag-cbor bytes of a node, written directly (this is the hot path of every build and merge);
 * the test suite checks it byte for byte against @ipld/dag-cbor's encoder.
 */
export function encodeNode(node: ProllyNode): Uint8Array {
  const keys = node.keys
  const n = keys.length
  const prefixes = new Uint32Array(n)
  let size = 1 + cborHeadLen(node.level) + 3 * cborHeadLen(n)
  for (let i = 0; i < n; i++) {
    const p = i === 0 ? 0 : commonPrefixLength(keys[i - 1], keys[i])
    prefixes[i] = p
    const sl = keys[i].length - p
    size += cborHeadLen(p) + cborHeadLen(sl) + sl
  }
  if (node.kind === 'leaf') {
    size += 1
    for (const v of node.values) size += cborHeadLen(v.length) + v.length
  } else {
    size += cborHeadLen(n)
    for (let i = 0; i < n; i++) {
      const cl = node.children[i].bytes.length + 1
      size += 2 + cborHeadLen(cl) + cl + aggSize(node.aggs[i])
    }
  }
  const cfgBytes = node.cfg === null ? null : configBytes(node.cfg)
  size += cfgBytes === null ? 1 : cfgBytes.length

  const out = new Uint8Array(size)
  let o = writeHead(out, 0, MT_ARRAY, 6)
  o = writeHead(out, o, MT_UINT, node.level)
  o = writeHead(out, o, MT_ARRAY, n)
  for (let i = 0; i < n; i++) o = writeHead(out, o, MT_UINT, prefixes[i])
  o = writeHead(out, o, MT_ARRAY, n)
  for (let i = 0; i < n; i++) {
    const k = keys[i]
    const p = prefixes[i]
    o = writeHead(out, o, MT_BYTES, k.length - p)
    o = copyBytes(out, o, k, p)
  }
  o = writeHead(out, o, MT_ARRAY, n)
  if (node.kind === 'leaf') {
    for (const v of node.values) {
      o = writeHead(out, o, MT_BYTES, v.length)
      o = copyBytes(out, o, v, 0)
    }
    out[o++] = CBOR_NULL
  } else {
    for (const c of node.children) {
      out[o++] = 0xd8 // tag(42): an IPLD link
      out[o++] = 42
      o = writeHead(out, o, MT_BYTES, c.bytes.length + 1)
      out[o++] = 0 // multibase identity prefix required by dag-cbor links
      out.set(c.bytes, o)
      o += c.bytes.length
    }
    o = writeHead(out, o, MT_ARRAY, n)
    for (const a of node.aggs) {
      if (a.length === 1) o = writeHead(out, o, MT_UINT, a[0])
      else {
        o = writeHead(out, o, MT_ARRAY, a.length)
        for (const x of a) o = writeHead(out, o, MT_UINT, x)
      }
    }
  }
  if (cfgBytes === null) out[o++] = CBOR_NULL
  else {
    out.set(cfgBytes, o)
    o += cfgBytes.length
  }
  if (o !== size) throw new Error(`encodeNode: wrote ${o} of ${size} bytes`)
  return out
}

/** What the caller knows about a node before reading it; every claim is checked. */
export interface NodeExpectation {
  /** The tree's config, or null when reading a root (whose own config is then validated and used). */
  readonly cfg: TreeConfig | null
  readonly level?: number
}

function isUint(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0
}

function bad(why: string): never {
  throw new TreeFormatError(`malformed prolly node: ${why}`)
}

function decodeConfig(raw: unknown): TreeConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof Uint8Array) bad('config is not a map')
  const m = raw as Record<string, unknown>
  const keys = Object.keys(m)
    .filter(k => k !== 'sums' && k !== 'leafBytes' && k !== 'leafBoundary')
    .sort()
  const want = ['boundary', 'branchFanout', 'format', 'leafFanout', 'maxBytes', 'maxEntryBytes', 'minBytes']
  if (keys.join() !== want.join()) bad(`config fields ${keys.join(',')}`)
  if ('sums' in m && (!isUint(m.sums) || m.sums === 0)) bad('config sums must be a positive integer when present')
  if ('leafBytes' in m !== 'leafBoundary' in m) bad('config leafBytes and leafBoundary come together')
  if ('leafBytes' in m && (!isUint(m.leafBytes) || m.leafBytes === 0)) bad('config leafBytes must be a positive integer when present')
  if ('leafBoundary' in m && m.leafBoundary !== BYTES_BOUNDARY_RULE) bad(`unknown leaf boundary rule ${String(m.leafBoundary)}`)
  if (m.format !== PROLLY_FORMAT) {
    throw new TreeFormatError(`tree format version ${String(m.format)} is not supported (this reader knows ${PROLLY_FORMAT})`)
  }
  if (m.boundary !== BOUNDARY_RULE) bad(`unknown boundary rule ${String(m.boundary)}`)
  const cfg = Object.freeze({
    format: m.format as number,
    leafFanout: m.leafFanout as number,
    branchFanout: m.branchFanout as number,
    minBytes: m.minBytes as number,
    maxBytes: m.maxBytes as number,
    maxEntryBytes: m.maxEntryBytes as number,
    sums: (m.sums as number | undefined) ?? 0,
    leafBytes: (m.leafBytes as number | undefined) ?? 0
  })
  checkConfig(cfg)
  return cfg
}

/** The six fields of a node, as read off the wire and not yet validated. */
type RawNode = [unknown, unknown, unknown, unknown, unknown, unknown]

/**
 * A direct parser for the node layout: about ten times faster than a generic CBOR decoder, which matters
 * because every query and merge reads nodes. It returns null on anything unexpected, and the caller then
 * asks the generic decoder, for a precise error or for a valid but unusual form (which the canonical
 * re-encoding check then refuses).
 */
function parseFast(bytes: Uint8Array): RawNode | null {
  let o = 0
  const len = bytes.length
  // Reads a head of the given major type; returns its argument or -1.
  const head = (major: number): number => {
    if (o >= len) return -1
    const b = bytes[o]
    if (b >> 5 !== major) return -1
    const info = b & 31
    if (info < 24) {
      o += 1
      return info
    }
    if (info === 24) {
      if (o + 2 > len) return -1
      const v = bytes[o + 1]
      o += 2
      return v
    }
    if (info === 25) {
      if (o + 3 > len) return -1
      const v = (bytes[o + 1] << 8) | bytes[o + 2]
      o += 3
      return v
    }
    if (info === 26) {
      if (o + 5 > len) return -1
      const v = ((bytes[o + 1] << 24) >>> 0) + ((bytes[o + 2] << 16) | (bytes[o + 3] << 8) | bytes[o + 4])
      o += 5
      return v
    }
    if (info === 27) {
      if (o + 9 > len) return -1
      const hi = ((bytes[o + 1] << 24) >>> 0) + ((bytes[o + 2] << 16) | (bytes[o + 3] << 8) | bytes[o + 4])
      const lo = ((bytes[o + 5] << 24) >>> 0) + ((bytes[o + 6] << 16) | (bytes[o + 7] << 8) | bytes[o + 8])
      const v = hi * 0x100000000 + lo
      if (!Number.isSafeInteger(v)) return -1
      o += 9
      return v
    }
    return -1
  }
  const byteString = (): Uint8Array | null => {
    const n = head(MT_BYTES)
    if (n < 0 || o + n > len) return null
    const v = bytes.subarray(o, o + n)
    o += n
    return v
  }
  if (head(MT_ARRAY) !== 6) return null
  const level = head(MT_UINT)
  if (level < 0) return null
  const n = head(MT_ARRAY)
  if (n < 0 || n > len) return null
  const prefixes = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    const p = head(MT_UINT)
    if (p < 0) return null
    prefixes[i] = p
  }
  if (head(MT_ARRAY) !== n) return null
  const suffixes = new Array<Uint8Array>(n)
  for (let i = 0; i < n; i++) {
    const sfx = byteString()
    if (sfx === null) return null
    suffixes[i] = sfx
  }
  if (head(MT_ARRAY) !== n) return null
  const payload = new Array<Uint8Array | CID>(n)
  let counts: Array<number | number[]> | null = null
  if (level === 0) {
    for (let i = 0; i < n; i++) {
      const v = byteString()
      if (v === null) return null
      payload[i] = v
    }
    if (bytes[o++] !== CBOR_NULL) return null
  } else {
    for (let i = 0; i < n; i++) {
      if (bytes[o] !== 0xd8 || bytes[o + 1] !== 42) return null
      o += 2
      const raw = byteString()
      if (raw === null || raw.length < 2 || raw[0] !== 0) return null
      try {
        payload[i] = CID.decode(raw.subarray(1))
      } catch {
        return null
      }
    }
    if (head(MT_ARRAY) !== n) return null
    counts = new Array<number | number[]>(n)
    for (let i = 0; i < n; i++) {
      if (o < len && bytes[o] >> 5 === MT_ARRAY) {
        const m = head(MT_ARRAY)
        if (m < 0 || m > 16) return null
        const a = new Array<number>(m)
        for (let j = 0; j < m; j++) {
          const x = head(MT_UINT)
          if (x < 0) return null
          a[j] = x
        }
        counts[i] = a
      } else {
        const c = head(MT_UINT)
        if (c < 0) return null
        counts[i] = c
      }
    }
  }
  let cfg: unknown = null
  if (o >= len) return null
  if (bytes[o] === CBOR_NULL) o++
  else {
    try {
      cfg = dagCbor.decode(bytes.subarray(o))
    } catch {
      return null
    }
    o = len
  }
  if (o !== len) return null
  return [level, prefixes, suffixes, payload, counts, cfg]
}

/**
 * Decodes and validates a node block. Throws TreeFormatError for anything that is not a canonical,
 * well-formed node of the expected tree: never returns a node that could give a wrong answer.
 */
export function decodeNode(bytes: Uint8Array, expect: NodeExpectation): ProllyNode {
  const limit = expect.cfg === null ? HARD_MAX_BLOCK_BYTES : expect.cfg.maxBytes
  if (bytes.length > limit) bad(`block of ${bytes.length} bytes exceeds the limit of ${limit}`)
  let raw: unknown = parseFast(bytes)
  if (raw === null) {
    try {
      raw = dagCbor.decode(bytes)
    } catch (err) {
      bad(`not valid dag-cbor (${(err as Error).message})`)
    }
  }
  if (!Array.isArray(raw) || raw.length !== 6) bad('not a 6-element array')
  const [level, prefixes, suffixes, payload, counts, rawCfg] = raw as unknown[]
  if (!isUint(level) || level > MAX_LEVEL) bad(`level ${String(level)}`)
  if (expect.level !== undefined && level !== expect.level) bad(`level ${level} where ${expect.level} was expected`)
  if (!Array.isArray(prefixes) || !Array.isArray(suffixes) || !Array.isArray(payload)) bad('entry arrays missing')
  const n = prefixes.length
  if (suffixes.length !== n || payload.length !== n) bad('entry arrays differ in length')
  let cfg: TreeConfig | null
  if (expect.cfg === null) {
    if (rawCfg === null) bad('root node carries no config')
    cfg = decodeConfig(rawCfg)
    if (bytes.length > cfg.maxBytes) bad(`root block of ${bytes.length} bytes exceeds its own maxBytes`)
  } else {
    if (rawCfg !== null) bad('config in a non-root node')
    cfg = null
  }
  const treeCfg = cfg ?? expect.cfg!
  if (n === 0 && !(level === 0 && cfg !== null)) bad('empty node (only an empty tree has one, as its root)')

  const keys = new Array<Uint8Array>(n)
  let prev: Uint8Array | null = null
  for (let i = 0; i < n; i++) {
    const p = prefixes[i]
    const s = suffixes[i]
    if (!isUint(p) || !(s instanceof Uint8Array)) bad(`entry ${i} key is malformed`)
    if (prev === null ? p !== 0 : p > prev.length) bad(`entry ${i} prefix length ${p}`)
    let key: Uint8Array
    if (prev === null || p === 0) key = s
    else {
      // Byte loops: for short keys they beat subarray + TypedArray.set by a wide margin.
      key = new Uint8Array(p + s.length)
      for (let j = 0; j < p; j++) key[j] = prev[j]
      for (let j = 0; j < s.length; j++) key[p + j] = s[j]
    }
    if (prev !== null) {
      if (compareBytes(prev, key) >= 0) bad(`keys not strictly increasing at entry ${i}`)
      if (commonPrefixLength(prev, key) !== p) bad(`entry ${i} prefix length is not maximal`)
    }
    keys[i] = key
    prev = key
  }

  let node: ProllyNode
  if (level === 0) {
    if (counts !== null) bad('leaf with counts')
    for (let i = 0; i < n; i++) {
      const v = payload[i]
      if (!(v instanceof Uint8Array)) bad(`entry ${i} value is not bytes`)
      if (leafEntrySize(0, keys[i].length, v.length) > treeCfg.maxEntryBytes) bad(`entry ${i} exceeds maxEntryBytes`)
      if (treeCfg.sums > 0 && readSums(v, treeCfg.sums) === null) bad(`entry ${i} value does not start with ${treeCfg.sums} varints`)
    }
    node = { kind: 'leaf', level: 0, keys, values: payload as Uint8Array[], cfg }
  } else {
    if (!Array.isArray(counts) || counts.length !== n) bad('branch counts missing')
    const aggs = new Array<Agg>(n)
    for (let i = 0; i < n; i++) {
      const c = CID.asCID(payload[i])
      if (c === null || c.version !== 1 || c.code !== dagCbor.code || c.multihash.code !== 0x12 || c.multihash.size !== 32)
        bad(`entry ${i} child is not a CIDv1 dag-cbor sha2-256 link`)
      const raw = counts[i] as unknown
      let agg: Agg
      if (treeCfg.sums === 0) {
        if (!isUint(raw)) bad(`entry ${i} count`)
        agg = [raw]
      } else {
        if (!Array.isArray(raw) || raw.length !== 1 + treeCfg.sums || !raw.every(isUint)) bad(`entry ${i} aggregate`)
        agg = raw as number[]
      }
      if (agg[0] < 1) bad(`entry ${i} count`)
      aggs[i] = agg
      if (branchEntrySize(0, keys[i].length, c.bytes.length, agg) > treeCfg.maxEntryBytes) bad(`entry ${i} exceeds maxEntryBytes`)
    }
    node = { kind: 'branch', level, keys, children: payload as CID[], aggs, cfg }
  }
  // Canonical form: the only accepted bytes are the ones our encoder writes for this content.
  const again = encodeNode(node)
  if (!equalBytes(again, bytes)) bad('not in canonical encoding')
  return node
}

/** Number of leaf entries under a node. */
export function nodeCount(node: ProllyNode): number {
  if (node.kind === 'leaf') return node.keys.length
  let c = 0
  for (const a of node.aggs) c += a[0]
  return c
}

/** [count, ...sums] of everything under a node, for a tree with `sums` summed columns. */
export function nodeAgg(node: ProllyNode, sums: number): number[] {
  const acc = new Array<number>(1 + sums).fill(0)
  if (node.kind === 'leaf') {
    acc[0] = node.keys.length
    if (sums > 0)
      for (const v of node.values) {
        const s = readSums(v, sums)!
        for (let j = 0; j < sums; j++) acc[1 + j] += s[j]
      }
  } else {
    for (const a of node.aggs) for (let j = 0; j <= sums; j++) acc[j] += a[j]
  }
  return acc
}
