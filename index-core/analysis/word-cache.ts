// A bounded memo table from a word to its term, looked up by a range of the normalised text: the word is
// hashed and compared in place, and only copied out on a miss. Bulk indexing looks up every word of every
// page here, and slicing each one into a new string just to probe a Map cost more than the rest of analysis.
// When full it is cleared rather than evicted piecemeal: it only memoises a pure function, so its state can
// never change a result, only the time to compute it.
//
// The lookup is bound by memory latency (a page's rarer words miss the CPU caches), so the table is laid out
// for few cache lines per probe: hashes alone in a typed array (0 marks an empty slot), each key beside its
// value, and the table grows with its contents instead of starting at its largest size.

export class WordCache {
  readonly maxEntries: number
  readonly #maxCap: number
  #mask: number
  /** Key at 2i, value at 2i + 1. */
  #slots: Array<string | undefined>
  /** Hash of slot i (never 0), or 0 when the slot is empty. */
  #hashes: Int32Array
  /** A number kept beside slot i's value (the analyzer's term number). */
  #numbers: Int32Array
  #size = 0

  constructor(maxEntries: number) {
    this.maxEntries = Math.max(1, Math.floor(maxEntries))
    let cap = 16
    while (cap < this.maxEntries * 2) cap *= 2
    this.#maxCap = cap
    const start = Math.min(cap, 1024)
    this.#mask = start - 1
    this.#slots = new Array<string | undefined>(2 * start).fill(undefined)
    this.#hashes = new Int32Array(start)
    this.#numbers = new Int32Array(start)
  }

  /** FNV-1a over the UTF-16 code units of s[start, end). */
  static hash(s: string, start: number, end: number): number {
    let h = 0x811c9dc5 | 0
    for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
    return h
  }

  /** The value stored for the word s[start, end) with hash h, or undefined. */
  get(s: string, start: number, end: number, h: number): string | undefined {
    const slot = this.lookup(s, start, end, h)
    return slot < 0 ? undefined : this.#slots[2 * slot + 1]
  }

  /** The slot holding the word s[start, end) with hash h, or -1; valid until the next set(). */
  lookup(s: string, start: number, end: number, h: number): number {
    const hashes = this.#hashes
    const mask = this.#mask
    const stored = h === 0 ? 1 : h
    const len = end - start
    let i = stored & mask
    for (;;) {
      const e = hashes[i]
      if (e === 0) return -1
      if (e === stored) {
        const k = this.#slots[2 * i]!
        if (k.length === len) {
          let same = true
          for (let j = 0; j < len && same; j++) same = k.charCodeAt(j) === s.charCodeAt(start + j)
          if (same) return i
        }
      }
      i = (i + 1) & mask
    }
  }

  /** The value in a slot found by lookup(). */
  valueAt(slot: number): string {
    return this.#slots[2 * slot + 1]!
  }

  /** The number stored beside the value in a slot found by lookup() (-1 when none was given). */
  numberAt(slot: number): number {
    return this.#numbers[slot]
  }

  /** Stores a value (and a number beside it) for `word` (whose hash is h); the word must not be in the table. */
  set(word: string, h: number, value: string, number = -1): void {
    if (this.#size >= this.maxEntries) this.clear()
    else if (2 * (this.#size + 1) > this.#mask + 1 && this.#mask + 1 < this.#maxCap) this.#grow()
    this.#insert(word, h === 0 ? 1 : h, value, number)
    this.#size++
  }

  #insert(word: string, stored: number, value: string, number: number): void {
    const mask = this.#mask
    let i = stored & mask
    while (this.#hashes[i] !== 0) i = (i + 1) & mask
    this.#hashes[i] = stored
    this.#slots[2 * i] = word
    this.#slots[2 * i + 1] = value
    this.#numbers[i] = number
  }

  #grow(): void {
    const hashes = this.#hashes
    const slots = this.#slots
    const numbers = this.#numbers
    const cap = 2 * hashes.length
    this.#mask = cap - 1
    this.#hashes = new Int32Array(cap)
    this.#numbers = new Int32Array(cap)
    this.#slots = new Array<string | undefined>(2 * cap).fill(undefined)
    for (let i = 0; i < hashes.length; i++) if (hashes[i] !== 0) this.#insert(slots[2 * i]!, hashes[i], slots[2 * i + 1]!, numbers[i])
  }

  get size(): number {
    return this.#size
  }

  clear(): void {
    if (this.#size === 0) return
    this.#hashes.fill(0)
    this.#slots.fill(undefined)
    this.#size = 0
  }
}
