// Whitespace collapsing and the capped text accumulator shared by the HTML and plain-text paths.

/**
 * Characters treated as word separators: JS \s (ASCII and Unicode spaces incl. NBSP and U+3000) plus the C0/C1
 * control characters, which are never visible and would otherwise glue to words or break tokenisers.
 */
const SEPARATORS = /[\s\u0000-\u001f\u007f-\u009f]+/g;
/** Soft hyphens are invisible unless a line breaks there; dropping them keeps 'hyphen&shy;ation' one word. */
const SOFT_HYPHEN = /\u00ad/g;

/** Collapses every run of whitespace/control characters to one space and trims. */
export function collapseWhitespace(s: string): string {
  return s.replace(SOFT_HYPHEN, '').replace(SEPARATORS, ' ').trim();
}

/** Cuts `s` to at most `max` UTF-16 code units without leaving half a surrogate pair at the end. */
export function truncateChars(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end -= 1; // high surrogate whose partner would be cut off
  return s.slice(0, end);
}

/**
 * Accumulates text pieces into whitespace-collapsed text, with word boundaries that never produce double spaces,
 * and stops at a hard cap. Appending is O(piece length), so the whole build is linear in the input.
 */
export class TextBuilder {
  readonly max: number;
  private readonly parts: string[] = [];
  private length = 0;
  /** A separator is owed before the next non-space piece (trailing whitespace or a block boundary). */
  private pendingSpace = false;
  /** True once the cap was hit and something had to be dropped. */
  truncated = false;

  constructor(max: number) {
    this.max = max;
  }

  /** True when nothing more can be added. */
  get full(): boolean {
    return this.truncated || this.length >= this.max;
  }

  get size(): number {
    return this.length;
  }

  /** Appends raw text (entities already decoded); whitespace runs inside and around it collapse. */
  append(raw: string): void {
    if (raw.length === 0 || this.truncated) return;
    let s = (raw.includes('\u00ad') ? raw.replace(SOFT_HYPHEN, '') : raw).replace(SEPARATORS, ' ');
    if (s.length === 0) return;
    if (s.charCodeAt(0) === 32) {
      this.pendingSpace = true;
      s = s.slice(1);
    }
    let trailing = false;
    if (s.length > 0 && s.charCodeAt(s.length - 1) === 32) {
      trailing = true;
      s = s.slice(0, -1);
    }
    if (s.length > 0) {
      if (this.pendingSpace && this.length > 0) this.push(' ');
      this.pendingSpace = false;
      this.push(s);
    }
    if (trailing) this.pendingSpace = true;
  }

  /** Marks a word boundary (block element edge, <br>, table cell): the next text starts after a space. */
  boundary(): void {
    this.pendingSpace = true;
  }

  private push(s: string): void {
    if (this.truncated) return;
    const room = this.max - this.length;
    if (s.length > room) {
      const cut = truncateChars(s, room);
      if (cut.length > 0) this.parts.push(cut);
      this.length += cut.length;
      this.truncated = true;
      return;
    }
    this.parts.push(s);
    this.length += s.length;
  }

  toString(): string {
    // A cut can end on the separator we just pushed; the result must stay trimmed.
    const s = this.parts.join('');
    return s.endsWith(' ') ? s.slice(0, -1) : s;
  }
}
