// What one document and one capture contribute to the index's trees. Pure functions: ingest workers call
// them, and the same input always gives the same entries, whichever worker or institution runs them.

import { analyzeFieldInto } from '../analysis/index.ts'
import { utf8 } from '../bytes.ts'
import type { Entry } from '../prolly/index.ts'
import { captureKey, encodeCapture } from './capture-codec.ts'
import type { Capture } from './capture-codec.ts'
import { encodeDoc } from './doc-codec.ts'
import { recordKey } from './doc-keys.ts'
import type { DocRecord } from './doc-codec.ts'
import { EMPTY_POSTING, encodePosting, postingKey } from './posting-codec.ts'
import { FIELD_COUNT, filterTerm, LIMITS, shardOf, termHash } from './schema.ts'
import { chunkText, encodeTextChunk, textKey } from './text-codec.ts'
import { captureSeconds, encodeDocValues } from './docvalues-codec.ts'
import { impactOf, lengthNorms } from './impact.ts'

/** A document as extraction hands it over (everything but the analysis). */
export type DocInput = Omit<DocRecord, 'lengths' | 'textChars'> & { readonly text: string }

export interface AnalyzerSettings {
  readonly version: string
  readonly maxFieldTokens: number
}

/** A posting entry bound for one shard; `term` is the key's term part (posting-codec.ts postingKey). */
export interface ShardEntry extends Entry {
  readonly shard: number
  readonly term: string
}

export interface DocContribution {
  readonly doc: Entry
  readonly text: Entry[]
  readonly docvalues: Entry
  readonly postings: ShardEntry[]
}

/** UTF-8 bytes and shard hash of terms: the same few thousand terms recur in every document of a crawl. */
const termInfo = new Map<string, { bytes: Uint8Array; hash: number }>()
function infoOfTerm(term: string): { bytes: Uint8Array; hash: number } {
  let t = termInfo.get(term)
  if (t === undefined) {
    if (termInfo.size >= 200_000) termInfo.clear()
    const bytes = utf8(term)
    t = { bytes, hash: termHash(bytes) }
    termInfo.set(term, t)
  }
  return t
}

function cap(s: string, n: number): string {
  if (s.length <= n) return s
  const c = s.charCodeAt(n - 1)
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? n - 1 : n)
}

/**
 * Receives a document's terms as analysis finds them: field (0 title, 1 body, 2 url), term, position. Within a
 * field positions never decrease; bigrams and unigrams can share one, which a posting lists once.
 */
export interface TermCollector {
  /** `termNo` is the analyzer's number for the term (see TermSink), -1 when it has none. */
  add(field: number, term: string, position: number, termNo: number): void
}

/** What a document contributes besides its word postings (which went to the collector). */
export interface AnalysedDocument {
  readonly doc: Entry
  readonly text: Entry[]
  readonly docvalues: Entry
  /** The document's field lengths in tokens (title, body, url), from which its postings' impacts follow. */
  readonly lengths: readonly number[]
  /** Filter terms of the document (host, domain, type, surt, lang), each an empty posting. */
  readonly filters: string[]
}

/**
 * Analyses a document: its terms go to `terms`, the rest is returned. The one definition of what a document
 * contributes, shared by ingest (with a collector built for bulk) and documentEntries.
 */
export function analyseDocument(docId: Uint8Array, input: DocInput, settings: AnalyzerSettings, terms: TermCollector): AnalysedDocument {
  const lang = input.lang
  const opts = { maxTokens: settings.maxFieldTokens }
  const title = cap(input.title, LIMITS.titleChars)
  const description = cap(input.description, LIMITS.descriptionChars)
  const lengths = [0, 0, 0]

  lengths[0] = analyseInto(terms, 0, title, lang, 0, opts).tokens

  // Body: analysed chunk by chunk, so each stored chunk knows the position its tokens start at.
  const text: Entry[] = []
  let position = 0
  for (const chunk of chunkText(input.text)) {
    text.push({ key: textKey(docId, position), value: encodeTextChunk(chunk) })
    const remaining = settings.maxFieldTokens - position
    if (remaining <= 0) continue
    const a = analyseInto(terms, 1, chunk, lang, position, { maxTokens: remaining })
    lengths[1] += a.tokens
    position += a.positions
  }

  lengths[2] = analyseInto(terms, 2, input.url, null, 0, opts).tokens

  // surt: every version of one URL, for "all captures of this URL" under a grouped result.
  const filters = [filterTerm('host', input.host), filterTerm('domain', input.domain), filterTerm('type', input.mime), filterTerm('surt', input.surt)]
  if (lang !== null) filters.push(filterTerm('lang', lang))

  const record: DocRecord = {
    url: input.url,
    surt: input.surt,
    host: input.host,
    domain: input.domain,
    mime: input.mime,
    lang,
    title,
    description,
    status: input.status,
    charset: input.charset,
    digest: input.digest,
    textChars: input.text.length,
    textTruncated: input.textTruncated,
    lengths
  }
  const docvalues = encodeDocValues({
    content: { domain: input.domain, mime: input.mime, lang: lang ?? '' },
    first: 0,
    last: 0,
    years: [],
    institutions: []
  })
  return { doc: { key: recordKey(docId), value: encodeDoc(record) }, text, docvalues: { key: docId, value: docvalues }, lengths, filters }
}

/** Analyses one field's text into the collector, its positions starting at `offset`. */
function analyseInto(
  terms: TermCollector,
  field: number,
  text: string,
  lang: string | null,
  offset: number,
  opts: { maxTokens: number }
): { tokens: number; positions: number } {
  let tokens = 0
  const positions = analyzeFieldInto(
    text,
    lang,
    (term, p, no) => {
      terms.add(field, term, p + offset, no)
      tokens++
    },
    opts
  )
  return { tokens, positions }
}

/** Collects positions per term per field. */
class MapCollector implements TermCollector {
  readonly terms = new Map<string, number[][]>()

  add(field: number, term: string, p: number): void {
    let fields = this.terms.get(term)
    if (fields === undefined) {
      fields = Array.from({ length: FIELD_COUNT }, () => [])
      this.terms.set(term, fields)
    }
    const ps = fields[field]
    if (ps.length === 0 || ps[ps.length - 1] < p) ps.push(p)
  }
}

export function documentEntries(docId: Uint8Array, input: DocInput, shards: number, settings: AnalyzerSettings): DocContribution {
  const collector = new MapCollector()
  const a = analyseDocument(docId, input, settings, collector)
  const postings: ShardEntry[] = []
  const norms = lengthNorms(a.lengths)
  for (const [term, fields] of collector.terms) {
    const t = infoOfTerm(term)
    const impact = impactOf(
      fields.map(f => f.length),
      norms
    )
    postings.push({ shard: t.hash % shards, term, key: postingKey(t.bytes, impact, docId), value: encodePosting(fields, norms) })
  }
  for (const f of a.filters) {
    const tb = utf8(f)
    postings.push({ shard: shardOf(tb, shards), term: f, key: postingKey(tb, 0, docId), value: EMPTY_POSTING })
  }
  return { doc: a.doc, text: a.text, docvalues: a.docvalues, postings }
}

export interface CaptureContribution {
  readonly capture: Entry
  readonly docvalues: Entry
  readonly postings: ShardEntry[]
}

/** A capture's record and doc values, and the filter terms (institution, year, month) it adds to its document. */
export function captureRecord(docId: Uint8Array, c: Capture): { capture: Entry; docvalues: Entry; filters: string[] } {
  // Caps keep a capture within its tree's entry size, whatever a (hostile) crawl holds.
  const capture = {
    ...c,
    institution: cap(c.institution, LIMITS.institutionChars),
    file: utf8(c.file).length <= LIMITS.fileNameBytes ? c.file : cap(c.file, Math.floor(LIMITS.fileNameBytes / 3)),
    recordId: c.recordId !== null && c.recordId.length > LIMITS.recordIdChars ? null : c.recordId
  }
  const filters = [filterTerm('inst', capture.institution)]
  if (c.date !== null && /^\d{4}-\d{2}/.test(c.date)) {
    filters.push(filterTerm('year', c.date.slice(0, 4)), filterTerm('month', c.date.slice(0, 7)))
  }
  const secs = captureSeconds(c.date)
  const docvalues = encodeDocValues({
    content: null,
    first: secs ?? 0,
    last: secs ?? 0,
    years: secs === null ? [] : [new Date(secs * 1000).getUTCFullYear()],
    institutions: [capture.institution]
  })
  return { capture: { key: captureKey(docId, capture), value: encodeCapture(capture) }, docvalues: { key: docId, value: docvalues }, filters }
}

/** A capture adds its record and the year, month and institution filter terms of its document. */
export function captureEntries(docId: Uint8Array, c: Capture, shards: number): CaptureContribution {
  const r = captureRecord(docId, c)
  const postings = r.filters.map(f => {
    const tb = utf8(f)
    return { shard: shardOf(tb, shards), term: f, key: postingKey(tb, 0, docId), value: EMPTY_POSTING }
  })
  return { capture: r.capture, docvalues: r.docvalues, postings }
}
