// A bounded memo table from a word to its term, looked up by a range of the normalised text: the word is
// hashed and compared in place, and only copied out on a miss. Bulk indexing looks up every word of every
// page here, and slicing each one into a new string just to probe a Map cost more than the rest of analysis.
// When full it is cleared rather than evicted piecemeal: it only memoises a pure function, so its state can
// never change a result, only the time to compute it.

export class WordCache {
  readonly maxEntries: number;
  readonly #mask: number;
  #keys: Array<string | undefined>;
  #values: string[];
  readonly #hashes: Int32Array;
  #size = 0;

  constructor(maxEntries: number) {
    this.maxEntries = Math.max(1, Math.floor(maxEntries));
    let cap = 16;
    while (cap < this.maxEntries * 2) cap *= 2;
    this.#mask = cap - 1;
    this.#keys = new Array<string | undefined>(cap).fill(undefined);
    this.#values = new Array<string>(cap).fill('');
    this.#hashes = new Int32Array(cap);
  }

  /** FNV-1a over the UTF-16 code units of s[start, end). */
  static hash(s: string, start: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    return h;
  }

  /** The value stored for the word s[start, end) with hash h, or undefined. */
  get(s: string, start: number, end: number, h: number): string | undefined {
    const keys = this.#keys;
    const len = end - start;
    let i = h & this.#mask;
    for (;;) {
      const k = keys[i];
      if (k === undefined) return undefined;
      if (this.#hashes[i] === h && k.length === len) {
        let same = true;
        for (let j = 0; j < len && same; j++) same = k.charCodeAt(j) === s.charCodeAt(start + j);
        if (same) return this.#values[i];
      }
      i = (i + 1) & this.#mask;
    }
  }

  /** Stores a value for `word` (whose hash is h); the word must not be in the table. */
  set(word: string, h: number, value: string): void {
    if (this.#size >= this.maxEntries) this.clear();
    let i = h & this.#mask;
    while (this.#keys[i] !== undefined) i = (i + 1) & this.#mask;
    this.#keys[i] = word;
    this.#values[i] = value;
    this.#hashes[i] = h;
    this.#size++;
  }

  get size(): number { return this.#size; }

  clear(): void {
    if (this.#size === 0) return;
    this.#keys.fill(undefined);
    this.#values.fill('');
    this.#size = 0;
  }
}
