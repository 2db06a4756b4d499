/**
 * Deploy preflight and the site inputs nobody has measured yet: a service whose manifest lists one
 * is refused before anything changes, naming the input, the service and the fix; a dry run reports
 * it as a warning and still prints the commands.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, deployServices, type DeployServicesOptions } from '../../src/index.ts';
import { fakeSpawner, fakeTools, sinks, tempDir, unitOf } from './helpers.ts';

const ENV = { PATH: '/fake/bin', PROXMOX_VE_ENDPOINT: 'https://pve.invalid:8006', PROXMOX_VE_API_TOKEN: 'token-value' };
const provider = [
  { name: 'PROXMOX_VE_API_TOKEN', description: 'Proxmox API token (provider)', step: 'infra' as const },
  { name: 'PROXMOX_VE_ENDPOINT', description: 'Proxmox API endpoint (provider)', step: 'infra' as const },
];
const OSD = { input: 'nodes.n2.disks[1].device', measure: 'stable path of the OSD SSD on n2: `ls -l /dev/disk/by-id/` on n2' };

function setup() {
  const root = tempDir();
  const out = sinks();
  const options = (extra: Partial<DeployServicesOptions> = {}): DeployServicesOptions => ({
    root, stateDir: join(root, 'state'), env: ENV, siteName: 'test-lab', findExecutable: fakeTools(), out: out.out, err: out.err, yes: true, ...extra,
  });
  return { root, out, options };
}

describe('deploy preflight: unmeasured site inputs', () => {
  it('passing fixture: the same service with every input measured deploys', async () => {
    const { root, options } = setup();
    const fake = fakeSpawner();
    const summary = await deployServices([unitOf(root, 'storage', { env: provider })], options({ spawner: fake.spawner }));
    expect(summary.exitCode).toBe(EXIT.ok);
    expect(summary.problems).toEqual([]);
    expect(fake.argv().length).toBeGreaterThan(0);
  });

  it('failing fixture: a service that waits for an unmeasured input is refused before anything runs, naming the input, the service and the fix', async () => {
    const { root, out, options } = setup();
    const fake = fakeSpawner();
    const units = [unitOf(root, 'storage', { env: provider, unmeasured: [OSD] }), unitOf(root, 'web', { env: provider })];
    const summary = await deployServices(units, options({ spawner: fake.spawner }));
    expect(summary.exitCode).toBe(EXIT.refused);
    expect(fake.calls).toEqual([]);
    expect(summary.problems).toEqual([expect.objectContaining({ code: 'UnmeasuredInput', path: 'storage.unmeasured', received: ['nodes.n2.disks[1].device'] })]);
    const [problem] = summary.problems;
    expect(problem!.message).toContain('storage waits for 1 site input nobody has measured yet');
    expect(problem!.message).toContain(`nodes.n2.disks[1].device: ${OSD.measure}`);
    expect(problem!.fix).toContain('npx homelab discover');
    expect(problem!.fix).toContain('deploy storage');
    expect(out.all()).toContain('preflight failed; nothing was changed');
  });

  it('a dry run reports it as a warning, prints every command and runs none (exit 0)', async () => {
    const { root, out, options } = setup();
    const fake = fakeSpawner();
    const summary = await deployServices([unitOf(root, 'storage', { env: provider, unmeasured: [OSD] })], options({ spawner: fake.spawner, dryRun: true, yes: false }));
    expect(summary.exitCode).toBe(EXIT.ok);
    expect(fake.calls).toEqual([]);
    expect(summary.problems.map((p) => `${p.severity} ${p.code}`)).toEqual(['warning UnmeasuredInput']);
    expect(summary.commands.map((c) => `${c.service} ${c.args[0]}`)).toEqual(['storage init', 'storage plan', 'storage apply', 'storage -i']);
    expect(out.all()).toContain('warning UnmeasuredInput at storage.unmeasured');
    expect(out.all()).toContain('nodes.n2.disks[1].device');
  });
});
