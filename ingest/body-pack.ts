// The bodies of one analyse task, copied into one buffer as the captures are read, so the task can move it to a
// worker whole (transferred, not cloned: Node marks pooled and zlib buffers as untransferable, and cloning copies
// each body twice). Copying at once also lets go of what a body was read into: a few-KB page inflated from its
// gzip member is a view of a 16 to 64 KB zlib buffer, and a batch of 4,096 such views held 270 MB.
// Workers hand the buffer back and the next batch is copied into it: the first write to each page of a new
// buffer is a page fault, and filling a fresh 32 MiB buffer took ~100 ms, a reused one ~7 ms (this machine).

export class BodyPack {
  /** Sized for a whole batch but touched only as far as it is filled: the pages beyond are never committed. */
  readonly buffer: ArrayBuffer
  #used = 0

  /** `reuse`: a buffer a worker handed back (at least `capacity` bytes), or none (a new one is made). */
  constructor(capacity: number, reuse?: ArrayBuffer) {
    this.buffer = reuse !== undefined && reuse.byteLength >= capacity ? reuse : new ArrayBuffer(capacity)
  }

  fits(bytes: number): boolean {
    return this.#used + bytes <= this.buffer.byteLength
  }

  /** The body copied in: a view of the pack. */
  put(body: Uint8Array): Uint8Array {
    const view = new Uint8Array(this.buffer, this.#used, body.length)
    view.set(body)
    this.#used += body.length
    return view
  }
}
