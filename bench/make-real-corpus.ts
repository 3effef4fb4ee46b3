// The real-page benchmark corpus: Debian's HTML documentation packages written as WARC/1.1 files, so headline
// figures come from real pages (real markup, real page sizes, real vocabulary) rather than generated text.
//
//   node bench/make-real-corpus.ts [--install] [--out DIR] [--html-out DIR]
//
// Each site is one package's HTML tree served under a fixed base URL. Pages are read in path order and written as
// `response` records (HTTP/1.1 200, text/html; charset=utf-8) into gzip WARC files of about 50 MB of HTML each, one
// gzip member per record. Dates, record ids and the gzip level are fixed, so the same package versions and the same
// Node (its bundled zlib) give byte-identical files. The package versions are recorded in INDEX.tsv: Debian pins them
// per release, and a different version is a different corpus.

import { execFileSync } from 'node:child_process'
import { constants, copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WarcWriter, httpDate } from '../tools/warc-writer.ts'

export interface Site {
  /** Short name, also the WARC file prefix. */
  name: string
  /** The Debian package that ships the pages. */
  pkg: string
  /** Where the package puts its HTML. */
  dir: string
  /** Base URL of the pages, from the installed version (the upstream version appears in some sites' URLs). */
  base: (upstream: string) => string
  /** The version the figures in README.md (Benchmarks) were made from (Debian 12); another one only warns. */
  tested: string
}

// Three sites of very different sizes: many small generated API pages, a thousand manual pages, a few hundred long ones.
export const SITES: Site[] = [
  { name: 'rust', pkg: 'rust-doc', dir: '/usr/share/doc/rust-doc/html', base: v => `https://doc.rust-lang.org/${v}/`, tested: '1.63.0+dfsg1-2' },
  {
    name: 'postgresql',
    pkg: 'postgresql-doc-15',
    dir: '/usr/share/doc/postgresql-doc-15/html',
    base: () => 'https://www.postgresql.org/docs/15/',
    tested: '15.20-0+deb12u1'
  },
  { name: 'python', pkg: 'python3.11-doc', dir: '/usr/share/doc/python3.11/html', base: () => 'https://docs.python.org/3.11/', tested: '3.11.2-6+deb12u9' }
]

export const DEFAULT_OUT = '/tmp/canopy-bench/real-corpus'
/** At most about this many HTML bytes per WARC file; a site's pages are shared evenly among its files. */
const FILE_BYTES = 50_000_000
const DATE = Date.parse('2026-01-15T00:00:00Z')
const DAY = 86_400_000
/** Fixed so the bytes do not change with a default; 6 is zlib's and the writer's. */
const GZIP_LEVEL = 6

/** Installed version of a package, or null. */
export function installedVersion(pkg: string): string | null {
  try {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format string, not a template
    const out = execFileSync('dpkg-query', ['-W', '-f=${db:Status-Status} ${Version}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    const [status, version] = out.trim().split(' ')
    return status === 'installed' && version ? version : null
  } catch {
    return null
  }
}

/** '1:1.63.0+dfsg1-2' -> '1.63.0': no epoch, Debian revision or repack suffix. */
function upstreamOf(version: string): string {
  return version.replace(/^\d+:/, '').split(/[-+~]/)[0]
}

/** HTML files under dir, relative, in a fixed (code unit) order, with their sizes. */
function htmlFiles(dir: string): { rel: string; size: number }[] {
  const out: { rel: string; size: number }[] = []
  for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (!rel.endsWith('.html')) continue
    const st = statSync(join(dir, rel))
    if (st.isFile()) out.push({ rel, size: st.size })
  }
  return out
}

// rustdoc leaves ~10,000 "Redirecting..." stubs (a meta refresh to the item's new path). They carry no text, and a
// crawl would record them as redirects, not pages, so they are left out rather than indexed as 10,000 empty documents.
function isRedirectStub(body: Uint8Array): boolean {
  return body.length < 4096 && /http-equiv=["']?refresh/i.test(Buffer.from(body).toString('latin1'))
}

/** The path as a URL path: each segment percent-encoded where needed, '/' kept. */
function urlPath(rel: string): string {
  return rel.split('/').map(encodeURIComponent).join('/')
}

export interface FileRow {
  file: string
  site: string
  pkg: string
  version: string
  pages: number
  /** HTML payload bytes. */
  htmlBytes: number
  /** Size of the .warc.gz file. */
  warcBytes: number
}

export interface SiteSummary {
  site: string
  pkg: string
  version: string
  base: string
  pages: number
  redirectStubs: number
  htmlBytes: number
  warcBytes: number
  files: number
}

/** A new WARC file of a site, its warcinfo record written. */
function openFile(out: string, site: Site, version: string, base: string, n: number, date: Date): { w: WarcWriter; row: FileRow } {
  const file = `${site.name}-${String(n).padStart(3, '0')}.warc.gz`
  // Record ids are uuids of sha1(file name, record number): fixed, and unique across the corpus.
  const w = WarcWriter.toFile(join(out, file), { seed: `canopy-real-corpus/${file}`, level: GZIP_LEVEL })
  w.warcinfo({
    date,
    filename: file,
    fields: [
      ['software', 'Canopy bench/make-real-corpus.ts'],
      ['format', 'WARC File Format 1.1'],
      ['conformsTo', 'https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/'],
      ['isPartOf', 'canopy-real-corpus'],
      ['description', `Debian package ${site.pkg} ${version}: the HTML under ${site.dir}, as served under ${base}`]
    ]
  })
  return { w, row: { file, site: site.name, pkg: site.pkg, version, pages: 0, htmlBytes: 0, warcBytes: 0 } }
}

export function makeRealCorpus(opts: { out: string; htmlOut?: string; versions: Map<string, string> }): { rows: FileRow[]; sites: SiteSummary[] } {
  mkdirSync(opts.out, { recursive: true })
  // Files of an earlier run with another split would otherwise sit beside this one's.
  const ours = new RegExp(`^(${SITES.map(s => s.name).join('|')})-\\d{3}\\.warc\\.gz$`)
  for (const f of readdirSync(opts.out)) if (ours.test(f) || f === 'INDEX.tsv') rmSync(join(opts.out, f))

  const rows: FileRow[] = []
  const sites: SiteSummary[] = []
  for (const [si, site] of SITES.entries()) {
    const version = opts.versions.get(site.pkg)!
    const base = site.base(upstreamOf(version))
    const sum: SiteSummary = { site: site.name, pkg: site.pkg, version, base, pages: 0, redirectStubs: 0, htmlBytes: 0, warcBytes: 0, files: 0 }
    let cur: { w: WarcWriter; row: FileRow } | null = null
    const close = (): void => {
      if (!cur) return
      cur.row.warcBytes = cur.w.close().bytes
      sum.warcBytes += cur.row.warcBytes
      rows.push(cur.row)
      cur = null
    }
    const madeDirs = new Set<string>()
    const files = htmlFiles(site.dir)
    // Even shares rather than full files and a small remainder: a page goes to the file its starting offset in the
    // site's HTML falls in (stubs counted too, so the split needs no second read).
    const total = files.reduce((n, f) => n + f.size, 0)
    const share = total / Math.ceil(total / FILE_BYTES)
    let offset = 0
    for (const { rel, size } of files) {
      const part = Math.floor(offset / share)
      offset += size
      const body = readFileSync(join(site.dir, rel))
      if (isRedirectStub(body)) {
        sum.redirectStubs++
        continue
      }
      if (cur && sum.files <= part) close()
      // One date per site (a day apart), one second per page: a fixed, plausible crawl order.
      const date = new Date(DATE + si * DAY + sum.pages * 1000)
      cur ??= openFile(opts.out, site, version, base, sum.files++, date)
      cur.w.response({
        url: base + urlPath(rel),
        date,
        status: 200,
        headers: [
          ['Content-Type', 'text/html; charset=utf-8'],
          ['Date', httpDate(date)]
        ],
        body
      })
      cur.row.pages++
      cur.row.htmlBytes += body.length
      sum.pages++
      sum.htmlBytes += body.length
      if (opts.htmlOut) {
        // Copies, not symlinks: a site folder for Pagefind that does not depend on how its walker treats links.
        const dst = join(opts.htmlOut, site.name, rel)
        if (!madeDirs.has(dirname(dst))) {
          mkdirSync(dirname(dst), { recursive: true })
          madeDirs.add(dirname(dst))
        }
        copyFileSync(join(site.dir, rel), dst, constants.COPYFILE_FICLONE)
      }
    }
    close()
    sites.push(sum)
  }

  const tsv = ['file\tsite\tpackage\tversion\tpages\thtml_bytes\twarc_bytes']
  for (const r of rows) tsv.push([r.file, r.site, r.pkg, r.version, r.pages, r.htmlBytes, r.warcBytes].join('\t'))
  writeFileSync(join(opts.out, 'INDEX.tsv'), tsv.join('\n') + '\n')
  return { rows, sites }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i > 0 ? process.argv[i + 1] : undefined
}

/** Installs the missing packages when asked (as root), else names them and exits 2. */
function ensurePackages(install: boolean): Map<string, string> {
  const missing = SITES.filter(s => !installedVersion(s.pkg)).map(s => s.pkg)
  if (missing.length > 0) {
    if (!install || process.getuid?.() !== 0) {
      console.error(`missing Debian packages: ${missing.join(' ')}`)
      console.error(`install them with: apt-get install -y --no-install-recommends ${missing.join(' ')}`)
      console.error('or run this script as root with --install')
      process.exit(2)
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env })
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env })
  }
  const versions = new Map<string, string>()
  for (const s of SITES) {
    const v = installedVersion(s.pkg)
    if (!v) throw new Error(`${s.pkg} is still not installed`)
    if (v !== s.tested) console.warn(`note: ${s.pkg} ${v} is not the tested ${s.tested}: the corpus will differ from the documented one`)
    versions.set(s.pkg, v)
  }
  return versions
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = arg('--out') ?? DEFAULT_OUT
  const htmlOut = arg('--html-out')
  const versions = ensurePackages(process.argv.includes('--install'))
  const t0 = performance.now()
  const { sites } = makeRealCorpus({ out, htmlOut, versions })
  const mb = (n: number): string => (n / 1e6).toFixed(1)
  console.log(`${out}: ${((performance.now() - t0) / 1000).toFixed(1)} s${htmlOut ? `; HTML copies in ${htmlOut}` : ''}`)
  console.log('site        package            version             pages  stubs  HTML MB  files  gzip MB  base URL')
  for (const s of sites) {
    console.log(
      `${s.site.padEnd(11)} ${s.pkg.padEnd(18)} ${s.version.padEnd(18)} ${String(s.pages).padStart(6)} ${String(s.redirectStubs).padStart(6)} ` +
        `${mb(s.htmlBytes).padStart(8)} ${String(s.files).padStart(6)} ${mb(s.warcBytes).padStart(8)}  ${s.base}`
    )
  }
  const total = (k: 'pages' | 'redirectStubs' | 'htmlBytes' | 'files' | 'warcBytes'): number => sites.reduce((n, s) => n + s[k], 0)
  console.log(
    `${'total'.padEnd(11)} ${''.padEnd(18)} ${''.padEnd(18)} ${String(total('pages')).padStart(6)} ${String(total('redirectStubs')).padStart(6)} ` +
      `${mb(total('htmlBytes')).padStart(8)} ${String(total('files')).padStart(6)} ${mb(total('warcBytes')).padStart(8)}`
  )
}
