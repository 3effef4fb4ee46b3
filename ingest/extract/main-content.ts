// Main-content selection: which of a page's visible text is its body text. The rules are written out in
// docs/extraction.md; in short, in the spirit of Readability, jusText and trafilatura but fixed and simple:
//   - elements that are page furniture by their HTML or ARIA meaning (nav, aside, page-level header and
//     footer, landmark roles, dialogs, form controls), in-page links (skip links, tables of contents, "back to
//     top", footnote markers) and short cookie/consent notices are removed;
//   - link-dense blocks (at least half of their counted text inside links) are removed;
//   - when the page marks its main content (<main>, role=main) only that is kept. <article> is not used to
//     choose: a page holds several (teasers, comments, a newsletter promo), and taking them dropped real text
//     outside them on real pages (a home page's introduction);
//   - when the rules leave no text at all, they are relaxed in a fixed order (the link-density rule first, then
//     all of them: a page that is only a list of links keeps its links).
// The HTML tokenizer feeds text pieces with flags; decisions known only when an element ends (link density, a
// notice's size) are recorded as ranges of pieces, and the text is assembled once at the end: linear time.

import { TextBuilder, isSeparator } from './text.ts'

/** Piece flags. */
export const P_REMOVED = 1 // inside an element removed by meaning (nav, aside, ...)
export const P_MAIN = 2 // inside <main> or role=main
const P_BREAK = 4 // a word boundary comes before this piece

/** Visible text considered at most, in UTF-16 code units: four times the text cap, so selection has room. */
export const MAX_COLLECTED_CHARS_FACTOR = 4

/** Which rules produced the text. */
export type ContentLevel = 'main-content' | 'no-link-density' | 'all-visible'
/** Which part of the page the text came from. */
export type ContentRegion = 'main' | 'body'

export interface ContentText {
  text: string
  truncated: boolean
  level: ContentLevel
  region: ContentRegion
}

/** Counts the characters that are not separators (the units link density is measured in). */
export function countVisible(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) if (!isSeparator(s.charCodeAt(i))) n++
  return n
}

/**
 * The pieces of the page being collected, and their flags and weights, kept from page to page (one page is
 * collected at a time in a thread: extraction is synchronous). A large page has hundreds of thousands of pieces,
 * and arrays that grow to that size anew for every page are reallocated into fresh memory many times over (the
 * first write to each new page of memory is a page fault: a tenth of an ingest's faults came from these arrays).
 */
let scratchPieces: string[] = []
let scratchFlags: Int32Array = new Int32Array(1024)
let scratchWeights: Int32Array = new Int32Array(1024)
let scratchOwner: object | null = null

/** Collects visible text pieces and the ranges later rules remove, then assembles the body text. */
export class ContentCollector {
  private readonly pieces: string[]
  private flags: Int32Array
  private weights: Int32Array
  private n = 0
  /** Ranges of pieces removed when an element ended: start, end (exclusive) pairs. */
  private readonly removedRanges: number[] = []
  private readonly denseRanges: number[] = []
  private pendingBreak = false
  /** Collected UTF-16 code units. */
  private collected = 0
  private readonly maxCollected: number
  /** True once visible text was left out for being past maxCollected. */
  overflowed = false

  constructor(maxCollected: number) {
    this.maxCollected = maxCollected
    // The scratch arrays go to the newest collector; an older one still in use (none in extraction) keeps its own.
    if (scratchOwner !== null) {
      scratchPieces = []
      scratchFlags = new Int32Array(1024)
      scratchWeights = new Int32Array(1024)
    }
    scratchOwner = this
    this.pieces = scratchPieces
    this.flags = scratchFlags
    this.weights = scratchWeights
  }

  /** Lets the next collector reuse the arrays, emptied of this page's strings (their memory stays allocated). */
  private release(): void {
    if (scratchOwner !== this) return
    this.pieces.fill('', 0, this.n)
    scratchFlags = this.flags
    scratchWeights = this.weights
    scratchOwner = null
  }

  get full(): boolean {
    return this.overflowed
  }

  /** Index the next piece will have: an element's range starts here. */
  get mark(): number {
    return this.n
  }

  boundary(): void {
    this.pendingBreak = true
  }

  /** Adds a visible piece; returns its count of non-space characters (0 once full). */
  add(s: string, flags: number): number {
    if (this.overflowed || s.length === 0) return 0
    if (this.collected + s.length > this.maxCollected) {
      this.overflowed = true
      return 0
    }
    const w = countVisible(s)
    const i = this.n++
    if (i === this.flags.length) {
      this.flags = grown(this.flags)
      this.weights = grown(this.weights)
    }
    if (i < this.pieces.length) this.pieces[i] = s
    else this.pieces.push(s)
    this.flags[i] = flags | (this.pendingBreak ? P_BREAK : 0)
    this.weights[i] = w
    this.pendingBreak = false
    this.collected += s.length
    return w
  }

  /** Pieces from `start` to now are removed by meaning (a notice found to be short once it ended). */
  removeSince(start: number): void {
    if (start < this.n) this.removedRanges.push(start, this.n)
  }

  /** Pieces from `start` to now are a link-dense block. */
  denseSince(start: number): void {
    if (start < this.n) this.denseRanges.push(start, this.n)
  }

  /**
   * The body text under the strictest rules that leave any, capped at `maxChars`; the collector is spent.
   * Relaxing only when nothing is left (not below some length, as Readability does under 500 characters) keeps a
   * short page's navigation out of it: a 'Page not found' under a menu of 40 links stays one sentence.
   */
  finish(maxChars: number): ContentText {
    const n = this.n
    const removed = cover(this.removedRanges, n)
    const dense = cover(this.denseRanges, n)
    const strict = new Uint8Array(n)
    const relaxed = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      const r = removed[i] > 0 || (this.flags[i] & P_REMOVED) !== 0
      relaxed[i] = r ? 0 : 1
      strict[i] = r || dense[i] > 0 ? 0 : 1
    }
    let level: ContentLevel = 'main-content'
    let pick = this.select(strict)
    if (pick.weight === 0) {
      level = 'no-link-density'
      pick = this.select(relaxed)
    }
    if (pick.weight === 0) {
      level = 'all-visible'
      pick = this.select(new Uint8Array(n).fill(1))
    }
    const { text, truncated } = this.assemble(pick.keep, pick.region, maxChars)
    this.release()
    return { text, truncated: truncated || this.overflowed, level, region: pick.region }
  }

  /** The region to take from the kept pieces, and how much text it has. */
  private select(keep: Uint8Array): { keep: Uint8Array; region: ContentRegion; weight: number } {
    let main = 0
    let all = 0
    for (let i = 0; i < this.n; i++) {
      if (keep[i] === 0) continue
      const w = this.weights[i]
      all += w
      if (this.flags[i] & P_MAIN) main += w
    }
    return main > 0 ? { keep, region: 'main', weight: main } : { keep, region: 'body', weight: all }
  }

  private assemble(keep: Uint8Array, region: ContentRegion, maxChars: number): { text: string; truncated: boolean } {
    const want = region === 'main' ? P_MAIN : 0
    const out = new TextBuilder(maxChars)
    let gap = false
    for (let i = 0; i < this.n && !out.full; i++) {
      const f = this.flags[i]
      if (keep[i] === 0 || (want !== 0 && (f & want) === 0)) {
        // What was left out separates the words on either side of it.
        gap = true
        continue
      }
      if (gap || (f & P_BREAK) !== 0) out.boundary()
      gap = false
      out.append(this.pieces[i])
    }
    return { text: out.toString(), truncated: out.truncated }
  }
}

/** `a` copied into an array twice as long. */
function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(2 * a.length)
  b.set(a)
  return b
}

/** For each of n pieces, how many of the [start, end) ranges hold it. */
function cover(ranges: readonly number[], n: number): Int32Array {
  const diff = new Int32Array(n + 1)
  for (let i = 0; i < ranges.length; i += 2) {
    diff[ranges[i]]++
    diff[ranges[i + 1]]--
  }
  let run = 0
  for (let i = 0; i < n; i++) {
    run += diff[i]
    diff[i] = run
  }
  return diff
}
