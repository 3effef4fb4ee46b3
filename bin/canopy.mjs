#!/usr/bin/env node
// The `canopy` command. Plain JavaScript so that Node's compile cache is on before the first TypeScript file is
// read: compiled code and type-stripped source are then kept on disk between runs (NODE_COMPILE_CACHE, else the
// system's temporary folder), and a short command neither strips the same files again nor loads the stripper
// (about 0.1 s of a small ingest's start-up). NODE_DISABLE_COMPILE_CACHE=1 turns it off.
import { enableCompileCache } from 'node:module'

enableCompileCache()
await import('./cli.ts')
