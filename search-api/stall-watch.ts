// A streamed response whose client stops reading holds what produces it (a CAR export slot) for as long as
// the connection stays open. This stream passes the body through and calls `onStall` when nothing has gone
// out for `ms` while the response is backed up (the client is not reading, as opposed to a slow producer).

import { Transform } from 'node:stream'
import type { ServerResponse } from 'node:http'

export function stallWatch(res: ServerResponse, ms: number, onStall: () => void): Transform {
  let last = Date.now()
  const body = new Transform({
    transform(chunk: Buffer, _enc, done) {
      last = Date.now()
      done(null, chunk)
    }
  })
  const timer = setInterval(
    () => {
      if (Date.now() - last >= ms && res.writableNeedDrain) {
        clearInterval(timer)
        onStall()
      }
    },
    Math.max(50, Math.floor(ms / 4))
  )
  timer.unref()
  const stop = (): void => {
    clearInterval(timer)
  }
  body.once('close', stop)
  res.once('close', stop)
  return body
}
