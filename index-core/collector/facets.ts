// Facet counts over the whole result set (site, year, type, language, institution), from doc values.

import type { ReaderView, FacetValue } from '../query/index.ts'
import type { Matches } from './matches.ts'

const FACET_LIMIT = 20

function counted(values: readonly string[], counts: Uint32Array): FacetValue[] {
  const out: FacetValue[] = []
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0) out.push({ value: values[i], count: counts[i] })
  return out
}

export function facetsOf(view: ReaderView, m: Matches): Record<string, FacetValue[]> {
  const f = view.facets
  const site = new Uint32Array(f.site.values.length)
  const type = new Uint32Array(f.type.values.length)
  const langs = new Uint32Array(f.lang.values.length)
  const year = new Uint32Array(f.year.values.length)
  const inst = new Uint32Array(f.institution.values.length)
  const values = view.values
  for (let i = 0; i < m.n; i++) {
    const e = values[m.ords[i]]!
    site[e.site]++
    type[e.type]++
    if (e.lang >= 0) langs[e.lang]++
    for (const y of e.years) year[y]++
    for (const x of e.institutions) inst[x]++
  }
  const top = (v: FacetValue[]): FacetValue[] => v.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)).slice(0, FACET_LIMIT)
  return {
    site: top(counted(f.site.values, site)),
    year: counted(f.year.values, year).sort((a, b) => (a.value < b.value ? -1 : 1)),
    type: top(counted(f.type.values, type)),
    lang: top(counted(f.lang.values, langs)),
    institution: top(counted(f.institution.values, inst))
  }
}
