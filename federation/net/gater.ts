// Who may connect to an institution's node: a policy by identity, not by address. Behind noise every peer
// has proven its key, so an inbound connection is accepted once its peer id is known: a partner's (the
// peer id follows from the public key in partners.json), a bootstrap peer's, or anyone's when the node
// serves publicly. Outbound dials are not restricted here: the node dials only what it is asked to (partners,
// bootstrap peers, providers and DHT members the federation's DHT names).

import type { ConnectionGater, PeerId } from '@libp2p/interface'

/** The peer ids a node accepts connections from, re-read when a stranger knocks (partners change while serving). */
export interface PeerAllowList {
  has(peer: PeerId): Promise<boolean>
}

export function identityGater(opts: { public: boolean; allow: PeerAllowList }): ConnectionGater {
  if (opts.public) return {}
  return {
    denyInboundEncryptedConnection: async peer => !(await opts.allow.has(peer))
  }
}

/**
 * An allow list from fixed peer ids and a loader (partners.json), reloaded at most once per `minReloadMs` on
 * an unknown peer, so a partner added while serving is let in without letting strangers make us read files
 * at their pace.
 */
export function allowList(fixed: Iterable<string>, load: () => Promise<Iterable<string>>, minReloadMs = 1000): PeerAllowList {
  const always = new Set(fixed)
  let loaded = new Set<string>()
  let loadedAt = -Infinity
  let loading: Promise<void> | null = null
  const reload = async (): Promise<void> => {
    loading ??= (async () => {
      try {
        loaded = new Set(await load())
      } catch {
        // An unreadable partners.json lets in only the peers already known.
      } finally {
        loadedAt = performance.now()
        loading = null
      }
    })()
    await loading
  }
  return {
    async has(peer) {
      const p = peer.toString()
      if (always.has(p) || loaded.has(p)) return true
      if (performance.now() - loadedAt < minReloadMs) return false
      await reload()
      return loaded.has(p)
    }
  }
}
