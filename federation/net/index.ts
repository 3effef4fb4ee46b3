// The network: the libp2p node (loaded when a node starts), bitswap, the gateway client and server, network
// settings, connection gater, DHT, bootstrap, announcing. What code outside the folder may use, by name.

export { NETWORK_HELP, NETWORK_OPTIONS, applyNetworkFlags, checkNetworkConfig, writeNetworkConfig } from './config.ts'
export type { NetworkConfig } from './config.ts'
export { folderNode } from './folder-node.ts'
export { fetchIpnsRecord, gatewayDag, gatewayFetcher } from './gateway-fetcher.ts'
export type { CanopyNode } from './node.ts'
export { PartnerHints } from './partner-hints.ts'
export type { NodeLease } from './shared-node.ts'
