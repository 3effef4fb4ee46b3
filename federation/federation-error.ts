// The error of a federation step that the user can act on (a partner refused, a source that does not answer,
// a manifest that does not check): reported as a message, never as a stack.

import { UserError } from '../index-core/user-error.ts'

export class FederationError extends UserError {
  override name = 'FederationError'
}
