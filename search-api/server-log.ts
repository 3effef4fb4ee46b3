// The server's log, kept out of what `canopy serve` tells its user on stdout: pino, writing either one
// short human line per event to stderr (the default), or JSON lines (--log-json) to stderr or to a file
// (--log-file) for a log collector.
import { Writable } from 'node:stream'
import pino from 'pino'
import type { Logger } from 'pino'

export interface LogOptions {
  /** JSON lines instead of human ones. */
  readonly json?: boolean
  /** Append to this file instead of writing to stderr (always JSON: a file is for tools). */
  readonly file?: string
  readonly level?: string
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }

/** One pino JSON line as a human line: time, level, message, then the request's or error's essentials. */
export function humanLine(json: string): string {
  let o: Record<string, unknown>
  try {
    o = JSON.parse(json) as Record<string, unknown>
  } catch {
    return json.endsWith('\n') ? json : json + '\n'
  }
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 19) : ''
  const level = LEVELS[o.level as number] ?? String(o.level)
  const parts = [time, level.padEnd(5)]
  if (typeof o.method === 'string' && typeof o.url === 'string') {
    parts.push(`${o.method} ${o.url}`, String(o.status ?? ''), typeof o.ms === 'number' ? `${o.ms} ms` : '')
    if (o.msg !== 'request' && typeof o.msg === 'string') parts.push(`(${o.msg})`)
  } else {
    parts.push(typeof o.msg === 'string' ? o.msg : '')
    const err = o.err as { message?: string; stack?: string } | undefined
    if (err !== undefined) parts.push((o.level as number) >= 50 && err.stack !== undefined ? `\n${err.stack}` : (err.message ?? ''))
  }
  return parts.filter(p => p !== '').join(' ') + '\n'
}

export function serverLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? 'info'
  if (opts.file !== undefined) return pino({ level }, pino.destination({ dest: opts.file, append: true, mkdir: true, sync: false }))
  if (opts.json === true) return pino({ level }, pino.destination({ fd: 2, sync: false }))
  const human = new Writable({
    write(chunk: Buffer, _enc, done) {
      process.stderr.write(
        chunk
          .toString('utf8')
          .split('\n')
          .filter(l => l !== '')
          .map(humanLine)
          .join(''),
        () => {
          done()
        }
      )
    }
  })
  return pino({ level }, human)
}
