// Collects benchmark figures into markdown tables, printed and written to bench/results/latest.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'

export interface Row {
  readonly [column: string]: string | number
}

export interface Section {
  readonly title: string
  readonly command: string
  readonly notes?: string[]
  readonly rows: Row[]
}

function fmt(v: string | number): string {
  if (typeof v === 'string') return v
  if (Number.isInteger(v)) return v.toLocaleString('en-US')
  return v.toLocaleString('en-US', { maximumFractionDigits: Math.abs(v) < 10 ? 3 : 1 })
}

export function table(rows: Row[]): string {
  if (rows.length === 0) return '(no rows)\n'
  const cols = [...new Set(rows.flatMap(r => Object.keys(r)))]
  const lines = [`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`]
  for (const r of rows) lines.push(`| ${cols.map(c => (r[c] === undefined ? '' : fmt(r[c]))).join(' | ')} |`)
  return lines.join('\n') + '\n'
}

function machine(): string {
  return `${new Date().toISOString()} · Node ${process.version} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`
}

export function render(sections: Section[]): string {
  return (
    `_${machine()}_\n` +
    sections.map(s => `\n## ${s.title}\n\nCommand: \`${s.command}\`\n\n${table(s.rows)}${(s.notes ?? []).map(n => `\n${n}\n`).join('')}`).join('')
  )
}

/**
 * Writes each suite's sections to results/<suite>.md, then results/latest.md as all suites' latest
 * results in a fixed order, so running one suite does not lose the others' figures. Returns what was run.
 */
export function writeReport(bySuite: ReadonlyArray<{ suite: string; sections: Section[] }>, order: readonly string[]): string {
  const dir = new URL('./results/', import.meta.url)
  mkdirSync(dir, { recursive: true })
  let ran = ''
  for (const { suite, sections } of bySuite) {
    const md = render(sections)
    writeFileSync(new URL(`${suite}.md`, dir), md)
    ran += md
  }
  const parts = order.filter(s => existsSync(new URL(`${s}.md`, dir))).map(s => readFileSync(new URL(`${s}.md`, dir), 'utf8'))
  writeFileSync(new URL('latest.md', dir), '# Canopy benchmark results\n\n' + parts.join('\n'))
  return ran
}

/** `a` as a percentage of `b`, one decimal. */
export function pct(a: number, b: number): string {
  return `${((100 * a) / b).toFixed(1)}%`
}

/** Bytes in whole KiB. */
export function kb(n: number): number {
  return Math.round(n / 1024)
}

/** The middle value (the upper one of an even count). */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
}
