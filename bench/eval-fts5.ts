// The reference engine of the evaluation: SQLite FTS5 (node:sqlite) with its built-in bm25() (k1 1.2, b 0.75,
// the collection's own average lengths per column), the Porter stemmer over unicode61 tokens, title and body
// as two columns weighted alike. Queries are the same plain words, ORed.
import { DatabaseSync } from 'node:sqlite'
import type { Run } from './eval-measures.ts'
import type { Collection } from './eval-collections.ts'

export function fts5Run(c: Collection, depth = 1000): Run {
  const db = new DatabaseSync(':memory:')
  try {
    db.exec("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tokenize = 'porter unicode61 remove_diacritics 2')")
    const insert = db.prepare('INSERT INTO docs (id, title, body) VALUES (?, ?, ?)')
    db.exec('BEGIN')
    for (const d of c.docs) insert.run(d.id, d.title, d.text)
    db.exec('COMMIT')
    const select = db.prepare('SELECT id, bm25(docs) AS s FROM docs WHERE docs MATCH ? ORDER BY s LIMIT ?')
    const run: Run = new Map()
    for (const q of c.queries) {
      const words = q.text.match(/[\p{L}\p{N}]+/gu) ?? []
      if (words.length === 0) {
        run.set(q.id, [])
        continue
      }
      const rows = select.all(words.map(w => `"${w}"`).join(' OR '), depth) as Array<{ id: string; s: number }>
      // bm25() is lower for better matches.
      run.set(
        q.id,
        rows.map(r => ({ doc: r.id, score: -r.s }))
      )
    }
    return run
  } finally {
    db.close()
  }
}
