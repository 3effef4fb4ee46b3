// The HTTP server: search, CDX, replay, the gateway, Delegated Routing, admin and the web page. What code outside
// the folder may use, by name.

export { IndexRegistry } from './registry.ts'
export { serverLogger } from './server-log.ts'
export { buildServer } from './server.ts'
