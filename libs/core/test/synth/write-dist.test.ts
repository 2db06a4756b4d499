/**
 * dist/ writes are contained and all-or-nothing (synth/write-dist.ts): a path that resolves outside
 * dist/<service>/ is a bug caught before any file is written; a file the file system refuses (a
 * 5000-character name) leaves the previous dist/<service>/ byte-identical. Real files in a temp dir.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/exit-codes.ts';
import type { SynthResult } from '../../src/synth/synth-service.ts';
import { DistPathEscapeError, DistWriteError, writeDist, writeDists } from '../../src/synth/write-dist.ts';

const base = mkdtempSync(path.join(tmpdir(), 'write-dist-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
/** A fresh directory holding dist/ (not created) for one test. */
const fresh = (): string => { const d = path.join(base, String(n++)); mkdirSync(d); return d; };

const result = (service: string, files: Record<string, string>): SynthResult =>
  ({ service, files: new Map(Object.entries(files)), manifest: {} as SynthResult['manifest'], configFiles: [] });

/** Every file under `dir`, relative path → content: the tree, to compare before and after. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

const OLD = { 'manifest.json': '{"old":true}\n', 'files/app/etc/app.conf': 'old\n', 'files/app/etc/stale.conf': 'stale\n' };

describe('writeDist: containment', () => {
  it('a file "../../x" is a bug named with its service and file, and nothing is written anywhere', async () => {
    const root = fresh();
    const dist = path.join(root, 'dist');
    const error = await writeDist(dist, result('app', { 'manifest.json': '{}\n', 'files/app/etc/a.conf': 'a\n', '../../x': 'escaped\n' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DistPathEscapeError);
    expect((error as Error).message).toContain('"../../x"');
    expect((error as Error).message).toContain('service app');
    expect((error as Error).message).toContain('nothing was written');
    // Not the escaped file, not dist/ itself, not the good files listed before the bad one.
    expect(readdirSync(root)).toEqual([]);
  });

  it('an escape through a host directory ("files/../../../x") or an absolute path is caught the same way', async () => {
    const root = fresh();
    for (const file of ['files/../../../x', '/tmp/x', 'files/app/\0x']) {
      await expect(writeDist(path.join(root, 'dist'), result('app', { [file]: 'x\n' }))).rejects.toBeInstanceOf(DistPathEscapeError);
    }
    expect(readdirSync(root)).toEqual([]);
  });

  it('a service name that is not one directory inside dist/ is caught', async () => {
    const root = fresh();
    for (const service of ['../evil', 'a/b', '.', '..', '']) {
      await expect(writeDist(path.join(root, 'dist'), result(service, { 'manifest.json': '{}\n' }))).rejects.toBeInstanceOf(DistPathEscapeError);
    }
    expect(readdirSync(root)).toEqual([]);
  });

  it('writeDists: one service with an escaping file stops all of them before any is written', async () => {
    const root = fresh();
    const dist = path.join(root, 'dist');
    await writeDist(dist, result('app', OLD));
    const before = tree(dist);
    await expect(writeDists(dist, [result('app', { 'manifest.json': '{"new":true}\n' }), result('db', { '../app/manifest.json': 'hijack\n' })]))
      .rejects.toBeInstanceOf(DistPathEscapeError);
    expect(tree(dist)).toEqual(before);
  });
});

describe('writeDist: all or nothing', () => {
  it('replaces dist/<service>/ whole: new files in, stale files out, no staging directory left', async () => {
    const dist = path.join(fresh(), 'dist');
    await writeDist(dist, result('app', OLD));
    const dir = await writeDist(dist, result('app', { 'manifest.json': '{"new":true}\n', 'files/app/etc/app.conf': 'new\n' }));
    expect(dir).toBe(path.join(dist, 'app'));
    expect(tree(dist)).toEqual({ 'app/manifest.json': '{"new":true}\n', 'app/files/app/etc/app.conf': 'new\n' });
  });

  it('a file with a 5000-character name: a coded error naming the file, and the old dist/<service>/ byte-identical', async () => {
    const dist = path.join(fresh(), 'dist');
    await writeDist(dist, result('app', OLD));
    const before = tree(dist);
    const long = `files/app/etc/${'a'.repeat(5000)}.conf`;
    const error = await writeDist(dist, result('app', { 'manifest.json': '{"new":true}\n', 'files/app/etc/app.conf': 'new\n', [long]: 'x\n' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DistWriteError);
    const e = error as DistWriteError;
    expect(e.errno).toBe('ENAMETOOLONG');
    expect(e.exitCode).toBe(EXIT.failed);
    expect(e.message).toContain(path.join(dist, 'app', 'files/app/etc/aaaa'));
    expect(e.message).toContain('characters)');
    expect(e.message.length).toBeLessThan(500);
    expect(e.message).toContain('dist/app/ is as it was');
    expect(e.fix).toMatch(/shorten/);
    // Byte for byte the tree before, with no staging directory beside it.
    expect(tree(dist)).toEqual(before);
  });

  it('writeDists: a failure staging a later service leaves an earlier one untouched too', async () => {
    const dist = path.join(fresh(), 'dist');
    await writeDists(dist, [result('app', OLD), result('db', { 'manifest.json': '{"db":1}\n' })]);
    const before = tree(dist);
    await expect(writeDists(dist, [result('app', { 'manifest.json': '{"new":true}\n' }), result('db', { [`files/db/${'b'.repeat(300)}`]: 'x\n' })]))
      .rejects.toBeInstanceOf(DistWriteError);
    expect(tree(dist)).toEqual(before);
  });

  it('removes a staging directory a killed writer left behind (its pid no longer runs), not a live one', async () => {
    const dist = path.join(fresh(), 'dist');
    const dead = path.join(dist, '.app.staging-2147483646-deadbeef');
    const live = path.join(dist, `.app.staging-${process.pid}-cafe0000`);
    mkdirSync(dead, { recursive: true });
    mkdirSync(live, { recursive: true });
    writeFileSync(path.join(dead, 'half'), 'x');
    await writeDist(dist, result('app', { 'manifest.json': '{}\n' }));
    expect(readdirSync(dist).sort()).toEqual([path.basename(live), 'app'].sort());
  });
});
