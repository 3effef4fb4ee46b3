// Errors in how a command was called.
import { UserError } from '../index-core/user-error.ts'

/** An error in how a command was called: reported as its message alone, with exit code 2. */
export class UsageError extends UserError {
  override name = 'UsageError'
  override readonly exitCode: number = 2
}
