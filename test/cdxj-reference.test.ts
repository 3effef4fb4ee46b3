// `canopy export --cdxj` against the CDX and CDXJ files pywb, cdxj-indexer and others wrote for the same WARCs
// (../shared/data/cdx), field for field. Every difference is listed; the test passes when there is none that
// the rules below do not explain.
//
// How lines are matched: by file and offset (each record has one), in the reference's own file names.
// What is compared: every field either side has. Equal means the same value: a number 200 and a string "200"
// are one value (Scoop and wabac.js write numbers, pywb strings), and so are 'sha1:ABC' and 'ABC' (pywb strips
// the prefix of SHA-1 digests, cdxj-indexer keeps it); a 17-digit timestamp (wabac.js keeps milliseconds) is
// compared by its first 14 digits.
// Every line of every reference is compared (Canopy lists every record of a crawl file, as pywb does): a line
// either side has and the other does not is a difference, unless test/fixtures/cdx-references.ts explains it.
import assert from 'node:assert/strict'
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parseCdxLine, sortCdxLines } from '../ingest/cdx/cdxj.ts'
import { normalizeDigest } from '../index-core/index/index.ts'
import { Cli } from './fixtures/cli.ts'
import { CDX_REFERENCES, referenceFileName } from './fixtures/cdx-references.ts'
import { SHARED, WACZ_DIR, WARC_DIR } from './helpers.ts'

const CDX_DIR = path.join(SHARED, 'data/cdx')
const COMPARED = ['urlkey', 'timestamp', 'url', 'mime', 'status', 'digest', 'length', 'offset', 'filename'] as const

type Line = Record<string, string>

/** A digest in one spelling: 'sha1:' + base32, 'sha256:' + base32; a bare value is named by its length. */
function digestValue(d: string): string {
  const bare = !d.includes(':')
  const algo = bare ? (/^[0-9a-f]{64}$/i.test(d) ? 'sha256' : /^[0-9a-f]{40}$/i.test(d) || /^[A-Z2-7]{32}$/.test(d) ? 'sha1' : null) : null
  return normalizeDigest(bare ? `${algo ?? 'unknown'}:${d}` : d) ?? d
}

function same(field: string, a: string, b: string): boolean {
  if (field === 'digest') return digestValue(a) === digestValue(b)
  if (field === 'timestamp') return a.slice(0, 14) === b.slice(0, 14)
  return a === b
}

function parseReference(text: string): Line[] {
  return text
    .split('\n')
    .filter(l => l.trim() !== '' && !l.startsWith(' CDX') && !l.startsWith('!'))
    .map(l => parseCdxLine(l))
}

describe("CDXJ export against pywb's and cdxj-indexer's indexes of the same WARCs", { timeout: 300_000 }, () => {
  const cli = new Cli()
  let lines: Line[] = []
  let raw: string[] = []
  let tmp: string
  before(async () => {
    // One index of every WARC a reference covers, exported once through the real command.
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-cdxj-'))
    const warcs = [...new Set(CDX_REFERENCES.flatMap(r => r.warcs))].map(w => path.join(WARC_DIR, w))
    const index = path.join(tmp, 'idx')
    await cli.run(['ingest', ...warcs, '--index', index, '--workers', '2'])
    const out = await cli.run(['export', '--cdxj', '--index', index, ...warcs.flatMap(w => ['--crawls', w])])
    raw = out.split('\n').filter(l => l !== '')
    lines = raw.map(l => parseCdxLine(l))
  })
  after(async () => {
    await rm(tmp, { recursive: true, force: true })
  })

  it("writes every line sorted, in pywb's CDXJ form", () => {
    assert.ok(lines.length > 30, `${lines.length} lines`)
    assert.deepEqual(raw, sortCdxLines(raw))
    assert.equal(new Set(raw).size, raw.length, 'no line twice')
    for (const l of lines) {
      assert.match(l.timestamp, /^\d{14}$/)
      assert.match(l.urlkey, /^[^ ]+$/)
      for (const f of ['url', 'mime', 'length', 'offset', 'filename']) assert.equal(typeof l[f], 'string', `${f} in ${JSON.stringify(l)}`)
    }
  })

  it('matches the reference indexes field for field on every line', async t => {
    const differences: string[] = []
    const explained: Record<string, number> = {}
    let matched = 0
    let total = 0
    for (const ref of CDX_REFERENCES) {
      const names = new Map(ref.warcs.map(w => [path.basename(w), referenceFileName(w)]))
      const ours: Line[] = lines.filter(l => names.has(l.filename)).map(l => ({ ...l, filename: names.get(l.filename)! }))
      const theirs = parseReference(await readFile(path.join(CDX_DIR, ref.ref), 'utf8'))
      total += theirs.length
      const known = new Map((ref.known ?? []).filter(k => k.fields === undefined).map(k => [k.place, k.why]))
      const knownFields = new Map((ref.known ?? []).filter(k => k.fields !== undefined).map(k => [k.place, k]))
      const at = (l: Line): string => `${l.filename}@${l.offset}`
      const byPlace = new Map(ours.map(l => [at(l), l]))
      const seen = new Set<string>()
      for (const r of theirs) {
        const o = byPlace.get(at(r))
        if (o === undefined) {
          const why = known.get(at(r)) ?? null
          if (why === null) differences.push(`${ref.ref}: Canopy has no line for ${r.url} ${r.timestamp} at ${at(r)} (${r.mime}, ${r.status ?? '-'})`)
          else explained[why] = (explained[why] ?? 0) + 1
          continue
        }
        seen.add(at(r))
        matched++
        for (const f of COMPARED) {
          const a = o[f]
          const b = r[f] === '-' ? undefined : r[f]
          if (a === undefined && b === undefined) continue
          const k = knownFields.get(at(r))
          if (k?.fields?.includes(f) === true && (a === undefined || b === undefined || !same(f, a, b))) {
            explained[k.why] = (explained[k.why] ?? 0) + 1
            continue
          }
          if (a === undefined || b === undefined) {
            if (b === undefined && ref.trimmed?.fields.includes(f) === true) continue
            differences.push(`${ref.ref}: ${at(r)} ${f}: Canopy ${a ?? '(none)'}, reference ${b ?? '(none)'}`)
          } else if (!same(f, a, b)) differences.push(`${ref.ref}: ${at(r)} ${f}: Canopy ${a}, reference ${b}`)
        }
      }
      for (const o of ours) {
        if (seen.has(at(o))) continue
        const why = known.get(at(o))
        if (why === undefined) differences.push(`${ref.ref}: the reference has no line for Canopy's ${o.url} ${o.timestamp} at ${at(o)} (${o.mime ?? '-'})`)
        else explained[why] = (explained[why] ?? 0) + 1
      }
    }
    t.diagnostic(`${matched} of ${total} reference lines matched; explained: ${JSON.stringify(explained)}`)
    assert.ok(matched > 400, `only ${matched} lines matched`)
    assert.deepEqual(differences, [], `${differences.length} differences:\n${differences.join('\n')}`)
  })
})

describe('canopy export --cdxj: where records are read from', { timeout: 180_000 }, () => {
  const cli = new Cli()
  const iana = path.join(WARC_DIR, 'webrecorder__pywb/sample_archive__warcs__iana.warc.gz')
  let tmp: string
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'canopy-cdxj-src-'))
  })
  after(async () => {
    await rm(tmp, { recursive: true, force: true })
  })

  it('reads the crawl files given, else the published ones, and counts and names what it cannot read', async () => {
    const index = path.join(tmp, 'idx')
    await cli.run(['ingest', iana, '--index', index, '--workers', '1'])
    const given = (await cli.run(['export', '--cdxj', '--index', index, '--crawls', path.dirname(iana)])).split('\n').filter(l => l !== '')
    assert.ok(given.length >= 10)
    // Nothing to read the records from: no line is written with guessed fields; the reason is given, exit 1.
    const none = await cli.run(['export', '--cdxj', '--index', index], true)
    assert.match(none, /0 CDXJ lines from 1 crawl files; left out: file-not-held 1/)
    // Another file under the crawl's name is not read as if it were the crawl.
    const decoy = path.join(tmp, 'decoy')
    await mkdir(decoy)
    await copyFile(path.join(WARC_DIR, 'webrecorder__pywb/sample_archive__warcs__dupes.warc.gz'), path.join(decoy, path.basename(iana)))
    assert.match(await cli.run(['export', '--cdxj', '--index', index, '--crawls', decoy], true), /left out: file-differs \d+/)
    // Published crawl files are read from the index folder's blocks, by range: the same lines.
    await cli.run(['publish', '--index', index, '--crawls', iana])
    const out = path.join(tmp, 'out.cdxj')
    await cli.run(['export', '--cdxj', '--index', index, '--out', out])
    assert.deepEqual(
      (await readFile(out, 'utf8')).split('\n').filter(l => l !== ''),
      given
    )
  })

  it("reads a record of a WARC inside a WACZ package by its range in the package, and matches the package's own index", async () => {
    const wacz = path.join(WACZ_DIR, 'webrecorder__replayweb.page/mkdocs__site__docs__examples__example.wacz')
    const index = path.join(tmp, 'wacz')
    await cli.run(['ingest', wacz, '--index', index, '--workers', '1'])
    const ours = (await cli.run(['export', '--cdxj', '--index', index, '--crawls', path.dirname(wacz)]))
      .split('\n')
      .filter(l => l !== '')
      .map(l => parseCdxLine(l))
    const theirs = parseReference(
      await readFile(path.join(CDX_DIR, 'webrecorder__replayweb.page/mkdocs__site__docs__examples__example.wacz__indexes__index.cdx'), 'utf8')
    )
    assert.equal(ours.length, theirs.length, 'every record of the package, as its own index lists them')
    const ref = CDX_REFERENCES.find(r => r.ref.startsWith('webrecorder__replayweb.page/mkdocs'))!
    for (const o of ours) {
      assert.equal(o.filename, `${path.basename(wacz)}#archive/data.warc.gz`)
      const explained = ref.known?.find(k => k.place === `data.warc.gz@${o.offset}`)?.fields ?? []
      const r = theirs.find(t => t.offset === o.offset)
      assert.ok(r !== undefined, `no line at ${o.offset} in the package's index`)
      for (const f of ['urlkey', 'timestamp', 'url', 'mime', 'status', 'digest', 'length'] as const) {
        if ((r[f] === undefined && o[f] === undefined) || explained.includes(f)) continue
        assert.ok(r[f] !== undefined && o[f] !== undefined && same(f, o[f], r[f]), `${f}: Canopy ${o[f]}, package ${r[f]}`)
      }
    }
  })
})
