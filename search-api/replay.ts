// Replay links: Canopy's own viewer (replay/routes.ts) by default, or an outside replay tool's in the wayback
// convention (pywb, OpenWayback, the Wayback Machine): <base>/<14-digit timestamp>/<url>.

export interface ReplayConfig {
  /** Outside replay base per institution; `*` is the default for institutions not listed. Others replay in Canopy. */
  readonly bases: Readonly<Record<string, string>>
}

/** Where a capture replays: an outside tool configured for its institution, else Canopy's viewer over `index`. */
export function replayLink(cfg: ReplayConfig, institution: string, timestamp: string, url: string, index?: string): string | null {
  if (!/^\d{14}$/.test(timestamp)) return null
  const base = cfg.bases[institution] ?? cfg.bases['*']
  if (base !== undefined) return `${base.replace(/\/+$/, '')}/${timestamp}/${url}`
  // Canopy's viewer replays web pages only: a capture of a javascript: or data: URL is shown, not linked.
  if (index === undefined || !/^https?:\/\//i.test(url)) return null
  return `/view?${new URLSearchParams({ index, ts: timestamp, url }).toString()}`
}
