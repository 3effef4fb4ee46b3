// One result per URL: matches grouped by the URL key their document keys start with, groups confirmed by the
// records' URLs where two URLs' keys collide.

import type { IndexReader, ReaderView } from '../query/index.ts'
import { urlKeyOfDoc, allInOrder } from '../query/index.ts'
import type { Matches } from './matches.ts'

/**
 * Matches grouped by URL: group of each match, and the number of groups. Matches ascend by document key and
 * a key starts with its URL key, so each run of equal URL keys starts as one group; a run found to hold two
 * URLs (their keys collide) is split by confirmUrls.
 */
export interface Grouping {
  readonly of: Int32Array
  count: number
  /** Groups whose documents are known to share one URL. */
  readonly confirmed: Set<number>
}

export function urlRuns(view: ReaderView, m: Matches): Grouping {
  const of = new Int32Array(m.n)
  let g = -1
  let prev = ''
  for (let i = 0; i < m.n; i++) {
    const u = urlKeyOfDoc(view.keys[m.ords[i]])
    if (i === 0 || u !== prev) {
      g++
      prev = u
    }
    of[i] = g
  }
  return { of, count: g + 1, confirmed: new Set() }
}

/**
 * Confirms that the groups of the selected matches each hold one URL, reading the records of groups with
 * several documents (versions of one URL sit side by side, so mostly in one block); a group holding two
 * URLs whose keys collide is split by URL. Returns whether any group was split (the page must be chosen
 * again).
 */
export async function confirmUrls(reader: IndexReader, view: ReaderView, m: Matches, groups: Grouping, selected: readonly number[]): Promise<boolean> {
  // The groups to check and their members first, then every record they need side by side (one round of
  // reads for a partner's index, not one per group).
  const toCheck: Array<{ g: number; members: number[] }> = []
  for (const i of selected) {
    const g = groups.of[i]
    if (groups.confirmed.has(g)) continue
    groups.confirmed.add(g)
    const u = urlKeyOfDoc(view.keys[m.ords[i]])
    let lo = i
    while (lo > 0 && urlKeyOfDoc(view.keys[m.ords[lo - 1]]) === u) lo--
    let hi = i + 1
    while (hi < m.n && urlKeyOfDoc(view.keys[m.ords[hi]]) === u) hi++
    const members: number[] = []
    for (let j = lo; j < hi; j++) if (groups.of[j] === g) members.push(j)
    if (members.length >= 2) toCheck.push({ g, members })
  }
  const surtsOf = await allInOrder(
    toCheck.map(async ({ members }) => await Promise.all(members.map(async j => (await reader.doc(view.keys[m.ords[j]]))?.surt ?? '')))
  )
  let split = false
  for (let c = 0; c < toCheck.length; c++) {
    const { g, members } = toCheck[c]
    const surts = surtsOf[c]
    const bySurt = new Map<string, number>()
    for (let x = 0; x < members.length; x++) {
      let id = bySurt.get(surts[x])
      if (id === undefined) {
        id = bySurt.size === 0 ? g : groups.count++
        bySurt.set(surts[x], id)
        groups.confirmed.add(id)
      }
      groups.of[members[x]] = id
    }
    split ||= bySurt.size > 1
  }
  return split
}
