// The index codecs: round trips, canonical digests, impacts, and the union laws of doc values.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { CID } from 'multiformats/cid'
import { compareBytes } from '../index-core/bytes.ts'
import {
  chunkText,
  decodeDoc,
  decodeDocValues,
  decodeFieldPositions,
  decodePositions,
  decodeTfs,
  docIdOf,
  encodeDoc,
  encodeDocValues,
  encodePosting,
  impactOf,
  keyImpact,
  keyTerm,
  normalizeDigest,
  postingFields,
  postingKey,
  unionDocValues,
  decodeFile,
  encodeFile,
  fileKey,
  recordStart,
  lengthNorm,
  lengthNorms,
  NORM_LENGTH,
  Scorer,
  URL_KEY_BYTES
} from '../index-core/index/index.ts'
import type { DocValues } from '../index-core/index/index.ts'

describe('index codecs', () => {
  it('postings round-trip positions and frequencies', () => {
    // Lengths around the header's escape (31, 32, 33 positions) and beyond.
    const arbField = fc
      .oneof(
        fc.uniqueArray(fc.nat({ max: 100_000 }), { maxLength: 40 }),
        fc.uniqueArray(fc.nat({ max: 1000 }), { minLength: 30, maxLength: 34 }),
        fc.uniqueArray(fc.nat({ max: 1_000_000 }), { maxLength: 300 })
      )
      .map(a => a.sort((x, y) => x - y))
    const arbNorms = fc.tuple(fc.nat({ max: 255 }), fc.nat({ max: 255 }), fc.nat({ max: 255 }))
    fc.assert(
      fc.property(fc.tuple(arbField, arbField, arbField), arbNorms, (fields, norms) => {
        if (fields.every(f => f.length === 0)) {
          assert.throws(() => encodePosting(fields, norms))
          return
        }
        const v = encodePosting(fields, norms)
        assert.deepEqual(decodePositions(v), fields)
        for (let f = 0; f < 3; f++) assert.deepEqual(decodeFieldPositions(v, f), fields[f])
        const out = new Array<number>(3)
        const gotNorms = [-1, -1, -1]
        decodeTfs(v, out, gotNorms)
        assert.deepEqual(
          out,
          fields.map(f => f.length)
        )
        assert.deepEqual(
          gotNorms,
          fields.map((f, i) => (f.length > 0 ? norms[i] : -1))
        )
        assert.equal(
          postingFields(v),
          fields.reduce((m, f, i) => (f.length > 0 ? m | (1 << i) : m), 0)
        )
      }),
      { seed: 3, numRuns: 500 }
    )
  })

  it('a posting of one occurrence is a header byte, a length norm and a position', () => {
    assert.deepEqual(encodePosting([[], [5], []], [7, 40, 9]), Uint8Array.of(0b010, 40, 5))
    assert.deepEqual(encodePosting([[0, 2], [], [1]], [7, 40, 9]), Uint8Array.of(0b101 | (1 << 3), 0, 7, 9, 0, 1, 1))
    assert.throws(() => decodePositions(Uint8Array.of(0b010, 40, 5, 0)), { name: 'PostingFormatError' })
    assert.throws(() => decodeTfs(Uint8Array.of(0b010), [0, 0, 0]), { name: 'PostingFormatError' })
    assert.throws(() => decodeTfs(Uint8Array.of(0), [0, 0, 0]), { name: 'PostingFormatError' })
    assert.throws(() => decodeTfs(Uint8Array.of(0b011), [0, 0, 0]), { name: 'PostingFormatError' })
  })

  it("a posting key orders a term's postings best impact first, then by document", () => {
    const term = new TextEncoder().encode('cell')
    const a = Uint8Array.from({ length: 10 }, (_, i) => i)
    const b = Uint8Array.from({ length: 10 }, (_, i) => 200 - i)
    const keys = [postingKey(term, 3, a), postingKey(term, 200, b), postingKey(term, 200, a), postingKey(term, 0, b)].sort(compareBytes)
    assert.deepEqual(
      keys.map(k => [keyImpact(k), k[k.length - 1]]),
      [
        [200, 9],
        [200, 191],
        [3, 9],
        [0, 191]
      ]
    )
    for (const k of keys) assert.deepEqual(keyTerm(k), term)
  })

  it('impacts grow with term frequency and weight, shrink with length, and stay within a byte', () => {
    fc.assert(
      fc.property(fc.nat({ max: 50 }), fc.nat({ max: 50 }), fc.nat({ max: 50 }), fc.nat({ max: 20_000 }), (t0, t1, t2, len) => {
        const lengths = [Math.max(t0, 12), Math.max(t1, len), Math.max(t2, 14)]
        const q = impactOf([t0, t1, t2], lengthNorms(lengths))
        assert.ok(Number.isInteger(q) && q >= 0 && q <= 255)
        assert.ok(impactOf([t0, t1 + 1, t2], lengthNorms(lengths)) >= q)
        assert.ok(impactOf([t0, t1, t2], lengthNorms([lengths[0], lengths[1] + 100, lengths[2]])) <= q)
      }),
      { seed: 5, numRuns: 300 }
    )
    assert.equal(impactOf([0, 0, 0], lengthNorms([5, 5, 5])), 0)
    // The title weighs twice the body: one title occurrence beats one body occurrence in the same lengths.
    assert.ok(impactOf([1, 0, 0], lengthNorms([10, 600, 12])) > impactOf([0, 1, 0], lengthNorms([10, 600, 12])))
  })

  it('length norms are exact below 24 and within an eighth below the length above, ascending', () => {
    for (let n = 0; n < 24; n++) assert.equal(NORM_LENGTH[lengthNorm(n)], n)
    let last = -1
    for (let n = 0; n < 3_000_000; n = n < 5000 ? n + 1 : Math.ceil(n * 1.01)) {
      const b = lengthNorm(n)
      assert.ok(b >= last && b <= 255)
      last = b
      assert.ok(NORM_LENGTH[b] <= n && NORM_LENGTH[b] > (n * 7) / 8 - 1, `length ${n} -> ${NORM_LENGTH[b]}`)
    }
  })

  it("no posting scores above the bound of its impact, whatever the collection's average lengths", () => {
    const arb = fc.record({
      tfs: fc.tuple(fc.nat({ max: 40 }), fc.nat({ max: 200 }), fc.nat({ max: 10 })),
      lengths: fc.tuple(fc.nat({ max: 60 }), fc.nat({ max: 30_000 }), fc.nat({ max: 40 })),
      docs: fc.integer({ min: 1, max: 1_000_000 }),
      averages: fc.tuple(
        fc.double({ min: 0.5, max: 100, noNaN: true }),
        fc.double({ min: 0.5, max: 20_000, noNaN: true }),
        fc.double({ min: 0.5, max: 100, noNaN: true })
      )
    })
    fc.assert(
      fc.property(arb, ({ tfs, lengths, docs, averages }) => {
        if (tfs.every(t => t === 0)) return
        const ls = lengths.map((l, f) => Math.max(l, tfs[f]))
        const scorer = new Scorer(
          docs,
          averages.map(a => a * docs)
        )
        const w = scorer.weight(tfs, lengthNorms(ls))
        const q = impactOf(tfs, lengthNorms(ls))
        assert.ok(w <= scorer.bound[q], `weight ${w} above bound ${scorer.bound[q]} of impact ${q}`)
        // The bound of a lower impact is never larger (lists are read best impact first).
        if (q > 0) assert.ok(scorer.bound[q - 1] <= scorer.bound[q])
      }),
      { seed: 11, numRuns: 2000 }
    )
  })

  it('a digest names the same document in hex, base32 or base64 spelling', () => {
    const hex = 'sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709'
    const b32 = 'sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ'
    const b64 = 'SHA-1:2jmj7l5rSw0yVb/vlWAYkK/YBwk='
    assert.equal(normalizeDigest(hex), b32)
    assert.equal(normalizeDigest(b32.toLowerCase()), b32)
    assert.equal(normalizeDigest(b64), b32)
    assert.equal(normalizeDigest('not a digest'), null)
    assert.notDeepEqual(docIdOf('com,example)/', b32), docIdOf('com,example)/a', b32))
    // Every version of one URL starts with the same URL key; another URL's does not.
    const other = 'sha1:' + 'A'.repeat(32)
    assert.deepEqual(docIdOf('com,example)/', b32).subarray(0, URL_KEY_BYTES), docIdOf('com,example)/', other).subarray(0, URL_KEY_BYTES))
    assert.notDeepEqual(docIdOf('com,example)/', b32), docIdOf('com,example)/', other))
    assert.notDeepEqual(docIdOf('com,example)/', b32).subarray(0, URL_KEY_BYTES), docIdOf('com,example)/a', b32).subarray(0, URL_KEY_BYTES))
  })

  it('crawl file entries round-trip, and a record range stays inside its (inner) file', () => {
    const cid = CID.parse('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
    const inner = { institution: 'KB', file: 'pkg.wacz#archive/data.warc', cid, size: 1000, offset: 47 }
    const whole = { ...inner, file: 'pkg.wacz', size: 5000, offset: 0 }
    for (const f of [inner, whole]) assert.deepEqual(decodeFile(fileKey(f.institution, f.file), encodeFile(f)), f)
    assert.equal(recordStart(inner, 100, 900), 147)
    assert.throws(() => recordStart(inner, 100, 901), RangeError, 'a range reaching past the inner file reads a neighbour')
    assert.equal(recordStart(whole, 100, 901), 100)
  })

  it('document records round-trip', () => {
    const d = {
      url: 'https://example.com/é',
      surt: 'com,example)/%c3%a9',
      host: 'example.com',
      domain: 'example.com',
      mime: 'text/html',
      lang: null,
      title: 'T',
      description: '',
      status: 200,
      charset: 'utf-8',
      digest: 'sha1:X',
      textChars: 10,
      textTruncated: false,
      lengths: [1, 20, 3]
    }
    assert.deepEqual(decodeDoc(encodeDoc(d)), d)
    assert.throws(() => decodeDoc(new Uint8Array([1, 2])), { name: 'DocFormatError' })
  })

  it('text chunks cover the text exactly and never split a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 3000 }), fc.integer({ min: 10, max: 200 }), (text, max) => {
        const chunks = chunkText(text, max)
        assert.equal(chunks.join(''), text)
        for (const c of chunks) {
          assert.ok(Buffer.byteLength(c) <= max)
          const last = c.charCodeAt(c.length - 1)
          assert.ok(!(last >= 0xd800 && last <= 0xdbff))
        }
      }),
      { seed: 5, numRuns: 200 }
    )
  })

  it('text chunks fit their byte budget, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), fc.integer({ min: 4, max: 300 }), (text, max) => {
        const chunks = chunkText(text, max)
        assert.equal(chunks.join(''), text)
        for (const c of chunks) assert.ok(Buffer.byteLength(c) <= max, `${Buffer.byteLength(c)} > ${max}`)
      }),
      { seed: 7, numRuns: 300 }
    )
  })

  it('doc values combine by a commutative, associative, idempotent union', () => {
    const arbContent = fc.option(
      fc.record({
        domain: fc.constantFrom('a.org', 'b.org'),
        mime: fc.constant('text/html'),
        lang: fc.constantFrom('', 'en')
      }),
      { nil: null }
    )
    const arb: fc.Arbitrary<DocValues> = fc
      .record({
        content: arbContent,
        first: fc.nat({ max: 2e9 }),
        last: fc.nat({ max: 2e9 }),
        years: fc.uniqueArray(fc.integer({ min: 1995, max: 2030 }), { maxLength: 5 }).map(a => a.sort((x, y) => x - y)),
        institutions: fc
          .uniqueArray(fc.constantFrom('BL', 'KB', 'BnF', 'IA'), { maxLength: 3 })
          .map(a => a.sort((x, y) => compareBytes(Buffer.from(x), Buffer.from(y))))
      })
      .map(v => ({ ...v, last: Math.max(v.first, v.last) }))
    const k = new Uint8Array(12)
    const u = (a: Uint8Array, b: Uint8Array): Uint8Array => unionDocValues(k, a, b)
    fc.assert(
      fc.property(arb, arb, arb, (x, y, z) => {
        const [a, b, c] = [x, y, z].map(encodeDocValues)
        assert.deepEqual(u(a, b), u(b, a))
        assert.deepEqual(u(u(a, b), c), u(a, u(b, c)))
        assert.deepEqual(u(a, a), a)
        const m = decodeDocValues(u(a, b))
        assert.deepEqual(
          m.years,
          [...new Set([...x.years, ...y.years])].sort((p, q) => p - q)
        )
      }),
      { seed: 11, numRuns: 500 }
    )
  })
})
