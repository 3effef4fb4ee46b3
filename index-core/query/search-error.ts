// Errors a well-formed query can still meet when it runs (the parser's QueryError covers malformed ones).
// Both are the user's to fix and map to HTTP 400.

import { UserError } from '../user-error.ts'

export type SearchErrorCode = 'too-many-expansions' | 'bad-cursor' | 'bad-page-size'

export class SearchError extends UserError {
  readonly code: SearchErrorCode

  constructor(code: SearchErrorCode, message: string) {
    super(message)
    this.name = 'SearchError'
    this.code = code
  }
}
