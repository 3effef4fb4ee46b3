// Canopy's replay service worker: Webrecorder's wabac.js (its service-worker library, as ReplayWeb.page
// uses it), with one kind of collection added. A 'canopy' collection is wabac's remote-prefix store (records
// read by range from the server, parsed and rewritten by wabac), whose captures are not loaded up front: the
// first time a replayed page needs a URL, the captures of that URL are asked of Canopy's lookup route (its CDX
// table, searched by binary search) and kept in the store's IndexedDB. So opening a capture costs the lookups
// and records that page needs, whatever the size of the archive.

import { SWCollections, SWReplay } from './wabac/swlib.js'

/** The captures asked of the server per lookup; a URL with more is rare (and wabac picks the nearest of them). */
const LIMIT = 1000

class CanopyCollections extends SWCollections {
  async _initStore(type, config) {
    if (type !== 'canopy') return await super._initStore(type, config)
    const lookup = config.extraConfig?.lookup
    if (typeof lookup !== 'string') throw new Error('a canopy collection names no lookup route')
    config.remotePrefix = new URL('/', lookup).href
    // Records are read from Canopy again rather than copied into the browser's IndexedDB (writes there stall).
    config.noCache = true
    const store = await super._initStore('remoteprefix', config)
    // Asked once per worker's life for a URL (the browser's HTTP cache keeps the answers, named by the index's root).
    const asked = new Map()
    const fill = (url, match) => {
      const key = `${match} ${url.replace(/^https?:/i, '')}`
      let p = asked.get(key)
      if (p === undefined) {
        const q = new URL(lookup)
        q.searchParams.set('url', url)
        q.searchParams.set('match', match)
        q.searchParams.set('limit', String(LIMIT))
        p = fetch(q.href)
          .then(async res => {
            if (!res.ok) throw new Error(`lookup ${res.status}`)
            // An answer from the index alone (its CDX table not made yet) is asked again next time.
            if (res.headers.get('x-canopy-partial') === 'true') asked.delete(key)
            const entries = (await res.text())
              .split('\n')
              .filter(l => l !== '')
              .map(l => JSON.parse(l))
            if (entries.length > 0) await store.addResources(entries)
          })
          .catch(err => {
            // Not kept: asked again next time (the server may have been busy building the table).
            asked.delete(key)
            console.warn(`canopy lookup of ${url}: ${err.message}`)
          })
        asked.set(key, p)
      }
      return p
    }
    const lookupUrl = store.lookupUrl.bind(store)
    store.lookupUrl = async (url, ts, opts) => {
      await fill(url, 'exact')
      return await lookupUrl(url, ts, opts)
    }
    // wabac's fuzzy match (a URL whose query changes at each visit: a cache-buster, a session) searches the
    // captures under the URL's path.
    const lookupQueryPrefix = store.lookupQueryPrefix.bind(store)
    store.lookupQueryPrefix = async (url, opts) => {
      const q = url.indexOf('?')
      if (q > 0) await fill(url.slice(0, q + 1), 'prefix')
      return await lookupQueryPrefix(url, opts)
    }
    return store
  }
}

self.sw = new SWReplay({ CollectionsClass: CanopyCollections })
