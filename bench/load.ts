// Load test (autocannon, loopback only): the mixed query load against `canopy serve` on the large generated
// crawl for 60 seconds: requests/s, latency, errors, and the server's memory before and after.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import autocannon from 'autocannon'
import { benchIndex } from './ingest.ts'
import type { Row, Section } from './report.ts'

const QUERIES = [
  'protein', 'mutation', 'insulin', 'macrophages', 'cholesterol', 'neurons',
  'breast cancer', 'stem cells', 'immune response', 'blood pressure', 'vitamin supplementation', 'gene therapy',
  '"gene expression"', '"cell proliferation"', '"randomized trial"', '"risk factors"',
  'cells date:2010..2015', 'cancer lang:en type:html', 'protein AND (mouse OR mice)'
]

/** Resident memory of a process and its children (the cluster's workers), from /proc. */
function rssOfTree (pid: number): number {
  const kids = (p: number): number[] => {
    try {
      const tasks = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim()
      return tasks === '' ? [] : tasks.split(/\s+/).map(Number)
    } catch { return [] }
  }
  let total = 0
  const stack = [pid]
  while (stack.length > 0) {
    const p = stack.pop()!
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))
      if (m !== null) total += Number(m[1]) * 1024
    } catch { /* gone */ }
    stack.push(...kids(p))
  }
  return total
}

export async function run ({ quick }: { quick: boolean }): Promise<Section[]> {
  const N = quick ? 2000 : 20000
  const seconds = quick ? 10 : 60
  const index = await benchIndex(N)
  const port = 20000 + Math.floor(Math.random() * 20000)
  const workers = availableParallelism()
  const server = spawn(process.execPath, [new URL('../bin/canopy.ts', import.meta.url).pathname, 'serve', '--index', index, '--port', String(port), '--workers', String(workers), '--rate-limit', '0'], { stdio: ['ignore', 'ignore', 'inherit'] })
  const base = `http://127.0.0.1:${port}`
  try {
    for (let i = 0; i < 200; i++) {
      const ok = await fetch(base + '/api/v1/health').then(r => r.ok, () => false)
      if (ok) break
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    const requests = QUERIES.map(q => ({ method: 'GET' as const, path: `/api/v1/search?q=${encodeURIComponent(q)}` }))
    // Warm every process's caches with the mix first (as a running service would be).
    await autocannon({ url: base, connections: 4, amount: QUERIES.length * workers * 4, requests })
    const memBefore = rssOfTree(server.pid!)
    const r = await autocannon({ url: base, connections: 16, duration: seconds, requests })
    const memAfter = rssOfTree(server.pid!)
    const errors = r.errors + r.timeouts + r.non2xx
    const rows: Row[] = [{
      'requests/s (mean)': Math.round(r.requests.average),
      'latency p50 ms': r.latency.p50,
      'latency p99 ms': r.latency.p99,
      requests: r.requests.total,
      errors,
      'server RSS before MB': Math.round(memBefore / 1e6),
      'server RSS after MB': Math.round(memAfter / 1e6),
      'floor': '≥ 200 req/s, 0 errors, no memory growth'
    }]
    return [{
      title: `Load test: ${QUERIES.length} mixed queries for ${seconds} s, 16 connections, against canopy serve (${workers} processes) on the ${N.toLocaleString('en-US')}-page crawl`,
      command: `npm run bench -- load${quick ? ' --quick' : ''}`,
      notes: ['autocannon on loopback; each response carries 10 hits with snippets, capture lists and full facets. No result cache: every request runs the query. The per-client rate limit is off for this run (all connections come from one address).'],
      rows
    }]
  } finally {
    server.kill('SIGTERM')
    const killer = setTimeout(() => { server.kill('SIGKILL') }, 5000)
    await new Promise(resolve => server.once('exit', resolve))
    clearTimeout(killer)
  }
}
