/**
 * `homelab bootstrap` as a real process against a fake homelab at the process boundary
 * (fake-world.ts): two freshly installed Proxmox VE nodes and a Pi behind a fake ssh, fake tofu,
 * ansible-playbook and npx. From no cluster to every service deployed and ready; a rerun finds
 * nothing to do; an interrupted run resumes; a blocked precondition names its fix and changes
 * nothing; the dry run prints the whole sequence and runs nothing.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, createWorkspace } from '../deploy/fixture-workspace.ts';
import { startFakeWorld, worldNode, type FakeWorld } from './fake-world.ts';

interface Run { code: number | null; stdout: string; stderr: string }

let ws: string;
let world: FakeWorld | undefined;
let counter = 0;

function siteModule(extra: string): string {
  return `import { testSite } from ${JSON.stringify(join(REPO_ROOT, 'libs/core/test/fixtures/test-site.ts'))};
// A zone at a provider bootstrap has no name-server check for: the NS check has its own tests.
export const site = { ...testSite, dns: { ...testSite.dns, provider: 'fixture-dns' }${extra} };
`;
}

beforeAll(() => {
  ws = createWorkspace();
  writeFileSync(join(ws, 'site.ts'), siteModule(", clusterName: 'test-lab'"));
  writeFileSync(join(ws, 'site-unnamed.ts'), siteModule(''));
  // The hypervisor service: what creates homelab's own Terraform identity, deployed first.
  const dir = join(ws, 'packages', 'hyper');
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'smoke'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@fx/hyper', version: '1.0.0', private: true, type: 'module' }));
  // Its stack creates the token every other stack uses and outputs it, as packages/proxmox does.
  writeFileSync(join(dir, 'src', 'index.ts'), `import { ProxmoxUser, ProxmoxUserToken, ensureProxmoxProvider, sensitiveOutput } from ${JSON.stringify(join(REPO_ROOT, 'libs/core/src/layers/terraform.ts'))};
export default {
  name: 'hyper', description: 'the hypervisor stack', kind: 'none', tier: 'critical', group: 'core', provides: ['hypervisor'], dependsOn: [],
  terraform: (scope) => {
    ensureProxmoxProvider(scope);
    const user = new ProxmoxUser(scope, 'tf_user', { user_id: 'terraform@pve', enabled: true });
    const token = new ProxmoxUserToken(scope, 'tf_token', { user_id: user.userIdRef, token_name: 'homelab', privileges_separation: false });
    sensitiveOutput(scope, 'terraform_api_token', \`\${token.idRef}=\${token.valueRef}\`, 'the token of every other stack');
  },
};
`);
  writeFileSync(join(dir, 'smoke', 'hyper.smoke.ts'), '// run by the fake npx only\n');
});

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function freshWorld(): Promise<FakeWorld> {
  world = await startFakeWorld({ nodes: [worldNode('n1', '10.20.0.11'), worldNode('n2', '10.20.0.12')], pis: [{ name: 'pi1', ip: '10.20.0.50' }] });
  return world;
}

function envFor(w: FakeWorld, state: string, site = './site.ts'): Record<string, string> {
  return {
    PATH: w.binDir, HOME: ws, HOMELAB_SITE: site, HOMELAB_STATE_DIR: state,
    HOMELAB_SCHEMAS_DIR: join(REPO_ROOT, 'schemas'), HOMELAB_VALIDATE_TOOLS: 'off',
    // No provider token and no endpoint: bootstrap creates the admin token, the hypervisor stack the rest.
    TF_VAR_ssh_public_key: 'ssh-ed25519 AAAA test', IDP_SECRET: 'idp-secret-value',
  };
}

function start(args: string[], env: Record<string, string>): { child: ReturnType<typeof spawn>; done: Promise<Run> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'bootstrap', ...args, '--root', ws], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  return { child, done: new Promise<Run>((r) => child.on('close', (code) => r({ code, stdout, stderr }))) };
}

const bootstrap = (args: string[], env: Record<string, string>): Promise<Run> => start(args, env).done;
const stateDir = (): string => join(ws, `state-${++counter}`);
const CHANGES_ON_NODE = /^(pvecm |sh -c (grep|ssh-keygen|yes) )/;
const mutating = (w: FakeWorld): string[] => w.calls.filter((c) => (c.tool === 'ssh' && CHANGES_ON_NODE.test(c.remote?.join(' ') ?? '')) || (c.remote?.[0] === 'pveum' && c.remote[3] !== 'list') || (c.tool === 'tofu' && c.args[0] === 'apply'))
  .map((c) => (c.tool === 'ssh' ? `${c.host}: ${c.remote!.slice(0, 3).join(' ')}` : `tofu apply ${/runs\/([^/]+)\//.exec(c.cwd)?.[1]}`));

describe('homelab bootstrap (real process, fake homelab at the process boundary)', () => {
  it('from installed nodes to every service deployed and ready; a rerun has nothing to do', async () => {
    const w = await freshWorld();
    const state = stateDir();
    const first = await bootstrap(['--yes', '--confirm', 'router-port-forwards'], envFor(w, state));
    expect(first.stderr).not.toContain('internal error');
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(w.rejections).toEqual([]);
    // The cluster: created on n1, n2 trusted and joined, no password anywhere.
    expect(mutating(w).filter((m) => !m.startsWith('tofu'))).toEqual([
      'n1: pvecm create test-lab',
      'n1: sh -c grep -qxF "$1" /root/.ssh/authorized_keys 2>/dev/null || echo "$1" >> /root/.ssh/authorized_keys',
      `n2: sh -c ssh-keygen -F "$1" >/dev/null || ssh-keyscan -H "$1" >> /root/.ssh/known_hosts`,
      'n2: pvecm add 10.20.0.11',
      'n1: sh -c yes | pveceph install --repository no-subscription',
      'n2: sh -c yes | pveceph install --repository no-subscription',
      'n1: pveum user token',
    ]);
    expect(w.members).toEqual(['n1', 'n2']);
    // The admin token: unseparated, its secret in the state dir only (0600), never printed.
    const token = w.tokens.get('root@pam!homelab-bootstrap');
    expect(token?.privsep).toBe(0);
    const file = join(state, 'bootstrap', 'admin-token');
    expect(readFileSync(file, 'utf8')).toBe(`root@pam!homelab-bootstrap=${token!.value}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.stdout + first.stderr).not.toContain(token!.value);
    // Every guest of the plan exists, on its node, running; applied in dependency order.
    expect(w.cluster.guests.map((g) => `${g.type} ${g.vmid} ${g.node} ${g.status}`).sort()).toEqual(['lxc 100 n1 running', 'lxc 101 n1 running', 'lxc 102 n2 running', 'lxc 103 n2 running']);
    const applies = mutating(w).filter((m) => m.startsWith('tofu')).map((m) => m.slice('tofu apply '.length));
    expect(applies.indexOf('proxy')).toBeLessThan(applies.indexOf('idp'));
    expect(applies.indexOf('idp')).toBeLessThan(applies.indexOf('app'));
    expect(first.stdout).toContain('bootstrap: done; every service deployed and ready.');
    // The hypervisor stack ran with the admin token; every other stack with the token it created.
    const issued = w.tokens.get('terraform@pve!homelab');
    expect(issued?.privsep).toBe(0);
    const tokenOf = (svc: string) => [...new Set(w.calls.filter((c) => c.tool === 'tofu' && c.cwd.includes(`/runs/${svc}/`)).map((c) => c.token))];
    expect(tokenOf('hyper')).toEqual([`root@pam!homelab-bootstrap=${token!.value}`]);
    for (const svc of ['proxy', 'idp', 'app', 'solo']) expect(tokenOf(svc), svc).toEqual([`terraform@pve!homelab=${issued!.value}`]);
    expect(first.stdout + first.stderr).not.toContain(issued!.value);
    expect(first.stdout).toContain('PROXMOX_VE_ENDPOINT is not set: using https://10.20.0.11:8006/ (n1)');
    const record = JSON.parse(readFileSync(join(state, 'bootstrap', 'record.json'), 'utf8')) as { phases: Record<string, { status: string }>; confirmed: Record<string, string> };
    expect(Object.entries(record.phases).map(([id, p]) => `${id}:${p.status}`)).toEqual([
      'preconditions:done', 'cluster:done', 'bridges:done', 'ceph-packages:done', 'admin-token:done', 'access:done', 'services:done', 'readiness:done',
    ]);
    expect(Object.keys(record.confirmed)).toEqual(['router-port-forwards']);

    // Again, without --confirm (remembered): every phase verified, nothing changed anywhere.
    const before = w.calls.length;
    const again = await bootstrap(['--yes'], envFor(w, state));
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('bootstrap: nothing to do; everything was already in place.');
    const rerunCalls = { ...w, calls: w.calls.slice(before) } as FakeWorld;
    expect(mutating(rerunCalls)).toEqual([]);
    expect(w.rejections).toEqual([]);
  }, 240_000);

  it('interrupted half-way (Ctrl-C during an apply), it records where and the rerun goes on from there', async () => {
    const w = await freshWorld();
    const state = stateDir();
    w.holdAt = 'tofu:apply:idp';
    const run = start(['--yes', '--confirm', 'router-port-forwards'], envFor(w, state));
    await w.held;
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.code, stopped.stdout + stopped.stderr).toBe(130);
    expect(stopped.stdout).toContain('bootstrap: stopped at services; rerun homelab bootstrap to go on from there.');
    const record = JSON.parse(readFileSync(join(state, 'bootstrap', 'record.json'), 'utf8')) as { phases: Record<string, { status: string }> };
    expect(record.phases.services?.status).toBe('interrupted');
    expect(record.phases.readiness).toBeUndefined();
    w.holdAt = undefined;
    w.release();

    const before = w.calls.length;
    const resumed = await bootstrap(['--yes'], envFor(w, state));
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('bootstrap: the last run stopped at services (interrupted');
    const after = mutating({ ...w, calls: w.calls.slice(before) } as FakeWorld);
    // The cluster and the token are not made again; proxy (applied before the stop) is not applied again.
    expect(after.filter((m) => !m.startsWith('tofu'))).toEqual([]);
    expect(after).not.toContain('tofu apply proxy');
    expect(after).toContain('tofu apply idp');
    expect(w.cluster.guests).toHaveLength(4);
    expect(w.rejections).toEqual([]);
  }, 240_000);

  it('a node that is not reachable, a Pi without the key and no confirmation: blocked at the preconditions, each named with its fix, nothing changed', async () => {
    const w = await freshWorld();
    w.nodes.get('10.20.0.12')!.unreachable = true;
    w.pis.get('10.20.0.50')!.unreachable = true;
    const state = stateDir();
    const r = await bootstrap(['--yes'], envFor(w, state));
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('✗ pve-installed:n2: n2 (10.20.0.12) does not let root in with your SSH key: ssh: connect to host 10.20.0.12 port 22: No route to host');
    expect(r.stdout).toContain('fix: Install Proxmox VE 9 on n2 from the USB installer (hostname n2, address 10.20.0.12, gateway 10.20.0.1), then: ssh-copy-id root@10.20.0.12');
    expect(r.stdout).toContain('✗ host-reachable:pi1: pi1 (10.20.0.50)');
    expect(r.stdout).toContain('✗ router-port-forwards: the router must forward TCP 443 → 10.20.0.20 (proxy)');
    expect(r.stdout).toContain('fix: Set these forwards on the router, then rerun with --confirm router-port-forwards.');
    expect(r.stdout).toContain('bootstrap: preconditions is blocked by 3 checks; nothing after it ran.');
    expect(mutating(w)).toEqual([]);
    expect(w.calls.some((c) => c.tool !== 'ssh')).toBe(false);
  }, 120_000);

  it('a node answering with another hostname or an old Proxmox: blocked, named', async () => {
    const w = await freshWorld();
    w.nodes.get('10.20.0.11')!.hostname = 'pve';
    w.nodes.get('10.20.0.12')!.pveVersion = 'pve-manager/8.4.1/2a5fa54a8503f96d (running kernel: 6.8.12-9-pve)';
    const r = await bootstrap(['--yes', '--confirm', 'router-port-forwards'], envFor(w, stateDir()));
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('✗ pve-installed:n1: 10.20.0.11 calls itself "pve", but the site puts n1 there');
    expect(r.stdout).toContain('✗ pve-installed:n2: n2 runs Proxmox VE 8.4; homelab is built against the PVE 9 API');
    expect(mutating(w)).toEqual([]);
  }, 120_000);

  it('no cluster yet and no site.clusterName: blocked at the cluster phase with the fix, nothing created', async () => {
    const w = await freshWorld();
    const r = await bootstrap(['--yes', '--confirm', 'router-port-forwards'], envFor(w, stateDir(), './site-unnamed.ts'));
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('✗ cluster-name: no node is in a cluster yet and the site has no clusterName to create one with');
    expect(mutating(w)).toEqual([]);
  }, 120_000);

  it('--dry-run prints every phase and command and runs nothing, not even ssh', async () => {
    const w = await freshWorld();
    const r = await bootstrap(['--dry-run'], envFor(w, stateDir()));
    expect(r.code, r.stderr).toBe(0);
    const phases = r.stdout.split('\n').filter((l) => /^\d\. /.test(l));
    expect(phases).toEqual(['1. Preconditions (manual, verified)', '2. Proxmox VE cluster', '3. Network bridges', '4. Ceph packages', '5. Admin credential (for the hypervisor stack only)', '6. Access: homelab\'s Terraform identity', '7. Services, in dependency order', '8. First-run readiness']);
    expect(r.stdout).toContain("$ ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.11 -- 'pvecm create test-lab'");
    expect(r.stdout).toContain("$ ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.12 -- 'pvecm add 10.20.0.11 --use_ssh 1'");
    expect(r.stdout).toContain('6.1 [change] deploy hyper with PROXMOX_VE_ADMIN_API_TOKEN');
    expect(r.stdout).toContain('7.1 [check] every fact a service needs is measured\n');
    expect(r.stdout).toMatch(/7\.2 \[change\] wave 1: deploy proxy/);
    expect(r.stdout).toContain('8.1 [check] every guest (4) on its node');
    expect(r.stdout).toMatch(/\d+ steps in 8 phases; 4 of them are physically manual/);
    expect(w.calls).toEqual([]);
  }, 120_000);
});
