// The bodies of one analyse task, copied into one buffer as the captures are read, so the task can move it to a
// worker whole (transferred, not cloned: Node marks pooled and zlib buffers as untransferable, and cloning copies
// each body twice). Copying at once also lets go of what a body was read into: a few-KB page inflated from its
// gzip member is a view of a 16 to 64 KB zlib buffer, and a batch of 4,096 such views held 270 MB.

export class BodyPack {
  /** Sized for a whole batch but touched only as far as it is filled: the pages beyond are never committed. */
  readonly buffer: ArrayBuffer
  #used = 0

  constructor(capacity: number) {
    this.buffer = new ArrayBuffer(capacity)
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
