// One kind of error for the person running Canopy: a message that says what is wrong (and what to do), and
// the exit status a command ends with. The command line prints such an error as one line; any other error
// is a bug and keeps its stack. Every error meant for users extends this, so none can be forgotten.

export class UserError extends Error {
  /** 1: the command failed on its input or state; 2 (UsageError): it was called wrongly. */
  readonly exitCode: number = 1
}
