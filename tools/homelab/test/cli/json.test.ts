/**
 * --json through the installed bin: stdout is exactly one JSON document (messages and warnings
 * go to stderr), shaped as docs/cli.md says, holding what was asked and nothing more.
 */
import { describe, expect, it } from 'vitest';
import { POLICY_RULES } from '@homelab/core';
import { ADDRESS_PLAN, site } from '@homelab/site';
import { homelab } from './run-homelab.ts';

describe('homelab --json', () => {
  it('plan --service arr --json: only arr, what it creates, its change, its node\'s capacity, the validation of its files', async () => {
    const r = await homelab(['plan', '--service', 'arr', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.only).toEqual(['arr']);
    expect(plan.ok).toBe(true);
    expect(plan.waves).toHaveLength(1);
    expect(plan.waves[0].services).toEqual(['arr']);
    expect(plan.services.map((s: { name: string }) => s.name)).toEqual(['arr']);
    const [arr] = plan.services;
    expect(arr.wave).toBe(plan.waves[0].wave);
    // A fresh state directory: never deployed.
    expect(arr.change).toEqual({ status: 'new', artifacts: [] });
    expect(arr.guests).toHaveLength(1);
    expect(arr.guests[0]).toMatchObject({ kind: 'lxc', node: ADDRESS_PLAN.arr!.node, vmid: ADDRESS_PLAN.arr!.vmid, ip: ADDRESS_PLAN.arr!.ip });
    expect(arr.guests[0].cores).toBeGreaterThan(0);
    expect(arr.guests[0].memoryMiB).toBeGreaterThan(0);
    expect(arr.routes.length).toBeGreaterThan(0);
    for (const route of arr.routes) {
      expect(route.url).toMatch(new RegExp(`^https://[a-z0-9-]+\\.${site.domain.replace('.', '\\.')}$`));
      expect(route.backend).toContain(ADDRESS_PLAN.arr!.ip);
      expect(route.auth).toBe('authentik');
    }
    expect(plan.capacity.nodes.map((n: { node: string }) => n.node)).toEqual([ADDRESS_PLAN.arr!.node]);
    expect(plan.capacity.nodes[0].guests.map((g: { service: string }) => g.service)).toContain('arr');
    expect(plan.servicesInSite).toBeGreaterThan(1);
    expect(plan.validation.ok).toBe(true);
    expect(plan.validation.checks).toBeGreaterThan(0);
    expect(plan.validation.failed).toBe(0);
    // The people's summary went to stderr.
    expect(r.stderr).toContain(`Policy: ${POLICY_RULES.length} rules, no problem.`);
  }, 300_000);

  it('validate --json with the tools off: the warning is in the document and on stderr', async () => {
    const r = await homelab(['validate', '--service', 'traefik', '--json'], { env: { HOMELAB_VALIDATE_TOOLS: 'off', CI: '' } });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.services).toEqual(['traefik']);
    expect(doc.ok).toBe(true);
    expect(doc.validation.toolsOff).toBe('HOMELAB_VALIDATE_TOOLS=off');
    expect(doc.validation.warnings.map((w: { code: string }) => w.code)).toContain('ToolChecksDisabled');
    expect(Object.keys(doc.validation.byCheck).some((c) => c.startsWith('schema '))).toBe(true);
    expect(r.stderr).toContain('Skipped: NO tool check ran (HOMELAB_VALIDATE_TOOLS=off)');
  }, 300_000);

  it('synth --json --dry-run: every service and its files, nothing written', async () => {
    const r = await homelab(['synth', '--json', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.dryRun).toBe(true);
    const traefik = doc.services.find((s: { service: string }) => s.service === 'traefik');
    expect(traefik).toMatchObject({ dir: 'dist/traefik', written: false });
    expect(traefik.files).toContain('manifest.json');
    expect(doc.services.length).toBeGreaterThan(10);
  }, 300_000);

  it('assumptions --json: the site\'s assumptions as data', async () => {
    const r = await homelab(['assumptions', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ site: site.name, assumptions: site.assumptions.map((a) => ({ path: a.path, value: a.value, reason: a.reason })) });
  }, 120_000);

  it('rules --json: every policy rule with its codes', async () => {
    const r = await homelab(['rules', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rules = JSON.parse(r.stdout) as { name: string; codes: string[] }[];
    expect(rules.map((x) => x.name)).toEqual(POLICY_RULES.map((x) => x.name));
  }, 120_000);
});
