/**
 * `homelab lab plan` as a user runs it, on the embedded site: the services a lab of LXC
 * containers can deploy, and why each other one cannot; nothing is written.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, homelab } from './run-homelab.ts';

interface LabPlan {
  readonly site: string;
  readonly lab: readonly string[];
  readonly leftOut: readonly { readonly service: string; readonly exclusions: readonly { readonly code: string; readonly reason: string }[] }[];
}

describe('homelab lab plan', () => {
  it('--json: the native LXC services are in, every Docker, VM, hardware and empty service is out with its reasons', async () => {
    const state = mkdtempSync(join(tmpdir(), 'lab-plan-state-'));
    const run = await homelab(['lab', 'plan', '--json'], { env: { HOMELAB_STATE_DIR: state } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as LabPlan;
    expect(doc.lab).toEqual(['pxe', 'recipe-site', 'wireguard']);
    const codes = Object.fromEntries(doc.leftOut.map((s) => [s.service, s.exclusions.map((e) => e.code)]));
    expect(codes.traefik).toEqual(['docker']);
    expect(codes.monitoring).toEqual(['docker']);
    expect(codes.alertmind).toEqual(['docker', 'shares-excluded-guest']);
    expect(codes.truenas).toEqual(['vm']);
    expect(codes['home-assistant']).toEqual(['vm', 'devices']);
    expect(codes['klipper-1']).toEqual(['external-host']);
    expect(codes.ceph).toEqual(['no-guest']);
    expect(codes.openclaw).toEqual(['no-playbook']);
    expect(doc.lab.length + doc.leftOut.length).toBe(readdirSync(join(REPO_ROOT, 'packages')).length);
    expect(readdirSync(state)).toEqual([]);
  });

  it('for people: the lab first, then each left-out service on one line with its reasons', async () => {
    const run = await homelab(['lab', 'plan']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^In the lab \(3 of \d+ services, each in its own LXC container\): pxe, recipe-site, wireguard$/m);
    expect(run.stdout).toMatch(/^ {2}mailcow +needs a Docker engine, and none runs in the lab$/m);
  });

  it('HOMELAB_SITE=@homelab/lab-site: the same lab, on the lab\'s own addresses (10.77.1.0/24), never the LAN\'s', async () => {
    const env = { HOMELAB_SITE: '@homelab/lab-site' };
    const lab = await homelab(['lab', 'plan', '--json'], { env });
    expect(lab.code).toBe(0);
    expect((JSON.parse(lab.stdout) as LabPlan).lab).toEqual(['pxe', 'recipe-site', 'wireguard']);
    const plan = await homelab(['plan', '--service', 'recipe-site', '--json'], { env });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('"10.77.1.21"');
    expect(plan.stdout).not.toContain('192.168.86.');
  }, 60_000);
});
