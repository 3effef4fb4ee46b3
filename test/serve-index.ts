// A test fixture apart from helpers.ts, so that only the tests that serve HTTP load the server.
import { IndexRegistry, buildServer } from '../search-api/index.ts'
import type { ServerOptions } from '../search-api/server.ts'

/** A real server (fastify, on a loopback port) over one local index, and how to stop it. */
export interface Served {
  readonly base: string
  close(): Promise<void>
}

export async function serveIndex(name: string, dir: string, opts: Omit<ServerOptions, 'registry'> = {}): Promise<Served> {
  const registry = await IndexRegistry.open([{ name, kind: 'local', path: dir }])
  const app = await buildServer({ registry, ...opts })
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    base,
    close: async () => {
      await app.close()
      await registry.close()
    }
  }
}
