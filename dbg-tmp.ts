import { startNode } from './federation/node.ts'
import { loadOrCreateIdentity } from './federation/identity.ts'
import { CID } from 'multiformats/cid'
import { readCarStream } from './federation/car.ts'
const dir = '/tmp/m13/dbgnode'
const id = await loadOrCreateIdentity(dir, 'dbg')
const node = await startNode({ indexDir: dir, identity: id, listen: [] } as any)
const s = node.dagStream(process.argv[2])!
const t0 = performance.now()
try {
  const body = await s(CID.parse('bafyreig65e2cvbfwovvuzjwg74komeh7z4ybsrqvid6tasiqgyfohjjzda'), AbortSignal.timeout(60000))
  console.log('headers in', performance.now() - t0)
  let n = 0
  await readCarStream(body, 2_000_000, undefined, async () => { n++ })
  console.log('blocks', n, 'ms', performance.now() - t0)
} catch (e) { console.log('ERR', e) }
await node.stop()
