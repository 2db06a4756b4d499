import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildStatus, compareVersions, fleetStateFrom, formatStatus, readRecordedDeploys, versionFromTags, writeDeployRecord, type DeployRecord, type ServiceManifest } from '../../src/index.ts';
import { allGuests, fleetHomelab } from './fleet-fixture.ts';

const home = fleetHomelab();

/** Cluster resources as the API gives them: tags `;`-separated, synthesis's `v<version>` among them. */
function resources(overrides: Record<number, { status?: string; tags?: string; node?: string } | null> = {}) {
  const base = allGuests(home).flatMap((g) => {
    const o = overrides[g.vmid];
    if (o === null) return [];
    return [{ id: `${g.type}/${g.vmid}`, type: g.type, vmid: g.vmid, node: o?.node ?? g.node, name: g.name, status: o?.status ?? 'running', uptime: 7200, tags: o?.tags ?? `group-x;homelab;svc-${g.owner};v1.2.3` }];
  });
  return [...base, { id: 'lxc/999', type: 'lxc', vmid: 999, node: 'n1', name: 'hand-made', status: 'running', uptime: 5 }];
}

describe('status', () => {
  it('reads the deployed version from the guest tags and compares it with the repository', () => {
    const state = fleetStateFrom(resources({ 202: { tags: 'homelab;v1.0.0' }, 203: { tags: 'homelab;v2.0.0' }, 208: { tags: 'homelab' }, 214: null, 210: { node: 'n2', status: 'stopped' } }));
    const report = buildStatus(home, state);
    const row = (s: string) => report.rows.find((r) => r.service === s)!;
    expect(row('proxy')).toMatchObject({ deployedVersion: '1.2.3', repoVersion: '1.2.3', verdict: 'current', guests: [{ vmid: 100, node: 'n1', status: 'running', uptime: 7200, taggedVersion: '1.2.3' }] });
    expect(row('dl').verdict).toBe('behind');
    expect(row('mediasrv').verdict).toBe('ahead');
    expect(row('vpn').verdict).toBe('unknown');
    expect(row('zigbee')).toMatchObject({ verdict: 'not deployed', guests: [{ status: 'absent' }] });
    expect(row('radio').guests[0]).toMatchObject({ node: 'n2', plannedNode: 'n1', status: 'stopped' });
    expect(row('dash')).toMatchObject({ guests: [], verdict: 'unknown' });
    expect(report.unmanaged.map((g) => g.vmid)).toEqual([999]);
  });

  it('uses the deploy record when the guest has no tag, and flags a failed last deploy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'homelab-state-'));
    const manifest = (version: string): ServiceManifest => ({ service: 'vpn', package: '@t/vpn', version, group: 'security', kind: 'lxc', dependsOn: [], env: [], artifacts: [] });
    const record: DeployRecord = {
      schema: 1, service: 'vpn', package: '@t/vpn', version: '1.2.4', status: 'failed', manifestSha256: 'x', host: 'laptop', at: '2026-01-01T00:00:00Z', manifest: manifest('1.2.4'),
      failedStep: 'config', lastDeployed: { manifest: manifest('1.2.2'), at: '2025-12-01T00:00:00Z' },
    };
    await writeDeployRecord(dir, record);
    const records = await readRecordedDeploys(dir, home.services.map((s) => s.name));
    expect(Object.fromEntries(records)).toEqual({ vpn: { version: '1.2.2', lastFailed: true } });
    const report = buildStatus(home, fleetStateFrom(resources({ 208: { tags: 'homelab' } })), records);
    expect(report.rows.find((r) => r.service === 'vpn')).toMatchObject({ recordedVersion: '1.2.2', deployedVersion: '1.2.2', verdict: 'behind', lastDeployFailed: true });
  });

  it('without the API: versions from records only, states unknown', () => {
    const report = buildStatus(home, undefined);
    expect(report.live).toBe(false);
    expect(report.rows.find((r) => r.service === 'proxy')).toMatchObject({ verdict: 'unknown', guests: [{ status: 'unknown', node: 'n1' }] });
  });

  it('prints one line per guest, with uptime, and the guests no service declares', () => {
    const lines = formatStatus(buildStatus(home, fleetStateFrom(resources())));
    expect(lines[0]).toMatch(/^SERVICE\s+GROUP\s+GUEST\s+NODE\s+STATUS\s+UPTIME\s+DEPLOYED\s+REPO\s+VERSION$/);
    expect(lines.find((l) => l.startsWith('k8s'))).toMatch(/^k8s\s+kubernetes\s+qemu 400\s+n2\s+running\s+2h00m\s+1\.2\.3\s+1\.2\.3\s+current$/);
    expect(lines.find((l) => l.includes('qemu 411'))).toMatch(/^\s+qemu 411\s+n1\s+running\s+2h00m$/);
    expect(lines.slice(-3)).toEqual(['guests no service declares:', '  GUEST    NAME       NODE  STATUS', '  lxc 999  hand-made  n1    running']);
  });

  it('version helpers', () => {
    expect(versionFromTags(['homelab', 'svc-a', 'v0.10.2', 'tier-high'])).toBe('0.10.2');
    expect(versionFromTags(['homelab', 'vpn'])).toBeUndefined();
    expect(compareVersions('0.10.0', '0.9.9')).toBe(1);
    expect(compareVersions('1.2.3', '1.2.3')).toBe(0);
    expect(compareVersions('1.2.3', '1.3.0')).toBe(-1);
  });
});
