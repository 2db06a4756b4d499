import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildHomelab, loadServices, type ServiceProps } from '../../src/index.ts';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

/** A workspace whose packages are the given definitions, written as modules; `throws` packages throw at import (in src/realm.ts). */
function workspace(defs: readonly ServiceProps[], throws: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'homelab-load-failures-'));
  for (const d of defs) {
    const dir = join(root, 'packages', d.name);
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `@t/${d.name}`, version: '1.2.3', dependencies: Object.fromEntries(['core', ...(d.dependsOn ?? [])].map((x) => [`@t/${x}`, '*'])) }));
    // The error is thrown in a module index.ts imports, on its second line: the problem names that file and line.
    if (throws[d.name]) writeFileSync(join(dir, 'src', 'realm.ts'), `export const realm = 'lab';\nthrow new Error(${JSON.stringify(throws[d.name])});\n`);
    const body = throws[d.name] ? "import './realm.ts';\n" : '';
    writeFileSync(join(dir, 'src', 'index.ts'), `${body}export default ${JSON.stringify(d)};\n`);
  }
  return root;
}

async function problemsOf(root: string) {
  const { entries: loaded, failures } = await loadServices(root);
  return { loaded: loaded.map((e) => e.pkg.dir), failures, problems: buildHomelab(testSite, loaded, { failures }).problems };
}

describe('a package that fails to load is the root cause of its dependents\' "no service is named"', () => {
  it('passing fixture: every package loads, so app depending on idp is no problem', async () => {
    const { loaded, failures, problems } = await problemsOf(workspace([proxy, idp, app]));
    expect(loaded).toEqual(['packages/app', 'packages/idp', 'packages/proxy']);
    expect(failures).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('failing fixture: idp throws at import; one PackageDoesNotLoad names it, its file, the error and app, which it absorbs', async () => {
    const { loaded, failures, problems } = await problemsOf(workspace([proxy, idp, app], { idp: 'idp: the realm is not defined' }));
    expect(loaded).toEqual(['packages/app', 'packages/proxy']);
    expect(failures).toEqual([{ dir: 'packages/idp', message: 'idp: the realm is not defined', at: 'src/realm.ts:2' }]);
    expect(problems.map((p) => p.code)).toEqual(['PackageDoesNotLoad']);
    const [root] = problems;
    expect(root).toMatchObject({ source: 'packages/idp', path: 'src/realm.ts:2' });
    expect(root!.message).toContain('the package failed to load: idp: the realm is not defined');
    expect(root!.message).toContain('packages/app (dependsOn[0]: UnknownDependency)');
    expect(root!.fix).toContain('Fix the error at packages/idp/src/realm.ts:2');
  });

  it('the root absorbs every problem naming it (idp and app depend on proxy, the site forwards to it), and no dependent is left', async () => {
    const { problems } = await problemsOf(workspace([proxy, idp, app], { proxy: 'proxy broke' }));
    // The site's port forward to proxy is absorbed too: its service is the one that did not load.
    expect(problems.map((p) => [p.source, p.code])).toEqual([['packages/proxy', 'PackageDoesNotLoad']]);
    expect(problems[0]!.message).toContain('packages/app (dependsOn[1]: UnknownDependency), packages/idp (dependsOn[0]: UnknownDependency), libs/site (portForwards[0]: PortForwardWithoutService)');
    expect(problems[0]!.message).toContain('those 3 problems are not listed separately');
  });

  it('a dependency on a service that never existed is still its own UnknownDependency', () => {
    const typo = { ...app, dependsOn: ['proxy', 'idp', 'databse'] } as ServiceProps;
    const problems = buildHomelab(testSite, entries(proxy, typo), { failures: [{ dir: 'packages/idp', message: 'idp broke' }] }).problems;
    expect(problems.map((p) => [p.source, p.path, p.code])).toEqual([
      ['packages/idp', 'src/index.ts', 'PackageDoesNotLoad'],
      ['packages/app', 'dependsOn[0]', 'UnknownDependency'],
    ]);
    expect(problems[1]!.received).toBe('databse');
  });
});
