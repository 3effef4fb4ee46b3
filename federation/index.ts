// The public face of federation/'s own files. Federation's parts have their own faces, as index-core's do:
// identity/ (the signing key and name), trust/ (keys, partners, refs, manifests, IPNS, provenance), blocks/ (CAR, DAG walk and copy, the
// fetching store), net/ (the libp2p node, bitswap, gateway client and server), records/ (archived records and
// CDX lines from published crawl files), operations/ (following partners, publish, fetch, merge, withdraw) and
// maintenance/ (gc, verify).

export { FederationError } from './federation-error.ts'
