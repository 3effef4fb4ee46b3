// Whitespace collapsing and the capped text accumulator shared by the HTML and plain-text paths.

/**
 * Characters treated as word separators: JS \s (ASCII and Unicode spaces incl. NBSP and U+3000) plus the C0/C1
 * control characters, which are never visible and would otherwise glue to words or break tokenisers.
 */
const SEPARATORS = /[\s\u0000-\u001f\u007f-\u009f]+/g
/** What the fast path of TextBuilder.append cannot keep as is: a separator other than ' ', or ' ' before a separator. */
const DIRTY = /[^\S ]|[\u0000-\u001f\u007f-\u009f]| [\s\u0000-\u001f\u007f-\u009f]/g
/** Soft hyphens are invisible unless a line breaks there; dropping them keeps 'hyphen&shy;ation' one word. */
const SOFT_HYPHEN = /\u00ad/g

/**
 * Whether a UTF-16 code unit matches SEPARATORS (a test checks every code unit): C0 and C1 controls, and
 * ECMAScript's WhiteSpace and LineTerminator (space, NBSP, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
 * U+205F, U+3000, U+FEFF).
 */
export function isSeparator(c: number): boolean {
  if (c <= 0x20) return true
  if (c < 0x7f) return false
  if (c <= 0xa0) return true
  if (c < 0x1680) return false
  return c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
}

/** Collapses every run of whitespace/control characters to one space and trims. */
export function collapseWhitespace(s: string): string {
  return s.replace(SOFT_HYPHEN, '').replace(SEPARATORS, ' ').trim()
}

/** Cuts `s` to at most `max` UTF-16 code units without leaving half a surrogate pair at the end. */
export function truncateChars(s: string, max: number): string {
  if (s.length <= max) return s
  let end = max
  const c = s.charCodeAt(end - 1)
  if (c >= 0xd800 && c <= 0xdbff) end -= 1 // high surrogate whose partner would be cut off
  return s.slice(0, end)
}

/**
 * Accumulates text pieces into whitespace-collapsed text, with word boundaries that never produce double spaces,
 * and stops at a hard cap. Appending is O(piece length), so the whole build is linear in the input.
 */
export class TextBuilder {
  readonly max: number
  private readonly parts: string[] = []
  private length = 0
  /** A separator is owed before the next non-space piece (trailing whitespace or a block boundary). */
  private pendingSpace = false
  /** True once the cap was hit and something had to be dropped. */
  truncated = false

  constructor(max: number) {
    this.max = max
  }

  /** True when nothing more can be added. */
  get full(): boolean {
    return this.truncated || this.length >= this.max
  }

  get size(): number {
    return this.length
  }

  /** Appends raw text (entities already decoded); whitespace runs inside and around it collapse. */
  append(raw: string): void {
    if (raw.length === 0 || this.truncated) return
    if (raw.includes('\u00ad')) {
      this.appendCollapsed(raw.replace(SOFT_HYPHEN, '').replace(SEPARATORS, ' '))
      return
    }
    // Most pieces are words with single spaces between them and whitespace around them: those are trimmed with
    // one slice (or none) instead of a regex replace that copies every piece. Same result as appendCollapsed.
    const n = raw.length
    let a = 0
    while (a < n && isSeparator(raw.charCodeAt(a))) a++
    if (a === n) {
      this.pendingSpace = true
      return
    }
    let b = n
    while (isSeparator(raw.charCodeAt(b - 1))) b--
    // Dirty: a separator other than a lone ASCII space, from a on. A match found only in the trailing run (at b or
    // later; the -2 may count one there) just takes the regex path, which gives the same text.
    DIRTY.lastIndex = a
    const clean = !DIRTY.test(raw) || DIRTY.lastIndex - 2 >= b
    const inner = a === 0 && b === n ? raw : raw.slice(a, b)
    if (a > 0) this.pendingSpace = true
    this.appendWords(clean ? inner : inner.replace(SEPARATORS, ' '))
    if (b < n) this.pendingSpace = true
  }

  /** Appends text whose whitespace runs are already single spaces. */
  private appendCollapsed(collapsed: string): void {
    let s = collapsed
    if (s.length === 0) return
    if (s.charCodeAt(0) === 32) {
      this.pendingSpace = true
      s = s.slice(1)
    }
    let trailing = false
    if (s.length > 0 && s.charCodeAt(s.length - 1) === 32) {
      trailing = true
      s = s.slice(0, -1)
    }
    this.appendWords(s)
    if (trailing) this.pendingSpace = true
  }

  /** Appends text with no separator at either end (or nothing). */
  private appendWords(s: string): void {
    if (s.length > 0) {
      if (this.pendingSpace && this.length > 0) this.push(' ')
      this.pendingSpace = false
      this.push(s)
    }
  }

  /** Marks a word boundary (block element edge, <br>, table cell): the next text starts after a space. */
  boundary(): void {
    this.pendingSpace = true
  }

  private push(s: string): void {
    if (this.truncated) return
    const room = this.max - this.length
    if (s.length > room) {
      const cut = truncateChars(s, room)
      if (cut.length > 0) this.parts.push(cut)
      this.length += cut.length
      this.truncated = true
      return
    }
    this.parts.push(s)
    this.length += s.length
  }

  toString(): string {
    // A cut can end on the separator we just pushed; the result must stay trimmed.
    const s = this.parts.join('')
    return s.endsWith(' ') ? s.slice(0, -1) : s
  }
}
