// A network guard for tests, loaded with `node --import ./test/net-guard.ts`: every outgoing TCP connection,
// UDP datagram and DNS query that is not to this machine (127.0.0.0/8, ::1, "localhost") is refused (the
// caller sees an ordinary network error) and reported, one line on stderr per refusal:
//   CANOPY-NET-GUARD-VIOLATION {"kind":"tcp-connect","target":"192.0.2.1:80","pid":123}
// so a parent test can fail on any. Importing it (for NET_GUARD_MARKER) installs it in that process too.

import dgram from 'node:dgram'
import dns from 'node:dns'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'
import { isLoopbackIp } from './loopback.ts'

export const NET_GUARD_MARKER = 'CANOPY-NET-GUARD-VIOLATION'

export interface NetGuardViolation {
  readonly kind: string
  readonly target: string
  readonly pid: number
}

const INSTALLED = Symbol.for('canopy.net-guard')
const violations: NetGuardViolation[] = []

/** Violations reported in this process. */
export function netGuardViolations(): readonly NetGuardViolation[] {
  return violations
}

/** The violations reported in some process's stderr text. */
export function violationsIn(stderr: string): NetGuardViolation[] {
  return stderr
    .split('\n')
    .filter(l => l.startsWith(NET_GUARD_MARKER + ' '))
    .map(l => JSON.parse(l.slice(NET_GUARD_MARKER.length + 1)) as NetGuardViolation)
}

function allowedHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '')
  return h === 'localhost' || h.endsWith('.localhost') || isLoopbackIp(h)
}

function refusal(kind: string, target: string): Error {
  const v: NetGuardViolation = { kind, target, pid: process.pid }
  violations.push(v)
  process.stderr.write(`${NET_GUARD_MARKER} ${JSON.stringify(v)}\n`)
  return Object.assign(new Error(`net guard: ${kind} to ${target} refused (tests reach loopback only)`), { code: 'ECONNREFUSED' })
}

/** Where a net.Socket#connect call goes; null for a local (IPC) socket. */
function connectTarget(args: unknown[]): { host: string; port: unknown } | null {
  let a = args[0]
  if (Array.isArray(a)) a = a[0] // net.connect passes its normalized arguments
  if (typeof a === 'object' && a !== null) {
    const o = a as { path?: unknown; host?: unknown; port?: unknown }
    if (typeof o.path === 'string' && o.path !== '') return null
    return { host: typeof o.host === 'string' && o.host !== '' ? o.host : 'localhost', port: o.port }
  }
  if (typeof a === 'string' && !/^\d+$/.test(a)) return null
  return { host: typeof args[1] === 'string' && args[1] !== '' ? args[1] : 'localhost', port: a }
}

function lastCallback(args: unknown[]): ((...a: unknown[]) => void) | undefined {
  const f = args[args.length - 1]
  return typeof f === 'function' ? (f as (...a: unknown[]) => void) : undefined
}

function install(): void {
  const tcpConnect = net.Socket.prototype.connect
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const t = connectTarget(args)
    if (t !== null && !allowedHost(t.host)) {
      const err = refusal('tcp-connect', `${t.host}:${String(t.port)}`)
      process.nextTick(() => this.destroy(err))
      return this
    }
    return (tcpConnect as (...a: unknown[]) => net.Socket).apply(this, args)
  } as typeof tcpConnect

  const udpSend = dgram.Socket.prototype.send
  dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]) {
    // send(msg, offset, length, port, address, cb) or send(msg, port, address, cb), as dgram tells them apart.
    const [, offset, length, port, address] = args
    const long = (address !== undefined && typeof address !== 'function') || (port !== undefined && port !== null && typeof port !== 'function')
    const host = long ? address : length
    if (typeof host === 'string' && host !== '' && !allowedHost(host)) {
      const err = refusal('udp-send', `${host}:${String(long ? port : offset)}`)
      const cb = lastCallback(args)
      process.nextTick(() => {
        if (cb !== undefined) cb(err)
        else this.emit('error', err)
      })
      return
    }
    return (udpSend as (...a: unknown[]) => void).apply(this, args)
  } as typeof udpSend

  const udpConnect = dgram.Socket.prototype.connect
  dgram.Socket.prototype.connect = function (this: dgram.Socket, ...args: unknown[]) {
    const host = typeof args[1] === 'string' ? args[1] : 'localhost'
    if (!allowedHost(host)) {
      const err = refusal('udp-connect', `${host}:${String(args[0])}`)
      const cb = lastCallback(args)
      process.nextTick(() => {
        if (cb !== undefined) cb(err)
        else this.emit('error', err)
      })
      return
    }
    return (udpConnect as (...a: unknown[]) => void).apply(this, args)
  } as typeof udpConnect

  // DNS: lookup (getaddrinfo) of anything but localhost names and loopback literals is refused; resolve*
  // and reverse always ask a DNS server, so they are refused whatever the name.
  const lookup = dns.lookup
  dns.lookup = function (this: unknown, ...args: unknown[]) {
    const host = String(args[0])
    if (!allowedHost(host)) {
      const err = refusal('dns-lookup', host)
      const cb = lastCallback(args)
      if (cb !== undefined) process.nextTick(() => cb(err))
      return {}
    }
    return (lookup as (...a: unknown[]) => unknown).apply(this, args)
  } as typeof dns.lookup
  const promiseLookup = dns.promises.lookup
  dns.promises.lookup = async function (this: unknown, ...args: unknown[]) {
    const host = String(args[0])
    if (!allowedHost(host)) throw refusal('dns-lookup', host)
    return await (promiseLookup as (...a: unknown[]) => Promise<unknown>).apply(this, args)
  } as typeof dns.promises.lookup
  const isQuery = (k: string): boolean => k.startsWith('resolve') || k === 'reverse' || k === 'lookupService'
  const refuseQueries = (target: Record<string, unknown>, promises: boolean): void => {
    for (const k of Object.getOwnPropertyNames(target)) {
      if (!isQuery(k) || typeof target[k] !== 'function') continue
      target[k] = promises
        ? async (...args: unknown[]) => {
            throw refusal(`dns-${k}`, String(args[0]))
          }
        : (...args: unknown[]) => {
            const err = refusal(`dns-${k}`, String(args[0]))
            const cb = lastCallback(args)
            if (cb !== undefined) process.nextTick(() => cb(err))
          }
    }
  }
  refuseQueries(dns as unknown as Record<string, unknown>, false)
  refuseQueries(dns.Resolver.prototype as unknown as Record<string, unknown>, false)
  refuseQueries(dns.promises as unknown as Record<string, unknown>, true)
  refuseQueries(dns.promises.Resolver.prototype as unknown as Record<string, unknown>, true)
  // ESM named imports of builtins (import { lookup } from 'node:dns') see the patched functions too.
  syncBuiltinESMExports()
}

const g = globalThis as Record<symbol, unknown>
if (g[INSTALLED] !== true) {
  g[INSTALLED] = true
  install()
}
