// A set of fixed-width byte keys in two typed arrays, for what an ingest remembers of every document it reads
// (ids seen, variants analysed, variants indexed). JavaScript Sets of strings cost about 100 bytes an entry (a
// string and a slot): some 300 bytes a document, 300 MB at a million; this costs the key's bytes twice at most.

export class ByteKeySet {
  readonly #width: number
  #keys: Uint8Array
  #filled: Uint8Array
  #size = 0

  /** Keys of `width` bytes (at least 4) whose last four bytes are already hash-like (ids, digests). */
  constructor(width: number) {
    if (width < 4) throw new RangeError('ByteKeySet keys must be at least 4 bytes')
    this.#width = width
    this.#keys = new Uint8Array(1024 * width)
    this.#filled = new Uint8Array(1024)
  }

  get size(): number {
    return this.#size
  }

  has(key: Uint8Array): boolean {
    return this.#filled[this.#slot(key)] === 1
  }

  /** Adds the key; false when it was there already. */
  add(key: Uint8Array): boolean {
    const at = this.#slot(key)
    if (this.#filled[at] === 1) return false
    this.#keys.set(key.subarray(0, this.#width), at * this.#width)
    this.#filled[at] = 1
    if (++this.#size * 2 > this.#filled.length) this.#grow()
    return true
  }

  /** The key's slot, or the empty slot where it would go (linear probing; the table is at most half full). */
  #slot(key: Uint8Array): number {
    if (key.length !== this.#width) throw new RangeError(`ByteKeySet key of ${key.length} bytes, not ${this.#width}`)
    const w = this.#width
    const mask = this.#filled.length - 1
    let at = ((key[w - 4] << 24) | (key[w - 3] << 16) | (key[w - 2] << 8) | key[w - 1]) & mask
    for (;;) {
      if (this.#filled[at] === 0) return at
      const o = at * w
      let same = true
      for (let i = 0; i < w && same; i++) same = this.#keys[o + i] === key[i]
      if (same) return at
      at = (at + 1) & mask
    }
  }

  #grow(): void {
    const keys = this.#keys
    const filled = this.#filled
    this.#keys = new Uint8Array(keys.length * 2)
    this.#filled = new Uint8Array(filled.length * 2)
    this.#size = 0
    for (let i = 0; i < filled.length; i++) if (filled[i] === 1) this.add(keys.subarray(i * this.#width, (i + 1) * this.#width))
  }
}
