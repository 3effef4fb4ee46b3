// Trust: whom an institution trusts and how it is known (keys, peer addresses, partners), what it accepted
// (refs), and what is signed (manifests, IPNS records) and checked (provenance). What code outside the folder may
// use, by name.

export { IpnsRecordStore, identityPublicKey, recordSequence } from './ipns-records.ts'
export {
  IPNS_KEY_PREFIX,
  IPNS_RECORD_FILE,
  IpnsError,
  MAX_IPNS_RECORD_BYTES,
  ipnsLookup,
  ipnsRecordKey,
  publishIpnsRecord,
  readIpnsRecord,
  resolvePartner,
  verifyIpnsRecord
} from './ipns.ts'
export type { ResolvedName } from './ipns.ts'
export { signManifest, verifyManifest } from './manifest.ts'
export type { Manifest } from './manifest.ts'
export { PartnerList, checkPartner, publicKeyBytes } from './partners.ts'
export type { Partner, PartnerSource } from './partners.ts'
export { parsePeerAddr } from './peer-addr.ts'
export { ipnsNameOf, libp2pPrivateKey, peerIdOf } from './peer-key.ts'
export { checkNamesBoundToKeys, checkPartnerIndex, checkSameExtraction } from './provenance.ts'
export { Refs } from './refs.ts'
export type { PartnerRef, SourceRef } from './refs.ts'
