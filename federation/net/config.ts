// An institution's network settings, kept in its data folder as network.json: where its node listens and
// what it announces, the federation (DHT) it belongs to and the peers it bootstraps from, and whether it
// accepts connections from anyone. Command-line flags given to `serve` or `publish --serve` update it, so
// later commands (a fetch's short-lived node) find the same federation.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { UserError } from '../../index-core/user-error.ts'

export interface NetworkConfig {
  /** Multiaddrs to listen on, e.g. /ip4/0.0.0.0/tcp/4001. None: the node only dials (a short-lived client). */
  readonly listen: readonly string[]
  /** Multiaddrs to announce instead of the listening ones (e.g. /dns4/host/tcp/4001); none: the listening ones. */
  readonly announce: readonly string[]
  /** DHT members to join through, each ending in /p2p/<peer id>. No public defaults. */
  readonly bootstrap: readonly string[]
  /** The federation's name: its DHT protocol is /canopy/<name>/kad/1.0.0. */
  readonly federation: string
  /** Join the public IPFS Amino DHT (/ipfs/kad/1.0.0) instead of the federation's own. */
  readonly amino: boolean
  /** Accept inbound connections from any peer, not only partners and bootstrap peers. */
  readonly public: boolean
}

export const DEFAULT_FEDERATION = 'canopy'
export const NETWORK_CONFIG_FILE = 'network.json'

export const DEFAULT_NETWORK_CONFIG: NetworkConfig = { listen: [], announce: [], bootstrap: [], federation: DEFAULT_FEDERATION, amino: false, public: false }

export class NetworkConfigError extends UserError {
  override name = 'NetworkConfigError'
}

const FEDERATION_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/

/** The DHT protocol of a configuration: the federation's own, or Amino's. */
export function dhtProtocol(c: Pick<NetworkConfig, 'federation' | 'amino'>): string {
  return c.amino ? '/ipfs/kad/1.0.0' : `/canopy/${c.federation}/kad/1.0.0`
}

function parseAddr(a: unknown, what: string): Multiaddr {
  if (typeof a !== 'string') throw new NetworkConfigError(`${what} ${JSON.stringify(a)} is not a multiaddr string`)
  try {
    return multiaddr(a)
  } catch (err) {
    throw new NetworkConfigError(`${what} ${a} is not a multiaddr: ${(err as Error).message}`)
  }
}

/** Checks every field; throws a NetworkConfigError naming the first bad one. */
export function checkNetworkConfig(c: Partial<Record<keyof NetworkConfig, unknown>>): NetworkConfig {
  const list = (v: unknown, what: string): string[] => {
    if (v === undefined) return []
    if (!Array.isArray(v)) throw new NetworkConfigError(`${what} must be a list of multiaddrs`)
    return v.map(a => parseAddr(a, what).toString())
  }
  const bootstrap = list(c.bootstrap, 'bootstrap address')
  for (const b of bootstrap) {
    if (
      multiaddr(b)
        .getComponents()
        .findLast(x => x.name === 'p2p') === undefined
    )
      throw new NetworkConfigError(`bootstrap address ${b} does not end in /p2p/<peer id>`)
  }
  const federation = c.federation ?? DEFAULT_FEDERATION
  if (typeof federation !== 'string' || !FEDERATION_NAME.test(federation)) {
    throw new NetworkConfigError(`federation name ${JSON.stringify(federation)} must be 1-64 lowercase letters, digits, '.', '_' or '-'`)
  }
  return {
    listen: list(c.listen, 'listen address'),
    announce: list(c.announce, 'announce address'),
    bootstrap,
    federation,
    amino: c.amino === true,
    public: c.public === true
  }
}

/** The folder's settings (defaults when it has none). */
export async function readNetworkConfig(indexDir: string): Promise<NetworkConfig> {
  const file = path.join(indexDir, NETWORK_CONFIG_FILE)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_NETWORK_CONFIG
    throw err
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new NetworkConfigError(`${file}: ${(err as Error).message}`)
  }
  if (typeof json !== 'object' || json === null) throw new NetworkConfigError(`${file}: not an object`)
  try {
    return checkNetworkConfig(json as Record<string, unknown>)
  } catch (err) {
    throw new NetworkConfigError(`${file}: ${(err as Error).message}`)
  }
}

export async function writeNetworkConfig(indexDir: string, c: NetworkConfig): Promise<void> {
  const file = path.join(indexDir, NETWORK_CONFIG_FILE)
  await mkdir(indexDir, { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(checkNetworkConfig(c), null, 2) + '\n')
  await rename(tmp, file)
}

/** Flags as parsed by bin/ (undefined: not given). */
export interface NetworkFlags {
  readonly listen?: readonly string[]
  readonly announce?: readonly string[]
  readonly bootstrap?: readonly string[]
  readonly federation?: string
  readonly amino?: boolean
  readonly public?: boolean
}

/** The folder's settings with the flags given applied; saved back when any was given. */
export async function applyNetworkFlags(indexDir: string, flags: NetworkFlags): Promise<{ config: NetworkConfig; saved: boolean }> {
  const cur = await readNetworkConfig(indexDir)
  const given = Object.entries(flags).filter(([, v]) => v !== undefined)
  if (given.length === 0) return { config: cur, saved: false }
  const config = checkNetworkConfig({ ...cur, ...Object.fromEntries(given) })
  await writeNetworkConfig(indexDir, config)
  return { config, saved: true }
}

/** The parseArgs options of the network flags, shared by `serve` and `publish`. */
export const NETWORK_OPTIONS = {
  listen: { type: 'string', multiple: true },
  announce: { type: 'string', multiple: true },
  bootstrap: { type: 'string', multiple: true },
  federation: { type: 'string' },
  amino: { type: 'boolean' },
  public: { type: 'boolean' }
} as const

export const NETWORK_HELP = `  --listen <multiaddr>     listen for partners here, e.g. /ip4/0.0.0.0/tcp/4001 or /ip6/::/tcp/4001 (repeatable)
  --announce <multiaddr>   announce this address instead of the listening ones, e.g. /dns4/host/tcp/4001 (repeatable)
  --bootstrap <multiaddr>  a federation member to join the DHT through, ending in /p2p/<peer id> (repeatable)
  --federation <name>      the federation's DHT, /canopy/<name>/kad/1.0.0 (default canopy)
  --amino                  join the public IPFS Amino DHT instead (/ipfs/kad/1.0.0); --no-amino to leave it
  --public                 accept connections from any peer, not only partners and bootstrap peers; --no-public
                           These settings are saved in the folder's network.json and used by later commands.
`
