// The viewer: a banner saying what is shown (URL, capture date, institution, the way back to the results)
// over the archived page, replayed by wabac.js (Webrecorder's replay engine) in its service worker from the
// index's replay collection. Links followed inside the page stay in the archive; the banner follows them.
'use strict'

const $ = (sel) => document.querySelector(sel)
const params = new URLSearchParams(location.search)
const index = params.get('index') || ''
const status = $('#status')
const frame = $('#frame')

/** What the status line says once the page has loaded (a warning that stays), or nothing. */
let notice = ''
function say (text, error = false) {
  status.textContent = text
  status.classList.toggle('error', error)
}

function isoDate (ts) {
  return ts.length >= 8 ? `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}` + (ts.length >= 12 ? ` ${ts.slice(8, 10)}:${ts.slice(10, 12)}${ts.length >= 14 ? ':' + ts.slice(12, 14) : ''} UTC` : '') : 'unknown date'
}

function api (path, q) {
  const p = new URLSearchParams(q)
  if (index) p.set('index', index)
  return fetch(`/api/v1/replay/${path}?${p.toString()}`).then(async res => {
    const body = await res.json().catch(() => null)
    if (!res.ok) throw new Error((body && body.message) || `${path}: HTTP ${res.status}`)
    return body
  })
}

/** wabac's service worker, registered for /replay/ (this page is outside its scope, the frame inside). */
async function worker () {
  if (!('serviceWorker' in navigator)) throw new Error('This browser cannot replay here: service workers are off (a private window, or a page not served over HTTPS or from localhost)')
  const reg = await navigator.serviceWorker.register('/replay/sw.js', { scope: '/replay/' })
  if (reg.active) return reg.active
  const w = reg.installing || reg.waiting
  return await new Promise((resolve, reject) => {
    w.addEventListener('statechange', () => {
      if (w.state === 'activated') resolve(w)
      if (w.state === 'redundant') reject(new Error('The replay service worker could not start'))
    })
  })
}

/** Asks the worker to load the collection (once per browser: it keeps it by name, which changes with the index). */
function addCollection (sw, coll) {
  return new Promise((resolve, reject) => {
    const onMessage = (e) => {
      const d = e.data || {}
      if (d.name !== coll.collection) return
      if (d.msg_type === 'collAdded') { navigator.serviceWorker.removeEventListener('message', onMessage); resolve() }
      if (d.msg_type === 'collProgress' && d.error) { navigator.serviceWorker.removeEventListener('message', onMessage); reject(new Error(d.error)) }
    }
    navigator.serviceWorker.addEventListener('message', onMessage)
    navigator.serviceWorker.startMessages()
    sw.postMessage({ msg_type: 'addColl', name: coll.collection, skipExisting: true, file: { sourceUrl: new URL(coll.cdxj, location.href).href } })
  })
}

let shown = ''
async function banner (url, ts) {
  const key = `${url} ${ts}`
  if (key === shown) return
  shown = key
  $('#page-url').textContent = url
  try {
    const c = await api('capture', { url, ts })
    if (shown !== key) return
    $('#capture-date').textContent = isoDate(c.timestamp)
    $('#capture-date').setAttribute('datetime', c.date)
    $('#institution').textContent = c.institution
  } catch {
    if (shown !== key) return
    $('#capture-date').textContent = ts ? `near ${isoDate(ts)}` : ''
    $('#institution').textContent = ''
  }
}

/** The archived URL and time a replay address shows: /replay/w/<collection>/<ts>[mod_]/<url>. */
function parseReplay (href) {
  const m = /^\/replay\/w\/[^/]+\/(\d*)(?:[a-z]{2}_)?\/(.+)$/.exec(new URL(href).pathname + new URL(href).search)
  return m ? { ts: m[1], url: m[2] } : null
}

async function open () {
  const back = sessionStorage.getItem('canopy.results')
  // Only a path of this server: '//host' would be another site (an archived page shares this origin's storage).
  if (back && /^\/(?![/\\])/.test(back)) $('#back').setAttribute('href', back)
  const url = params.get('url') || ''
  let ts = (params.get('ts') || '').replace(/\D/g, '').slice(0, 14)
  if (!/^https?:\/\//i.test(url)) { say('Nothing to replay: the address names no http(s) URL.', true); return }
  $('#page-url').textContent = url
  const [sw, coll] = await Promise.all([worker(), api('collection', {})])
  if (coll.records === 0) {
    say(coll.unreadable.length ? `Nothing of this index can be replayed: ${coll.unreadable[0].reason}` : 'This index lists no records to replay.', true)
    return
  }
  if (coll.unreadable.length) console.warn('Crawl files that could not be read for replay:', coll.unreadable)
  await addCollection(sw, coll)
  // The browser keeps one copy per index: the collection of the index's previous root goes.
  try {
    const key = `canopy.collection.${coll.index}`
    const old = localStorage.getItem(key)
    if (old && old !== coll.collection) sw.postMessage({ msg_type: 'removeColl', name: old })
    localStorage.setItem(key, coll.collection)
  } catch {}
  if (!ts) ts = (await api('capture', { url, ts: '' }).catch(() => ({ timestamp: '' }))).timestamp
  await banner(url, ts)
  if (coll.unreadable.length) notice = `${coll.unreadable.length} crawl file(s) of this index could not be read, so some resources may be missing: ${coll.unreadable[0].reason}`
  frame.addEventListener('load', () => {
    say(notice)
    let here
    try { here = parseReplay(frame.contentWindow.location.href) } catch { return }
    if (!here) return
    const title = frame.contentDocument && frame.contentDocument.title
    document.title = `${title || here.url} — archived ${isoDate(here.ts).slice(0, 10)} — Canopy`
    const p = new URLSearchParams({ ...(index ? { index } : {}), ts: here.ts, url: here.url })
    history.replaceState(null, '', `/view?${p.toString()}`)
    banner(here.url, here.ts)
  })
  frame.src = `/replay/w/${encodeURIComponent(coll.collection)}/${ts}mp_/${url}`
}

open().catch(err => say(err.message, true))
