// The search page: reads the state from the URL (query, index, filters, sort, page number), asks
// /api/v1/search, renders results, a histogram of capture dates, facets, did-you-mean and page numbers.
// Snippets and titles arrive HTML-escaped by the server with only <mark> added, so they are inserted as HTML;
// everything else from a crawl (URLs, institutions, MIME types) goes in as text, and only http(s) URLs or
// this server's own paths become links: an archived `javascript:` URL is shown, never followed.

const $ = sel => document.querySelector(sel)
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'html') e.innerHTML = v
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v)
    else e.setAttribute(k, v)
  }
  for (const c of children) e.append(c)
  return e
}

const PAGE_SIZE = 10
/** Results asked for at once when walking to a page not yet reached (the API's largest page). */
const STRIDE = 100
/** The last page offered by number: reaching page n costs n / 10 requests. */
const MAX_NUMBERED_PAGE = 500
const FILTERS = ['site', 'type', 'lang', 'institution', 'from', 'to']
const KEYS = ['q', 'index', 'sort', 'page', ...FILTERS]
const TITLE = document.title

function state() {
  const p = new URLSearchParams(location.search)
  return Object.fromEntries(KEYS.map(k => [k, p.get(k) ?? '']))
}

function pageUrl(s) {
  const p = new URLSearchParams()
  for (const k of KEYS) if (s[k] && !(k === 'page' && s[k] === '1')) p.set(k, s[k])
  const q = p.toString()
  return q ? '/?' + q : '/'
}

/** Moves to a new state: a new entry in the history (Back returns), and a search. Any change but the page goes to page 1. */
function go(changes) {
  const s = { ...state(), page: '', ...changes }
  history.pushState(null, '', pageUrl(s))
  run()
}

const plural = (n, one, many = one + 's') => (n === 1 ? one : many)
function date(iso) {
  return iso ? iso.slice(0, 10) : 'unknown date'
}

/** The URL if it is http(s) (absolute, or a path of this server), else null: what may become a link. */
function safeHref(u) {
  if (typeof u !== 'string') return null
  if (u.startsWith('/') && !u.startsWith('//')) return u
  try {
    const p = new URL(u).protocol
    return p === 'http:' || p === 'https:' ? u : null
  } catch {
    return null
  }
}

/** A link when the URL may be one, else the same content as plain text. */
function link(href, attrs, ...children) {
  const h = safeHref(href)
  return h === null ? el('span', attrs, ...children) : el('a', { ...attrs, href: h }, ...children)
}

/** Where a capture opens: the replay tool when one is set, else this server's capture route (never the live web). */
const captureHref = c => c.replay || c.record

function renderHit(h) {
  const caps = h.captures || []
  const latest = caps[caps.length - 1]
  const href = latest ? captureHref(latest) : null
  const dates = caps.length ? `${date(caps[0].date)}${caps.length > 1 ? ' … ' + date(latest.date) : ''}` : ''
  const list = el('ul')
  for (const c of caps) {
    const text = `${date(c.date)} · ${c.institution}`
    list.append(el('li', {}, captureHref(c) ? link(captureHref(c), { class: 'capture-link' }, text) : text))
  }
  const title = h.titleHtml ? { html: h.titleHtml } : {}
  return el(
    'article',
    { class: 'hit' },
    el('h2', {}, href === null ? el('span', title, h.titleHtml ? '' : h.url) : link(href, title, h.titleHtml ? '' : h.url)),
    el('div', { class: 'url' }, h.url),
    el('p', { class: 'snippet', html: h.snippet }),
    el(
      'div',
      { class: 'meta' },
      el('span', {}, `${h.captureCount} ${plural(h.captureCount, 'capture')}${dates ? ', ' + dates : ''}`),
      el('span', {}, h.mime),
      h.lang ? el('span', {}, h.lang) : '',
      ...h.institutions.map(i => el('span', { class: 'badge', title: 'Held by' }, i))
    ),
    caps.length ? el('details', { class: 'captures' }, el('summary', {}, `${plural(caps.length, 'Capture')} (${caps.length})`), list) : ''
  )
}

/** Searches started: a late answer of an earlier one is not shown. */
let searches = 0

// ---- Capture dates: a histogram of the years (or, within one year, its months), zoomed by clicking a bar
// or dragging across several ----

let drag = null
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** The year a date filter stays within, when from and to name the same one: the histogram then shows its months. */
function zoomYear(s) {
  const y = v => (/^\d{4}/.test(v) ? v.slice(0, 4) : null)
  return s.from && s.to && y(s.from) === y(s.to) ? y(s.from) : null
}

/** Versions captured in each month of `year` (one count request per month, the other filters kept). */
async function monthCounts(s, year) {
  return await Promise.all(
    MONTHS.map(async (_m, i) => {
      const key = `${year}-${String(i + 1).padStart(2, '0')}`
      const p = apiParams({ ...s, from: key, to: key })
      for (const [k, v] of [
        ['size', '1'],
        ['facets', 'false'],
        ['exactTotal', 'true'],
        ['suggest', 'false']
      ])
        p.set(k, v)
      return { key, label: MONTHS[i], count: (await api(p)).total }
    })
  )
}

/** Bars of `buckets` ({ key, label, count }); `inRange(key)` marks those the filter keeps. */
function renderHistogram(buckets, s, unit, inRange = () => true) {
  const box = $('#histogram')
  box.replaceChildren()
  if (!buckets?.length) return
  const max = Math.max(1, ...buckets.map(b => b.count))
  const bars = el('div', {
    class: 'bars',
    role: 'group',
    'aria-label': `Versions captured per ${unit}: choose a ${unit}, or drag across several, to show only those`
  })
  const index = new Map(buckets.map((b, i) => [b.key, i]))
  const mark = (a, b) => {
    const [lo, hi] = [Math.min(index.get(a), index.get(b)), Math.max(index.get(a), index.get(b))]
    for (const bar of bars.children) bar.classList.toggle('selecting', index.get(bar.dataset.key) >= lo && index.get(bar.dataset.key) <= hi)
  }
  for (const b of buckets) {
    const words = `${b.label}${unit === 'month' ? ' ' + b.key.slice(0, 4) : ''}, ${b.count} ${plural(b.count, 'version')}`
    const bar = el(
      'button',
      {
        type: 'button',
        class: 'bar' + (inRange(b.key) ? '' : ' outside'),
        'data-key': b.key,
        'data-year': b.key.slice(0, 4),
        'data-count': String(b.count),
        title: words,
        'aria-label': words
      },
      el('span', { class: 'fill', style: `height:${b.count === 0 ? 0 : Math.max(4, Math.round((100 * b.count) / max))}%` })
    )
    bar.addEventListener('pointerdown', e => {
      if (e.button !== 0) return
      e.preventDefault()
      drag = { from: b.key, to: b.key, index }
      mark(b.key, b.key)
    })
    bar.addEventListener('pointerenter', () => {
      if (drag && drag.index === index) {
        drag.to = b.key
        mark(drag.from, b.key)
      }
    })
    // Keyboard (and assistive technology) clicks: this bar alone. Pointer clicks end in pointerup below.
    bar.addEventListener('click', e => {
      if (e.detail === 0) go({ from: b.key, to: b.key })
    })
    bars.append(bar)
  }
  const ends = unit === 'month' ? [`${buckets[0].label} ${buckets[0].key.slice(0, 4)}`, buckets.at(-1).label] : [buckets[0].label, buckets.at(-1).label]
  box.append(bars, el('div', { class: 'axis' }, el('span', {}, ends[0]), el('span', {}, ends[1])))
  if (s.from || s.to) box.append(el('button', { type: 'button', class: 'link', id: 'all-dates', onclick: () => go({ from: '', to: '' }) }, '← All dates'))
}

/** The histogram of a result: every year from the first capture to the last, gaps included; months within one year. */
async function renderDates(facets, s, mine) {
  const year = zoomYear(s)
  if (year !== null && facets) {
    const months = await monthCounts(s, year)
    if (mine !== searches) return
    const from = s.from.slice(0, 7)
    const to = s.to.length === 4 ? `${s.to}-12` : s.to.slice(0, 7)
    renderHistogram(months, s, 'month', k => (s.from.length === 4 || k >= from) && k <= to)
    return
  }
  const years = facets ? facets.year.map(y => Number(y.value)).filter(Number.isInteger) : []
  if (!years.length) {
    renderHistogram(null, s, 'year')
    return
  }
  const counts = new Map(facets.year.map(y => [Number(y.value), y.count]))
  const buckets = []
  for (let y = Math.min(...years); y <= Math.max(...years); y++) buckets.push({ key: String(y), label: String(y), count: counts.get(y) ?? 0 })
  renderHistogram(buckets, s, 'year')
}

// A drag ends wherever the pointer is let go.
window.addEventListener('pointerup', () => {
  if (!drag) return
  const [a, b] = [drag.index.get(drag.from), drag.index.get(drag.to)]
  const keys = [...drag.index.keys()]
  drag = null
  go({ from: keys[Math.min(a, b)], to: keys[Math.max(a, b)] })
})

function renderFacets(facets, s, mine = searches) {
  const box = $('#facets')
  box.replaceChildren()
  renderDates(facets, s, mine).catch(() => {})
  if (!facets) return
  const names = { site: 'Site', type: 'Type', lang: 'Language', institution: 'Institution' }
  for (const [name, values] of Object.entries(facets)) {
    if (name === 'year' || !values.length) continue
    const ul = el('ul')
    for (const v of values.slice(0, 12)) {
      ul.append(
        el(
          'li',
          {},
          el(
            'button',
            { type: 'button', class: 'link facet-value', 'data-facet': name, onclick: () => go({ [name]: v.value }) },
            el('span', {}, v.value),
            el('span', { class: 'count' }, String(v.count))
          )
        )
      )
    }
    box.append(el('section', { class: 'facet' }, el('h3', {}, names[name] || name), ul))
  }
}

function renderActive(s) {
  const box = $('#active')
  box.replaceChildren()
  for (const k of FILTERS) {
    if (!s[k]) continue
    box.append(el('button', { type: 'button', class: 'chip', title: 'Remove filter', onclick: () => go({ [k]: '' }) }, `${k}: ${s[k]} ✕`))
  }
}

// ---- Indexes: the institution's own, its partners' and combined ones ----

const KIND_LABEL = { local: 'own index', partner: 'partner', merged: 'combined' }
let indexes = null

async function loadIndexes() {
  try {
    const res = await fetch('/api/v1/indexes?brief=true')
    indexes = res.ok ? (await res.json()).indexes : []
  } catch {
    indexes = []
  }
  const sel = $('#index')
  sel.replaceChildren(...indexes.map(i => el('option', { value: i.name }, `${i.name} (${KIND_LABEL[i.kind] || i.kind})`)))
  $('#index-choice').hidden = indexes.length < 2
}

// ---- Pages: numbered, in the URL; the API pages by cursor, so the cursor of each page is remembered ----

/** The cursor that starts each page of a search (page 1: none), kept for the tab's session. */
function cursorStore(s) {
  const key = 'canopy-cursors:' + JSON.stringify([s.index, s.q, s.sort, ...FILTERS.map(k => s[k])])
  let map
  try {
    map = JSON.parse(sessionStorage.getItem(key) || '{}')
  } catch {
    map = {}
  }
  return {
    get: n => (n === 1 ? '' : map[n]),
    set: (n, c) => {
      map[n] = c
      try {
        sessionStorage.setItem(key, JSON.stringify(map))
      } catch {}
    }
  }
}

function apiParams(s) {
  const p = new URLSearchParams({ q: s.q })
  for (const k of ['index', 'sort', ...FILTERS]) if (s[k]) p.set(k, s[k])
  return p
}

async function api(p) {
  const res = await fetch('/api/v1/search?' + p.toString())
  const r = await res.json()
  if (!res.ok) throw new Error(r.message || 'The search failed')
  return r
}

/**
 * The cursor of page n: from the nearest page before it whose cursor is known, skipping whole pages a
 * hundred results at a time. Null when the result has fewer pages.
 */
async function cursorOf(s, n, cursors) {
  let k = n
  while (k > 1 && cursors.get(k) === undefined) k--
  let cursor = cursors.get(k)
  while (k < n) {
    const step = Math.min(STRIDE / PAGE_SIZE, n - k)
    const p = apiParams(s)
    p.set('size', String(step * PAGE_SIZE))
    p.set('facets', 'false')
    p.set('suggest', 'false')
    if (cursor) p.set('cursor', cursor)
    const r = await api(p)
    if (!r.nextCursor) return null
    k += step
    cursor = r.nextCursor
    cursors.set(k, cursor)
  }
  return cursor
}

function renderPager(s, n, last, known) {
  const pager = $('#pager')
  pager.replaceChildren()
  if (n === 1 && last === 1) return
  const to = (k, label, attrs = {}) =>
    el(
      'a',
      {
        href: pageUrl({ ...s, page: String(k) }),
        onclick: e => {
          e.preventDefault()
          go({ page: String(k) })
          $('#results').focus()
        },
        ...attrs
      },
      label
    )
  if (n > 1) pager.append(to(n - 1, '← Previous', { id: 'prev', rel: 'prev' }))
  const shown = new Set([1, last, n - 2, n - 1, n, n + 1, n + 2].filter(k => k >= 1 && k <= last && k <= MAX_NUMBERED_PAGE))
  let prev = 0
  const list = el('ol', { class: 'pages' })
  for (const k of [...shown].sort((a, b) => a - b)) {
    if (k > prev + 1) list.append(el('li', { class: 'gap' }, '…'))
    list.append(
      el(
        'li',
        {},
        k === n ? el('span', { 'aria-current': 'page', class: 'page current' }, String(k)) : to(k, String(k), { class: 'page', 'aria-label': `Page ${k}` })
      )
    )
    prev = k
  }
  if (!known && last === n + 1) list.append(el('li', { class: 'gap' }, '…'))
  pager.append(list)
  if (n < last) pager.append(to(n + 1, 'Next →', { id: 'next', rel: 'next' }))
}

function renderEmpty(box, s, _r) {
  const tips = el(
    'ul',
    { class: 'tips' },
    el('li', {}, 'Check the spelling, or use fewer or other words.'),
    el('li', {}, 'Find any of the words: ', el('code', {}, 'a OR b'), "; a word's beginning: ", el('code', {}, 'libr*'), '.')
  )
  if (FILTERS.some(k => s[k])) tips.append(el('li', {}, 'Remove a filter (the buttons above the results).'))
  if (indexes && indexes.length > 1) tips.append(el('li', {}, 'Search another index (next to the search box).'))
  box.append(el('div', { class: 'empty' }, el('p', {}, el('strong', {}, 'No archived page matches '), el('q', {}, s.q), el('strong', {}, '.')), tips))
}

function renderSuggestion(r) {
  if (!r.suggest) return ''
  const parts = []
  let at = 0
  for (const c of r.suggest.corrections) {
    const i = r.suggest.q.indexOf(c.suggestion, at)
    if (i < 0) continue
    parts.push(r.suggest.q.slice(at, i), el('strong', {}, c.suggestion))
    at = i + c.suggestion.length
  }
  parts.push(r.suggest.q.slice(at))
  const href = pageUrl({ ...state(), q: r.suggest.q, page: '' })
  return el(
    'p',
    { class: 'did-you-mean' },
    'Did you mean ',
    el(
      'a',
      {
        href,
        id: 'suggestion',
        onclick: e => {
          e.preventDefault()
          go({ q: r.suggest.q })
        }
      },
      ...parts
    ),
    '?'
  )
}

function setExport(s) {
  const p = apiParams(s)
  p.set('format', 'csv')
  $('#export-csv').setAttribute('href', '/api/v1/search/export?' + p.toString())
  p.set('format', 'json')
  $('#export-json').setAttribute('href', '/api/v1/search/export?' + p.toString())
}

/**
 * The replay service worker installed and the index's collection added while the reader looks at results whose
 * captures open in Canopy's viewer: starting wabac takes about a second, which the first click would otherwise
 * wait for. Once per page.
 */
let replayReadied = false
function readyReplay(index) {
  if (replayReadied || !('serviceWorker' in navigator)) return
  replayReadied = true
  const go = async () => {
    const res = await fetch(`/api/v1/replay/collection?${new URLSearchParams(index ? { index } : {}).toString()}`)
    if (!res.ok) return
    const coll = await res.json()
    // Archived pages replayed on an origin of their own are that origin's worker's to start.
    if (coll.replayOrigin || !window.canopyReplay) return
    const sw = await window.canopyReplay.worker()
    await window.canopyReplay.addCollection(sw, coll.collection, coll.lookup)
    window.canopyReplay.forgetOlder(sw, coll.index, coll.collection)
  }
  ;(window.requestIdleCallback || setTimeout)(() => go().catch(() => {}))
}

async function run() {
  const s = state()
  // The fields show the URL's state before anything is awaited: what the user types meanwhile is kept.
  $('#q').value = s.q
  $('#sort').value = s.sort || 'relevance'
  $('#from').value = s.from
  $('#to').value = s.to
  document.title = s.q ? `${s.q} — ${TITLE}` : TITLE
  renderActive(s)
  // The replay viewer's "Back to results" returns here.
  try {
    sessionStorage.setItem('canopy.results', location.pathname + location.search)
  } catch {}
  if (indexes === null) await loadIndexes()
  if (s.index) $('#index').value = s.index
  else if (indexes.length) $('#index').value = indexes[0].name
  const hits = $('#hits')
  const summary = $('.summary')
  const pager = $('#pager')
  if (!s.q) {
    $('#q').focus()
    return
  }
  const n = Math.max(1, Math.min(MAX_NUMBERED_PAGE, Number.parseInt(s.page, 10) || 1))
  const mine = ++searches
  const cursors = cursorStore(s)
  hits.setAttribute('aria-busy', 'true')
  let r
  try {
    const cursor = await cursorOf(s, n, cursors)
    if (cursor === null) {
      // The page is past the end (the index changed, or the URL was edited): the last page there is.
      if (mine === searches) go({ page: '' })
      return
    }
    // Results first, facet counts in a second request: facets count every match, which over a partner's
    // index read sparsely costs several times what the page of results does, so the results need not wait.
    const p = apiParams(s)
    p.set('size', String(PAGE_SIZE))
    p.set('facets', 'false')
    if (cursor) p.set('cursor', cursor)
    r = await api(p)
  } catch (err) {
    if (mine !== searches) return
    hits.replaceChildren(el('p', { class: 'error', role: 'alert' }, err.message))
    summary.textContent = ''
    pager.replaceChildren()
    renderFacets(null, s)
    $('#export').hidden = true
    return
  } finally {
    hits.removeAttribute('aria-busy')
  }
  if (mine !== searches) return
  if (r.hits.some(h => (h.captures || []).some(c => typeof c.replay === 'string' && c.replay.startsWith('/view?')))) readyReplay(s.index)
  if (r.nextCursor) cursors.set(n + 1, r.nextCursor)
  // Without facets a search counts only what its page needs ("gte": at least); the facet request counts
  // every match and puts the exact numbers in.
  const line = x => {
    const more = x.totalRelation === 'gte' ? '+' : ''
    const urls = `${x.totalUrls.toLocaleString()}${more} ${more ? 'pages' : plural(x.totalUrls, 'page')}`
    const versions = `${x.total.toLocaleString()}${more} ${more ? 'versions' : plural(x.total, 'version')}`
    return `${urls} (${versions})${n > 1 ? ` · page ${n}` : ''} · ${Math.round(r.tookMs)} ms`
  }
  summary.textContent = line(r)
  hits.replaceChildren()
  const suggestion = renderSuggestion(r)
  if (suggestion) hits.append(suggestion)
  if (r.hits.length === 0) renderEmpty(hits, s, r)
  hits.append(...r.hits.map(renderHit))
  $('#export').hidden = r.hits.length === 0
  setExport(s)
  renderFacets(null, s)
  renderPager(s, n, r.nextCursor ? n + 1 : n, false)
  const fp = apiParams(s)
  fp.set('size', '1')
  fp.set('suggest', 'false')
  api(fp)
    .then(f => {
      if (mine !== searches) return
      renderFacets(f.facets, s, mine)
      summary.textContent = line(f)
      renderPager(s, n, Math.max(n, Math.ceil(f.totalUrls / PAGE_SIZE)), true)
    })
    .catch(() => {})
}

$('#search').addEventListener('submit', e => {
  e.preventDefault()
  go({ q: $('#q').value.trim() })
})
$('#sort').addEventListener('change', () => go({ sort: $('#sort').value }))
$('#index').addEventListener('change', () => go({ index: $('#index').value }))
$('#date-range').addEventListener('submit', e => {
  e.preventDefault()
  go({ from: $('#from').value.trim(), to: $('#to').value.trim() })
})
$('#filters-toggle').addEventListener('click', () => {
  const open = $('#refine').classList.toggle('open')
  $('#filters-toggle').setAttribute('aria-expanded', String(open))
})
window.addEventListener('popstate', run)
// A new search starts in the box at once (before the list of indexes arrives); with results, focus stays at
// the top of the page, so Tab reaches the skip link first.
if (!state().q) $('#q').focus()
run()
