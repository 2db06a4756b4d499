/**
 * The fleet commands with the token `homelab deploy` stored after applying the hypervisor stack
 * (`<state>/secrets/proxmox-api-token`), as an operator who bootstrapped from zero has it: no
 * PROXMOX_VE_API_TOKEN exported. Run through the installed binary against the schema-checking
 * Proxmox test server (./cluster-cli.ts). The exported token wins over the stored one; with
 * neither, the error names the stored path and the command that creates it; the secret appears
 * in no output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, storeToken } from '@homelab/core';
import { createWorkspace, stubDir } from '../deploy/fixture-workspace.ts';
import { REPO_ROOT, STACK_FRAME } from '../cli/run-homelab.ts';
import { clusterOf, plannedGuests, runAgainstCluster } from './cluster-cli.ts';

const TOKEN = 'PROXMOX_VE_API_TOKEN';

/** The fixture workspace with a service that provides the hypervisor (it creates the token), as packages/proxmox does. */
function workspace(): { ws: string; state: string; stored: string } {
  const ws = createWorkspace();
  const dir = join(ws, 'packages', 'hv');
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'smoke'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@fx/hv', version: '1.0.0', private: true, type: 'module' }));
  writeFileSync(join(dir, 'src', 'index.ts'), `export default {
  name: 'hv', description: 'creates the Terraform token', kind: 'none', tier: 'critical', group: 'core', provides: ['hypervisor'], dependsOn: [],
};
`);
  writeFileSync(join(dir, 'smoke', 'hv.smoke.ts'), '// not run\n');
  const state = join(ws, 'state');
  return { ws, state, stored: join(state, 'secrets', 'proxmox-api-token') };
}

const secretOf = (token: string): string => token.slice(token.lastIndexOf('=') + 1);

describe('fleet commands with the stored Proxmox API token', () => {
  it('status without an exported token uses the stored one: live state, exit 0; stderr names the stored file, no output holds the secret', async () => {
    const { ws, state, stored } = workspace();
    const cluster = clusterOf(plannedGuests());
    await storeToken(state, cluster.token);
    const r = await runAgainstCluster(['status'], { cluster, ws, unset: [TOKEN] });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/^proxy\s+core\s+lxc 100\s+n1\s+running\b/m);
    expect(r.stderr).toContain(`homelab: Proxmox API token: the token stored in ${stored} by the last deploy of the token's stack`);
    expect(r.server!.requests.map((q) => `${q.method} ${q.template}`)).toEqual(['GET /cluster/resources']);
    expect(r.stdout + r.stderr).not.toContain(secretOf(cluster.token));
  }, 60_000);

  it('adopt and drift use the stored token too', async () => {
    const { ws, state, stored } = workspace();
    const cluster = clusterOf(plannedGuests());
    await storeToken(state, cluster.token);
    for (const command of ['adopt', 'drift']) {
      const r = await runAgainstCluster([command, '--service', 'proxy'], { cluster, ws, unset: [TOKEN] });
      expect(r.code, `${command}: ${r.stderr}`).not.toBe(EXIT.setup);
      expect(r.stderr).toContain(`homelab: Proxmox API token: the token stored in ${stored}`);
      expect(r.server!.requests.length, command).toBeGreaterThan(0);
      expect(r.stdout + r.stderr).not.toContain(secretOf(cluster.token));
    }
  }, 120_000);

  it('with neither an exported nor a stored token: exit 4, naming the stored path and the command that creates it', async () => {
    const { ws, stored } = workspace();
    const status = await runAgainstCluster(['status'], { cluster: clusterOf(plannedGuests()), ws, unset: [TOKEN] });
    expect(status.code).toBe(EXIT.setup);
    expect(status.stderr).toContain(`homelab: live state unknown: ${TOKEN} is not exported and no token is stored in ${stored} (\`homelab deploy --service hv\` (or \`homelab bootstrap\`) creates the token and stores it there; or export ${TOKEN}) (shown: repository and recorded versions only).`);
    expect(status.server!.requests).toEqual([]);
    const adopt = await runAgainstCluster(['adopt'], { ws, unset: [TOKEN] });
    expect(adopt.code).toBe(EXIT.setup);
    expect(adopt.stderr).toContain(`homelab adopt lists the cluster's guests through the Proxmox API: ${TOKEN} is not exported and no token is stored in ${stored} (\`homelab deploy --service hv\``);
    expect(status.stderr + adopt.stderr).not.toMatch(STACK_FRAME);
  }, 60_000);

  it('the exported token wins over the stored one, and says so', async () => {
    const { ws, state } = workspace();
    const cluster = clusterOf(plannedGuests());
    await storeToken(state, 'homelab@pve!fleet=stale-stored-secret');
    const r = await runAgainstCluster(['status'], { cluster, ws });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stderr).toContain(`homelab: Proxmox API token: $${TOKEN} as exported (it wins over a stored token)`);
    expect(r.stdout + r.stderr).not.toContain('stale-stored-secret');
  }, 60_000);

  it('a wrong exported token is not silently replaced by a good stored one: 401, exit 1, naming the variable', async () => {
    const { ws, state } = workspace();
    const cluster = clusterOf(plannedGuests());
    await storeToken(state, cluster.token);
    const r = await runAgainstCluster(['status'], { cluster, ws, env: { [TOKEN]: 'homelab@pve!fleet=Zq9-exported-wrong' } });
    expect(r.code).toBe(EXIT.failed);
    expect(r.stderr).toContain(`as exported (it wins over a stored token)`);
    expect(r.stderr).toMatch(/rejected the API token \(HTTP 401 invalid token value!\)\. Check PROXMOX_VE_API_TOKEN/);
    expect(r.stdout + r.stderr).not.toContain('Zq9');
    expect(r.stdout + r.stderr).not.toContain(secretOf(cluster.token));
  }, 60_000);

  it('a stored file that is not a token: exit 4, naming the file, not its content; nothing is asked of the API', async () => {
    const { ws, state, stored } = workspace();
    const cluster = clusterOf(plannedGuests());
    await storeToken(state, 'not-a-token-Qx7');
    const r = await runAgainstCluster(['status'], { cluster, ws, unset: [TOKEN] });
    expect(r.code).toBe(EXIT.setup);
    expect(r.stderr).toContain(`the token stored in ${stored} is not of the form <user>@<realm>!<tokenid>=<secret> (value not shown)`);
    expect(r.stderr).not.toContain('Qx7');
    expect(r.server!.requests).toEqual([]);
  }, 60_000);

  it('patch proxmox with the stored token is refused before anything runs: its health gate needs an administrator token (exit 4)', async () => {
    const { ws, state, stored } = workspace();
    const cluster = clusterOf(plannedGuests());
    await storeToken(state, cluster.token);
    const r = await runAgainstCluster(['patch', 'proxmox'], { cluster, ws, unset: [TOKEN], path: stubDir(['ssh']) });
    expect(r.code).toBe(EXIT.setup);
    expect(r.stderr).toContain(`homelab patch proxmox gates every node on a healthy cluster, and the token stored in ${stored} (homelab's Terraform token) cannot read it: GET /cluster/status needs Sys.Audit on /, GET /cluster/ceph/status needs Sys.Audit or Datastore.Audit on /`);
    expect(r.stderr).toContain(`Export an administrator token as ${TOKEN}`);
    expect(r.server!.requests).toEqual([]);
  }, 60_000);

  it('discover with the stored token says its USB inputs need an administrator token; the disk listing is still read', async () => {
    const { ws, state } = workspace();
    writeFileSync(join(ws, 'site.ts'), `import { testSite } from ${JSON.stringify(join(REPO_ROOT, 'libs/core/test/fixtures/test-site.ts'))};
import { unmeasured } from ${JSON.stringify(join(REPO_ROOT, 'libs/core/src/model/unmeasured.ts'))};
export const site = { ...testSite, nodes: testSite.nodes.map((n) => n.name === 'n1'
  ? { ...n, devices: { ...n.devices, radio: { kind: 'usb', id: unmeasured('USB id of the radio: \`lsusb\` on the node'), description: 'radio' } },
      disks: [...n.disks, { kind: 'ssd', sizeGiB: 500, role: 'ceph-osd', device: unmeasured('its by-id path') }] }
  : n) };
`);
    const cluster = clusterOf([]);
    await storeToken(state, cluster.token);
    const r = await runAgainstCluster(['discover'], { cluster, ws, unset: [TOKEN] });
    expect(r.stderr).toContain('homelab: discover: the USB inputs need an administrator token: GET /nodes/{node}/hardware/usb needs Sys.Modify on /');
    expect(r.server!.requests.map((q) => `${q.method} ${q.template}`)).toContain('GET /nodes/{node}/disks/list');
    expect(r.stdout + r.stderr).not.toContain(secretOf(cluster.token));
  }, 60_000);
});
