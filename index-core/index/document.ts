// What one document and one capture contribute to the index's trees. Pure functions: ingest workers call
// them, and the same input always gives the same entries, whichever worker or institution runs them.

import { analyzeField } from '../analysis/index.ts'
import type { Token } from '../analysis/index.ts'
import { utf8 } from '../bytes.ts'
import type { Entry } from '../prolly/read.ts'
import { captureKey, encodeCapture } from './capture-codec.ts'
import type { Capture } from './capture-codec.ts'
import { encodeDoc } from './doc-codec.ts'
import type { DocRecord } from './doc-codec.ts'
import { EMPTY_POSTING, encodePosting, postingKey } from './posting-codec.ts'
import { FIELD_COUNT, filterTerm, LIMITS, shardOf, termHash } from './schema.ts'
import { chunkText, encodeText, textKey } from './text-codec.ts'
import { captureSeconds, encodeDocValues, urlKeyOf } from './docvalues-codec.ts'
import { encodeNorms } from './norms.ts'

/** A document as extraction hands it over (everything but the analysis). */
export type DocInput = Omit<DocRecord, 'lengths' | 'textChars'> & { readonly text: string }

export interface AnalyzerSettings {
  readonly version: string
  readonly maxFieldTokens: number
}

/** A posting entry bound for one shard; `term` is the key's term part (the key is term ‖ 0 ‖ docId). */
export interface ShardEntry extends Entry { readonly shard: number, readonly term: string }

export interface DocContribution {
  readonly doc: Entry
  readonly text: Entry[]
  readonly docvalues: Entry
  /** The document's field lengths as norm bytes, for BM25. */
  readonly norms: Entry
  readonly postings: ShardEntry[]
}

/** UTF-8 bytes and shard hash of terms: the same few thousand terms recur in every document of a crawl. */
const termInfo = new Map<string, { bytes: Uint8Array, hash: number }>()
function infoOfTerm (term: string): { bytes: Uint8Array, hash: number } {
  let t = termInfo.get(term)
  if (t === undefined) {
    if (termInfo.size >= 200_000) termInfo.clear()
    const bytes = utf8(term)
    t = { bytes, hash: termHash(bytes) }
    termInfo.set(term, t)
  }
  return t
}

function cap (s: string, n: number): string {
  if (s.length <= n) return s
  const c = s.charCodeAt(n - 1)
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? n - 1 : n)
}

/** Collects positions per term per field. */
class TermCollector {
  readonly terms = new Map<string, number[][]>()

  add (field: number, tokens: readonly Token[], offset: number): void {
    for (const t of tokens) {
      let fields = this.terms.get(t.term)
      if (fields === undefined) {
        fields = Array.from({ length: FIELD_COUNT }, () => [])
        this.terms.set(t.term, fields)
      }
      const ps = fields[field]
      const p = t.position + offset
      // Bigrams and unigrams can share a position; a posting lists each position once.
      if (ps.length === 0 || ps[ps.length - 1] < p) ps.push(p)
    }
  }
}

export function documentEntries (docId: Uint8Array, input: DocInput, shards: number, settings: AnalyzerSettings): DocContribution {
  const lang = input.lang
  const opts = { maxTokens: settings.maxFieldTokens }
  const title = cap(input.title, LIMITS.titleChars)
  const description = cap(input.description, LIMITS.descriptionChars)
  const collector = new TermCollector()
  const lengths = [0, 0, 0]

  const t = analyzeField(title, lang, opts)
  collector.add(0, t.tokens, 0)
  lengths[0] = t.tokens.length

  // Body: analysed chunk by chunk, so each stored chunk knows the position its tokens start at.
  const text: Entry[] = []
  let position = 0
  for (const chunk of chunkText(input.text)) {
    text.push({ key: textKey(docId, position), value: encodeText(chunk) })
    const remaining = settings.maxFieldTokens - position
    if (remaining <= 0) continue
    const a = analyzeField(chunk, lang, { maxTokens: remaining })
    collector.add(1, a.tokens, position)
    lengths[1] += a.tokens.length
    position += a.positions
  }

  const u = analyzeField(input.url, null, opts)
  collector.add(2, u.tokens, 0)
  lengths[2] = u.tokens.length

  const postings: ShardEntry[] = []
  for (const [term, fields] of collector.terms) {
    const t = infoOfTerm(term)
    postings.push({ shard: t.hash % shards, term, key: postingKey(t.bytes, docId), value: encodePosting(fields) })
  }
  // surt: every version of one URL, for "all captures of this URL" under a grouped result.
  const filters = [filterTerm('host', input.host), filterTerm('domain', input.domain), filterTerm('type', input.mime), filterTerm('surt', input.surt)]
  if (lang !== null) filters.push(filterTerm('lang', lang))
  for (const f of filters) {
    const tb = utf8(f)
    postings.push({ shard: shardOf(tb, shards), term: f, key: postingKey(tb, docId), value: EMPTY_POSTING })
  }

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
    content: { urlKey: urlKeyOf(input.surt), host: input.host, domain: input.domain, mime: input.mime, lang: lang ?? '' },
    first: 0,
    last: 0,
    years: [],
    institutions: []
  })
  return { doc: { key: docId, value: encodeDoc(record) }, text, docvalues: { key: docId, value: docvalues }, norms: { key: docId, value: encodeNorms(lengths) }, postings }
}

export interface CaptureContribution {
  readonly capture: Entry
  readonly docvalues: Entry
  readonly postings: ShardEntry[]
}

/** A capture adds its record and the year, month and institution filter terms of its document. */
export function captureEntries (docId: Uint8Array, c: Capture, shards: number): CaptureContribution {
  const capture = { ...c, institution: cap(c.institution, LIMITS.institutionChars) }
  const filters = [filterTerm('inst', capture.institution)]
  if (c.date !== null && /^\d{4}-\d{2}/.test(c.date)) {
    filters.push(filterTerm('year', c.date.slice(0, 4)), filterTerm('month', c.date.slice(0, 7)))
  }
  const postings = filters.map(f => {
    const tb = utf8(f)
    return { shard: shardOf(tb, shards), term: f, key: postingKey(tb, docId), value: EMPTY_POSTING }
  })
  const secs = captureSeconds(c.date)
  const docvalues = encodeDocValues({
    content: null,
    first: secs ?? 0,
    last: secs ?? 0,
    years: secs === null ? [] : [new Date(secs * 1000).getUTCFullYear()],
    institutions: [capture.institution]
  })
  return { capture: { key: captureKey(docId, capture), value: encodeCapture(capture) }, docvalues: { key: docId, value: docvalues }, postings }
}
