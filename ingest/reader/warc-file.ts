// One WARC (plain or gzip, judged by content, never by name) from a byte source: the glue between format
// detection, the gzip member layer and the record parser, and the place where stray exceptions become skips.

import type { ReadOptions, ReadStats, SkipEvent, SkipReason, CaptureRecord } from './types.ts'
import { DEFAULT_MAX_BODY_BYTES } from './types.ts'
import { DETECT_BYTES, detectFormat } from './detect.ts'
import { SourceDataError, type ByteSource } from './source.ts'
import { gzipEvents, plainEvents } from './gzip-members.ts'
import { parseWarcStream } from './warc-stream.ts'
import { CallerError } from './payload.ts'

export type ReadEvent = CaptureRecord | SkipEvent

function isSystemError(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException | null
  return !!err && typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code) && typeof err.syscall === 'string'
}

/** Reads one WARC (plain or gzip, judged by content) from a byte source. `file` labels records and skips. */
export async function* readWarcSource(src: ByteSource, file: string, opts: ReadOptions, stats: ReadStats): AsyncGenerator<ReadEvent> {
  stats.files++
  const skip = (reason: SkipReason, detail: string): SkipEvent => {
    stats.skipped[reason] = (stats.skipped[reason] ?? 0) + 1
    return { kind: 'skip', reason, file, offset: 0, detail, dropped: true }
  }
  let head: Uint8Array
  try {
    head = await src.read(0, DETECT_BYTES)
  } catch (e) {
    if (e instanceof SourceDataError) {
      yield skip(e.reason, e.message)
      return
    }
    throw e
  }
  const fmt = detectFormat(head)
  switch (fmt) {
    case 'empty':
      yield skip('empty-file', 'no bytes')
      return
    case 'lz4':
    case 'zstd':
    case 'bzip2':
    case 'xz':
      yield skip('unsupported-compression', `${fmt}-compressed data; only gzip is supported`)
      return
    case 'arc':
      yield skip('unsupported-format', 'ARC file (filedesc:// header), not WARC')
      return
    case 'zip':
      yield skip('unsupported-format', 'zip file nested inside a zip')
      return
  }
  const events = fmt === 'gzip' ? gzipEvents(src) : plainEvents(src)
  const bytesBase = stats.bytes
  try {
    yield* parseWarcStream(events, {
      file,
      compressed: fmt === 'gzip',
      wantBody: opts.wantBody,
      maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      stats,
      consumed: () => src.furthest
    })
  } catch (e) {
    // Bad data must not escape as an exception; I/O failures of the file and the caller's own exceptions still do.
    if (e instanceof CallerError) throw e.cause
    if (isSystemError(e)) throw e
    if (e instanceof SourceDataError) yield skip(e.reason, e.message)
    else yield skip('reader-error', e instanceof Error ? `${e.name}: ${e.message}` : String(e))
  } finally {
    await events.return(undefined)
    stats.bytes = bytesBase + (src.size ?? src.furthest)
  }
}
