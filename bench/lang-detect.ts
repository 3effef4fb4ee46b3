// How often language detection calls English text something else, on text with no declared language.
//   node bench/lang-detect.ts [corpus.jsonl] [expected language]
// Reads a BEIR-style corpus ({"title","text"} per line; default: SciFact's 5,183 English abstracts in
// ../shared/data/ir/scifact) and runs the extraction's language choice on the title and text, as a page with
// that title and body and no lang attribute or Content-Language would get. Prints how many documents came out
// as which language, and the share not detected as the expected one (default 'en'; null counts as that: null
// is analysed with the default, English, profile).

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chooseLanguage } from '../ingest/extract/index.ts'

const file = process.argv[2] ?? fileURLToPath(new URL('../../shared/data/ir/scifact/corpus.jsonl', import.meta.url))
const expected = process.argv[3] ?? 'en'
const counts = new Map<string, number>()
let n = 0
let wrong = 0
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (line.trim() === '') continue
  const d = JSON.parse(line) as { title?: string; text?: string }
  const lang = chooseLanguage([], d.title ?? '', d.text ?? '')?.lang ?? null
  counts.set(String(lang), (counts.get(String(lang)) ?? 0) + 1)
  n++
  if (lang !== null && lang !== expected) wrong++
}
const byCount = [...counts]
  .sort((a, b) => b[1] - a[1])
  .map(([l, c]) => `${l} ${c}`)
  .join(', ')
console.log(`${n} documents; detected: ${byCount}`)
console.log(`not ${expected}: ${wrong} (${((100 * wrong) / n).toFixed(1)}%)`)
