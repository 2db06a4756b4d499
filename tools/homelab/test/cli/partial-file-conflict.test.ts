/**
 * Issue 9 probe, through the installed bin: `deploy -s kanboard` deployed a kanboard file that
 * replaced Traefik's own traefik.yml, because a partial synth never compared kanboard's files with
 * Traefik's. Here a throwaway workspace on the core test site: `proxy` renders its config, and
 * `app` (declaring the file host-level, so only the conflict can stop it) writes other bytes to
 * the same file on proxy's guest. `plan --service app`, `synth -s app` and
 * `deploy -s app --dry-run` must all refuse, naming both packages and the target, and write nothing.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '@homelab/core';
import { REPO_ROOT, STACK_FRAME, homelab } from './run-homelab.ts';

const RESOURCES = `resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 8 }] }`;
const PROXY_FILE = `{ path: '/etc/proxy/proxy.yml', content: 'api:\\n  insecure: false\\n', mode: '0644', format: 'yaml' }`;
const INTRUDER = `{ path: '/etc/proxy/proxy.yml', host: 'proxy', hostLevel: { reason: 'probe' }, content: 'api:\\n  insecure: true\\n', mode: '0644', format: 'yaml' }`;
const OWN = `{ path: '/etc/app/app.conf', content: 'port: 3000\\n', mode: '0644', format: 'text' }`;

function workspace(appFiles: string): string {
  // A parent of its own, so what climbs out of the workspace lands where no one else writes.
  const ws = join(mkdtempSync(join(tmpdir(), 'homelab-conflict-')), 'ws');
  mkdirSync(ws);
  writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'conflict-fixture', private: true, type: 'module' }));
  writeFileSync(join(ws, 'site.ts'), `export { testSite as site } from ${JSON.stringify(join(REPO_ROOT, 'libs/core/test/fixtures/test-site.ts'))};\n`);
  const pkgs = [
    { name: 'proxy', deps: [] as string[], body: `kind: 'lxc', tier: 'critical', group: 'core', ${RESOURCES},
      ports: [{ port: 443, protocol: 'tcp', description: 'https', public: true }], files: () => [${PROXY_FILE}]` },
    { name: 'app', deps: ['proxy'], body: `kind: 'lxc', tier: 'normal', group: 'apps', ${RESOURCES}, files: () => [${appFiles}]` },
  ];
  for (const p of pkgs) {
    const dir = join(ws, 'packages', p.name);
    mkdirSync(join(dir, 'src'), { recursive: true });
    mkdirSync(join(dir, 'smoke'), { recursive: true });
    writeFileSync(join(dir, 'smoke', `${p.name}.smoke.ts`), '// never run here\n');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({
      name: `@fx/${p.name}`, version: '1.0.0', private: true, type: 'module', dependencies: Object.fromEntries(p.deps.map((d) => [`@fx/${d}`, '*'])),
    }));
    writeFileSync(join(dir, 'src', 'index.ts'), `export default {\n  name: '${p.name}', description: '${p.name} for the conflict probe',\n  ${p.body},\n  dependsOn: ${JSON.stringify(p.deps)},\n};\n`);
  }
  return ws;
}

const env = { HOMELAB_SITE: './site.ts', HOMELAB_VALIDATE_TOOLS: 'off', HOMELAB_SCHEMAS_DIR: join(REPO_ROOT, 'schemas') };

let clean: string;
let intruded: string;
beforeAll(() => {
  clean = workspace(OWN);
  intruded = workspace(`${OWN}, ${INTRUDER}`);
});

describe('a partial synth still runs the cross-service file rules (real bin)', { timeout: 240_000 }, () => {
  it('passing fixture: synth -s app --dry-run without the intruding file', async () => {
    const r = await homelab(['synth', '-s', 'app', '--dry-run', '--root', clean], { env });
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(EXIT.ok);
    expect(r.stdout).toContain('1 service synthesized without an error');
  });

  it.each([
    ['plan --service app', ['plan', '--service', 'app']],
    ['synth -s app', ['synth', '-s', 'app']],
    ['deploy -s app --dry-run', ['deploy', '-s', 'app', '--dry-run']],
  ])('%s refuses the file that replaces proxy\'s, naming both packages and the target', async (_what, args) => {
    const r = await homelab([...args, '--root', intruded], { env });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.code, out).toBe(EXIT.failed);
    expect(out).toContain('FileConflict');
    expect(out).toMatch(/app \(packages\/app\) and proxy \(packages\/proxy\) write different content to proxy:\/etc\/proxy\/proxy\.yml/);
    expect(out).not.toMatch(STACK_FRAME);
    expect(existsSync(join(intruded, 'dist', 'app')), 'nothing written to dist/').toBe(false);
  });
});

describe('a config file outside its place is refused before anything is written (real bin)', { timeout: 240_000 }, () => {
  it.each([
    ['a path that climbs out of dist/', `{ path: '../../x', content: 'x', mode: '0644', format: 'text' }`, 'RelativeFilePath'],
    ['a host that climbs out of dist/', `{ path: '/etc/app/x', host: '../../..', content: 'x', mode: '0644', format: 'text' }`, 'UnknownFileHost'],
    ['a Jinja lookup in the path', `{ path: "/etc/app/{{ lookup('pipe', 'id') }}", content: 'x', mode: '0644', format: 'text' }`, 'FilePathTemplate'],
    ['a 5000-character path (was: internal error ENAMETOOLONG, dist/ half-written)', `{ path: '/etc/app/${'a'.repeat(4991)}', content: 'x', mode: '0644', format: 'text' }`, 'FilePathTooLong'],
    ['/etc/shadow on a Proxmox node', `{ path: '/etc/shadow', host: 'n1', hostLevel: { reason: 'probe' }, content: 'x', mode: '0600', format: 'text' }`, 'CredentialPathTarget'],
  ])('synth -s app: %s', async (_what, file, code) => {
    const ws = workspace(`${OWN}, ${file}`);
    const r = await homelab(['synth', '-s', 'app', '--root', ws], { env });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.code, out).toBe(EXIT.failed);
    expect(out).toContain(`error ${code} at files[`);
    expect(out).toContain('packages/app');
    expect(out).not.toContain('internal error');
    expect(out).not.toMatch(STACK_FRAME);
    expect(existsSync(join(ws, 'dist')), 'nothing written').toBe(false);
    expect(existsSync(join(ws, 'x')) || existsSync(join(ws, '..', 'x')), 'nothing outside the workspace').toBe(false);
  });
});
