/**
 * `homelab drift` as a user runs it (the installed binary) against the Proxmox test server: live
 * guest configs against the synthesized Terraform, the plan through a stand-in terraform where
 * it can run, and the exit codes (0 in sync, 5 drift, 1 incomplete, 2 usage, 4 no API).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '@homelab/core';
import { stubDir } from '../deploy/fixture-workspace.ts';
import { STACK_FRAME } from '../cli/run-homelab.ts';
import { clusterOf, inSyncGuests, runAgainstCluster } from './cluster-cli.ts';

describe('homelab drift', () => {
  it('every guest as the code says: in sync, the config of each read once, the plan not run without terraform, exit 0', async () => {
    const r = await runAgainstCluster(['drift'], { cluster: clusterOf(inSyncGuests()) });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/^proxy\s+in sync\s+\(plan: not run: TF_VAR_ssh_public_key not set \(the plan needs it\)\)$/m);
    expect(r.stdout).toContain('drift: 4 in sync, 0 drifted, 0 missing, 0 unknown, 0 failed');
    expect(r.server!.requests.map((q) => q.path).sort()).toEqual(['/cluster/resources', '/nodes/n1/lxc/100/config', '/nodes/n1/lxc/101/config', '/nodes/n2/lxc/102/config', '/nodes/n2/lxc/103/config']);
  }, 60_000);

  it('memory changed by hand, an old version tag, a guest moved and one missing: each named live → code, exit 5', async () => {
    const guests = inSyncGuests();
    guests[2]!.config!.memoryMiB = 1024;
    guests[2]!.tags = guests[2]!.tags!.replace('v1.0.0', 'v0.9.0');
    guests[1]!.node = 'n2';
    guests.splice(3, 1);
    const r = await runAgainstCluster(['drift'], { cluster: clusterOf(guests) });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(EXIT.drift);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('  102 app: memory: 1024 → 512');
    expect(lines).toContain('  102 app: version: v0.9.0 → v1.0.0');
    expect(lines).toContain('  101 idp: node: n2 → n1');
    expect(r.stdout).toMatch(/^app\s+DRIFTED/m);
    expect(r.stdout).toMatch(/^solo\s+missing/m);
    expect(lines).toContain('  103 solo: missing: no guest 103 on the cluster (deploy creates it; `homelab adopt` if it runs under another VMID)');
    expect(r.stdout).toMatch(/^proxy\s+in sync/m);
    expect(r.stdout).toContain('drift: 1 in sync, 2 drifted, 1 missing, 0 unknown, 0 failed');
  }, 60_000);

  it('--service and --json: only that service, as data', async () => {
    const guests = inSyncGuests();
    guests[2]!.config!.disks = [{ key: 'rootfs', storage: 'ceph', sizeGiB: 16 }];
    const r = await runAgainstCluster(['drift', '--service', 'app', '--json'], { cluster: clusterOf(guests) });
    expect(r.code, r.stderr).toBe(EXIT.drift);
    const doc = JSON.parse(r.stdout);
    expect(doc.services.map((s: { service: string }) => s.service)).toEqual(['app']);
    expect(doc.services[0].guests[0].fields).toEqual([
      { field: 'disk rootfs storage', live: 'ceph', code: 'local-lvm' },
      { field: 'disk rootfs size', live: '16', code: '8' },
    ]);
    expect(doc.counts).toEqual({ inSync: 0, drifted: 1, missing: 0, unknown: 0, errors: 0 });
    expect(doc.unmanaged).toEqual([]);
  }, 60_000);

  it('a config the token may not read is unknown, and the report incomplete: exit 1', async () => {
    const guests = inSyncGuests();
    guests[0]!.configStatus = { status: 403, text: 'Permission check failed (/vms/100, VM.Audit)' };
    const r = await runAgainstCluster(['drift'], { cluster: clusterOf(guests) });
    expect(r.code, r.stdout).toBe(EXIT.failed);
    expect(r.stdout).toMatch(/^proxy\s+unknown/m);
    expect(r.stdout).toContain('VM.Audit');
  }, 60_000);

  it('with terraform and the variables: the plan runs read-only as deploy runs it; changes are drift (5), none is in sync (0)', async () => {
    const stubs = stubDir(['terraform']);
    const log = join(stubs, 'log');
    const env = { STUB_LOG: log, TF_VAR_ssh_public_key: 'ssh-ed25519 AAAA test' };
    const changes = await runAgainstCluster(['drift', '--service', 'proxy'], { cluster: clusterOf(inSyncGuests()), path: stubs, env });
    expect(changes.code, `${changes.stdout}\n${changes.stderr}`).toBe(EXIT.drift);
    expect(changes.stdout).toMatch(/^proxy\s+DRIFTED\s+\(plan: changes \(Plan: 1 to add, 0 to change, 0 to destroy\.\)\)$/m);
    expect(changes.stdout).toContain('  plan: # proxmox_virtual_environment_container.stub will be created');
    const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split('\t'));
    expect(calls.map((c) => c.slice(2).join(' '))).toEqual([
      `init -input=false -no-color -backend-config=path=${changes.state}/terraform-state/proxy.tfstate`,
      'plan -input=false -no-color -detailed-exitcode -lock=false',
    ]);
    expect(calls[1]![1]).toMatch(new RegExp(`^${changes.state}/runs/proxy/drift-`));

    const none = await runAgainstCluster(['drift', '--service', 'proxy'], { cluster: clusterOf(inSyncGuests()), path: stubs, env: { ...env, STUB_PLAN: 'none' }, ws: changes.ws });
    expect(none.code, `${none.stdout}\n${none.stderr}`).toBe(EXIT.ok);
    expect(none.stdout).toMatch(/^proxy\s+in sync\s+\(plan: no changes\)$/m);

    const failing = await runAgainstCluster(['drift', '--service', 'proxy'], { cluster: clusterOf(inSyncGuests()), path: stubs, env: { ...env, STUB_FAIL: 'terraform:plan:*' }, ws: changes.ws });
    expect(failing.code).toBe(EXIT.failed);
    expect(failing.stdout).toMatch(/^proxy\s+ERROR\s+\(plan: failed: proxy: infra: terraform plan \(drift\) exited with code 1: Error: stub terraform plan failed\)$/m);
  }, 120_000);

  it('an unknown service is exit 2; no API settings is exit 4; no stack trace', async () => {
    const unknown = await runAgainstCluster(['drift', '--service', 'nope'], { cluster: clusterOf([]) });
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toContain('homelab: unknown service "nope".');
    const unset = await runAgainstCluster(['drift']);
    expect(unset.code).toBe(EXIT.setup);
    expect(unset.stderr).toContain(`homelab drift compares the live guests through the Proxmox API: PROXMOX_VE_API_TOKEN is not exported and no token is stored in ${unset.state}/secrets/proxmox-api-token (`);
    expect(unknown.stderr + unset.stderr).not.toMatch(STACK_FRAME);
  }, 60_000);
});
