// The search page: reads the state from the URL, asks /api/v1/search, renders results, facets and pages.
// Snippets and titles arrive HTML-escaped by the server with only <mark> added, so they are inserted as HTML;
// everything else from a crawl (URLs, institutions, MIME types) goes in as text, and only http(s) URLs become
// links: an archived `javascript:` URL is shown, never followed.
'use strict'

const $ = (sel) => document.querySelector(sel)
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

const FILTERS = ['site', 'type', 'lang', 'institution', 'from', 'to']
let cursors = [] // cursors of the pages before this one, for "Previous"

function state () {
  const p = new URLSearchParams(location.search)
  return Object.fromEntries(['q', 'sort', 'cursor', ...FILTERS].map(k => [k, p.get(k) ?? '']))
}

function go (changes, keepCursor = false) {
  const s = { ...state(), ...changes }
  if (!keepCursor) { s.cursor = ''; cursors = [] }
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(s)) if (v) p.set(k, v)
  history.pushState(null, '', '/?' + p.toString())
  run()
}

function date (iso) { return iso ? iso.slice(0, 10) : 'unknown date' }

/** The URL if it is http(s) (absolute, or a path of this server), else null: what may become a link. */
function safeHref (u) {
  if (typeof u !== 'string') return null
  if (u.startsWith('/') && !u.startsWith('//')) return u
  try {
    const p = new URL(u).protocol
    return p === 'http:' || p === 'https:' ? u : null
  } catch { return null }
}

/** A link when the URL may be one, else the same content as plain text. */
function link (href, attrs, ...children) {
  const h = safeHref(href)
  return h === null ? el('span', attrs, ...children) : el('a', { ...attrs, href: h }, ...children)
}

function renderHit (h) {
  const caps = h.captures || []
  const latest = caps[caps.length - 1]
  const href = latest && latest.replay ? latest.replay : h.url
  const dates = caps.length ? `${date(caps[0].date)}${caps.length > 1 ? ' … ' + date(latest.date) : ''}` : ''
  const list = el('ul')
  for (const c of caps) {
    list.append(el('li', {}, c.replay
      ? link(c.replay, { class: 'capture-link' }, `${date(c.date)} · ${c.institution}`)
      : `${date(c.date)} · ${c.institution}`))
  }
  return el('article', { class: 'hit' },
    el('h2', {}, h.titleHtml ? link(href, { html: h.titleHtml }) : link(href, {}, h.url)),
    el('div', { class: 'url' }, h.url),
    el('p', { class: 'snippet', html: h.snippet }),
    el('div', { class: 'meta' },
      el('span', {}, `${h.captureCount} capture${h.captureCount === 1 ? '' : 's'}${dates ? ', ' + dates : ''}`),
      el('span', {}, h.mime), h.lang ? el('span', {}, h.lang) : '',
      ...h.institutions.map(i => el('span', { class: 'badge', title: 'Held by' }, i))),
    caps.length ? el('details', { class: 'captures' }, el('summary', {}, 'Captures'), list) : '')
}

/** Searches started: a late answer of an earlier one is not shown. */
let searches = 0

function renderFacets (facets) {
  const box = $('#facets')
  box.replaceChildren()
  if (!facets) return
  const names = { site: 'Site', year: 'Year', type: 'Type', lang: 'Language', institution: 'Institution' }
  for (const [name, values] of Object.entries(facets)) {
    if (!values.length) continue
    const ul = el('ul')
    for (const v of values.slice(0, 12)) {
      const pick = () => name === 'year' ? go({ from: v.value, to: v.value }) : go({ [name]: v.value })
      ul.append(el('li', {}, el('button', { type: 'button', class: 'link facet-value', 'data-facet': name, onclick: pick },
        el('span', {}, v.value), el('span', { class: 'count' }, String(v.count)))))
    }
    box.append(el('section', { class: 'facet' }, el('h3', {}, names[name] || name), ul))
  }
}

function renderActive (s) {
  const box = $('#active')
  box.replaceChildren()
  for (const k of FILTERS) {
    if (!s[k]) continue
    box.append(el('button', { type: 'button', class: 'chip', title: 'Remove filter', onclick: () => go({ [k]: '' }) }, `${k}: ${s[k]} ✕`))
  }
}

async function run () {
  const s = state()
  $('#q').value = s.q
  $('#sort').value = s.sort || 'relevance'
  $('#from').value = s.from
  $('#to').value = s.to
  renderActive(s)
  // The replay viewer's "Back to results" returns here.
  try { sessionStorage.setItem('canopy.results', location.pathname + location.search) } catch {}
  const results = $('#results')
  const pager = $('#pager')
  if (!s.q) return
  // Results first, facet counts in a second request: facets count every match, which over a partner's
  // index read sparsely costs several times what the page of results does, so the results need not wait.
  const p = new URLSearchParams({ q: s.q, size: '10', facets: 'false' })
  for (const k of ['sort', 'cursor', ...FILTERS]) if (s[k]) p.set(k, s[k])
  const mine = ++searches
  results.setAttribute('aria-busy', 'true')
  let r
  try {
    const res = await fetch('/api/v1/search?' + p.toString())
    r = await res.json()
    if (!res.ok) throw new Error(r.message || 'The search failed')
  } catch (err) {
    results.replaceChildren(el('p', { class: 'error', role: 'alert' }, err.message))
    pager.replaceChildren()
    $('#facets').replaceChildren()
    return
  } finally {
    results.removeAttribute('aria-busy')
  }
  // Without facets a search counts only what its page needs ("gte": at least); the facet request counts
  // every match and puts the exact numbers in.
  const summary = (x) => {
    const more = x.totalRelation === 'gte' ? '+' : ''
    return `${x.totalUrls.toLocaleString()}${more} pages (${x.total.toLocaleString()}${more} versions) · ${Math.round(r.tookMs)} ms`
  }
  const line = el('p', { class: 'summary' }, summary(r))
  results.replaceChildren(line, ...r.hits.map(renderHit))
  renderFacets(null)
  const fp = new URLSearchParams(p)
  fp.set('facets', 'true')
  fp.set('size', '1')
  fp.delete('cursor')
  fetch('/api/v1/search?' + fp.toString())
    .then(res => res.ok ? res.json() : null)
    .then(f => { if (f && mine === searches) { renderFacets(f.facets); line.textContent = summary(f) } })
    .catch(() => {})
  pager.replaceChildren()
  if (cursors.length) pager.append(el('button', { type: 'button', id: 'prev', onclick: () => { const c = cursors.pop(); go({ cursor: c }, true) } }, '← Previous'))
  if (r.nextCursor) pager.append(el('button', { type: 'button', id: 'next', onclick: () => { cursors.push(s.cursor); go({ cursor: r.nextCursor }, true) } }, 'Next →'))
}

$('#search').addEventListener('submit', (e) => { e.preventDefault(); go({ q: $('#q').value.trim() }) })
$('#sort').addEventListener('change', () => go({ sort: $('#sort').value }))
$('#apply-dates').addEventListener('click', () => go({ from: $('#from').value.trim(), to: $('#to').value.trim() }))
window.addEventListener('popstate', run)
run()
