// Doc values as a query reads them (facets, date order): each document's entry decoded once per view, its
// facet values interned to small integers, so that counting facets works on arrays, not string maps.

import type { DocValues } from '../index/index.ts'

/** Interns strings to small integers, so facet counting works on arrays, not string maps. */
export class Interner {
  readonly values: string[] = []
  readonly #ids = new Map<string, number>()
  /** Approximate memory of the interned strings and their tables. */
  bytes = 0
  id(v: string): number {
    let i = this.#ids.get(v)
    if (i === undefined) {
      i = this.values.length
      this.values.push(v)
      this.#ids.set(v, i)
      this.bytes += 64 + 2 * v.length
    }
    return i
  }
}

/** A document's doc values, decoded once per view, with its facet values interned. */
export interface DocValueEntry {
  /** First and last capture, seconds since 1970 (0: none). */
  readonly first: number
  readonly last: number
  /** False when the index holds no record of the document (a revisit of a page it does not have). */
  readonly record: boolean
  readonly site: number
  readonly type: number
  /** -1 when the language is unknown. */
  readonly lang: number
  readonly years: readonly number[]
  readonly institutions: readonly number[]
}

/** The interning tables of one view, one per facet. */
export interface FacetTables {
  readonly site: Interner
  readonly type: Interner
  readonly lang: Interner
  readonly year: Interner
  readonly institution: Interner
}

/** The entry of a document the doc-values tree does not hold (never a result). */
const NO_VALUES: DocValueEntry = Object.freeze({ first: 0, last: 0, record: false, site: -1, type: -1, lang: -1, years: [], institutions: [] })

/** Doc values by ordinal, with the facet tables their ids refer to; filled by a ReaderView as it reads them. */
export class DocValueTable {
  /** Doc values by ordinal (undefined: not read yet). */
  readonly values: Array<DocValueEntry | undefined> = []
  readonly facets: FacetTables = { site: new Interner(), type: new Interner(), lang: new Interner(), year: new Interner(), institution: new Interner() }
  /** Lists of ids (years, institutions) shared between entries: most documents have the same one or two. */
  readonly #lists = new Map<string, readonly number[]>()

  /** Records the doc values of ordinal o. */
  set(o: number, dv: DocValues): void {
    const f = this.facets
    const c = dv.content
    this.values[o] = {
      first: dv.first,
      last: dv.last,
      record: c !== null,
      site: c === null ? -1 : f.site.id(c.domain),
      type: c === null ? -1 : f.type.id(c.mime),
      lang: c === null || c.lang === '' ? -1 : f.lang.id(c.lang),
      years: this.#list(dv.years.map(y => f.year.id(String(y)))),
      institutions: this.#list(dv.institutions.map(i => f.institution.id(i)))
    }
  }

  /** Records that the index holds no doc values for ordinal o (never a result). */
  setMissing(o: number): void {
    this.values[o] = NO_VALUES
  }

  /** Approximate memory of the facet tables. */
  facetBytes(): number {
    let n = 0
    for (const t of Object.values(this.facets)) n += t.bytes
    return n
  }

  #list(ids: number[]): readonly number[] {
    const k = ids.join(',')
    const hit = this.#lists.get(k)
    if (hit !== undefined) return hit
    this.#lists.set(k, ids)
    return ids
  }
}
