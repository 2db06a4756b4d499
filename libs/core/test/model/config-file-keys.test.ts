/**
 * Config files are returned by a package's `files(ctx)`, so their keys can only be checked once
 * rendered: the `config-file-keys` rule reports an unknown key there as UnknownKey, like parse
 * does for the definition.
 */
import { describe, expect, it } from 'vitest';
import { buildHomelab, checkRenderedFiles, renderConfigFiles, synthesizeSite, type ServiceProps } from '../../src/index.ts';
import { configFileKeysRule } from '../../src/policy/config-file-keys.ts';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

const file = { path: '/etc/app/app.ini', mode: '0644', format: 'text', content: 'x = 1\n', restarts: ['app'] };
const appWithFile = (over: Record<string, unknown>): ServiceProps => ({ ...app, files: () => [{ ...file, ...over }] }) as ServiceProps;

function rendered(def: ServiceProps) {
  const home = buildHomelab(testSite, entries(proxy, idp, def), { rules: [] });
  const files = new Map(home.services.map((s) => [s.name, renderConfigFiles(home, s)]));
  return checkRenderedFiles(home, files, [configFileKeysRule]);
}

describe('rule config-file-keys', () => {
  it('passes a config file with only ConfigFile keys (and the files core contributes)', () => {
    expect(rendered(appWithFile({}))).toEqual([]);
  });

  it('reports a typo in a rendered file with its path and the closest key', () => {
    const problems = rendered(appWithFile({ restarts: undefined, resatrts: ['app'] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ source: 'packages/app', path: 'files[/etc/app/app.ini].resatrts', code: 'UnknownKey', received: 'resatrts' });
    expect(problems[0]!.fix).toMatch(/^Did you mean `restarts`\?/);
  });

  it('reports a format the validators do not know as InvalidConfigFile', () => {
    const problems = rendered(appWithFile({ format: 'toml' }));
    expect(problems.map((p) => `${p.code} ${p.path}`)).toEqual(['InvalidConfigFile files[/etc/app/app.ini].format']);
  });

  it('runs in the synth pipeline', () => {
    const home = buildHomelab(testSite, entries(proxy, idp, appWithFile({ ownr: 'app' })));
    expect(synthesizeSite(home).problems).toContainEqual(expect.objectContaining({ code: 'UnknownKey', path: 'files[/etc/app/app.ini].ownr' }));
  });
});
