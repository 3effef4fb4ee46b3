// SQLite FTS5 (node:sqlite, porter tokenizer) indexing extracted text, as a process of its own so its CPU and
// memory are measured alone:  node bench/fts5-load.ts <docs.jsonl> <out.sqlite>
// Each line of the input is {"url","title","body"}; prints the number of documents indexed.
import { readFileSync, rmSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'

const [input, file] = process.argv.slice(2)
if (input === undefined || file === undefined) {
  console.error('usage: node bench/fts5-load.ts <docs.jsonl> <out.sqlite>')
  process.exit(2)
}
for (const f of [file, file + '-wal', file + '-journal']) rmSync(f, { force: true })
const db = new DatabaseSync(file)
db.exec("CREATE VIRTUAL TABLE docs USING fts5(url, title, body, tokenize = 'porter unicode61')")
const ins = db.prepare('INSERT INTO docs (url, title, body) VALUES (?, ?, ?)')
let n = 0
db.exec('BEGIN')
for (const line of readFileSync(input, 'utf8').split('\n')) {
  if (line === '') continue
  const d = JSON.parse(line) as { url: string; title: string; body: string }
  ins.run(d.url, d.title, d.body)
  n++
}
db.exec('COMMIT')
db.exec("INSERT INTO docs(docs) VALUES('optimize')")
db.close()
console.log(n)
