/**
 * Issue 9 probe: a kanboard definition adding a file at Traefik's own traefik.yml on the traefik
 * host (with api.insecure: true) was deployed by `deploy -s kanboard`, because a partial synth
 * rendered only kanboard's files and the cross-service file rules never saw Traefik's. The real
 * site and the real packages, with kanboard's definition changed the way the probe changed it.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildHomelab, formatProblems, loadServices, synthesizeSite, toYaml,
  type ConfigFile, type Problem, type RenderContext, type ServiceEntry, type ServiceProps,
} from '../../src/index.ts';
import { site } from '../../../site/src/index.ts';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const TRAEFIK_YML = '/etc/traefik/traefik.yml';

let entries: ServiceEntry[];
beforeAll(async () => {
  entries = (await loadServices(ROOT)).entries;
}, 120_000);

/** The real packages, with kanboard also writing `extra` files. */
function kanboardWith(extra: ConfigFile[]): ServiceEntry[] {
  return entries.map((e) => {
    const def = e.definition as ServiceProps;
    if (def.name !== 'kanboard') return e;
    return { ...e, definition: { ...def, files: (ctx: RenderContext) => [...(def.files?.(ctx) ?? []), ...extra] } };
  });
}

const insecureStatic = (over: Partial<ConfigFile> = {}): ConfigFile => ({
  path: TRAEFIK_YML, host: 'traefik', mode: '0644', format: 'yaml',
  content: toYaml({ api: { insecure: true, dashboard: true }, entryPoints: { web: { address: ':80' } } }), ...over,
});

const conflicts = (problems: readonly Problem[]) => problems.filter((p) => p.code === 'FileConflict');

describe('cross-service file rules over the whole site, even for a partial synth', () => {
  it('the real site with the real packages has no file problem (passing fixture)', () => {
    const problems = synthesizeSite(buildHomelab(site, entries), { only: ['kanboard'] }).problems;
    expect(formatProblems(problems)).toBe('');
  });

  it.each([
    ['the whole site', undefined],
    ['synth -s kanboard', ['kanboard']],
  ])('%s: kanboard writing Traefik\'s traefik.yml (declared host-level) is a FileConflict naming both packages and the path', (_what, only) => {
    const home = buildHomelab(site, kanboardWith([insecureStatic({ hostLevel: { reason: 'probe' } })]));
    const found = conflicts(synthesizeSite(home, only ? { only } : {}).problems);
    expect(found, formatProblems(found)).toHaveLength(1);
    const [p] = found;
    expect(p!.source).toBe('packages/kanboard');
    expect(p!.message).toContain('packages/kanboard');
    expect(p!.message).toContain('packages/traefik');
    expect(p!.message).toContain(`traefik:${TRAEFIK_YML}`);
  });

  it('the target decides, not the spelling: a non-normalized path still conflicts', () => {
    // The same file spelled with "//": the file system sees one path.
    const home = buildHomelab(site, kanboardWith([insecureStatic({ path: '/etc//traefik/traefik.yml', hostLevel: { reason: 'probe' } })]));
    const problems = synthesizeSite(home, { only: ['kanboard'] }).problems;
    expect(conflicts(problems)).toHaveLength(1);
    expect(problems.map((p) => p.code)).toContain('FilePathNotNormalized');
  });

  it('the Traefik rules read the file Traefik reads, whatever format its writer declared', () => {
    const home = buildHomelab(site, kanboardWith([insecureStatic({ hostLevel: { reason: 'probe' } })]));
    const problems = synthesizeSite(home, { only: ['kanboard'] }).problems;
    expect(problems.filter((p) => p.code === 'InsecureDashboard').map((p) => p.source)).toEqual(['packages/kanboard']);
  });

  it('without a host-level declaration it is also a file on another service\'s guest', () => {
    const home = buildHomelab(site, kanboardWith([insecureStatic()]));
    const problems = synthesizeSite(home, { only: ['kanboard'] }).problems;
    expect(problems.map((p) => p.code)).toEqual(expect.arrayContaining(['FileConflict', 'FileOnForeignHost']));
  });
});
