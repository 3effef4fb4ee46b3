// The WARC record parser. It walks the (decompressed) stream record by record, holding at most one record's kept
// body, and never trusts a record it cannot delimit: a record is yielded only when its declared Content-Length ends
// where the next record (or the end of the data, or the end of its gzip member) begins. Everything else becomes a
// SkipEvent, followed by resynchronisation at the next 'WARC/' line or gzip member.

import type { CaptureRecord, ReadOptions, ReadStats, SkipEvent, SkipReason } from './types.ts'
import type { StreamEvent } from './gzip-members.ts'
import { StreamReader, concat } from './byte-reader.ts'
import { isWarcMagic } from './detect.ts'
import { BlockConsumer, type BlockResult } from './payload.ts'
import { decodeContent, decodeHeaderText, parseHeaderLines } from './http.ts'
import { normalizeWarcDate } from './warc-date.ts'

const LF = 0x0a
const MAX_VERSION_LINE = 256
const MAX_HEADER_LINE = 64 * 1024
const MAX_HEADER_BLOCK = 1024 * 1024
/** How much of a block's end is kept to look for a record start swallowed by a too-large Content-Length. */
const TAIL_MAX = 1024 * 1024

const CAPTURE_TYPES = new Set(['response', 'resource', 'revisit'])
/** Fields whose duplicates must agree, or we cannot tell which record this is. */
const SINGLE_FIELDS = ['warc-type', 'warc-record-id', 'warc-target-uri', 'warc-date']

export interface WarcStreamOptions {
  /** Name put into records and skip events. */
  file: string
  /** Offsets come from gzip members (true) or are positions in the data itself (false). */
  compressed: boolean
  wantBody: ReadOptions['wantBody']
  maxBodyBytes: number
  stats: ReadStats
  /** Raw bytes of input consumed so far, for stats.bytes. */
  consumed: () => number
}

type Header =
  | {
      ok: true
      version: string
      fields: [string, string][]
      /** Indices into fields of lines that were not valid UTF-8. */
      nonUtf8: Set<number>
      malformed: string[]
    }
  | { ok: false; reason: SkipReason; detail: string; resync: 'scan' | 'here' }

/** The last bytes of a block, kept as the chunks that arrived. */
class TailWindow {
  private parts: Uint8Array[] = []
  private len = 0
  /** Uncompressed position just past the newest byte. */
  end = 0
  covered = 0 // bytes of the block seen in total

  push(c: Uint8Array, endPos: number): void {
    this.parts.push(c)
    this.len += c.length
    this.covered += c.length
    this.end = endPos
    while (this.parts.length > 1 && this.len - this.parts[0].length >= TAIL_MAX) {
      this.len -= this.parts.shift()!.length
    }
  }

  lastByte(): number {
    const p = this.parts[this.parts.length - 1]
    return p && p.length > 0 ? p[p.length - 1] : LF
  }

  /** Bytes held, and the uncompressed position of the first one. */
  bytes(): { data: Uint8Array; start: number; wholeBlock: boolean } {
    const data = concat(this.parts, this.len)
    this.parts = [data]
    return { data, start: this.end - this.len, wholeBlock: this.len === this.covered }
  }
}

/**
 * Position of the first record start inside the tail (a 'WARC/' at a line start or a gzip member start), or -1.
 * Used when a block overran: the declared length swallowed the beginning of the next record.
 */
function findRecordStart(r: StreamReader, tail: TailWindow, after: Uint8Array): { at: number; rest: Uint8Array } | null {
  const t = tail.bytes()
  const { start, wholeBlock } = t
  // The bytes after the block let a 'WARC/' that straddles the block end be recognised.
  const data = after.length > 0 ? concat([t.data, after]) : t.data
  for (let i = 0; i < t.data.length && i + 5 <= data.length; i++) {
    const b = data[i]
    if (b !== 0x57 && b !== 0x77) continue
    const lineStart = i > 0 ? data[i - 1] === LF : wholeBlock
    if ((lineStart || r.memberStartsAt(start + i)) && isWarcMagic(data, i)) {
      // A block that *is* a WARC (a resource holding one) would match at 0; a record start swallowed by an
      // overrunning length is always preceded by at least the previous block's content.
      if (i === 0 && wholeBlock) continue
      return { at: start + i, rest: t.data.subarray(i) }
    }
  }
  return null
}

function printable(b: Uint8Array, max = 40): string {
  const s = String.fromCharCode(...b.subarray(0, max))
  return JSON.stringify(s.replace(/[^\x20-\x7e]/g, '.'))
}

async function readHeader(r: StreamReader): Promise<Header> {
  const vl = await r.readLine(MAX_VERSION_LINE)
  if (!vl.terminated) {
    if (vl.bytes.length < MAX_VERSION_LINE) {
      return { ok: false, reason: 'truncated-record', detail: 'data ends in the version line', resync: 'here' }
    }
    return { ok: false, reason: 'bad-warc-version', detail: `overlong version line ${printable(vl.bytes)}`, resync: 'scan' }
  }
  const versionLine = decodeHeaderText(vl.bytes)
    .text.replace(/[\r\n]+$/, '')
    .trim()
  const version = versionLine.slice(5).trim()
  if (!/^[01]\.\d{1,3}$/.test(version)) {
    return { ok: false, reason: 'bad-warc-version', detail: `version line ${JSON.stringify(versionLine.slice(0, 60))}`, resync: 'scan' }
  }
  const lines: string[] = []
  const lineNonUtf8: boolean[] = []
  let total = vl.bytes.length
  for (;;) {
    const l = await r.readLine(MAX_HEADER_LINE)
    total += l.bytes.length
    if (!l.terminated) {
      if (l.bytes.length < MAX_HEADER_LINE) {
        return { ok: false, reason: 'truncated-record', detail: `data ends inside the WARC header (after ${total} bytes)`, resync: 'here' }
      }
      return { ok: false, reason: 'bad-warc-header', detail: 'WARC header line longer than 64 KiB', resync: 'scan' }
    }
    if (total > MAX_HEADER_BLOCK) {
      return { ok: false, reason: 'bad-warc-header', detail: 'WARC header block longer than 1 MiB', resync: 'scan' }
    }
    let end = l.bytes.length
    while (end > 0 && (l.bytes[end - 1] === LF || l.bytes[end - 1] === 0x0d)) end--
    if (end === 0) break
    if (isWarcMagic(l.bytes)) {
      // A new version line before the blank line: this header never ended.
      r.unread(l.bytes)
      return { ok: false, reason: 'bad-warc-header', detail: 'WARC header not terminated before the next record', resync: 'here' }
    }
    const t = decodeHeaderText(l.bytes.subarray(0, end))
    lines.push(t.text)
    lineNonUtf8.push(t.nonUtf8)
  }
  // Parse line by line so a non-UTF-8 flag can be tied to its field.
  const fields: [string, string][] = []
  const nonUtf8 = new Set<number>()
  const malformed: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if ((line[0] === ' ' || line[0] === '\t') && fields.length > 0) {
      // Folded continuation line (allowed by WARC 0.17/0.18 and RFC 822 style writers).
      fields[fields.length - 1][1] = (fields[fields.length - 1][1] + ' ' + line.trim()).trim()
      if (lineNonUtf8[i]) nonUtf8.add(fields.length - 1)
      continue
    }
    const p = parseHeaderLines([line])
    if (p.fields.length === 0) {
      malformed.push(line)
      continue
    }
    if (lineNonUtf8[i]) nonUtf8.add(fields.length)
    fields.push(p.fields[0])
  }
  return { ok: true, version, fields, nonUtf8, malformed }
}

function cleanUrl(raw: string, nonUtf8: boolean): string {
  let u = raw.trim()
  if (u.startsWith('<') && u.endsWith('>')) u = u.slice(1, -1).trim()
  // Latin-1 decoded bytes >= 0x80 go back to bytes as %XX, so the URL stays ASCII and lossless.
  if (nonUtf8) u = u.replace(/[\u0080-\u00ff]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'))
  return u
}

/**
 * Parses WARC records from a stream of events (see gzip-members.ts). Yields captures and skip events; counts
 * everything into o.stats. Never throws for bad data.
 */
export async function* parseWarcStream(events: AsyncIterator<StreamEvent>, o: WarcStreamOptions): AsyncGenerator<CaptureRecord | SkipEvent> {
  const r = new StreamReader(events)
  const st = o.stats
  const bytesBase = st.bytes
  let found = 0 // records + skips in this stream, to tell "no records at all"
  let gapStart = 0 // where the bytes before the next record began (a member starting in there is the record's)
  let prevByte = LF // the byte before r.pos, for line-start detection while scanning
  const sharedNoticed = new Set<number>()

  const skip = (reason: SkipReason, offset: number, detail: string, dropped = true): SkipEvent => {
    st.skipped[reason] = (st.skipped[reason] ?? 0) + 1
    found++
    return { kind: 'skip', reason, file: o.file, offset, detail, dropped }
  }
  const rawAt = (u: number): number => (o.compressed ? (r.memberAt(u)?.cStart ?? 0) : u)
  const progress = () => {
    st.bytes = bytesBase + o.consumed()
  }

  for (;;) {
    r.prune(gapStart)
    const ws = await r.skipNewlines(true, true)
    if (ws.count > 0) prevByte = ws.last
    if (!(await r.ensure())) {
      if (r.error) {
        const e = r.error
        yield skip(e.reason, e.offset, e.detail)
        r.resume()
        gapStart = r.pos
        prevByte = LF
        continue
      }
      break
    }

    const start = r.pos
    const head = await r.peek(40)
    if (!isWarcMagic(head)) {
      const at = rawAt(start)
      const n = await r.scanToRecordStart(prevByte)
      yield skip('junk-between-records', at, `${n} bytes that are not a WARC record, starting ${printable(head)}`)
      gapStart = r.pos
      prevByte = LF
      continue
    }

    const recOffset = rawAt(start)
    const hdr = await readHeader(r)
    if (!hdr.ok) {
      let reason = hdr.reason
      let detail = hdr.detail
      if (reason === 'truncated-record' && r.error && r.error.reason !== 'junk-between-records') {
        reason = r.error.reason
        detail += `; ${r.error.detail}`
        r.resume()
      }
      yield skip(reason, recOffset, detail)
      if (hdr.resync === 'scan') await r.scanToRecordStart(LF)
      gapStart = r.pos
      prevByte = LF
      continue
    }

    // ---- header fields
    const fields = hdr.fields
    const values = (name: string) => fields.filter(([k]) => k === name).map(([, v]) => v)
    const get = (name: string): string | null => {
      const i = fields.findIndex(([k]) => k === name)
      return i >= 0 && fields[i][1] !== '' ? fields[i][1] : null
    }
    const type = (get('warc-type') ?? '').toLowerCase()
    const urlIdx = fields.findIndex(([k]) => k === 'warc-target-uri')
    const url = urlIdx >= 0 ? cleanUrl(fields[urlIdx][1], hdr.nonUtf8.has(urlIdx)) : ''

    const lengths = [
      ...new Set(
        values('content-length')
          .map(v => v.trim())
          .filter(v => v !== '')
      )
    ]
    if (lengths.length === 0) {
      yield skip('missing-content-length', recOffset, `${type || 'untyped'} record${url ? ' ' + url : ''} has no Content-Length`)
      await r.scanToRecordStart(LF)
      gapStart = r.pos
      prevByte = LF
      continue
    }
    if (lengths.length > 1 || !/^\d{1,15}$/.test(lengths[0])) {
      yield skip('bad-content-length', recOffset, `Content-Length ${JSON.stringify(lengths.join(', '))} is not one number`)
      await r.scanToRecordStart(LF)
      gapStart = r.pos
      prevByte = LF
      continue
    }
    const declared = Number(lengths[0])

    let headerProblem: string | null = null
    if (!type) headerProblem = 'missing WARC-Type'
    for (const f of SINGLE_FIELDS) {
      if (new Set(values(f)).size > 1) headerProblem = `conflicting duplicate ${f} fields`
    }

    // ---- block
    const capture = CAPTURE_TYPES.has(type) && !headerProblem
    const declaredDigest = get('warc-payload-digest')
    const consumer = capture
      ? new BlockConsumer({
          type,
          warcContentType: get('content-type'),
          url,
          wantBody: o.wantBody,
          needDigest: declaredDigest === null && type !== 'revisit',
          maxBodyBytes: o.maxBodyBytes
        })
      : null
    const blockStart = r.pos
    const tail = new TailWindow()
    const got = await r.pipe(declared, c => {
      tail.push(c, r.pos)
      consumer?.write(c)
    })

    if (got < declared) {
      // The data stopped inside the block. If the declared length swallowed a following record, start again there.
      const found2 = findRecordStart(r, tail, new Uint8Array(0))
      if (found2 && !r.error) {
        r.unread(found2.rest)
        yield skip('bad-content-length', recOffset, `Content-Length ${declared} runs past the next record (block is ${found2.at - blockStart} bytes)`)
        gapStart = r.pos
        prevByte = LF
        continue
      }
      let reason: SkipReason = 'truncated-record'
      let detail = `${type || 'untyped'} record${url ? ' ' + url : ''}: block has ${got} of ${declared} bytes`
      if (r.error && r.error.reason !== 'junk-between-records') {
        reason = r.error.reason
        detail += `; ${r.error.detail}`
        r.resume()
      }
      yield skip(reason, recOffset, detail)
      gapStart = r.pos
      prevByte = LF
      continue
    }

    // ---- does the record end where the next one begins?
    const blockEnd = r.pos
    const lastBlockByte = declared > 0 ? tail.lastByte() : LF
    const nl = await r.skipNewlines(false, true)
    const afterNl = r.pos
    let boundaryOk: boolean
    if (!(await r.ensure()))
      boundaryOk = true // end of data (or damage after it, handled next round)
    else if (o.compressed && r.memberEndIn(blockEnd, afterNl) >= 0) boundaryOk = true
    else if (isWarcMagic(await r.peek(5))) boundaryOk = true
    // A full blank-line separator after the block confirms its length even if junk follows (reported next round);
    // without one, the length is what is wrong and the record is not whole.
    else boundaryOk = nl.lfs >= 2

    if (!boundaryOk) {
      const next = await r.peek(24)
      if (nl.count === nl.kept.length) r.unread(nl.kept)
      const swallowed = findRecordStart(r, tail, await r.peek(8))
      let detail: string
      if (swallowed) {
        r.unread(swallowed.rest)
        detail = `Content-Length ${declared} runs past the next record (block is ${swallowed.at - blockStart} bytes)`
      } else {
        const n = await r.scanToRecordStart(nl.count === nl.kept.length ? lastBlockByte : nl.last)
        detail = `Content-Length ${declared} ends ${n} bytes before the next record (next bytes ${printable(next)})`
      }
      yield skip('bad-content-length', recOffset, `${type || 'untyped'} record${url ? ' ' + url : ''}: ${detail}`)
      gapStart = r.pos
      prevByte = LF
      continue
    }
    prevByte = nl.count > 0 ? nl.last : lastBlockByte

    // ---- where is it in the file?
    // Uncompressed: header + block, without the separator newlines, as CDX indexes (pywb, warcio) count it.
    let offset = start
    let length = blockEnd - start
    let memberOffset = 0
    let gzipProblem: { reason: SkipReason; detail: string; fromStreamError: boolean } | null = null
    let shared = false
    if (o.compressed) {
      const si = r.memberStartIn(gapStart, start)
      const ei = r.memberEndIn(blockEnd, afterNl)
      if (si >= 0 && ei >= si) {
        offset = r.members[si].cStart
        length = r.members[ei].cEnd - offset
        for (let k = si; k <= ei; k++) {
          if (!r.members[k].ok) gzipProblem = { reason: 'corrupt-gzip', detail: r.members[k].detail, fromStreamError: false }
        }
      } else {
        const m = r.memberAt(start)
        offset = m?.cStart ?? 0
        memberOffset = m ? start - m.uStart : start
        length = 0
        shared = true
        if (m && !m.ok) {
          gzipProblem = m.closed
            ? { reason: 'corrupt-gzip', detail: m.detail, fromStreamError: false }
            : { reason: r.error?.reason ?? 'truncated-gzip', detail: m.detail, fromStreamError: true }
        }
      }
    }
    gapStart = blockEnd

    if (gzipProblem) {
      // A member cut off by damage is reported once, as this record's problem, not again as a stream error.
      if (gzipProblem.fromStreamError && r.error) r.resume()
      yield skip(gzipProblem.reason, offset, `${type} record${url ? ' ' + url : ''}: ${gzipProblem.detail}`)
      continue
    }
    if (headerProblem) {
      yield skip('bad-warc-header', recOffset, `${type || 'untyped'} record${url ? ' ' + url : ''}: ${headerProblem}`)
      continue
    }

    st.records++
    st.byType[type] = (st.byType[type] ?? 0) + 1
    found++
    progress()
    if (!capture || !consumer) continue

    if (shared && !sharedNoticed.has(offset)) {
      sharedNoticed.add(offset)
      yield skip('multi-record-gzip-member', offset, 'several records share this gzip member: they are yielded with length 0 and memberOffset', false)
    }

    // ---- build the capture
    const res: BlockResult = consumer.finish()
    const warcTruncated = get('warc-truncated')
    const segment = get('warc-segment-number')
    if (res.problem) {
      yield skip(res.problem.reason, offset, `${type} record ${url}: ${res.problem.detail}`)
      continue
    }
    if (res.chunkedIncomplete && !warcTruncated) {
      yield skip('bad-chunked-encoding', offset, `${type} record ${url}: chunked body stops before its last chunk`)
      continue
    }
    let body: Uint8Array | null = null
    let bodyTruncated = res.payloadCapped || res.chunkedIncomplete || warcTruncated !== null || segment !== null
    if (res.payload) {
      const dec = await decodeContent(res.contentEncoding, res.payload, o.maxBodyBytes)
      if (dec.error) {
        // A cut body that cannot be fully decoded is expected; undecodable content otherwise is damage.
        if (dec.error === 'truncated' && bodyTruncated) {
          body = dec.body
        } else {
          yield skip('bad-content-encoding', offset, `${type} record ${url}: content-encoding ${JSON.stringify(res.contentEncoding)}: ${dec.error}`)
          continue
        }
      } else {
        body = dec.body
        bodyTruncated = bodyTruncated || dec.truncated
      }
    }

    const rawDate = get('warc-date')
    const date = normalizeWarcDate(rawDate)
    const rec: CaptureRecord = {
      kind: 'record',
      type: type as CaptureRecord['type'],
      warcVersion: hdr.version,
      recordId: get('warc-record-id'),
      url,
      date,
      file: o.file,
      offset,
      length,
      memberOffset,
      payloadDigest: declaredDigest ?? (bodyTruncated && (warcTruncated !== null || segment !== null) ? null : res.digest),
      status: res.status,
      headers: res.headers,
      contentType: res.contentType,
      body,
      bodyTruncated,
      warcHeaders: fields
    }
    if (type === 'revisit') {
      const rtu = get('warc-refers-to-target-uri')
      const rtd = get('warc-refers-to-date')
      const rt = get('warc-refers-to')
      if (rtu) rec.refersToUrl = cleanUrl(rtu, false)
      if (rtd) {
        const d = normalizeWarcDate(rtd)
        if (d) rec.refersToDate = d
        else yield skip('invalid-date', offset, `revisit ${url}: WARC-Refers-To-Date ${JSON.stringify(rtd)} is not a date`, false)
      }
      if (rt) rec.refersTo = rt
    }

    if (date === null) {
      yield skip('invalid-date', offset, `${type} ${url}: WARC-Date ${rawDate === null ? 'missing' : JSON.stringify(rawDate)} is not a date`, false)
    }
    if (res.notice) yield skip(res.notice.reason, offset, `${type} ${url}: ${res.notice.detail}`, false)
    if (hdr.nonUtf8.size > 0 || res.nonUtf8) {
      yield skip('non-utf8-header', offset, `${type} ${url}: ${hdr.nonUtf8.size > 0 ? 'WARC' : 'HTTP'} header bytes are not UTF-8 (read as Latin-1)`, false)
    }
    if (hdr.malformed.length > 0) {
      yield skip('bad-warc-header', offset, `${type} ${url}: ignored malformed header line ${JSON.stringify(hdr.malformed[0].slice(0, 60))}`, false)
    }
    if (segment !== null) {
      yield skip('segmented-record', offset, `${type} ${url}: WARC-Segment-Number ${segment}; only this segment is read`, false)
    }
    st.yielded++
    yield rec
  }

  progress()
  if (found === 0 && r.pos > 0) {
    yield skip('no-warc-records', 0, `${r.pos} bytes without a WARC record`)
  }
}
