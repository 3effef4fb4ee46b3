// Search over the built-in sample crawl: the query language, ranking, filters, facets, grouping, paging,
// snippets and errors, each checked against the stored documents themselves.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { analyze } from '../index-core/analysis/index.ts'
import { NodeStore, verifyTree } from '../index-core/prolly/index.ts'
import { postingTrees, SIDE_TREES } from '../index-core/index/index.ts'
import { IndexReader, search } from '../index-core/query/index.ts'
import type { SearchHit, SearchRequest } from '../index-core/query/search.ts'
import { openIndexDir } from '../index-core/store/index.ts'
import type { IndexDir } from '../index-core/store/index.ts'
import { ingest } from '../ingest/index.ts'

const SAMPLE = fileURLToPath(new URL('../ingest/sample/sample.warc.gz', import.meta.url))

let tmp: string
let dir: IndexDir
let reader: IndexReader

/** A fresh reader (cold cache) on the same index. */
async function freshReader(): Promise<IndexReader> {
  return await IndexReader.open(new NodeStore(dir.blocks.store), (await dir.head())!)
}

async function q(req: SearchRequest | string): Promise<Awaited<ReturnType<typeof search>>> {
  return await search(reader, typeof req === 'string' ? { q: req, pageSize: 100 } : { pageSize: 100, ...req })
}

function idKey(hex: string): string {
  let k = ''
  for (const b of Buffer.from(hex, 'hex')) k += String.fromCharCode(b)
  return k
}

/** A hit's title and whole stored text. */
async function fullText(hit: SearchHit): Promise<string> {
  return hit.title + ' ' + (await reader.fullText(idKey(hit.id)))
}

/** Analysed terms of a hit's title and text. */
async function termsOf(hit: SearchHit): Promise<Set<string>> {
  return new Set(analyze(await fullText(hit), hit.lang).map(t => t.term))
}

describe('search over the sample crawl', { timeout: 300_000 }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-search-'))
    await ingest({ inputs: [SAMPLE], index: tmp, workers: 2 })
    dir = await openIndexDir(tmp, { write: false })
    reader = await freshReader()
  })
  after(async () => {
    await dir.close()
    await rm(tmp, { recursive: true, force: true })
  })

  it('ranks documents containing the words, with highlighted snippets', async () => {
    const r = await q('preservation')
    assert.ok(r.total > 3)
    for (const h of r.hits) assert.ok((await termsOf(h)).has('preserv'), h.url)
    assert.ok(r.hits.some(h => /<mark>[^<]*preserv/i.test(h.snippet) || /<mark>/.test(h.titleHtml)))
    for (let i = 1; i < r.hits.length; i++) assert.ok(r.hits[i - 1].score >= r.hits[i].score)
    assert.doesNotMatch(r.hits.map(h => h.snippet).join(''), /<(?!\/?mark>)/, 'snippets escape HTML')
  })

  it('takes the snippet from the body where the words are, or from the description when only the title or URL has them', async () => {
    let fromDescription = 0
    let fromBody = 0
    const [word] = analyze('news', null).map(t => t.term)
    for (const h of (await q({ q: 'news', facets: false })).hits) {
      const body = new Set(analyze(await reader.fullText(idKey(h.id)), h.lang).map(t => t.term))
      const text = h.snippet
        .replace(/<\/?mark>/g, '')
        .replace(/^… | …$/g, '')
        .replace(/&amp;/g, '&')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
      if (body.has(word)) {
        assert.match(h.snippet, /<mark>/, `${h.url}: the body has the word`)
        fromBody++
      } else {
        const doc = await reader.doc(idKey(h.id))
        if (doc === null || doc.description === '') continue
        assert.ok(doc.description.includes(text), `${h.url}: snippet "${text}" is not from its description`)
        fromDescription++
      }
    }
    assert.ok(fromDescription > 0 && fromBody > 0, `${fromDescription} from descriptions, ${fromBody} from bodies`)
  })

  it('matches exact phrases only where the words are adjacent', async () => {
    const phrase = await q('"web archive"')
    const words = await q('web AND archive')
    assert.ok(phrase.total > 0 && phrase.total <= words.total)
    for (const h of phrase.hits) assert.match((await fullText(h)).toLowerCase().replace(/\s+/g, ' '), /web[^\p{L}\p{N}]+archive/u, h.url)
  })

  it('follows boolean logic: AND narrows, OR widens, NOT excludes', async () => {
    const a = new Set((await q('library')).hits.map(h => h.id))
    const b = new Set((await q('museum')).hits.map(h => h.id))
    const and = (await q('library AND museum')).hits.map(h => h.id)
    const or = (await q('library OR museum')).hits.map(h => h.id)
    const not = (await q('library -museum')).hits.map(h => h.id)
    for (const id of and) assert.ok(a.has(id) && b.has(id))
    for (const id of or) assert.ok(a.has(id) || b.has(id))
    assert.equal(or.length, new Set([...a, ...b]).size)
    for (const id of not) assert.ok(a.has(id) && !b.has(id))
    assert.equal(not.length + and.length, a.size)
  })

  it('expands prefixes and restricts to fields', async () => {
    const exact = new Set((await q('archive')).hits.map(h => h.id))
    const prefix = new Set((await q('archiv*')).hits.map(h => h.id))
    for (const id of exact) assert.ok(prefix.has(id))
    assert.ok(prefix.size >= exact.size)
    const title = await q('title:museum')
    assert.ok(title.total > 0)
    for (const h of title.hits) assert.match(h.title.toLowerCase(), /museum/)
  })

  it('applies site, type, lang, institution and date filters to every hit', async () => {
    const site = await q('archive site:meridian-library.org')
    assert.ok(site.total > 0)
    for (const h of site.hits) assert.equal(h.domain, 'meridian-library.org')
    const archive = new Set((await q('archive')).hits.map(h => h.id))
    for (const h of site.hits) assert.ok(archive.has(h.id), 'a filter narrows the words, never replaces them')
    assert.ok(site.total <= (await q('site:meridian-library.org')).total)
    const narrow = await q('theatre site:meridian-library.org')
    assert.ok(narrow.total < site.total, 'a rarer word narrows the site further')
    for (const h of narrow.hits) assert.ok((await termsOf(h)).has('theatr'))
    const lang = await q({ q: 'archive', filters: { lang: 'fr' } })
    assert.ok(lang.total > 0)
    for (const h of lang.hits) assert.equal(h.lang, 'fr')
    const html = await q('type:html')
    const text = await q('type:text')
    assert.ok(html.total > 100)
    for (const h of text.hits) assert.equal(h.mime, 'text/plain')
    assert.equal(html.total + text.total, reader.stats.documents, 'every document is HTML or plain text')
    assert.equal((await q('archive institution:nobody')).total, 0)
    assert.equal((await q('archive institution:local')).total, (await q('archive')).total)
    const dated = await q({ q: 'archive', filters: { from: '2012', to: '2014-06' }, allCaptures: true })
    assert.ok(dated.total > 0)
    for (const h of dated.hits) {
      assert.ok(
        h.captures!.some(c => c.timestamp >= '20120101000000' && c.timestamp <= '20140630235959'),
        h.url
      )
    }
  })

  it('counts facets over the whole result set', async () => {
    const r = await q({ q: 'archive', pageSize: 1 })
    assert.equal(r.hits.length, 1)
    const sites = r.facets!.site
    assert.equal(
      sites.reduce((a, f) => a + f.count, 0),
      r.total,
      'each document has one site'
    )
    const langs = r.facets!.lang.reduce((a, f) => a + f.count, 0)
    assert.ok(langs <= r.total && langs > 0)
    // Clicking a facet: filtering by its value gives exactly its count.
    const top = sites[0]
    assert.equal((await q({ q: 'archive', filters: { site: top.value } })).total, top.count)
    const year = r.facets!.year[0]
    assert.equal((await q({ q: 'archive', filters: { from: year.value, to: year.value } })).total, year.count)
  })

  it('groups captures of one URL into one result, with every capture date', async () => {
    const grouped = await q({ q: 'library', group: true })
    const all = await q({ q: 'library', group: false })
    assert.ok(all.total >= grouped.totalUrls)
    assert.equal(grouped.hits.length, Math.min(100, grouped.totalUrls))
    assert.equal(new Set(grouped.hits.map(h => h.url)).size, grouped.hits.length)
    // The sample captures some pages twice with the same content.
    const every = await q({ q: 'type:html', group: true })
    assert.ok(
      every.hits.some(h => h.captureCount >= 2 && h.captureDates.length === h.captureCount),
      'a page with two capture dates'
    )
  })

  it('a relevance search without facets reads no doc values, and finds the same page', async () => {
    for (const text of ['library', 'archive OR museum', 'web archive', '"digital preservation"']) {
      const lean = await freshReader()
      const without = await search(lean, { q: text, facets: false, allCaptures: true })
      assert.equal(lean.view().values.filter(v => v !== undefined).length, 0, `${text}: doc values read`)
      const full = await search(await freshReader(), { q: text, facets: true, allCaptures: true })
      assert.ok(full.facets !== null && without.facets === null)
      const page = (r: typeof full): unknown => [r.nextCursor, r.hits.map(h => [h.id, h.score, h.versions, h.captures])]
      assert.deepEqual(page(without), page(full), text)
      // Without facets the search may stop once its page is decided: its totals are then lower bounds.
      if (without.totalRelation === 'eq') assert.deepEqual([without.total, without.totalUrls], [full.total, full.totalUrls])
      else assert.ok(without.total <= full.total && without.totalUrls <= full.totalUrls)
    }
  })

  it('lists under each hit every capture of every version of its URL, its own among them', async () => {
    const r = await q({ q: 'type:html', pageSize: 100, allCaptures: true })
    const twice = r.hits.filter(h => h.versions > 1 || h.captureCount > 1)
    assert.ok(twice.length > 0)
    for (const h of r.hits) {
      assert.equal(h.captures!.length, h.captureCount)
      const own = await reader.captures(idKey(h.id))
      for (const c of own)
        assert.ok(
          h.captures!.some(x => x.file === c.file && x.offset === c.offset),
          `${h.url}: its own captures are listed`
        )
    }
  })

  it('pages with a stable cursor: no overlap, nothing missed', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const r: Awaited<ReturnType<typeof search>> = await search(reader, { q: 'archive OR library OR museum', pageSize: 7, cursor })
      seen.push(...r.hits.map(h => h.url))
      cursor = r.nextCursor
      pages++
    } while (cursor !== null && pages < 100)
    const total = (await q('archive OR library OR museum')).totalUrls
    assert.equal(seen.length, total)
    assert.equal(new Set(seen).size, total)
  })

  it('sorts by capture date', async () => {
    const r = await q({ q: 'archive', sort: 'date-desc' })
    const last = r.hits.map(h => h.captureDates.at(-1)!)
    for (let i = 1; i < last.length; i++) assert.ok(last[i - 1] >= last[i], `${last[i - 1]} before ${last[i]}`)
  })

  it('finds Japanese text by its characters', async () => {
    const r = await q({ q: 'lang:ja', pageSize: 1 })
    assert.ok(r.total > 0)
    const title = r.hits[0].title
    const word = /[\u3040-\u30ff\u4e00-\u9fff]{3}/.exec(title)![0]
    const hit = await q(word)
    assert.ok(
      hit.hits.some(h => h.title.includes(word)),
      `searching ${word} finds ${title}`
    )
  })

  it('a hyphenated or slashed word matches its parts as words, as the documents were tokenised; quoted, it is a phrase', async () => {
    const key = (r: Awaited<ReturnType<typeof q>>): string[] => r.hits.map(h => `${h.id} ${h.score}`).sort()
    for (const [compound, spaced] of [
      ['web-archive', 'web archive'],
      ['web/archive', 'web archive']
    ]) {
      for (const group of [true, false]) {
        const a = await q({ q: compound, group, exactTotal: true })
        const b = await q({ q: spaced, group, exactTotal: true })
        assert.ok(a.total > 0)
        assert.equal(a.total, b.total, `${compound} matches what ${spaced} matches`)
        assert.deepEqual(key(a), key(b), `${compound} scores as ${spaced}`)
      }
      const phrase = await q(`"${compound}"`)
      const words = await q(compound)
      assert.equal(phrase.total, (await q(`"${spaced}"`)).total)
      assert.ok(phrase.total < words.total, 'the quoted form is a phrase, matching fewer')
    }
  })

  it('takes long queries: stop words are free and change nothing, 1,024 other words are allowed', async () => {
    const text = (await fullText((await q('library')).hits[0])).split(/\s+/).filter(w => /^[a-z]+$/i.test(w))
    const words = [...new Set(text.map(w => w.toLowerCase()))].filter(w => analyze(w, null).length > 0).slice(0, 40)
    const base = await q({ q: words.join(' '), syntax: 'plain', exactTotal: true })
    const padded = await q({ q: words.map(w => `the ${w} of and a`).join(' '), syntax: 'plain', exactTotal: true })
    assert.deepEqual(
      padded.hits.map(h => [h.id, h.score]),
      base.hits.map(h => [h.id, h.score])
    )
    const many = [...words, ...Array.from({ length: 1024 - words.length }, (_, i) => `z${i}`)]
    for (const syntax of ['plain', 'query'] as const) {
      const r = await q({ q: [...many, ...Array(800).fill('the')].join(' '), syntax })
      assert.ok(r.total > 0)
      await assert.rejects(q({ q: [...many, 'onemore'].join(' '), syntax }), { name: 'QueryError', code: 'too-many-clauses' })
    }
  })

  it('rejects malformed and hostile queries with clear errors', async () => {
    await assert.rejects(q('library AND'), { name: 'QueryError', code: 'dangling-operator' })
    await assert.rejects(q('"unclosed'), { name: 'QueryError', code: 'unterminated-phrase' })
    await assert.rejects(q('x'.repeat(17000)), { name: 'QueryError', code: 'too-long' })
    await assert.rejects(q('('.repeat(200) + 'a' + ')'.repeat(200)), { name: 'QueryError', code: 'too-deep' })
    await assert.rejects(q({ q: 'a*', maxPrefixExpansions: 2 }), { name: 'QueryError' })
    await assert.rejects(q({ q: 'ar*', maxPrefixExpansions: 2 }), { name: 'SearchError', code: 'too-many-expansions' })
    await assert.rejects(q({ q: 'library', cursor: 'garbage' }), { name: 'SearchError', code: 'bad-cursor' })
    await assert.rejects(q({ q: 'library', pageSize: 1000 }), { name: 'SearchError', code: 'bad-page-size' })
  })

  it('snippets show the page\'s text, never its navigation (issue 15: every "library" snippet began "Skip to main content")', async () => {
    const r = await q({ q: 'library', facets: false })
    assert.ok(r.hits.length > 5)
    for (const h of r.hits) {
      assert.doesNotMatch(h.snippet, /Skip to main content|Aller au contenu|Contact us|Search this site/, h.url)
      assert.doesNotMatch(await reader.fullText(idKey(h.id)), /^Skip to main content/, `${h.url}: navigation stored as body text`)
    }
  })

  it('a phrase query highlights the phrase as one mark, not its words alone', async () => {
    const r = await q({ q: '"web archive"', facets: false })
    assert.ok(r.hits.length > 0)
    let phrases = 0
    for (const h of r.hits) {
      for (const m of h.snippet.matchAll(/<mark>(.*?)<\/mark>/g)) {
        assert.match(m[1].toLowerCase(), /^web\W+archive/, `${h.url}: a mark that is not the phrase: ${h.snippet}`)
        phrases++
      }
    }
    assert.ok(phrases > 0, 'some snippet shows the phrase')
  })

  it('reads only the blocks a query needs, and nothing again once cached', async () => {
    const cold = await freshReader()
    const r1 = await search(cold, { q: 'preservation', pageSize: 10 })
    assert.ok(r1.io.blocksRead > 0)
    const r2 = await search(cold, { q: 'preservation', pageSize: 10 })
    assert.equal(r2.io.blocksRead, 0)
    assert.ok(r2.io.cacheHits > 0)
    // Against every block of the index (all trees walked): a query reads a small part of it.
    let blocks = 0
    for (const t of [...postingTrees(cold.root), ...SIDE_TREES.map(s => cold.root[s])]) blocks += (await verifyTree(cold.store, t)).nodes
    assert.ok(r1.io.blocksRead < blocks / 3, `${r1.io.blocksRead} of ${blocks} blocks read`)
  })
})
