// Whether a document holds a phrase: its tokens at their relative positions within one field. Shared by the
// full evaluation (execute.ts) and the top-k reader (top-k.ts), which must agree on every document.

import { decodeFieldPositions, FIELD_COUNT } from '../index/index.ts'

/**
 * True when one field (`field`, or any) holds every token at the position the query has it relative to the
 * first. `fields[i]` is token i's field bits and `posting(i)` its posting value, asked for only when a field
 * holds every token (most documents holding the words are settled by their bits alone).
 */
export function holdsPhrase(
  fields: readonly number[],
  posting: (i: number) => Uint8Array,
  tokens: ReadonlyArray<{ readonly position: number }>,
  field: number | null
): boolean {
  const n = tokens.length
  const positions: number[][] = new Array(n)
  const at: number[] = new Array(n)
  for (let fi = 0; fi < FIELD_COUNT; fi++) {
    if (field !== null && fi !== field) continue
    // Only a field where every token occurs can hold the phrase; decode just that field.
    let all = true
    for (let i = 0; i < n && all; i++) all = (fields[i] & (1 << fi)) !== 0
    if (!all) continue
    for (let i = 0; i < n; i++) {
      positions[i] = decodeFieldPositions(posting(i), fi)
      at[i] = 0
    }
    // Positions ascend, so as the first token's position grows each other token's wanted position does
    // too: one pointer per token walks forward.
    for (const p0 of positions[0]) {
      const start = p0 - tokens[0].position
      let ok = true
      for (let t = 1; t < n && ok; t++) {
        const want = start + tokens[t].position
        const pt = positions[t]
        let a = at[t]
        while (a < pt.length && pt[a] < want) a++
        at[t] = a
        ok = a < pt.length && pt[a] === want
      }
      if (ok) return true
    }
  }
  return false
}
