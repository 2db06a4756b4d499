import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHomelab } from '../../src/index.ts';
import { checkPackageFiles } from '../../src/synth/package-files.ts';
import { labSite } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'homelab-package-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
const definition = (name: string) => `export default { name: '${name}', description: '${name}', kind: 'none', tier: 'normal', group: 'apps' };\n`;
const pkgJson = (name: string) => JSON.stringify({ name: `@t/${name}`, version: '0.1.0', dependencies: {} });

write('packages/good/package.json', pkgJson('good'));
write('packages/good/src/index.ts', definition('good'));
write('packages/good/smoke/good.smoke.ts', '// smoke\n');
write('packages/broken/package.json', '{ "name": "@t/broken", "version": "0.1.0", }');
write('packages/broken/src/index.ts', definition('broken'));
write('packages/broken/smoke/broken.smoke.ts', '// smoke\n');
write('packages/untested/package.json', pkgJson('untested'));
write('packages/untested/src/index.ts', definition('untested'));
write('packages/untested/smoke/README.md', 'later\n');

describe('package files', () => {
  it('passes a package with a valid package.json and a smoke test', () => {
    expect(checkPackageFiles(root, ['packages/good'])).toEqual([]);
  });
  it('MissingSmokeTests: no smoke/*.smoke.ts', () => {
    expect(checkPackageFiles(root, ['packages/untested'])).toEqual([expect.objectContaining({ source: 'packages/untested', path: 'smoke', code: 'MissingSmokeTests', received: ['README.md'] })]);
  });
  it('a package.json syntax error is reported once, against package.json, not as a package that does not load', async () => {
    const home = await loadHomelab(root, labSite);
    const broken = home.problems.filter((p) => p.source === 'packages/broken');
    expect(broken.map((p) => [p.code, p.path])).toEqual([['PackageJsonUnreadable', 'package.json']]);
    expect(broken[0]!.message).toMatch(/not valid JSON/);
    expect(home.problems.map((p) => p.code)).toContain('MissingSmokeTests');
    expect(home.services.map((s) => s.name)).toEqual(['good', 'untested']);
  });
});
