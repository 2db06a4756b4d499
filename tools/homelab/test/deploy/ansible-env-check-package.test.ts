/**
 * The real traefik package's generated playbook, run by hand with the real ansible-playbook (as
 * an operator would, without `homelab deploy`'s preflight): with its secret unset it stops
 * before any change, naming the variable; with it set it gets past the check.
 *
 * Every host of the inventory is pointed at Ansible's local connection, so nothing is contacted,
 * and both runs use --check: these plays target /etc and /opt of a real server, which this
 * machine is not. That nothing changes on a real host when the secret is unset is shown by a real
 * run over SSH in ansible-lxc.test.ts (HOMELAB_TEST_HOST), and into a temp dir by
 * libs/core/test/ansible-env-check.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { deployUnitFromSynth, findExecutable, writeDist, type DeployUnit, type SynthResult } from '@homelab/core';
import { synthesizeThisSite, WORKSPACE_ROOT } from '@homelab/site/testing';

const SERVICE = 'traefik';
const ansible = await findExecutable('ansible-playbook', process.env);
const SKIP = 'ansible-playbook is not on PATH (apt-get install ansible-core; CI installs it with tools/ci/install-system-tools.sh)';
if (!ansible) console.warn(`[skipped] ${SERVICE} playbook env check: ${SKIP}`);

describe.skipIf(!ansible)(`${SERVICE}'s generated playbook, run by hand${ansible ? '' : ` (skipped: ${SKIP})`}`, () => {
  let work: string;
  let result: SynthResult;
  let unit: DeployUnit;
  let secrets: string[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'homelab-env-check-'));
    const synthesis = await synthesizeThisSite();
    const found = synthesis.results.find((r) => r.service === SERVICE);
    if (!found) throw new Error(`${SERVICE} was not synthesized: ${synthesis.problems.map((p) => `${p.source} ${p.code}`).join(', ')}`);
    result = found;
    await writeDist(join(work, 'dist'), result);
    unit = deployUnitFromSynth(result, { home: synthesis.home, root: WORKSPACE_ROOT, distRoot: join(work, 'dist') });
    // What deploy's preflight requires for the config step: the playbook must check the same names.
    secrets = unit.env.filter((e) => e.step === 'config').map((e) => e.name).sort();
    const inv = parse(result.files.get('ansible/inventory.yml')!) as { all: { hosts: Record<string, unknown> } };
    for (const name of Object.keys(inv.all.hosts)) inv.all.hosts[name] = { ansible_connection: 'local', ansible_python_interpreter: '{{ ansible_playbook_python }}' };
    writeFileSync(join(work, 'local-inventory.yml'), stringify(inv));
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function run(env: Record<string, string>, args: string[]): { status: number | null; output: string } {
    const base = { ...process.env };
    for (const name of secrets) delete base[name];
    const r = spawnSync(ansible!, ['-i', join(work, 'local-inventory.yml'), 'playbook.yml', '--skip-tags', 'packages,stack', ...args], {
      cwd: join(unit.distDir, 'ansible'),
      env: { ...base, ...env, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'False' },
      encoding: 'utf8',
    });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }

  it('reads a secret (otherwise this test proves nothing)', () => {
    expect(secrets).toContain('CF_DNS_API_TOKEN');
  });

  it('with its secret unset: exits non-zero naming it and runs no configuring play', () => {
    const r = run({}, ['--check']);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(`Not set or empty: ${secrets.join(', ')}. Nothing was changed.`);
    expect(r.output).not.toMatch(/PLAY \[Configure /);
    expect(r.output).toMatch(/^\S+\s*:\s*ok=0\s+changed=0\s+unreachable=0\s+failed=1/m);
  }, 120_000);

  it('with its secret set: the check passes and every configuring play runs (--check), the value never printed', () => {
    const value = 'dummy-cf-token-93c1e7';
    const r = run(Object.fromEntries(secrets.map((s) => [s, value])), ['--check', '-v']);
    expect(r.status, r.output).toBe(0);
    expect(r.output).not.toContain('Not set or empty');
    const hosts = Object.keys((parse(result.files.get('ansible/inventory.yml')!) as { all: { hosts: object } }).all.hosts);
    for (const host of hosts) expect(r.output).toContain(`PLAY [Configure ${SERVICE} on ${host}]`);
    expect(r.output).not.toContain(value);
  }, 120_000);
});
