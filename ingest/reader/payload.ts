// Consumes one record's block as it streams past: splits an HTTP head from the payload, dechunks, hashes the
// payload for a missing WARC-Payload-Digest, and keeps at most maxBodyBytes of it. Nothing here is async, so the
// block never has to be held in memory beyond the kept body.

import type { Hash } from 'node:crypto'
import { base32 } from '../../index-core/bytes.ts'
import { Dechunker, firstHeaderValue, parseHttpHead, sha1 } from './http.ts'
import { isWarcMagic } from './detect.ts'
import { concat } from './byte-reader.ts'

const MAX_HTTP_HEAD = 256 * 1024

/** Wraps an exception thrown by the caller's wantBody, so it is rethrown rather than reported as bad data. */
export class CallerError extends Error {
  constructor(cause: unknown) {
    super('wantBody threw', { cause })
  }
}

function askWantBody(plan: BlockPlan, contentType: string | null): boolean {
  if (!plan.wantBody) return true
  try {
    return plan.wantBody(contentType, plan.url)
  } catch (e) {
    throw new CallerError(e)
  }
}

export interface BlockPlan {
  /** Lower-cased WARC-Type: 'response' | 'resource' | 'revisit'. */
  type: string
  warcContentType: string | null
  url: string
  wantBody: ((contentType: string | null, url: string) => boolean) | undefined
  /** No WARC-Payload-Digest was declared, so the payload must be hashed. */
  needDigest: boolean
  maxBodyBytes: number
}

export interface BlockResult {
  status: number | null
  headers: [string, string][]
  contentType: string | null
  /** Content-Encoding still to undo (HTTP only). */
  contentEncoding: string | null
  /** The kept (dechunked, still content-encoded) payload, or null when not wanted. */
  payload: Uint8Array | null
  /** More payload than maxBodyBytes arrived. */
  payloadCapped: boolean
  /** 'sha1:BASE32' of the whole dechunked payload, when it was hashed and complete. */
  digest: string | null
  /** Chunked framing stopped before the last chunk. */
  chunkedIncomplete: boolean
  nonUtf8: boolean
  /** Something odd that did not stop the record from being read. */
  notice: { reason: string; detail: string } | null
  /** Damage that means the record must not be yielded. */
  problem: { reason: string; detail: string } | null
}

type Mode = 'undecided' | 'http-head' | 'payload' | 'ignore'

export class BlockConsumer {
  private readonly plan: BlockPlan
  private mode: Mode = 'undecided'
  private isHttp = false
  private readonly headParts: Uint8Array[] = []
  private headLen = 0
  // Blank-line detector across chunk boundaries: true when the last non-CR byte was LF.
  private lastLF = false
  private headEndSeen = false
  private sinkHash: Hash | null = null
  private keep = false
  private readonly kept: Uint8Array[] = []
  private keptLen = 0
  private capped = false
  private dechunker: Dechunker | null = null
  private readonly res: BlockResult

  constructor(plan: BlockPlan) {
    this.plan = plan
    this.res = {
      status: null,
      headers: [],
      contentType: null,
      contentEncoding: null,
      payload: null,
      payloadCapped: false,
      digest: null,
      chunkedIncomplete: false,
      nonUtf8: false,
      notice: null,
      problem: null
    }
    const ct = plan.warcContentType ?? ''
    if (plan.type === 'resource') {
      this.startPlainPayload()
    } else if (/application\/http/i.test(ct)) {
      this.isHttp = true
      this.mode = 'http-head'
    }
    // else: response/revisit with another content type: decided from the first bytes (HTTP/ or not).
  }

  write(c: Uint8Array): void {
    if (c.length === 0) return
    switch (this.mode) {
      case 'ignore':
        return
      case 'payload':
        return this.payloadBytes(c)
      case 'undecided': {
        // Need 5 bytes to tell 'HTTP/' from other content (dns:, ftp:, whois ...).
        this.headParts.push(c)
        this.headLen += c.length
        if (this.headLen < 5) return
        const first = concat(this.headParts, this.headLen)
        this.headParts.length = 0
        this.headLen = 0
        if (/^HTTP\//i.test(String.fromCharCode(...first.subarray(0, 5)))) {
          this.isHttp = true
          this.mode = 'http-head'
        } else if (this.plan.type === 'revisit') {
          this.mode = 'ignore'
          return
        } else {
          this.startPlainPayload()
        }
        return this.write(first)
      }
      case 'http-head': {
        let i = 0
        for (; i < c.length; i++) {
          const b = c[i]
          if (b === 0x0a) {
            if (this.lastLF) {
              i++
              this.headEndSeen = true
              break
            }
            this.lastLF = true
          } else if (b !== 0x0d) {
            this.lastLF = false
          }
        }
        const headPart = c.subarray(0, i)
        if (this.headLen + headPart.length > MAX_HTTP_HEAD) {
          this.fail('bad-http-header', `HTTP header block longer than ${MAX_HTTP_HEAD} bytes`)
          return
        }
        this.headParts.push(headPart)
        this.headLen += headPart.length
        if (!this.headEndSeen) return
        this.endHead()
        if (i < c.length && (this.mode as Mode) === 'payload') this.payloadBytes(c.subarray(i))
        return
      }
    }
  }

  finish(): BlockResult {
    const r = this.res
    if (this.mode === 'undecided') {
      // Fewer than 5 bytes in the whole block.
      const first = concat(this.headParts, this.headLen)
      this.headParts.length = 0
      this.headLen = 0
      if (this.plan.type === 'revisit') {
        this.mode = 'ignore'
      } else if (first.length === 0 && this.plan.type === 'response' && this.isHttp) {
        this.fail('bad-http-header', 'empty HTTP response block')
      } else {
        this.startPlainPayload()
        if (first.length > 0) this.payloadBytes(first)
      }
    }
    if (this.mode === 'http-head' && !r.problem) {
      const head = concat(this.headParts, this.headLen)
      if (head.length === 0) {
        if (this.plan.type === 'response') this.fail('bad-http-header', 'empty HTTP response block')
      } else {
        // The WARC framing says the block is whole, so a head without its closing blank line (or without the last
        // line's terminator, as left by CRLF-mangling converters) is complete, with an empty body.
        this.endHead()
      }
    }
    if (this.dechunker && !r.problem) {
      const state = this.dechunker.finish()
      if (state === 'error') this.fail('bad-chunked-encoding', this.dechunker.error ?? 'bad chunk framing')
      else if (state === 'incomplete') r.chunkedIncomplete = true
    }
    if (this.keep) {
      // One part stays a view of its read block or inflated gzip member (Buffer's slice() never copied it): the
      // ingest copies bodies into its batches, which then let the blocks go; several parts are joined in a copy.
      r.payload = this.kept.length === 1 ? this.kept[0] : concat(this.kept, this.keptLen)
      r.payloadCapped = this.capped
    }
    if (this.sinkHash && !r.problem && !r.chunkedIncomplete) r.digest = 'sha1:' + base32(this.sinkHash.digest())
    return r
  }

  private fail(reason: string, detail: string): void {
    if (!this.res.problem) this.res.problem = { reason, detail }
    this.mode = 'ignore'
  }

  private endHead(): void {
    const r = this.res
    const head = concat(this.headParts, this.headLen)
    this.headParts.length = 0
    this.headLen = 0
    const parsed = parseHttpHead(head)
    if (!parsed) {
      const firstLine = String.fromCharCode(...head.subarray(0, Math.min(40, head.length))).split('\n')[0]
      // A revisit may carry no HTTP head at all; a response must have one.
      if (this.plan.type === 'revisit' && !isWarcMagic(head)) {
        this.mode = 'ignore'
        return
      }
      this.fail('bad-http-header', `no HTTP status line: ${JSON.stringify(firstLine)}`)
      return
    }
    if (parsed.status === null) {
      r.notice = { reason: 'bad-http-header', detail: 'HTTP block has no status line; headers read, status null' }
    }
    r.status = parsed.status
    r.headers = parsed.headers
    r.nonUtf8 = parsed.nonUtf8
    r.contentType = firstHeaderValue(parsed.headers, 'content-type')
    r.contentEncoding = firstHeaderValue(parsed.headers, 'content-encoding')
    if (this.plan.type !== 'response') {
      this.mode = 'ignore' // revisits carry no payload of their own
      return
    }
    const wanted = askWantBody(this.plan, r.contentType)
    this.keep = wanted
    this.mode = wanted || this.plan.needDigest ? 'payload' : 'ignore'
    if (this.plan.needDigest) this.sinkHash = sha1()
    const te = (firstHeaderValue(parsed.headers, 'transfer-encoding') ?? '').toLowerCase()
    if (this.mode === 'payload' && te.includes('chunked')) {
      this.dechunker = new Dechunker(b => this.sink(b))
    }
  }

  private startPlainPayload(): void {
    const r = this.res
    r.contentType = this.plan.warcContentType
    const wanted = askWantBody(this.plan, r.contentType)
    this.keep = wanted
    if (this.plan.needDigest) this.sinkHash = sha1()
    this.mode = wanted || this.plan.needDigest ? 'payload' : 'ignore'
  }

  private payloadBytes(c: Uint8Array): void {
    if (this.dechunker) this.dechunker.write(c)
    else this.sink(c)
  }

  private sink(b: Uint8Array): void {
    if (this.sinkHash) this.sinkHash.update(b)
    if (!this.keep || this.capped) return
    const room = this.plan.maxBodyBytes - this.keptLen
    if (b.length > room) {
      if (room > 0) this.kept.push(b.subarray(0, room))
      this.keptLen += Math.max(0, room)
      this.capped = true
      return
    }
    this.kept.push(b)
    this.keptLen += b.length
  }
}
