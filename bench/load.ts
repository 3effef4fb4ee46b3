// Load test (autocannon, loopback only): the mixed query load against `canopy serve` (one process per core)
// on the large generated crawl. A warm-up period at full load fills the caches; then the measured run:
// requests/s, latency, errors, server CPU per request, and each server process's memory (RSS and V8 heap)
// at start, after the warm-up and at the end, sampled inside the processes by bench/server-probe.ts.
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { benchIndex } from './ingest.ts'
import { defaultCacheBytes } from '../index-core/query/index.ts'
import type { ProbeSample } from './server-probe.ts'
import type { Row, Section } from './report.ts'

const QUERIES = [
  'protein',
  'mutation',
  'insulin',
  'macrophages',
  'cholesterol',
  'neurons',
  'breast cancer',
  'stem cells',
  'immune response',
  'blood pressure',
  'vitamin supplementation',
  'gene therapy',
  '"gene expression"',
  '"cell proliferation"',
  '"randomized trial"',
  '"risk factors"',
  'cells date:2010..2015',
  'cancer lang:en type:html',
  'protein AND (mouse OR mice)'
]
const CONNECTIONS = 16
/** RSS growth over the measured run, per process, that still counts as flat (GC timing moves RSS a little). */
const FLAT_FRACTION = 0.05

const MB = (b: number): number => Math.round(b / 1e6)

/** CPU time (user + system) of a process so far, in ms, from /proc (0 once it is gone). */
function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100 // clock ticks; 100 per second on Linux
  } catch {
    return 0
  }
}

/** Every sample the probe wrote, by process id. */
function readProbe(dir: string): Map<number, ProbeSample[]> {
  const out = new Map<number, ProbeSample[]>()
  for (const f of readdirSync(dir)) {
    const lines = readFileSync(path.join(dir, f), 'utf8')
      .split('\n')
      .filter(l => l !== '')
    const samples: ProbeSample[] = []
    for (const l of lines) {
      try {
        samples.push(JSON.parse(l) as ProbeSample)
      } catch {
        /* a line being written */
      }
    }
    if (samples.length > 0) out.set(samples[0].pid, samples)
  }
  return out
}

/** The sample taken right after the full collection asked for at time t (or the last before it). */
function afterGc(samples: ProbeSample[], t: number): ProbeSample {
  let s = samples[0]
  for (const x of samples) if (x.t <= t) s = x
  return samples.find(x => x.t >= t && x.afterGc === true) ?? s
}

/** Asks every server process for a full collection and a sample right after it; returns when it was asked. */
async function collect(dir: string): Promise<number> {
  const t = Date.now()
  for (const pid of readProbe(dir).keys()) {
    try {
      process.kill(pid, 'SIGUSR2')
    } catch {
      /* gone */
    }
  }
  await sleep(1500)
  return t
}

function peakRss(samples: ProbeSample[], from: number, to: number): number {
  let p = 0
  for (const x of samples) if (x.t >= from && x.t <= to) p = Math.max(p, x.rss)
  return p
}

const sleep = async (ms: number): Promise<void> => {
  await new Promise(resolve => setTimeout(resolve, ms))
}

export async function run({ quick }: { quick: boolean }): Promise<Section[]> {
  const N = quick ? 2000 : 20000
  const seconds = quick ? 10 : 60
  const warmup = quick ? 5 : 30
  const index = await benchIndex(N)
  const port = 20000 + Math.floor(Math.random() * 20000)
  const workers = os.availableParallelism()
  const probeDir = mkdtempSync(path.join(os.tmpdir(), 'canopy-load-probe-'))
  const load0 = os.loadavg()[0]
  const server = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      new URL('./server-probe.ts', import.meta.url).pathname,
      new URL('../bin/canopy.mjs', import.meta.url).pathname,
      'serve',
      '--index',
      index,
      '--port',
      String(port),
      '--workers',
      String(workers),
      '--rate-limit',
      '0'
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CANOPY_PROBE_DIR: probeDir } }
  )
  const base = `http://127.0.0.1:${port}`
  try {
    for (let i = 0; i < 300; i++) {
      const ok = await fetch(base + '/api/v1/health').then(
        r => r.ok,
        () => false
      )
      if (ok) break
      await sleep(100)
    }
    await sleep(1500) // every process up and sampled before any query
    const tStart = await collect(probeDir)
    const requests = QUERIES.map(q => ({ method: 'GET' as const, path: `/api/v1/search?q=${encodeURIComponent(q)}` }))
    // Warm-up: the same load, as a running service would have had it.
    const w = await autocannon({ url: base, connections: CONNECTIONS, duration: warmup, requests })
    const tWarm = await collect(probeDir)
    const pids = [...readProbe(probeDir).keys()]
    const cpu0 = new Map(pids.map(p => [p, cpuMs(p)]))
    const r = await autocannon({ url: base, connections: CONNECTIONS, duration: seconds, requests })
    const cpu1 = new Map(pids.map(p => [p, cpuMs(p)]))
    const tEnd = await collect(probeDir)
    const load1 = os.loadavg()[0]
    const errors = r.errors + r.timeouts + r.non2xx
    const serverCpu = pids.reduce((a, p) => a + (cpu1.get(p)! - cpu0.get(p)!), 0)
    const probes = readProbe(probeDir)
    const memRows: Row[] = []
    let flat = true
    let n = 0
    for (const [pid, s] of [...probes].sort((a, b) => (a[0] === server.pid ? 1 : 0) - (b[0] === server.pid ? 1 : 0) || a[0] - b[0])) {
      const primary = pid === server.pid && workers > 1
      const st = afterGc(s, tStart)
      const wu = afterGc(s, tWarm)
      const end = afterGc(s, tEnd)
      const growth = end.rss - wu.rss
      const heapGrowth = end.heapUsed - wu.heapUsed
      const peakWarm = peakRss(s, tStart, tWarm)
      const peakRun = peakRss(s, tWarm, tEnd)
      if (!primary && (growth > FLAT_FRACTION * wu.rss || heapGrowth > FLAT_FRACTION * wu.heapUsed || peakRun > (1 + FLAT_FRACTION) * peakWarm)) flat = false
      memRows.push({
        process: primary ? 'primary (forks the workers)' : `worker ${++n}`,
        'RSS start MB': MB(st.rss),
        'RSS after warm-up MB': MB(wu.rss),
        'RSS end MB': MB(end.rss),
        'RSS growth MB': MB(growth),
        'live heap start / warm-up / end MB': `${MB(st.heapUsed)} / ${MB(wu.heapUsed)} / ${MB(end.heapUsed)}`,
        'external start / warm-up / end MB': `${MB(st.external)} / ${MB(wu.external)} / ${MB(end.external)}`,
        'peak RSS in warm-up / run MB': `${MB(peakWarm)} / ${MB(peakRun)}`,
        'CPU s in run': Math.round((cpu1.get(pid)! - cpu0.get(pid)!) / 100) / 10
      })
    }
    const rows: Row[] = [
      {
        'requests/s (mean)': Math.round(r.requests.average),
        'latency p50 ms': r.latency.p50,
        'latency p99 ms': r.latency.p99,
        requests: r.requests.total,
        errors,
        'server CPU ms per request': Math.round((10 * serverCpu) / Math.max(1, r.requests.total)) / 10,
        'warm-up req/s': Math.round(w.requests.average),
        'memory flat after warm-up': flat ? 'yes' : 'no',
        floor: '≥ 200 req/s, 0 errors, no memory growth'
      }
    ]
    const shared = load0 > 0.5
    const title = `${QUERIES.length} mixed queries, ${CONNECTIONS} connections, against canopy serve (${workers} processes) on the ${N.toLocaleString('en-US')}-page crawl`
    return [
      {
        title: `Load test: ${title}, ${seconds} s after a ${warmup} s warm-up`,
        command: `npm run bench -- load${quick ? ' --quick' : ''}`,
        notes: [
          'autocannon on loopback, on the same cores as the server; each response carries 10 hits with snippets, capture lists and full facets. No result cache: every request runs the query. The per-client rate limit is off for this run (all connections come from one address).',
          `Server CPU per request: user + system time of the server processes during the measured run (from /proc), divided by the requests; less sensitive than requests/s to other work on the machine. Load average (1 min) before the server started: ${load0.toFixed(1)}, after the run: ${load1.toFixed(1)} (this run's server and autocannon included)${shared ? '; the machine was shared with other work, so requests/s and latency are lower than on an idle machine' : ''}.`
        ],
        rows
      },
      {
        title: `Memory of each server process (${title})`,
        command: `npm run bench -- load${quick ? ' --quick' : ''}`,
        notes: [
          `Read inside each process (bench/server-probe.ts, process.memoryUsage()) at three marks: "start" before the first query, "after warm-up" after ${warmup} s at full load, "end" after the ${seconds} s run. At each mark the bench has every server process run a full garbage collection first (the bench starts them with --expose-gc; the server itself never does), so the marks compare what a process retains (its caches, and any leak) rather than where the collector's sawtooth happened to be; live heap is V8's heap in use right after it. Peak RSS is the highest of the samples taken twice a second, without forcing anything. Growth is RSS at the end minus RSS after the warm-up; memory counts as flat when, for every worker, that growth, the live heap's growth and the rise of the run's peak RSS over the warm-up's are each at most ${FLAT_FRACTION * 100}%. Caches filling up to their bounds is expected during the warm-up: each process's query caches are bounded by bytes, a tenth of the machine's memory shared by the processes, at most 2 GiB each (here ${MB(defaultCacheBytes(workers))} MB per process), and this mix's working set is well below that.`
        ],
        rows: memRows
      }
    ]
  } finally {
    const pids = [...readProbe(probeDir).keys()].filter(p => p !== server.pid)
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise(resolve => server.once('exit', resolve))
      server.kill('SIGTERM')
      const killer = setTimeout(() => {
        server.kill('SIGKILL')
      }, 5000)
      await exited
      clearTimeout(killer)
    }
    // Workers that outlived their primary (it was killed): end them too.
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL')
      } catch {
        /* already gone */
      }
    }
    rmSync(probeDir, { recursive: true, force: true })
  }
}
