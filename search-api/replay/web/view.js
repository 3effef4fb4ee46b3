// The viewer: a banner saying what is shown (URL, capture date, institution, the way back to the results)
// over the archived page, replayed by wabac.js (Webrecorder's replay engine) in its service worker from the
// index's replay collection. Links followed inside the page stay in the archive; the banner follows them.

const $ = sel => document.querySelector(sel)
const params = new URLSearchParams(location.search)
const index = params.get('index') || ''
const status = $('#status')
const frame = $('#frame')

/** What the status line says once the page has loaded (a warning that stays), or nothing; and whether it is an error. */
let notice = ''
let noticeIsError = false
function say(text, error = false) {
  status.textContent = text
  status.classList.toggle('error', error)
}

function isoDate(ts) {
  return ts.length >= 8
    ? `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}` +
        (ts.length >= 12 ? ` ${ts.slice(8, 10)}:${ts.slice(10, 12)}${ts.length >= 14 ? ':' + ts.slice(12, 14) : ''} UTC` : '')
    : 'unknown date'
}

function api(path, q) {
  const p = new URLSearchParams(q)
  if (index) p.set('index', index)
  return fetch(`/api/v1/replay/${path}?${p.toString()}`).then(async res => {
    const body = await res.json().catch(() => null)
    if (!res.ok) throw new Error(body?.message || `${path}: HTTP ${res.status}`)
    return body
  })
}

let shown = ''
async function banner(url, ts) {
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
function parseReplay(href) {
  const m = /^\/replay\/w\/[^/]+\/(\d*)(?:[a-z]{2}_)?\/(.+)$/.exec(new URL(href).pathname + new URL(href).search)
  return m ? { ts: m[1], url: m[2] } : null
}

function unreplayable(c) {
  return c.unreadable.length ? `Nothing of this index can be replayed: ${c.unreadable[0].reason}` : 'This index lists no records to replay.'
}

function unreadNotice(c) {
  return `${c.unreadableFiles} crawl file(s) of this index could not be read, so some resources may be missing: ${c.unreadable[0].reason}`
}

async function open() {
  const back = sessionStorage.getItem('canopy.results')
  // Only a path of this server: '//host' would be another site (an archived page shares this origin's storage).
  if (back && /^\/(?![/\\])/.test(back)) $('#back').setAttribute('href', back)
  const url = params.get('url') || ''
  let ts = (params.get('ts') || '').replace(/\D/g, '').slice(0, 14)
  if (!/^https?:\/\//i.test(url)) {
    say('Nothing to replay: the address names no http(s) URL.', true)
    return
  }
  $('#page-url').textContent = url
  // Started at once, side by side: the replay worker's install, the collection, and the capture time when none is given.
  const swReady = document.body.dataset.replayHere === 'true' ? window.canopyReplay.worker() : null
  swReady?.catch(() => {})
  const tsReady = ts
    ? Promise.resolve(ts)
    : api('capture', { url, ts: '' }).then(
        c => c.timestamp,
        () => ''
      )
  const coll = await api('collection', {})
  if (coll.building) {
    notice = "This archive's index of its crawl files is still being made: the page is shown, some of its images and styles may be missing for a while."
    // Once it is made: what could not be read is said, and that nothing can be, when nothing can.
    api('collection', { wait: 'true' })
      .then(made => {
        // Said now and again once the frame loads, which would otherwise put the earlier notice back.
        if (made.records === 0) {
          notice = unreplayable(made)
          noticeIsError = true
          return say(notice, true)
        }
        notice = made.unreadable.length ? unreadNotice(made) : ''
        if (frame.src) say(notice)
      })
      .catch(err => {
        notice = `This archive's index of its crawl files could not be made (${err.message}): some resources may be missing.`
        if (frame.src) say(notice)
      })
  }
  if (coll.records === 0) {
    say(unreplayable(coll), true)
    return
  }
  if (coll.unreadable.length) console.warn('Crawl files that could not be read for replay:', coll.unreadable)
  // With a replay origin of its own, archived pages run there (its boot page starts wabac); else here.
  if (!coll.replayOrigin) {
    const sw = await (swReady ?? window.canopyReplay.worker())
    await window.canopyReplay.addCollection(sw, coll.collection, coll.lookup)
    window.canopyReplay.forgetOlder(sw, coll.index, coll.collection)
  }
  ts = await tsReady
  // The banner is filled while the page loads.
  banner(url, ts)
  if (coll.unreadable.length && !noticeIsError) notice = unreadNotice(coll)
  frame.addEventListener('load', () => {
    say(notice, noticeIsError)
    let here
    // A frame on the replay origin cannot be read from here (that is the point): the banner stays as opened.
    try {
      here = parseReplay(frame.contentWindow.location.href)
    } catch {
      return
    }
    if (!here) return
    const title = frame.contentDocument?.title
    document.title = `${title || here.url} — archived ${isoDate(here.ts).slice(0, 10)} — Canopy`
    const p = new URLSearchParams({ ...(index ? { index } : {}), ts: here.ts, url: here.url })
    history.replaceState(null, '', `/view?${p.toString()}`)
    banner(here.url, here.ts)
  })
  frame.src = coll.replayOrigin
    ? `${coll.replayOrigin}/replay-boot.html?${new URLSearchParams({ index: coll.index, collection: coll.collection, lookup: coll.lookup, ts, url }).toString()}`
    : `/replay/w/${encodeURIComponent(coll.collection)}/${ts}mp_/${url}`
}

open().catch(err => say(err.message, true))
