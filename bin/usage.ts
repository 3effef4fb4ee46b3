/** An error in how a command was called: reported as its message alone, with exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}
