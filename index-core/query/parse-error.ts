// The one error type parseQuery() throws for bad input. Messages are meant for the person who typed the query.

import { UserError } from '../user-error.ts'

export type QueryErrorCode =
  | 'empty' // nothing but whitespace
  | 'too-long' // longer than maxLength
  | 'too-many-clauses' // more than maxClauses leaf clauses
  | 'too-deep' // parentheses or bool nesting deeper than maxDepth
  | 'too-many-prefixes' // more than maxPrefixes `word*`
  | 'unterminated-phrase' // a '"' never closed
  | 'unbalanced-parenthesis' // a '(' never closed, or a ')' never opened
  | 'empty-group' // '()'
  | 'empty-phrase' // '""'
  | 'dangling-operator' // AND, OR, NOT, &&, ||, !, +, - with a missing operand
  | 'misplaced-operator' // two modifiers in a row: '--a', 'NOT -a', 'NOT NOT a'
  | 'bad-prefix' // '*' not at the end of a word, or too few characters before it
  | 'bad-date' // date: value that is not a valid date or range
  | 'empty-field' // known field with no value: 'title:', 'site:""', 'title:()'
  | 'bad-field-value' // a value the field cannot take: 'lang:english', 'site:*.x.org', 'title:-x'

export class QueryError extends UserError {
  readonly code: QueryErrorCode
  /** 0-based UTF-16 offset into the query string (the same numbering the message uses); null when not about a place. */
  readonly position: number | null

  constructor(code: QueryErrorCode, message: string, position: number | null) {
    super(message)
    this.name = 'QueryError'
    this.code = code
    this.position = position
  }
}

/** `s` in double quotes for a message, shortened when long (never splitting a surrogate pair). */
export function quote(s: string): string {
  if (s.length <= 40) return `"${s}"`
  let cut = 37
  const c = s.charCodeAt(cut - 1)
  if (c >= 0xd800 && c <= 0xdbff) cut--
  return `"${s.slice(0, cut)}…"`
}
