// WARC-Date normalisation. Writers use W3C-DTF with or without fractional seconds, lower-case t/z, numeric zone
// offsets, and sometimes 14-digit ARC timestamps; all become 'YYYY-MM-DDTHH:MM:SSZ'. Anything ambiguous (no zone)
// or impossible (day 65, 7-digit years) is rejected rather than guessed.

const DTF = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/
const DATE_ONLY = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/
const ARC14 = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate()
}

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, offsetMin: number): string | null {
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) return null
  if (s === 60) s = 59 // leap second: keep the minute rather than roll into the next one
  const t = Date.UTC(y, mo - 1, d, h, mi, s) - offsetMin * 60_000
  return new Date(t).toISOString().slice(0, 19) + 'Z'
}

/** 'YYYY-MM-DDTHH:MM:SSZ' in UTC, or null when the value is not a usable date. */
export function normalizeWarcDate(raw: string | null | undefined): string | null {
  if (!raw) return null
  const s = raw.trim()
  let m = DTF.exec(s)
  if (m) {
    let offset = 0
    if (!m[7]) {
      const oh = Number(m[9])
      const om = Number(m[10])
      if (oh > 23 || om > 59) return null
      offset = (m[8] === '-' ? -1 : 1) * (oh * 60 + om)
    }
    return build(+m[1], +m[2], +m[3], +m[4], +m[5], m[6] ? +m[6] : 0, offset)
  }
  m = ARC14.exec(s)
  if (m) return build(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6], 0)
  m = DATE_ONLY.exec(s)
  if (m) return build(+m[1], m[2] ? +m[2] : 1, m[3] ? +m[3] : 1, 0, 0, 0, 0)
  return null
}
