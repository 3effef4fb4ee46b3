// Ingest split across machines, against one ingest of the same crawl, in one run: N `canopy` processes (each
// its own key and loopback address, one worker each) ingest a share of the crawl files and serve their index
// over libp2p; the institution's node follows them as shares, fetches and merges them over the network into
// its own index (`merge --head`). Reports wall time of each phase, the bytes moved, and whether the root is
// the single ingest's. On one machine the shares compete for its cores, so the split's speed-up here is
// bounded by them; across machines each share has its own.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { BENCH_DIR, largeCrawl } from './ingest.ts'
import type { Row, Section } from './report.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CLI = path.join(ROOT, 'bin/canopy.mjs')
const REAL_CORPUS = path.join(BENCH_DIR, 'real-corpus')

async function canopy(args: string[]): Promise<string> {
  return await new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString()
    })
    p.on('close', code => {
      if (code === 0) resolve(out)
      else reject(new Error(`canopy ${args.join(' ')} exited ${String(code)}: ${err}`))
    })
  })
}
const json = async <T>(args: string[]): Promise<T> => JSON.parse(await canopy([...args, '--json'])) as T

async function daemon(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  return await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = ready.exec(out)
      if (m !== null) resolve({ child, match: m })
    })
    child.on('close', code => {
      reject(new Error(`canopy ${args.join(' ')} exited ${String(code)} before it was ready`))
    })
  })
}

/** Shares of the files with about equal bytes each (largest first, to the lightest share). */
async function shares(files: readonly string[], n: number): Promise<string[][]> {
  const sized = await Promise.all(files.map(async f => ({ f, size: (await stat(f)).size })))
  sized.sort((a, b) => b.size - a.size || (a.f < b.f ? -1 : 1))
  const out = Array.from({ length: n }, () => ({ files: [] as string[], bytes: 0 }))
  for (const x of sized) {
    const s = out.reduce((a, b) => (b.bytes < a.bytes ? b : a))
    s.files.push(x.f)
    s.bytes += x.size
  }
  return out.map(s => s.files.sort())
}

interface Ingested {
  root: string
  stats: { documents: number }
}

/** How the institution reaches its shares: their libp2p nodes (bitswap), or their HTTP gateways (canopy serve). */
type Transport = 'libp2p' | 'gateway'

async function measureSplit(files: readonly string[], n: number, work: string, transport: Transport): Promise<Row> {
  const parts = await shares(files, n)
  const t0 = performance.now()
  await Promise.all(
    parts.map(async (p, i) => {
      await json<Ingested>(['ingest', ...p, '--index', path.join(work, `share${i}`), '--institution', 'bench', '--workers', '1'])
      await json(['publish', '--index', path.join(work, `share${i}`), '--institution', 'bench'])
    })
  )
  const ingested = performance.now() - t0
  const served = await Promise.all(
    parts.map(async (_, i) =>
      transport === 'libp2p'
        ? await daemon(
            ['publish', '--index', path.join(work, `share${i}`), '--serve', '--listen', `/ip4/127.0.0.${i + 2}/tcp/0`, '--public'],
            /listening: (\S+)\n/
          )
        : await daemon(
            ['serve', '--index', path.join(work, `share${i}`), '--host', `127.0.0.${i + 2}`, '--port', '0', '--workers', '1', '--rate-limit', '0'],
            /Canopy API at (http:\/\/[^/\s]+)\//
          )
    )
  )
  try {
    const me = path.join(work, 'institution')
    for (const [i, s] of served.entries()) {
      const key = (await json<{ publicKey: string }>(['publish', '--index', path.join(work, `share${i}`)])).publicKey
      await canopy(['partners', 'add', `share${i}`, '--key', key, transport === 'libp2p' ? '--addr' : '--gateway', s.match[1], '--share', '--index', me])
    }
    const t1 = performance.now()
    await canopy(['fetch', '--institution', 'bench', '--index', me])
    const merged = await json<{ index: string; documents: number; blocksFetched: number }>([
      'merge',
      ...parts.map((_, i) => `share${i}`),
      '--head',
      '--institution',
      'bench',
      '--index',
      me
    ])
    const mergeMs = performance.now() - t1
    return {
      root: merged.index,
      'shares ingest ms (in parallel)': Math.round(ingested),
      'fetch + merge over the network ms': Math.round(mergeMs),
      'total ms': Math.round(ingested + mergeMs),
      'blocks fetched': merged.blocksFetched,
      documents: merged.documents
    }
  } finally {
    // Stopped and waited for: a node still writing its datastore would make the work folder's removal fail.
    await Promise.all(
      served.map(async s => {
        if (s.child.exitCode !== null || s.child.signalCode !== null) return
        const closed = new Promise(resolve => s.child.once('close', resolve))
        s.child.kill('SIGTERM')
        await closed
      })
    )
  }
}

export async function run({ quick }: { quick: boolean }): Promise<Section[]> {
  // CANOPY_SPLIT_TRANSPORTS=gateway (or libp2p) runs one of them only.
  const transports = (process.env.CANOPY_SPLIT_TRANSPORTS ?? 'gateway,libp2p').split(',') as Transport[]
  const real = (await readdir(REAL_CORPUS).catch(() => [] as string[]))
    .filter(f => f.endsWith('.warc.gz'))
    .sort()
    .map(f => path.join(REAL_CORPUS, f))
  const files = real.length > 0 && !quick ? real : [await largeCrawl(quick ? 2000 : 20000)]
  const what = real.length > 0 && !quick ? `the real-page corpus (${real.length} files)` : 'the generated crawl'
  const work = path.join(BENCH_DIR, 'split-work')
  const rows: Row[] = []
  await rm(work, { recursive: true, force: true })
  try {
    const t0 = performance.now()
    const single = await json<Ingested>(['ingest', ...files, '--index', path.join(work, 'single'), '--institution', 'bench', '--workers', '2'])
    const singleMs = performance.now() - t0
    rows.push({ case: 'one ingest, 2 workers', 'total ms': Math.round(singleMs), documents: single.stats.documents, 'same root': 'yes' })
    const cases: Array<[number, Transport]> =
      files.length >= 3
        ? [
            [2, 'gateway'],
            [3, 'gateway'],
            [2, 'libp2p'],
            [3, 'libp2p']
          ]
        : [
            [1, 'gateway'],
            [1, 'libp2p']
          ]
    for (const [n, transport] of cases.filter(([, t]) => transports.includes(t))) {
      const r = await measureSplit(files, n, path.join(work, `split${n}-${transport}`), transport)
      const { root, ...rest } = r
      const over = transport === 'libp2p' ? 'libp2p (CARs over HTTP over libp2p)' : 'HTTP (trustless gateway, CARs)'
      rows.push({
        case: `${n} shares, 1 worker each, merged over ${over}`,
        ...rest,
        'ratio to one ingest': Number(((r['total ms'] as number) / singleMs).toFixed(2)),
        'same root': root === single.root ? 'yes' : 'NO'
      })
    }
  } finally {
    await rm(work, { recursive: true, force: true, maxRetries: 5 })
  }
  return [
    {
      title: `Ingest split across processes, merged over the network, against one ingest (${what})`,
      command: `npm run bench -- split${quick ? ' --quick' : ''}`,
      notes: [
        'Every process on this 2-core machine, each share on its own loopback address (127.0.0.2, .3, ...). "shares ingest" includes each share\'s publish; "fetch + merge" is the institution resolving each share\'s manifest, then merging them into its own index with every block fetched from each share\'s libp2p node or from its HTTP gateway (canopy serve): the top of each share\'s DAG block by block (bitswap or raw blocks), the rest as one CAR stream per share (federation/blocks/dag-copy.ts). "same root": the merged root equals the single ingest\'s.'
      ],
      rows
    }
  ]
}
