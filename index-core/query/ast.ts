// The query AST produced by parser.ts and consumed by the executor.
//
// A node is a plain, JSON-serialisable value with no source positions: the same query text always gives a
// deep-equal tree, so it can be used as a cache key. Text is kept as typed (escapes removed, no case folding,
// no Unicode normalisation); analysis happens at execution time. Filter values and dates are normalised here.

import type { QueryLimits } from './limits.ts'

/** A text field to match in; `null` on a node means all text fields. */
export type TextField = 'title' | 'body' | 'url'
/** Non-scoring constraints on a capture's metadata. */
export type FilterField = 'site' | 'type' | 'lang' | 'institution'
/** Every field name the language knows (`date:` gives a DateNode). */
export type FieldName = TextField | FilterField | 'date'

export type Occur = 'must' | 'should' | 'must_not'

export interface TermNode {
  kind: 'term'
  field: TextField | null
  text: string
}
export interface PhraseNode {
  kind: 'phrase'
  field: TextField | null
  text: string
}
/** `text` is the word without its trailing '*'. */
export interface PrefixNode {
  kind: 'prefix'
  field: TextField | null
  text: string
}
/**
 * `value` is normalised: site is a lower-cased host or domain (punycode for IDNs, no scheme, path, port or
 * trailing dot, IPv6 without brackets); type is a lower-cased MIME type without parameters, shortcuts expanded;
 * lang is a lower-cased 2-letter code; institution is the name with whitespace runs collapsed.
 */
export interface FilterNode {
  kind: 'filter'
  field: FilterField
  value: string
}
/** Inclusive capture-date bounds as 14-digit wayback timestamps; null is an open end (never both). */
export interface DateNode {
  kind: 'date'
  from: string | null
  to: string | null
}
export interface BoolClause {
  occur: Occur
  node: QueryNode
}
/** Lucene semantics: with no 'must' clause at least one 'should' clause has to match. */
export interface BoolNode {
  kind: 'bool'
  clauses: BoolClause[]
}

export type QueryNode = TermNode | PhraseNode | PrefixNode | FilterNode | DateNode | BoolNode

export interface QueryStats {
  /** Leaf nodes (term, phrase, prefix, filter, date): what maxClauses limits. */
  clauses: number
  /** Term nodes. */
  terms: number
  /** Phrase nodes. */
  phrases: number
  /** Prefix nodes: what maxPrefixes limits. */
  prefixes: number
  /** Filter and date nodes. */
  filters: number
  /** Nesting of bool nodes: 0 for a single leaf, 1 for `a b`, 2 for `a OR (b AND c)`. */
  depth: number
}

export interface ParsedQuery {
  root: QueryNode
  /**
   * The root is a bool whose clauses are all 'must_not' (`-spam`, `NOT a`, `-site:x.com`): the executor should
   * read it as "everything except". Pure-negative bools nested deeper are left as they are.
   */
  onlyNegative: boolean
  stats: QueryStats
}

export interface ParseOptions {
  /** Operator between clauses with no explicit AND/OR; 'or' by default (as in Lucene and Elasticsearch). */
  defaultOperator?: 'or' | 'and'
  /** Overrides of QUERY_LIMITS. */
  limits?: Partial<QueryLimits>
  /**
   * Language the words will be analysed in (null: English): a word it drops entirely (a stop word) costs a
   * query nothing, so it never counts toward maxClauses.
   */
  lang?: string | null
}
