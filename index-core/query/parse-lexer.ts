// Tokens of the query language, produced on demand (the parser holds one token of look-ahead), so hostile input
// such as a megabyte of '(' fails at the 13th one without the rest ever being scanned. One pass, no regexes, no
// backtracking: every character is looked at a bounded number of times.
//
// Rules (Lucene's classic lexer, with the differences marked *):
//  - Whitespace (the JS \s set) separates tokens.
//  - '(' and ')' are always tokens; '"' always opens or closes a phrase. * The curly quotes “ ” „ count as '"'.
//  - '+', '-' and '!' are modifiers when they start a token; inside a word they are ordinary characters
//    ("c++", "e-mail", * "yahoo!").
//  - A word runs to the next whitespace, parenthesis or quote. Words exactly "AND", "&&", "OR", "||", "NOT" are
//    operators ("and", "or", "not" are words). ':' and '*' stay inside words; the parser splits fields and
//    prefixes, so the lexer records where the unescaped ones are.
//  - '\' makes the next character literal, in words and in phrases (`\(`, `\"`, `\*`, `title\:x`, `\AND`).
//    * A '\' at the very end of a word is kept as a literal backslash.
//
// Positions are 0-based UTF-16 offsets into the input.

import { QueryError } from './parse-error.ts'

export interface WordToken {
  type: 'word'
  pos: number
  end: number
  /** As typed, escapes included. */
  raw: string
  /** Escapes removed. */
  text: string
  /** Input position of each UTF-16 unit of `text`. */
  offsets: number[]
  /** Indices in `text` of unescaped '*', ascending. */
  stars: number[]
  /** Indices in `text` of characters that were escaped. */
  escapes: number[]
  /** Index in `text` of the first unescaped ':', or -1. */
  colon: number
}

export interface PhraseToken {
  type: 'phrase'
  pos: number
  end: number
  raw: string
  /** Between the quotes, escapes removed, otherwise as typed. */
  text: string
  offsets: number[]
}

export interface OperatorToken {
  type: 'and' | 'or'
  pos: number
  end: number
  raw: string
}
/** '+' (must), or '-', '!', 'NOT' (must_not). */
export interface ModifierToken {
  type: 'mod'
  pos: number
  end: number
  raw: string
  occur: 'must' | 'must_not'
}
export interface ParenToken {
  type: 'lparen' | 'rparen'
  pos: number
  end: number
  raw: string
}
export interface EndToken {
  type: 'eof'
  pos: number
  end: number
  raw: ''
}

export type Token = WordToken | PhraseToken | OperatorToken | ModifierToken | ParenToken | EndToken

const BACKSLASH = 0x5c
const STAR = 0x2a
const COLON = 0x3a

/** The characters JS's \s and String.prototype.trim() treat as whitespace. */
export function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d)
  if (c < 0xa0) return false
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  )
}

/** '"' and the curly double quotes phones and word processors substitute for it. */
export function isQuote(c: number): boolean {
  return c === 0x22 || c === 0x201c || c === 0x201d || c === 0x201e
}

function endsWord(c: number): boolean {
  return isSpace(c) || c === 0x28 || c === 0x29 || isQuote(c)
}

export class Lexer {
  readonly input: string
  private i = 0

  constructor(input: string) {
    this.input = input
  }

  next(): Token {
    const s = this.input
    const n = s.length
    while (this.i < n && isSpace(s.charCodeAt(this.i))) this.i++
    const pos = this.i
    if (pos >= n) return { type: 'eof', pos: n, end: n, raw: '' }
    const c = s.charCodeAt(pos)
    if (c === 0x28 || c === 0x29) {
      this.i++
      return { type: c === 0x28 ? 'lparen' : 'rparen', pos, end: pos + 1, raw: s[pos] }
    }
    if (isQuote(c)) return this.phrase(pos)
    if (c === 0x2b || c === 0x2d || c === 0x21) {
      // + - !
      this.i++
      return { type: 'mod', pos, end: pos + 1, raw: s[pos], occur: c === 0x2b ? 'must' : 'must_not' }
    }
    return this.word(pos)
  }

  private word(pos: number): Token {
    const s = this.input
    const n = s.length
    const offsets: number[] = []
    const stars: number[] = []
    const escapes: number[] = []
    let text = ''
    let colon = -1
    let i = pos
    // Build `text` in chunks between escapes, so a long plain word is one slice.
    let chunk = pos
    while (i < n) {
      const c = s.charCodeAt(i)
      if (endsWord(c)) break
      if (c === BACKSLASH && i + 1 < n) {
        text += s.slice(chunk, i)
        escapes.push(offsets.length)
        offsets.push(i + 1)
        text += s[i + 1]
        i += 2
        chunk = i
        continue
      }
      if (c === STAR) stars.push(offsets.length)
      else if (c === COLON && colon < 0) colon = offsets.length
      offsets.push(i)
      i++
    }
    text += s.slice(chunk, i)
    this.i = i
    const raw = s.slice(pos, i)
    if (raw === 'AND' || raw === '&&') return { type: 'and', pos, end: i, raw }
    if (raw === 'OR' || raw === '||') return { type: 'or', pos, end: i, raw }
    if (raw === 'NOT') return { type: 'mod', pos, end: i, raw, occur: 'must_not' }
    return { type: 'word', pos, end: i, raw, text, offsets, stars, escapes, colon }
  }

  private phrase(pos: number): PhraseToken {
    const s = this.input
    const n = s.length
    const offsets: number[] = []
    let text = ''
    let i = pos + 1
    let chunk = i
    while (i < n) {
      const c = s.charCodeAt(i)
      if (c === BACKSLASH && i + 1 < n) {
        text += s.slice(chunk, i) + s[i + 1]
        offsets.push(i + 1)
        i += 2
        chunk = i
        continue
      }
      if (isQuote(c)) {
        text += s.slice(chunk, i)
        this.i = i + 1
        return { type: 'phrase', pos, end: i + 1, raw: s.slice(pos, i + 1), text, offsets }
      }
      offsets.push(i)
      i++
    }
    throw new QueryError(
      'unterminated-phrase',
      `Unterminated phrase: the quote at position ${pos} is never closed (add a closing ", or write \\" for a literal quote)`,
      pos
    )
  }
}
