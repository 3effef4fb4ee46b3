// Text and site material for tools/make-crawl.ts: the SciFact abstracts from ../shared (read, never copied), and a
// deterministic set of realistic-looking (invented) hosts: universities, institutes, journals, science news sites,
// hospitals, labs, health departments and blogs under real public suffixes.

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Rng } from './sample/gen-util.ts'

export const SHARED_DIR = fileURLToPath(new URL('../../shared/', import.meta.url))
export const SCIFACT_CORPUS = fileURLToPath(new URL('../../shared/data/ir/scifact/corpus.jsonl', import.meta.url))

export interface Abstract {
  id: string
  title: string
  /** The abstract split into sentences. */
  sentences: string[]
  words: number
}

/** Loads the SciFact corpus (5,183 abstracts, ~8 MB): a fixed cost, independent of the crawl's size. */
export function loadAbstracts(path = SCIFACT_CORPUS): Abstract[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new Error(`make-crawl needs the SciFact corpus at ${path} (the shared data beside the repository): ${(e as Error).message}`)
  }
  const out: Abstract[] = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const d = JSON.parse(line) as { _id: string; title: string; text: string }
    const body = d.text.trim()
    if (!body) continue
    const sentences = body.split(/(?<=[.!?])\s+(?=[A-Z0-9(])/)
    out.push({ id: d._id, title: d.title.trim().replace(/\.$/, ''), sentences, words: countWords(d.title) + countWords(body) })
  }
  if (out.length === 0) throw new Error(`no abstracts in ${path}`)
  return out
}

/** Whitespace-separated words (JavaScript's \s: Unicode spaces included). */
export function countWords(s: string): number {
  return s.split(/\s+/).filter(Boolean).length
}

const PLACES = [
  'ashford',
  'brightwater',
  'caldermoor',
  'dunmore',
  'eastbrook',
  'fairhaven',
  'glenmoor',
  'halden',
  'ironbridge',
  'juniper-falls',
  'kestrel-bay',
  'lakeview',
  'marlow',
  'northgate',
  'oakridge',
  'pinecrest',
  'queensbury',
  'redcliffe',
  'silverdale',
  'thornfield',
  'upton',
  'valemont',
  'westmere',
  'yarrow',
  'zennor',
  'aldergrove',
  'bramley',
  'coldwater',
  'deerfield',
  'elmstead',
  'foxhollow',
  'greyhaven',
  'harwood',
  'ivydale',
  'kingsbridge',
  'larkspur',
  'millbrook',
  'newhaven',
  'orchard-hill',
  'pembury',
  'riverside',
  'stonebridge',
  'tideswell',
  'wyvern',
  'amberley',
  'blackwood',
  'cedarbrook',
  'driftwood',
  'everton-heath',
  'fernhill'
]

const FIELDS = [
  'genomics',
  'neuroscience',
  'immunology',
  'cardiology',
  'oncology',
  'epidemiology',
  'microbiology',
  'biochemistry',
  'pharmacology',
  'virology',
  'endocrinology',
  'nutrition',
  'bioinformatics',
  'cell-biology',
  'public-health',
  'paediatrics',
  'dermatology',
  'molecular-medicine',
  'structural-biology',
  'stem-cells',
  'metabolism',
  'ageing',
  'infectious-disease',
  'haematology',
  'nephrology',
  'psychiatry',
  'vaccines',
  'cancer-research',
  'clinical-trials',
  'biostatistics'
]

const SURNAMES = [
  'okafor',
  'lindqvist',
  'raman',
  'whitcombe',
  'achebe',
  'morrow',
  'kowalczyk',
  'rahman',
  'pryce',
  'macleod',
  'watanabe',
  'delgado',
  'tennant',
  'adeyemi',
  'holloway',
  'fairbairn',
  'haddad',
  'castellanos',
  'novak',
  'brennan',
  'ferreira',
  'takahashi',
  'olsen',
  'mbeki',
  'petrov',
  'sorensen',
  'gallagher',
  'iyer',
  'moreau',
  'schneider',
  'van-dijk',
  'rossi',
  'nakamura',
  'osei',
  'kaur',
  'lefebvre',
  'hoffmann',
  'silva',
  'larsen',
  'chowdhury'
]

const EDU_SUFFIXES = ['edu', 'ac.uk', 'edu.au', 'ac.jp', 'ac.nz', 'edu.sg', 'ac.za', 'edu.hk', 'ac.in', 'ca', 'de', 'nl', 'se', 'ch']
const ORG_SUFFIXES = ['org', 'org', 'org', 'org.uk', 'org.au', 'net', 'com', 'eu', 'int']
const NEWS_SUFFIXES = ['com', 'com', 'co.uk', 'net', 'news', 'com.au', 'ie', 'ca']
const LAB_SUFFIXES = ['de', 'nl', 'ch', 'se', 'fr', 'it', 'es', 'dk', 'at', 'be', 'fi', 'no', 'org', 'net']
const GOV_SUFFIXES = ['gov', 'gov', 'gov.uk', 'gov.au', 'gc.ca', 'govt.nz']
const BLOG_SUFFIXES = ['net', 'org', 'blog', 'me', 'io', 'com']

const SERVERS = [
  'Apache/2.2.15 (CentOS)',
  'Apache/2.4.41 (Ubuntu)',
  'Apache',
  'nginx',
  'nginx/1.14.0',
  'nginx/1.18.0',
  'Microsoft-IIS/7.5',
  'Microsoft-IIS/10.0',
  'cloudflare',
  'LiteSpeed',
  'openresty'
]

export type HostKind = 'university' | 'institute' | 'journal' | 'news' | 'lab' | 'hospital' | 'government' | 'blog'

export interface Host {
  host: string
  scheme: 'http' | 'https'
  kind: HostKind
  name: string
  ip: string
  server: string
  /** URL layout of article pages: 0-5. */
  pathStyle: number
  sections: string[]
  brand: string
  /** Relative popularity: some hosts hold many pages, most hold few. */
  weight: number
}

const KIND_SECTIONS: Record<HostKind, string[]> = {
  university: ['research', 'news', 'departments', 'publications', 'events', 'study'],
  institute: ['research', 'programmes', 'publications', 'news', 'people', 'about'],
  journal: ['articles', 'current-issue', 'archive', 'authors', 'about'],
  news: ['health', 'science', 'medicine', 'features', 'opinion'],
  lab: ['projects', 'publications', 'people', 'news', 'teaching'],
  hospital: ['patients', 'research', 'departments', 'news', 'about-us'],
  government: ['health-topics', 'reports', 'data', 'news', 'about'],
  blog: ['posts', 'archive', 'tags', 'about']
}

function title(slug: string): string {
  return slug
    .split('-')
    .map(w => (w.length > 2 || w === 'of' ? w : w.toUpperCase()))
    .map(w => (w === 'of' ? w : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ')
}

function makeHost(rng: Rng): Omit<Host, 'weight'> {
  const r = rng.next()
  const place = rng.pick(PLACES)
  const field = rng.pick(FIELDS)
  const surname = rng.pick(SURNAMES)
  let host: string
  let kind: HostKind
  let name: string
  if (r < 0.22) {
    kind = 'university'
    const sfx = rng.pick(EDU_SUFFIXES)
    host = rng.chance(0.5) ? `www.${place.replace(/-/g, '')}.${sfx}` : `${field}.${place.replace(/-/g, '')}.${sfx}`
    name = `University of ${title(place)}`
  } else if (r < 0.38) {
    kind = 'institute'
    host = `www.${place}-institute-of-${field}.${rng.pick(ORG_SUFFIXES)}`
    name = `${title(place)} Institute of ${title(field)}`
  } else if (r < 0.5) {
    kind = 'journal'
    host = `${rng.chance(0.5) ? 'www.' : ''}journal-of-${field}${rng.chance(0.3) ? '-research' : ''}.${rng.pick(ORG_SUFFIXES)}`
    name = `Journal of ${title(field)}`
  } else if (r < 0.64) {
    kind = 'news'
    host = `www.${place.replace(/-/g, '')}${rng.pick(['health', 'science', 'medical', 'sci'])}${rng.pick(['news', 'times', 'daily', 'post'])}.${rng.pick(NEWS_SUFFIXES)}`
    name = `${title(place)} Science Daily`
  } else if (r < 0.76) {
    kind = 'lab'
    host = `${rng.chance(0.5) ? 'www.' : ''}${surname}-lab.${rng.pick(LAB_SUFFIXES)}`
    name = `The ${title(surname)} Lab`
  } else if (r < 0.86) {
    kind = 'hospital'
    host = `www.${place}-${rng.pick(['general', 'royal', 'memorial', 'childrens'])}-hospital.${rng.pick(['org', 'org.uk', 'org.au', 'ca'])}`
    name = `${title(place)} Hospital`
  } else if (r < 0.93) {
    kind = 'government'
    host = `${rng.pick(['health', 'publichealth', 'dph', 'hhs'])}.${place.replace(/-/g, '')}.${rng.pick(GOV_SUFFIXES)}`
    name = `${title(place)} Department of Health`
  } else {
    kind = 'blog'
    host = `${rng.chance(0.5) ? 'www.' : ''}${surname}-${rng.pick(['notes', 'writes', 'on-science', 'reads'])}.${rng.pick(BLOG_SUFFIXES)}`
    name = `${title(surname)} Notes`
  }
  const sections = rng.sample(KIND_SECTIONS[kind], rng.int(3, KIND_SECTIONS[kind].length))
  const net = rng.pick(['192.0.2', '198.51.100', '203.0.113'])
  return {
    host,
    scheme: rng.chance(0.75) ? 'https' : 'http',
    kind,
    name,
    ip: `${net}.${rng.int(1, 254)}`,
    server: rng.pick(SERVERS),
    pathStyle: rng.int(0, 5),
    sections,
    brand: '#' + rng.u32().toString(16).padStart(8, '0').slice(0, 6)
  }
}

/** `n` distinct hosts, the same for the same seed. Weights follow a Zipf-like law (rank^-0.8). */
export function makeHosts(n: number, seed: string): Host[] {
  const rng = new Rng(`${seed}:hosts`)
  const seen = new Set<string>()
  const hosts: Host[] = []
  let guard = 0
  while (hosts.length < n) {
    const h = makeHost(rng)
    if (++guard > n * 200) throw new Error(`could not make ${n} distinct hosts`)
    if (seen.has(h.host)) continue
    seen.add(h.host)
    hosts.push({ ...h, weight: 1 / (hosts.length + 1) ** 0.8 })
  }
  return hosts
}
