// Unsigned LEB128 varints, for compact values (posting lists, document lengths). Numbers up to 2^53.

export function varintLength(n: number): number {
  let len = 1
  while (n >= 0x80) {
    n = Math.floor(n / 128)
    len++
  }
  return len
}

/** Writes n at out[o]; returns the offset after it. */
export function writeVarint(out: Uint8Array, o: number, n: number): number {
  while (n >= 0x80) {
    out[o++] = (n % 128) | 0x80
    n = Math.floor(n / 128)
  }
  out[o++] = n
  return o
}

export function encodeVarints(ns: readonly number[]): Uint8Array {
  let len = 0
  for (const n of ns) len += varintLength(n)
  const out = new Uint8Array(len)
  let o = 0
  for (const n of ns) o = writeVarint(out, o, n)
  return out
}

/** A growable byte buffer for writing varints and bytes. */
export class ByteWriter {
  #buf = new Uint8Array(64)
  #len = 0

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return
    let cap = this.#buf.length * 2
    while (cap < this.#len + n) cap *= 2
    const b = new Uint8Array(cap)
    b.set(this.#buf.subarray(0, this.#len))
    this.#buf = b
  }

  varint(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`varint out of range: ${n}`)
    this.#room(10)
    this.#len = writeVarint(this.#buf, this.#len, n)
    return this
  }

  bytes(b: Uint8Array): this {
    this.#room(b.length)
    this.#buf.set(b, this.#len)
    this.#len += b.length
    return this
  }

  get length(): number {
    return this.#len
  }
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len)
  }
}

/** Reads varints from bytes; every read checks bounds and canonical (minimal) form. */
export class ByteReader {
  readonly bytes: Uint8Array
  pos: number

  constructor(bytes: Uint8Array, pos = 0) {
    this.bytes = bytes
    this.pos = pos
  }

  get done(): boolean {
    return this.pos >= this.bytes.length
  }

  /** The next varint, or -1 if the bytes end inside it, it is not minimal, or it exceeds 2^53. */
  tryVarint(): number {
    const b = this.bytes
    let n = 0
    let mul = 1
    for (let i = 0; i < 8; i++) {
      if (this.pos >= b.length) return -1
      const x = b[this.pos++]
      n += (x & 0x7f) * mul
      if ((x & 0x80) === 0) {
        if (x === 0 && i > 0) return -1 // a trailing zero group: not the minimal encoding
        return Number.isSafeInteger(n) ? n : -1
      }
      mul *= 128
    }
    return -1
  }

  varint(): number {
    const n = this.tryVarint()
    if (n < 0) throw new RangeError('malformed varint')
    return n
  }
}
