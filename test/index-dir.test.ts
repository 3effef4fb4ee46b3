// The index folder: what Canopy may remove in it, and its write lock.
import assert from 'node:assert/strict'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import { clearIndex } from '../index-core/store/index-dir.ts'
import { withTmp } from './helpers.ts'

describe('index folder', () => {
  it('clears an index it made, and refuses (removing nothing) a folder holding anything else', async () => {
    await withTmp(async (tmp) => {
      const made = async (dir: string): Promise<void> => {
        await mkdir(path.join(dir, 'blocks', 'packs'), { recursive: true })
        await mkdir(path.join(dir, 'tmp', 'ingest-1'), { recursive: true })
        await writeFile(path.join(dir, 'blocks', 'packs', 'a.pack'), 'x')
        await writeFile(path.join(dir, 'HEAD'), 'cid\n')
        await writeFile(path.join(dir, 'HEAD.123.tmp'), 'cid\n')
      }
      const own = path.join(tmp, 'own')
      await made(own)
      await clearIndex(own)
      assert.deepEqual(await readdir(own), [])
      await clearIndex(path.join(tmp, 'missing'))

      const mixed = path.join(tmp, 'mixed')
      await made(mixed)
      await writeFile(path.join(mixed, 'notes.txt'), 'mine')
      await assert.rejects(clearIndex(mixed), { name: 'NotAnIndexError', message: /notes\.txt/ })
      assert.deepEqual((await readdir(mixed)).sort(), ['HEAD', 'HEAD.123.tmp', 'blocks', 'notes.txt', 'tmp'])
      assert.deepEqual(await readdir(path.join(mixed, 'blocks', 'packs')), ['a.pack'])

      await writeFile(path.join(tmp, 'file'), 'mine')
      await assert.rejects(clearIndex(path.join(tmp, 'file')), { name: 'NotAnIndexError' })
    })
  })
})
