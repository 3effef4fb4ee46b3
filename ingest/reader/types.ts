// Public types of the crawl reader. Everything the rest of Canopy sees crosses this boundary.

/** Short, stable kebab-case code saying what could not be read. See SKIP_REASONS for the full list. */
export type SkipReason = string

/** One capture worth indexing: a response, resource or revisit record. */
export interface CaptureRecord {
  kind: 'record'
  type: 'response' | 'resource' | 'revisit'
  /** From the record's version line: '0.17' | '0.18' | '1.0' | '1.1' ... */
  warcVersion: string
  recordId: string | null
  /** WARC-Target-URI, trimmed, surrounding <> removed. Non-UTF-8 bytes are percent-encoded. */
  url: string
  /** WARC-Date as ISO 8601 UTC 'YYYY-MM-DDTHH:MM:SSZ'; null when unparseable (an 'invalid-date' notice is emitted). */
  date: string | null
  /** The crawl file's name as given to readCrawl; for WACZ 'pkg.wacz#archive/data.warc.gz'. */
  file: string
  /**
   * Byte offset of the record in `file`. For gzip files this is the offset of the gzip member the record starts in;
   * for a WARC inside a WACZ it is relative to the inner WARC (as in the WACZ's CDXJ index).
   */
  offset: number
  /**
   * Bytes the record occupies in `file`, so that `file[offset, offset+length)` is exactly this record: for gzip the
   * compressed length of its member(s); uncompressed, its header and block without the separator newlines (the
   * convention of CDX indexes). 0 means the record is not individually addressable because it shares a gzip member
   * with other records (then see `memberOffset`).
   */
  length: number
  /**
   * Uncompressed offset of the record inside the gzip member at `offset`. 0 in the normal one-record-per-member
   * layout; non-zero only when a writer put several records in one member (length is then 0).
   */
  memberOffset: number
  /** WARC-Payload-Digest as declared, else 'sha1:' + base32(sha1(payload)); null for revisits without one and for payloads known to be incomplete. */
  payloadDigest: string | null
  /** WARC-Refers-To-Target-URI (revisits). */
  refersToUrl?: string
  /** WARC-Refers-To-Date normalised like `date` (revisits). */
  refersToDate?: string
  /** WARC-Refers-To record id (revisits). */
  refersTo?: string
  /** HTTP status for response/revisit records with an HTTP block; null for resource records and non-HTTP responses (dns:, ...). */
  status: number | null
  /** HTTP response headers, names lower-cased, in order; empty for resource records. */
  headers: [string, string][]
  /** HTTP Content-Type (or the WARC Content-Type for resource records and non-HTTP responses). */
  contentType: string | null
  /** The entity body: chunked transfer-encoding and gzip/deflate/br content-encoding undone. null for revisits and when wantBody() said no. */
  body: Uint8Array | null
  /** True when body is not the whole entity: cut at maxBodyBytes, or the crawler truncated it (WARC-Truncated / segmented record). */
  bodyTruncated: boolean
  /** All WARC header fields, names lower-cased, in order (for fields not lifted into the properties above). */
  warcHeaders: [string, string][]
}

/**
 * Something in the input that could not be read as written. `dropped` says whether data was lost (a record or a
 * run of bytes was skipped) or the event is a notice about a record that was still yielded (e.g. 'invalid-date').
 */
export interface SkipEvent {
  kind: 'skip'
  reason: SkipReason
  file: string
  /** Byte offset in `file` where the problem is (the gzip member's offset for compressed files). */
  offset: number
  detail: string
  dropped: boolean
}

export interface ReadOptions {
  /** Lets the caller skip reading bodies of images etc. Called once per record with the (HTTP) content type. */
  wantBody?: (contentType: string | null, url: string) => boolean
  /** Default 8 MiB: larger bodies are cut there and bodyTruncated=true. */
  maxBodyBytes?: number
  /** Object to fill with running counts while reading (also returned as the generator's return value). */
  stats?: ReadStats
}

export interface ReadStats {
  /** WARC records read whole, of every type (yielded or not). */
  records: number
  /** Whole records by lower-cased WARC-Type: response, request, metadata, warcinfo, revisit, resource, conversion, continuation, ... */
  byType: Record<string, number>
  /** SkipEvents by reason (notices included). */
  skipped: Record<SkipReason, number>
  /** Bytes of input consumed (compressed bytes for gzip files; for WACZ the WARC entries' stored bytes). */
  bytes: number
  /** CaptureRecords yielded. */
  yielded: number
  /** WARC files (or WACZ entries) read. */
  files: number
}

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024

/** Every reason code the reader emits, with what it means. */
export const SKIP_REASONS: Readonly<Record<string, string>> = {
  'empty-file': 'The file (or WACZ entry) has no bytes.',
  'no-warc-records': 'The input holds no WARC record at all (e.g. only blank lines).',
  'unsupported-format': 'Not a WARC: e.g. an ARC file.',
  'unsupported-compression': 'Compressed with something other than gzip (lz4, zstd, bzip2, xz).',
  'junk-between-records': 'Bytes where a record (or gzip member) should start that are neither; skipped up to the next record.',
  'bad-warc-version': "A line starting 'WARC/' whose version is not N.N (e.g. 'WARC/1.0.0', 'WARC/x.x').",
  'bad-warc-header':
    'The WARC header block is malformed: unterminated, oversized, missing WARC-Type, conflicting duplicates, or (as a notice) unparseable lines that were ignored.',
  'missing-content-length': 'No Content-Length, so the block cannot be delimited; resynchronised at the next WARC/ line.',
  'bad-content-length':
    'Content-Length is not a number, or does not end where the record ends (the next bytes are not a new record); the record is dropped rather than yielded cut or padded.',
  'truncated-record': 'The input ends inside a record (header or block).',
  'truncated-gzip': 'The gzip stream ends inside a member (or before its trailer).',
  'corrupt-gzip': 'Invalid deflate data or a CRC/size mismatch in a gzip member; resynchronised at the next member.',
  'multi-record-gzip-member': 'Notice: several records share one gzip member, so they are yielded with length 0 and a memberOffset.',
  'invalid-date': 'Notice: WARC-Date (or WARC-Refers-To-Date) could not be parsed; the record is yielded with date null.',
  'non-utf8-header': 'Notice: header bytes are not UTF-8; decoded as Latin-1 (URL bytes percent-encoded).',
  'segmented-record': 'Notice: the record is one segment of a segmented record; yielded with bodyTruncated.',
  'bad-http-header': 'The HTTP status line or header block of a response/revisit cannot be parsed.',
  'bad-chunked-encoding': 'Transfer-Encoding: chunked framing is broken (and the record does not declare WARC-Truncated).',
  'bad-content-encoding': 'Content-Encoding could not be undone (corrupt or unsupported) and the record does not declare WARC-Truncated.',
  'bad-zip': 'The WACZ/zip central directory cannot be read.',
  'unreadable-zip-entry': 'A WARC entry inside a WACZ cannot be read (encrypted, unsupported method, corrupt data).',
  'reader-error': 'An unexpected error while reading this file; reading of the file stopped.'
}

export function createStats(): ReadStats {
  return { records: 0, byType: {}, skipped: {}, bytes: 0, yielded: 0, files: 0 }
}
