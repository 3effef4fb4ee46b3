// The query language: query string -> QueryNode tree (ast.ts). Pure: no I/O, no locale, no globals mutated.
//
// Grammar (recursive descent, one token of look-ahead; lexing rules in parse-lexer.ts):
//
//   query   := or EOF
//   or      := and ( ( "OR" | "||" | <nothing, when the default operator is OR> ) and )*
//   and     := unary ( ( "AND" | "&&" | <nothing, when the default operator is AND> ) unary )*
//   unary   := [ "+" | "-" | "!" | "NOT" ] primary
//   primary := word | phrase | "(" or ")" | field ":" value
//   value   := word | phrase | "(" or ")"        (whitespace after the ':' is allowed, as in Lucene)
//
// So NOT binds tighter than AND, AND tighter than OR, and juxtaposition acts as the default operator, with its
// precedence: `a b AND c` is `a OR (b AND c)` by default and `(a AND b) OR c` with defaultOperator 'and'.
// Operands of an OR become 'should' clauses and operands of an AND 'must' clauses; '+' makes an operand 'must'
// and '-' / '!' / NOT 'must_not' in either, so `+a b -c` is must a, should b, must_not c (Lucene), and
// `a AND NOT b` is must a, must_not b.
//
// Fields: `title:`, `body:`, `url:` (text), `site:`, `type:`, `lang:`, `institution:` (filters) and `date:`;
// names are matched case-insensitively (phones capitalise the first word). A field before a group applies to
// the unfielded words and phrases inside it (`title:(a OR b)`); a field written inside wins. A word whose part
// before the first ':' is not a known field is an ordinary word, colon and all (`http://x.org/a`, `10:30`).
//
// The tree is simplified as it is built, only where the meaning is unchanged:
//  - a lone operand is never wrapped in a bool (`(a)` is `a`, `+a` is `a`, `+(a b)` is `a b`): the only
//    one-clause bools are must_not ones (`-a`);
//  - a bool of only should clauses inside a should clause, or a bool with no should clause inside a must clause,
//    is spliced into its parent (`(a OR b) OR c`, `a AND (b AND NOT c)` give one flat bool).
//
// Limits (limits.ts) are checked as the parse goes: the length before anything else, then parenthesis depth on
// each '(', clause and prefix counts on each leaf, and bool depth on each bool built. Every loop is iterative
// except the descent into parentheses, which maxDepth (at most MAX_DEPTH_CEILING) bounds.

import type { BoolClause, FieldName, FilterField, Occur, ParsedQuery, ParseOptions, QueryNode, QueryStats, TextField } from './ast.ts'
import { resolveLimits, type QueryLimits } from './limits.ts'
import { analyzeQuery } from '../analysis/index.ts'
import { QueryError, quote } from './parse-error.ts'
import { Lexer, type PhraseToken, type Token, type WordToken } from './parse-lexer.ts'
import { normaliseInstitution, normaliseLang, normaliseSite, normaliseType, parseDateValue, type PosAt } from './parse-values.ts'

const FIELDS: ReadonlyMap<string, FieldName> = new Map<string, FieldName>([
  ['title', 'title'],
  ['body', 'body'],
  ['url', 'url'],
  ['site', 'site'],
  ['type', 'type'],
  ['lang', 'lang'],
  ['institution', 'institution'],
  ['date', 'date']
])
const LONGEST_FIELD = 'institution'.length

function isTextField(f: FieldName): f is TextField {
  return f === 'title' || f === 'body' || f === 'url'
}

/** The field a word names before its first unescaped ':', if it is a known one. */
function fieldOf(t: WordToken): FieldName | undefined {
  if (t.colon < 0 || t.colon > LONGEST_FIELD) return undefined
  return FIELDS.get(t.text.slice(0, t.colon).toLowerCase())
}

/** A piece of a word: the whole word, or the value after `field:`. */
interface Slice {
  text: string
  /** Input position of each UTF-16 unit of `text`. */
  offsets: number[]
  stars: number[]
  escapes: number[]
  /** Input position where the slice starts. */
  pos: number
}

function wholeWord(t: WordToken): Slice {
  return { text: t.text, offsets: t.offsets, stars: t.stars, escapes: t.escapes, pos: t.pos }
}

function wordAfter(t: WordToken, from: number): Slice {
  const shift = (xs: number[]): number[] => xs.filter(x => x >= from).map(x => x - from)
  return { text: t.text.slice(from), offsets: t.offsets.slice(from), stars: shift(t.stars), escapes: shift(t.escapes), pos: t.offsets[from] }
}

function posAtOf(offsets: number[], fallback: number): PosAt {
  return i => offsets[i] ?? (offsets.length > 0 ? offsets[offsets.length - 1] + 1 : fallback)
}

const WORD_CHAR = /[\p{L}\p{N}]/gu

function countWordChars(s: string): number {
  let n = 0
  WORD_CHAR.lastIndex = 0
  while (WORD_CHAR.exec(s) !== null) n++
  return n
}

function startsOperand(t: Token): boolean {
  return t.type === 'word' || t.type === 'phrase' || t.type === 'lparen' || t.type === 'mod'
}

function startsPrimary(t: Token): boolean {
  return t.type === 'word' || t.type === 'phrase' || t.type === 'lparen'
}

function describe(t: Token): string {
  return t.type === 'eof' ? 'the end of the query' : `${quote(t.raw)} at position ${t.pos}`
}

/** An operand of AND/OR: a node with the modifier written before it (null: none). `pos` is where it starts. */
interface Operand {
  occur: Occur | null
  node: QueryNode
  pos: number
}

class Parser {
  private readonly lexer: Lexer
  private readonly limits: QueryLimits
  private readonly defaultOr: boolean
  private readonly lang: string | null
  private tok: Token
  private leaves = 0
  private prefixes = 0
  private parens = 0
  private readonly depths = new WeakMap<QueryNode, number>()

  constructor(input: string, limits: QueryLimits, defaultOperator: 'or' | 'and', lang: string | null) {
    this.lexer = new Lexer(input)
    this.limits = limits
    this.lang = lang
    this.defaultOr = defaultOperator === 'or'
    this.tok = this.lexer.next()
  }

  /** The look-ahead token (a call, so that TypeScript does not keep narrowings of it across other calls). */
  private peek(): Token {
    return this.tok
  }

  private take(): Token {
    const t = this.tok
    if (t.type !== 'eof') this.tok = this.lexer.next()
    return t
  }

  parse(): QueryNode {
    if (this.tok.type === 'eof') throw new QueryError('empty', 'The query is empty: type at least one word to search for', null)
    const op = this.or(null)
    const t = this.tok
    if (t.type === 'rparen') throw this.unopened(t)
    return this.materialise(op)
  }

  private or(field: FieldName | null): Operand {
    const items = [this.and(field)]
    for (;;) {
      const t = this.tok
      if (t.type === 'or') {
        this.take()
        this.expectOperandAfter(t)
        items.push(this.and(field))
      } else if (this.defaultOr && startsOperand(t)) {
        items.push(this.and(field))
      } else {
        return this.combine(items, 'should')
      }
    }
  }

  private and(field: FieldName | null): Operand {
    const items = [this.unary(field)]
    for (;;) {
      const t = this.tok
      if (t.type === 'and') {
        this.take()
        this.expectOperandAfter(t)
        items.push(this.unary(field))
      } else if (!this.defaultOr && startsOperand(t)) {
        items.push(this.unary(field))
      } else {
        return this.combine(items, 'must')
      }
    }
  }

  /** A single operand passes through with its modifier, for the level above (or a group) to place. */
  private combine(items: Operand[], plain: 'should' | 'must'): Operand {
    if (items.length === 1) return items[0]
    const pos = items[0].pos
    return {
      occur: null,
      node: this.bool(
        items.map(o => ({ occur: o.occur ?? plain, node: o.node })),
        pos
      ),
      pos
    }
  }

  private unary(field: FieldName | null): Operand {
    const t = this.tok
    if (t.type === 'mod') {
      this.take()
      const next = this.tok
      if (next.type === 'mod') {
        throw new QueryError(
          'misplaced-operator',
          `${quote(next.raw)} at position ${next.pos} cannot follow ${quote(t.raw)} at position ${t.pos}: ` +
            'put only one of +, -, ! or NOT before a search term',
          next.pos
        )
      }
      if (!startsPrimary(next)) throw this.danglingAfter(t, next)
      return { occur: t.occur, node: this.primary(field), pos: t.pos }
    }
    if (startsPrimary(t)) return { occur: null, node: this.primary(field), pos: t.pos }
    if (t.type === 'and' || t.type === 'or') {
      throw new QueryError('dangling-operator', `Operator ${quote(t.raw)} at position ${t.pos} has nothing before it: put a search term on each side`, t.pos)
    }
    if (t.type === 'rparen') throw this.unopened(t)
    throw new Error(`query parser: unexpected ${t.type} token at ${t.pos}`) // unreachable: callers check first
  }

  private expectOperandAfter(t: Token): void {
    if (!startsOperand(this.tok)) throw this.danglingAfter(t, this.tok)
  }

  private danglingAfter(t: Token, next: Token): QueryError {
    const what = `Operator ${quote(t.raw)}`
    const tail =
      next.type === 'and' || next.type === 'or' || next.type === 'mod'
        ? `is followed by ${describe(next)}: put a search term between them`
        : next.type === 'rparen'
          ? `has nothing after it before ${describe(next)}`
          : 'has nothing after it'
    return new QueryError('dangling-operator', `${what} at position ${t.pos} ${tail}`, t.pos)
  }

  private unopened(t: Token): QueryError {
    return new QueryError('unbalanced-parenthesis', `Unbalanced parenthesis: ")" at position ${t.pos} has no matching "("`, t.pos)
  }

  private primary(field: FieldName | null): QueryNode {
    const t = this.take()
    switch (t.type) {
      case 'word':
        return this.word(t, field)
      case 'phrase':
        return this.phrase(t, field, null)
      case 'lparen':
        return this.group(t, field, null)
      default:
        throw new Error(`query parser: unexpected ${t.type} token at ${t.pos}`) // unreachable
    }
  }

  /** `(` ... `)`; `fieldTok` is the `field:` word when the group is that field's value. */
  private group(open: Token, field: FieldName | null, fieldTok: WordToken | null): QueryNode {
    this.parens++
    if (this.parens > this.limits.maxDepth) {
      throw new QueryError(
        'too-deep',
        `Parentheses nested too deeply: "(" at position ${open.pos} opens level ${this.parens}, at most ${this.limits.maxDepth} are allowed`,
        open.pos
      )
    }
    if (this.tok.type === 'rparen') {
      if (fieldTok !== null) throw this.emptyField(fieldTok, 'an empty group "()"')
      throw new QueryError('empty-group', `Empty parentheses "()" at position ${open.pos}: put search terms inside or remove them`, open.pos)
    }
    if (this.tok.type === 'eof') throw this.unclosed(open)
    const op = this.or(field)
    if (this.peek().type !== 'rparen') throw this.unclosed(open)
    this.take()
    this.parens--
    return this.materialise(op)
  }

  private unclosed(open: Token): QueryError {
    return new QueryError('unbalanced-parenthesis', `Unbalanced parenthesis: "(" at position ${open.pos} is never closed`, open.pos)
  }

  private emptyField(t: WordToken, what: string | null): QueryError {
    const name = t.text.slice(0, t.colon)
    return new QueryError(
      'empty-field',
      what === null
        ? `Field "${name}:" at position ${t.pos} has no value: write one after the colon, as in ${name.toLowerCase()}:${example(name)}`
        : `Field "${name}:" at position ${t.pos} has ${what} as its value`,
      t.pos
    )
  }

  private word(t: WordToken, field: FieldName | null): QueryNode {
    const named = fieldOf(t)
    if (named === undefined) return this.wordLeaf(wholeWord(t), field)
    if (t.colon === t.text.length - 1) return this.fieldValue(t, named)
    const v = wordAfter(t, t.colon + 1)
    const first = v.text[0]
    if ((first === '-' || first === '+' || first === '!') && !v.escapes.includes(0)) {
      const name = t.text.slice(0, t.colon)
      throw new QueryError(
        'bad-field-value',
        `${quote(first)} at position ${v.pos} cannot start the value of "${name}:": ` +
          `put it before the field, as in ${first}${name}:${v.text.slice(1) || example(name)}`,
        v.pos
      )
    }
    return this.wordLeaf(v, named)
  }

  /** The value of `field:` written with nothing after the colon: the next token (whitespace between is allowed). */
  private fieldValue(fieldTok: WordToken, field: FieldName): QueryNode {
    const t = this.tok
    if (t.type === 'word' && fieldOf(t) === undefined) {
      this.take()
      return this.wordLeaf(wholeWord(t), field)
    }
    if (t.type === 'phrase') {
      this.take()
      return this.phrase(t, field, fieldTok)
    }
    if (t.type === 'lparen') {
      this.take()
      return this.group(t, field, fieldTok)
    }
    throw this.emptyField(fieldTok, null)
  }

  private wordLeaf(v: Slice, field: FieldName | null): QueryNode {
    if (field !== null && !isTextField(field)) {
      if (v.stars.length > 0) {
        const at = v.offsets[v.stars[0]]
        throw new QueryError(
          'bad-field-value',
          `Wildcard "*" at position ${at} is not allowed in a ${field}: value (only in words to search for, as in tele*)`,
          at
        )
      }
      return this.filter(field, v.text, posAtOf(v.offsets, v.pos), v.pos)
    }
    if (v.stars.length === 0) return this.leaf({ kind: 'term', field, text: v.text }, v.pos)
    const last = v.text.length - 1
    const star = v.stars[0]
    if (star !== last) {
      const at = v.offsets[star]
      throw new QueryError('bad-prefix', `Wildcard "*" at position ${at} in ${quote(v.text)} is only allowed at the end of a word, as in tele*`, at)
    }
    const text = v.text.slice(0, last)
    const min = this.limits.minPrefixChars
    if (countWordChars(text) < min) {
      throw new QueryError(
        'bad-prefix',
        `Prefix ${quote(v.text)} at position ${v.pos} is too short: put at least ${min} letters or digits before the "*"`,
        v.pos
      )
    }
    if (++this.prefixes > this.limits.maxPrefixes) {
      throw new QueryError(
        'too-many-prefixes',
        `Too many prefix searches (word*): ${quote(v.text)} at position ${v.pos} is number ${this.prefixes}, at most ${this.limits.maxPrefixes} are allowed`,
        v.pos
      )
    }
    return this.leaf({ kind: 'prefix', field, text }, v.pos)
  }

  private phrase(t: PhraseToken, field: FieldName | null, fieldTok: WordToken | null): QueryNode {
    if (t.text.trim() === '') {
      if (fieldTok !== null) throw this.emptyField(fieldTok, 'an empty phrase')
      throw new QueryError('empty-phrase', `Empty phrase at position ${t.pos}: put words between the quotes or remove them`, t.pos)
    }
    if (field === null || isTextField(field)) return this.leaf({ kind: 'phrase', field, text: t.text }, t.pos)
    return this.filter(field, t.text, posAtOf(t.offsets, t.pos + 1), t.pos)
  }

  private filter(field: FilterField | 'date', text: string, posAt: PosAt, pos: number): QueryNode {
    switch (field) {
      case 'site':
        return this.leaf({ kind: 'filter', field, value: normaliseSite(text, posAt) }, pos)
      case 'type':
        return this.leaf({ kind: 'filter', field, value: normaliseType(text, posAt) }, pos)
      case 'lang':
        return this.leaf({ kind: 'filter', field, value: normaliseLang(text, posAt) }, pos)
      case 'institution':
        return this.leaf({ kind: 'filter', field, value: normaliseInstitution(text, posAt) }, pos)
      case 'date': {
        const { from, to } = parseDateValue(text, posAt)
        return this.leaf({ kind: 'date', from, to }, pos)
      }
    }
  }

  private leaf(node: QueryNode, pos: number): QueryNode {
    // A word the analyzer drops entirely (a stop word) reads nothing: it is no cost to limit.
    if (node.kind === 'term' && analyzeQuery(node.text, this.lang).length === 0) return node
    if (++this.leaves > this.limits.maxClauses) {
      throw new QueryError(
        'too-many-clauses',
        `Too many search terms: the one at position ${pos} is number ${this.leaves}, at most ${this.limits.maxClauses} are allowed`,
        pos
      )
    }
    return node
  }

  /** An operand on its own (a whole query or group): a modifier only matters if it is '-'. */
  private materialise(op: Operand): QueryNode {
    return op.occur === 'must_not' ? this.bool([{ occur: 'must_not', node: op.node }], op.pos) : op.node
  }

  private bool(items: BoolClause[], pos: number): QueryNode {
    const clauses: BoolClause[] = []
    for (const item of items) {
      const n = item.node
      if (
        n.kind === 'bool' &&
        ((item.occur === 'should' && n.clauses.every(c => c.occur === 'should')) || (item.occur === 'must' && n.clauses.every(c => c.occur !== 'should')))
      ) {
        for (const c of n.clauses) clauses.push(c)
      } else {
        clauses.push(item)
      }
    }
    let depth = 0
    for (const c of clauses) depth = Math.max(depth, this.depths.get(c.node) ?? 0)
    depth++
    if (depth > this.limits.maxDepth) {
      throw new QueryError(
        'too-deep',
        `The query is nested too deeply: the part starting at position ${pos} needs ${depth} levels of AND/OR/NOT, at most ${this.limits.maxDepth} are allowed`,
        pos
      )
    }
    const node: QueryNode = { kind: 'bool', clauses }
    this.depths.set(node, depth)
    return node
  }

  depthOf(node: QueryNode): number {
    return this.depths.get(node) ?? 0
  }
}

function example(field: string): string {
  switch (field.toLowerCase()) {
    case 'site':
      return 'bbc.co.uk'
    case 'type':
      return 'text/html'
    case 'lang':
      return 'en'
    case 'institution':
      return '"British Library"'
    case 'date':
      return '2008..2014'
    case 'url':
      return 'example.com'
    default:
      return 'hubble'
  }
}

function statsOf(root: QueryNode, depth: number): QueryStats {
  const stats: QueryStats = { clauses: 0, terms: 0, phrases: 0, prefixes: 0, filters: 0, depth }
  const stack: QueryNode[] = [root]
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    switch (n.kind) {
      case 'bool':
        for (const c of n.clauses) stack.push(c.node)
        continue
      case 'term':
        stats.terms++
        break
      case 'phrase':
        stats.phrases++
        break
      case 'prefix':
        stats.prefixes++
        break
      case 'filter':
      case 'date':
        stats.filters++
        break
    }
    stats.clauses++
  }
  return stats
}

/**
 * Parses a query. Throws QueryError (with a code, a 0-based position and a message for the user) for input that
 * is not a valid query, and TypeError/RangeError for bad arguments.
 */
export function parseQuery(input: string, opts: ParseOptions = {}): ParsedQuery {
  if (typeof input !== 'string') throw new TypeError('parseQuery: the query must be a string')
  const defaultOperator = opts.defaultOperator ?? 'or'
  if (defaultOperator !== 'or' && defaultOperator !== 'and') {
    throw new TypeError(`parseQuery: defaultOperator must be 'or' or 'and', got ${String(defaultOperator)}`)
  }
  const limits = resolveLimits(opts.limits)
  if (input.length > limits.maxLength) {
    throw new QueryError(
      'too-long',
      `The query is too long: ${input.length} characters, at most ${limits.maxLength} are allowed (the excess starts at position ${limits.maxLength})`,
      limits.maxLength
    )
  }
  const parser = new Parser(input, limits, defaultOperator, opts.lang ?? null)
  const root = parser.parse()
  const onlyNegative = root.kind === 'bool' && root.clauses.every(c => c.occur === 'must_not')
  return { root, onlyNegative, stats: statsOf(root, parser.depthOf(root)) }
}
