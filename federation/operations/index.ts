// The federation operations: following partners, publish, fetch, merge, withdraw, export and import, on an opened
// institution. What code outside the folder may use, by name.

export { openInstitution } from './institution.ts'
export type { Institution } from './institution.ts'
export { exportIndex, fetchPartner, importIndex, mergePartners, publish, selectionFromUrls, soleInstitution, withdraw } from './operations.ts'
export type { MergeSummary } from './operations.ts'
export { Federation } from './sync.ts'
