// The way into replay on a separate replay origin (serve --replay-origin): the viewer frames this page there
// with the collection, time and URL to open; it starts wabac on this origin, then becomes the archived page.

const p = new URLSearchParams(location.search)
async function boot() {
  const name = p.get('collection') || ''
  const lookup = p.get('lookup') || ''
  const ts = (p.get('ts') || '').replace(/\D/g, '').slice(0, 14)
  const url = p.get('url') || ''
  if (!/^canopy-[A-Za-z0-9_-]+$/.test(name) || !/^\/api\/v1\/replay\/lookup\//.test(lookup) || !/^https?:\/\//i.test(url))
    throw new Error('Nothing to replay: the address names no collection or URL')
  const sw = await window.canopyReplay.worker()
  await window.canopyReplay.addCollection(sw, name, lookup)
  window.canopyReplay.forgetOlder(sw, p.get('index') || '', name)
  location.replace(`/replay/w/${encodeURIComponent(name)}/${ts}mp_/${url}`)
}
boot().catch(err => {
  document.getElementById('status').textContent = err.message
})
