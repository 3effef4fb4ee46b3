// The server's request log: one line per request, bounded in size (a 15 KB query cannot make a 15 KB line),
// and rejected requests (rate-limited, too large) summarised, not logged one by one: a client hammering the
// server at thousands of requests a minute must not fill the disk with their URLs.
import type { FastifyInstance } from 'fastify'

/** Characters of a URL kept in the log. */
export const LOGGED_URL_CHARS = 200
/** How often the count of rejected requests is logged while they go on. */
const REJECTION_WINDOW_MS = 60_000

export function boundedUrl(url: string): string {
  return url.length <= LOGGED_URL_CHARS ? url : `${url.slice(0, LOGGED_URL_CHARS)}… (${url.length} chars)`
}

export function installRequestLog(app: FastifyInstance): void {
  let rejected = 0
  let windowStart = 0
  app.addHook('onResponse', async (req, reply) => {
    const status = reply.statusCode
    if (status === 429 || status === 413) {
      const now = Date.now()
      if (rejected === 0 && now - windowStart >= REJECTION_WINDOW_MS) {
        // The first of a burst is logged, with what it was; the rest are counted.
        windowStart = now
        req.log.warn({ method: req.method, url: boundedUrl(req.url), status }, 'request rejected; further rejections are counted')
        rejected = 1
        return
      }
      rejected++
      if (now - windowStart >= REJECTION_WINDOW_MS) {
        req.log.warn({ rejected }, `${rejected} requests rejected in the last ${Math.round((now - windowStart) / 1000)} s`)
        rejected = 0
        windowStart = now
      }
      return
    }
    req.log.info({ method: req.method, url: boundedUrl(req.url), status, ms: Math.round(reply.elapsedTime) }, 'request')
  })
}
