import { readCrawl, createStats } from './index.ts';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
let seed = Number(process.argv[2] ?? 1);
const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
const files = [
  '/work/shared/data/warc/webrecorder__pywb/sample_archive__warcs__iana.warc.gz',
  '/work/shared/data/warc/webrecorder__pywb/sample_archive__warcs__example.warc',
  '/work/shared/data/warc/oduwsdl__ipwb/samples__warcs__baconIpsum_chunked.warc',
  '/work/shared/data/warc/chatnoir-eu__chatnoir-resiliparse/tests__data__warcfile.warc',
  '/work/shared/data/warc/ukwa__webarchive-discovery/warc-indexer__src__test__resources__compression__transfer_compression_brotli.warc',
  '/work/shared/data/wacz/webrecorder__replayweb.page/mkdocs__site__docs__examples__example.wacz',
  '/work/shared/data/wacz/webrecorder__py-wacz/tests__fixtures__valid_example_2.wacz',
  '/work/shared/data/warc/openzim__warc2zim/tests__data__content-resource-types.warc.gz',
];
const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
const N = Number(process.argv[3] ?? 300);
const reasons: Record<string, number> = {};
for (let i = 0; i < N; i++) {
  const f = files[Math.floor(rnd() * files.length)];
  const b = Buffer.from(readFileSync(f));
  let m = b;
  const kind = Math.floor(rnd() * 5);
  if (kind === 0) m = b.subarray(0, Math.floor(rnd() * b.length));
  else if (kind === 1) { for (let k = 0; k < 1 + rnd() * 20; k++) m[Math.floor(rnd() * m.length)] ^= 1 << Math.floor(rnd() * 8); }
  else if (kind === 2) { const a = Math.floor(rnd() * b.length), l = Math.floor(rnd() * 2000); m = Buffer.concat([b.subarray(0, a), b.subarray(a + l)]); }
  else if (kind === 3) { const a = Math.floor(rnd() * b.length); m = Buffer.concat([b.subarray(0, a), Buffer.from('\r\nWARC/1.0\r\nContent-Length: 99999999\r\n\r\n'), b.subarray(a)]); }
  else { const a = Math.floor(rnd() * b.length); const junk = Buffer.alloc(Math.floor(rnd() * 500)); for (let k = 0; k < junk.length; k++) junk[k] = Math.floor(rnd() * 256); m = Buffer.concat([b.subarray(0, a), junk, b.subarray(a)]); }
  const p = join(dir, 'f' + (f.endsWith('.wacz') ? '.wacz' : '.warc'));
  writeFileSync(p, m);
  const stats = createStats();
  const t0 = Date.now();
  try {
    const run = (async () => { for await (const e of readCrawl(p, { stats })) { if (e.kind === 'record') { if (e.length < 0 || e.offset < 0) throw new Error('bad loc'); } } })();
    await Promise.race([run, new Promise((_, rej) => setTimeout(() => rej(new Error('TIMEOUT')), 15000))]);
  } catch (e) {
    console.log('FAIL', i, kind, f, (e as Error).stack); writeFileSync(`/tmp/fuzz-fail-${i}`, m); process.exit(1);
  }
  if (Date.now() - t0 > 2000) console.log('slow', i, Date.now() - t0);
  for (const [k, v] of Object.entries(stats.skipped)) reasons[k] = (reasons[k] ?? 0) + v;
}
console.log('ok', N, JSON.stringify(reasons));
process.exit(0);
