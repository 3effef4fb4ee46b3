// Replay links in the wayback convention (pywb, OpenWayback, the Wayback Machine): <base>/<14-digit timestamp>/<url>.

export interface ReplayConfig {
  /** Replay base per institution; `*` is the default for institutions not listed. */
  readonly bases: Readonly<Record<string, string>>
}

export function replayLink (cfg: ReplayConfig, institution: string, timestamp: string, url: string): string | null {
  const base = cfg.bases[institution] ?? cfg.bases['*']
  if (base === undefined || !/^\d{14}$/.test(timestamp)) return null
  return `${base.replace(/\/+$/, '')}/${timestamp}/${url}`
}
