// wabac's service worker and its collections, for the viewer (replay on its own origin) and for the boot page
// of a separate replay origin: one copy of how Canopy starts replay.

window.canopyReplay = {
  /** wabac's service worker, registered for /replay/ (the page is outside its scope, the frame inside). */
  async worker() {
    if (!('serviceWorker' in navigator))
      throw new Error('This browser cannot replay here: service workers are off (a private window, or a page not served over HTTPS or from localhost)')
    const reg = await navigator.serviceWorker.register('/replay/sw.js', { scope: '/replay/', type: 'module' })
    if (reg.active) return reg.active
    const w = reg.installing || reg.waiting
    return await new Promise((resolve, reject) => {
      w.addEventListener('statechange', () => {
        if (w.state === 'activated') resolve(w)
        if (w.state === 'redundant') reject(new Error('The replay service worker could not start'))
      })
    })
  },

  /** Asks the worker to add the collection (once per browser: it keeps it by name, which changes with the index's root). */
  addCollection(sw, name, lookup) {
    return new Promise((resolve, reject) => {
      const onMessage = e => {
        const d = e.data || {}
        if (d.name !== name) return
        if (d.msg_type === 'collAdded') {
          navigator.serviceWorker.removeEventListener('message', onMessage)
          resolve()
        }
        if (d.msg_type === 'collProgress' && d.error) {
          navigator.serviceWorker.removeEventListener('message', onMessage)
          reject(new Error(d.error))
        }
      }
      navigator.serviceWorker.addEventListener('message', onMessage)
      navigator.serviceWorker.startMessages()
      // A 'canopy' collection (replay-sw.js): captures are looked up URL by URL, never loaded whole.
      const href = new URL(lookup, location.href).href
      sw.postMessage({ msg_type: 'addColl', name, skipExisting: true, type: 'canopy', file: { sourceUrl: `proxy:${href}` }, extraConfig: { lookup: href } })
    })
  },

  /** The browser keeps one copy per index: the collection of the index's previous root goes. */
  forgetOlder(sw, index, name) {
    try {
      const key = `canopy.collection.${index}`
      const old = localStorage.getItem(key)
      if (old && old !== name) sw.postMessage({ msg_type: 'removeColl', name: old })
      localStorage.setItem(key, name)
    } catch {}
  }
}
