// Prometheus metrics (prom-client, on a registry of our own): requests and latencies by route, index sizes,
// and the block reads and cache hits of every served index.
import client from 'prom-client'
import type { FastifyInstance } from 'fastify'
import type { IndexRegistry } from './registry.ts'

export function installMetrics(app: FastifyInstance, registry: IndexRegistry): client.Registry {
  const reg = new client.Registry()
  client.collectDefaultMetrics({ register: reg })
  const requests = new client.Counter({
    name: 'canopy_http_requests_total',
    help: 'HTTP requests',
    labelNames: ['route', 'method', 'status'],
    registers: [reg]
  })
  const latency = new client.Histogram({
    name: 'canopy_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [reg]
  })
  const perIndex = (name: string, help: string, read: (i: ReturnType<IndexRegistry['list']>[number]) => number | Promise<number>): void => {
    new client.Gauge({
      name,
      help,
      labelNames: ['index'],
      registers: [reg],
      async collect() {
        for (const i of registry.list()) this.set({ index: i.name }, await read(i))
      }
    })
  }
  perIndex('canopy_index_documents', 'Documents in the index', i => i.reader.stats.documents)
  perIndex('canopy_index_captures', 'Captures in the index', i => i.reader.stats.captures)
  perIndex('canopy_index_postings', 'Postings in the index', async i => await i.reader.postingCount())
  perIndex('canopy_blocks_read_total', 'Blocks read from the block store', i => i.reader.store.stats.nodesRead)
  perIndex('canopy_block_bytes_read_total', 'Bytes read from the block store', i => i.reader.store.stats.bytesRead)
  perIndex('canopy_block_cache_hits_total', 'Block cache hits', i => i.reader.store.stats.cacheHits)

  // The process's query caches (shared by every index served), each bounded by approximate bytes.
  new client.Gauge({
    name: 'canopy_query_cache_bytes',
    help: 'Approximate memory held by the query caches, by cache',
    labelNames: ['cache'],
    registers: [reg],
    collect() {
      const s = registry.caches.stats
      this.set({ cache: 'nodes' }, s.nodes.bytes)
      this.set({ cache: 'postings' }, s.postings.bytes)
      this.set({ cache: 'docvalues' }, s.docValues.bytes)
      this.set({ cache: 'text' }, s.text.bytes)
    }
  })
  new client.Gauge({
    name: 'canopy_query_cache_limit_bytes',
    help: 'Byte bound of each query cache',
    labelNames: ['cache'],
    registers: [reg],
    collect() {
      const b = registry.caches.budget
      this.set({ cache: 'nodes' }, b.nodes)
      this.set({ cache: 'postings' }, b.postings)
      this.set({ cache: 'docvalues' }, b.docValues)
      this.set({ cache: 'text' }, b.text)
    }
  })
  new client.Gauge({
    name: 'canopy_posting_cache_lookups_total',
    help: 'Posting-list cache lookups, by result',
    labelNames: ['result'],
    registers: [reg],
    collect() {
      const s = registry.caches.stats.postings
      this.set({ result: 'hit' }, s.hits)
      this.set({ result: 'miss' }, s.misses)
    }
  })

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched'
    requests.inc({ route, method: req.method, status: String(reply.statusCode) })
    latency.observe({ route }, reply.elapsedTime / 1000)
  })
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => await reply.type(reg.contentType).send(await reg.metrics()))
  return reg
}
