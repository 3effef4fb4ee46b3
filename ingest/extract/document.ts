// Entry point: one HTTP payload in, one indexable document (or a reason why not) out.
// Pure and synchronous so it can run inside worker threads; never throws.

import { decodeBody } from './body.ts'
import { decodeToText } from './charset.ts'
import { joinedHeaderValue, headerValues } from './headers.ts'
import { extractHtml } from './html-text.ts'
import { chooseLanguage } from './language.ts'
import type { LanguageCandidate } from './language.ts'
import { classifyEssence, looksBinary, parseContentType, sniffMime } from './mime.ts'
import { TextBuilder } from './text.ts'
import type { ExtractFailure, ExtractInput, ExtractResult, IndexableMime } from './types.ts'
import { urlKeys } from '../../index-core/index/index.ts'

/**
 * Cap on extracted text, in UTF-16 code units. webarchive-discovery caps extracted text at 512 KB by default for the
 * same reason: beyond that, pages are dumps whose tail adds index size, not findability.
 */
export const MAX_TEXT_CHARS = 512 * 1024

/** Share of replacement/control characters above which decoded text is treated as binary. */
const MAX_GARBAGE_RATIO = 0.1

function fail(reason: ExtractFailure): ExtractResult {
  return { ok: false, reason }
}

/** Turns one captured HTTP response into a document for the index. */
export function extractDocument(input: ExtractInput): ExtractResult {
  try {
    return extract(input)
  } catch {
    // Defensive: a bug on one hostile page must not take down a worker processing thousands.
    return fail('extract-error')
  }
}

function extract(input: ExtractInput): ExtractResult {
  const headers = input.headers ?? []
  const contentType = parseContentType(input.contentType ?? joinedHeaderValue(headers, 'content-type'))
  const declared = classifyEssence(contentType.essence)
  if (declared === null) return fail('not-html')

  const decodedBody = decodeBody(input.body, headers)
  if (!decodedBody.ok) return fail(decodedBody.reason)
  const body = decodedBody.body
  if (body.length === 0) return fail('empty-body')

  let mime: IndexableMime
  if (declared === 'generic') {
    const sniffed = sniffMime(body, input.url)
    if (sniffed === null) return fail('not-html')
    mime = sniffed
  } else {
    if (looksBinary(body)) return fail('not-html')
    mime = declared
  }

  const keys = urlKeys(input.url)
  if (keys === null) return fail('bad-url')

  const isHtml = mime !== 'text/plain'
  const decoded = decodeToText(body, contentType.charset, isHtml)
  if (garbageRatio(decoded.text) > MAX_GARBAGE_RATIO) return fail('undecodable')

  let title = ''
  let description = ''
  let text: string
  let textTruncated: boolean
  const robots: string[] = []
  const langCandidates: LanguageCandidate[] = []

  if (isHtml) {
    const html = extractHtml(decoded.text, { maxTextChars: MAX_TEXT_CHARS, xhtml: mime === 'application/xhtml+xml' })
    title = html.title || html.ogTitle || html.h1
    description = html.metaDescription || html.ogDescription
    text = html.text
    textTruncated = html.textTruncated
    robots.push(...html.robots)
    langCandidates.push({ tag: html.htmlLang, source: 'html-lang' })
    langCandidates.push({ tag: joinedHeaderValue(headers, 'content-language'), source: 'content-language' })
    langCandidates.push({ tag: html.metaContentLanguage, source: 'meta-content-language' })
  } else {
    const builder = new TextBuilder(MAX_TEXT_CHARS)
    builder.append(decoded.text)
    text = builder.toString()
    textTruncated = builder.truncated
    langCandidates.push({ tag: joinedHeaderValue(headers, 'content-language'), source: 'content-language' })
  }
  if (title === '' && description === '' && text === '') return fail('no-text')

  robots.push(...headerValues(headers, 'x-robots-tag').filter(v => !isUserAgentSpecific(v)))
  const language = chooseLanguage(langCandidates, title, text)

  return {
    ok: true,
    doc: {
      url: input.url,
      surt: keys.surt,
      host: keys.host,
      domain: keys.domain,
      mime,
      charset: decoded.charset,
      charsetSource: decoded.source,
      lang: language?.lang ?? null,
      langSource: language?.source ?? null,
      title,
      description,
      text,
      textTruncated,
      robots: robotsDirectives(robots)
    }
  }
}

/**
 * Share of U+FFFD and C0 control characters (other than whitespace) in the first 64K characters. Text decodes
 * to a few at most; a binary body served as text/html decodes to many.
 */
function garbageRatio(text: string): number {
  const end = Math.min(text.length, 65536)
  // One native scan of the part counted: most pages have none.
  if (end === 0 || !GARBAGE.test(end === text.length ? text : text.slice(0, end))) return 0
  let bad = 0
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c === 0xfffd || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d)) bad++
  }
  return bad / end
}

/** The characters garbageRatio counts. */
const GARBAGE = /[\ufffd\u0000-\u0008\u000b\u000e-\u001f]/

/** Directive names that take a value after ':' (so 'max-snippet: 10' is not a user-agent prefix). */
const VALUED_DIRECTIVES = new Set(['max-snippet', 'max-image-preview', 'max-video-preview', 'unavailable_after'])

/** X-Robots-Tag 'googlebot: noindex' addresses one crawler only; we are none of them. */
function isUserAgentSpecific(value: string): boolean {
  const m = /^\s*([a-z0-9_-]+)\s*:/i.exec(value)
  if (m === null) return false
  const name = m[1].toLowerCase()
  return !VALUED_DIRECTIVES.has(name) && name !== 'robots'
}

/** Lowercased, deduplicated directives from meta robots / X-Robots-Tag values. */
function robotsDirectives(values: readonly string[]): string[] {
  const out = new Set<string>()
  for (const v of values) {
    const body = v.replace(/^\s*robots\s*:/i, '')
    for (const part of body.split(',')) {
      const d = part.trim().toLowerCase().replace(/\s+/g, ' ')
      if (d !== '' && d.length <= 64) out.add(d)
    }
  }
  return [...out]
}
