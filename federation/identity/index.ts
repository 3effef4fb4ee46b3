// Identity: the institution's signing key and the name it goes by, kept in its data folder. A folder of its own,
// apart from trust/, so that a command that only needs the name (ingest) does not load libp2p's keys and IPNS.

export { IdentityError, identityName, loadOrCreateIdentity, verifySignature } from './identity.ts'
export type { Identity } from './identity.ts'
