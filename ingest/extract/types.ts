// Public shapes of the extraction step. Kept in one file so workers, the indexer and tests share exactly one
// definition; the functions live in document.ts.

/** One HTTP payload as read from a WARC/WACZ record. */
export interface ExtractInput {
  /** WARC-Target-URI as captured. */
  url: string
  /** HTTP Content-Type header value, or null when the response had none. */
  contentType: string | null
  /** All HTTP response headers, in order, names as captured (any case). */
  headers: [string, string][]
  /**
   * The HTTP entity body. May still carry its transfer/content coding (chunked, gzip, deflate, br, zstd):
   * extraction undoes a coding only when the bytes really have it, because readers differ in what they decode.
   */
  body: Uint8Array
  /** HTTP status code, or null when unknown. Extraction does not filter on it; callers decide. */
  status: number | null
}

/** The MIME types that are indexed, after normalisation. */
export type IndexableMime = 'text/html' | 'application/xhtml+xml' | 'text/plain'

/** Where the decoding charset came from, in order of precedence (see charset.ts). */
export type CharsetSource = 'bom' | 'http' | 'meta' | 'xml-declaration' | 'detected' | 'default'

/** Where `lang` came from. */
export type LangSource = 'html-lang' | 'content-language' | 'meta-content-language' | 'detected'

export interface ExtractedDoc {
  /** As captured. */
  url: string
  /** SURT key as pywb / webarchive-commons compute it ('com,example)/path?a=1&b=2'). */
  surt: string
  /** Lowercased hostname (IDNs in punycode, IPv4 normalised, IPv6 without brackets). */
  host: string
  /** Registered domain (public suffix list, ICANN section), or the host for IPs and hosts with no known suffix. */
  domain: string
  /** Normalised MIME type. */
  mime: IndexableMime
  /** WHATWG name of the charset actually used to decode ('utf-8', 'windows-1252', 'euc-jp', ...). */
  charset: string
  /** Why that charset was chosen. */
  charsetSource: CharsetSource
  /** ISO 639-1 code, or null when unknown. */
  lang: string | null
  /** Where `lang` came from; null when `lang` is null. */
  langSource: LangSource | null
  /** Whitespace-collapsed title ('' when none). */
  title: string
  /** Whitespace-collapsed meta description or og:description ('' when none). */
  description: string
  /** Visible text, whitespace-collapsed, at most MAX_TEXT_CHARS UTF-16 code units. */
  text: string
  /** True when `text` was cut at MAX_TEXT_CHARS. */
  textTruncated: boolean
  /**
   * Robots directives from <meta name=robots> and X-Robots-Tag headers (lowercased, deduplicated, e.g.
   * ['noindex', 'nofollow']). Extraction reports them; whether to honour them is the indexer's policy.
   */
  robots: string[]
}

/** Short kebab-case reasons for not producing a document. */
export type ExtractFailure =
  | 'not-html' // not HTML/XHTML/plain text, by Content-Type or by sniffing
  | 'empty-body' // zero bytes (after undoing content coding)
  | 'bad-url' // no usable host could be parsed from the URL
  | 'bad-content-encoding' // Content-Encoding says gzip/br/... and the bytes have it, but they do not inflate
  | 'too-large' // inflated body over MAX_INFLATED_BYTES
  | 'undecodable' // decoded text is mostly replacement/control characters (binary served as text)
  | 'no-text' // nothing to index: no title, description or visible text
  | 'extract-error' // an unexpected internal error (a bug): reported instead of thrown so a worker survives

export type ExtractResult = { ok: true; doc: ExtractedDoc } | { ok: false; reason: ExtractFailure }
