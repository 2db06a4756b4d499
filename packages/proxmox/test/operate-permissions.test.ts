/**
 * The fleet commands (status, group, patch, drift, adopt, discover) use the token this package
 * creates when none is exported (libs/core fleet/pve-access.ts). For every Proxmox API call they
 * make, the permission the PVE 9.1.3 API schema requires (the `permissions` field of the method
 * in schemas/test-data/pve-api-9.1.3.apidata.json) is checked against what the token holds by
 * the PVE permission model (policy/pve-permissions.ts), on the ACLs this stack creates. The calls
 * are the PveClient methods, each run against a recording transport, so the checked path is the
 * one the client really requests; a client method the fleet code calls and this table does not
 * list fails the test, and so does a call the token cannot make that is not recorded as needing
 * an administrator token.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PveClient, TERRAFORM_TOKEN_ADMIN_CALLS as ADMIN_TOKEN_CALLS, pveSettingsFromEnv, tokenPrivileges, type PveAcl, type PveHttpRequest } from '@homelab/core';
import { fixtureSite, synthesizeFor } from '@homelab/core/testing';
import { endpointsOf, loadApidata, matchRequest } from '../../../libs/core/test/pve/pve-test-server.ts';


const REPO = join(import.meta.dirname, '..', '..', '..');
const tf = (await synthesizeFor(fixtureSite, 'proxmox')).json('terraform/cdk.tf.json');
const n1 = fixtureSite.nodes[0]!.name;

/** Every PveClient method that sends a request, called with sample arguments on the first node. */
const CALLS: Readonly<Record<string, (c: PveClient) => Promise<unknown>>> = {
  clusterResources: (c) => c.clusterResources('vm'),
  clusterStatus: (c) => c.clusterStatus(),
  cephStatus: (c) => c.cephStatus(),
  guestStatus: (c) => c.guestStatus(n1, 'lxc', 200),
  guestConfig: (c) => c.guestConfig(n1, 'qemu', 200),
  start: (c) => c.start(n1, 'lxc', 200),
  stop: (c) => c.stop(n1, 'lxc', 200),
  shutdown: (c) => c.shutdown(n1, 'qemu', 200, { timeoutSec: 60 }),
  taskStatus: (c) => c.taskStatus(n1, `UPID:${n1}:00001234:00005678:65000000:qmstart:200:terraform@pve!homelab:`),
  disks: (c) => c.disks(n1),
  usbDevices: (c) => c.usbDevices(n1),
};

/** Which client methods each command calls (libs/core/src/fleet/*, tools/homelab/src/commands/*). */
const COMMAND_CALLS: Readonly<Record<string, readonly string[]>> = {
  status: ['clusterResources'],
  group: ['clusterResources', 'start', 'shutdown', 'taskStatus'],
  patch: ['clusterResources', 'clusterStatus', 'cephStatus'],
  drift: ['clusterResources', 'guestConfig'],
  adopt: ['clusterResources'],
  discover: ['disks', 'usbDevices'],
};

type Check = readonly unknown[];
interface Permissions { readonly check?: Check; readonly user?: string; readonly description?: string }

const acls: PveAcl[] = (Object.values(tf.resource.proxmox_acl) as Record<string, unknown>[]).map((a) => ({
  path: String(a.path), role: String(a.role_id), propagate: a.propagate === true, ...(a.user_id ? { user: String(a.user_id) } : {}),
}));
const roles = new Map<string, readonly string[]>();
for (const [name, body] of Object.entries(tf.resource.proxmox_virtual_environment_role as Record<string, { role_id: string; privileges: string[] }>)) {
  roles.set(body.role_id, body.privileges);
  roles.set(`\${proxmox_virtual_environment_role.${name}.role_id}`, body.privileges);
}
const tokenBody = tf.resource.proxmox_user_token.terraform_token as { user_id: string; privileges_separation: boolean };
const token = { id: 'terraform@pve!homelab', user: tokenBody.user_id, privilegeSeparation: tokenBody.privileges_separation };

/** Whether the token passes a PVE `check` expression (perm / or / and), with the path's {params} filled in. */
function passes(check: Check, params: Readonly<Record<string, string>>): boolean {
  const [op, ...rest] = check as [string, ...unknown[]];
  if (op === 'or') return (rest as Check[]).some((c) => passes(c, params));
  if (op === 'and') return (rest as Check[]).every((c) => passes(c, params));
  if (op !== 'perm') throw new Error(`check kind ${op} is not modelled`);
  const [path, privs, any] = rest as [string, string[], string | undefined];
  const held = tokenPrivileges(acls, roles, token, path.replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? `{${k}}`));
  return any === 'any' ? privs.some((p) => held.has(p)) : privs.every((p) => held.has(p));
}

const endpoints = endpointsOf(loadApidata());

async function requestOf(call: (c: PveClient) => Promise<unknown>): Promise<PveHttpRequest> {
  let seen: PveHttpRequest | undefined;
  const client = new PveClient(pveSettingsFromEnv({ PROXMOX_VE_ENDPOINT: 'https://192.0.2.10:8006/', PROXMOX_VE_API_TOKEN: 'terraform@pve!homelab=x' }), {
    transport: async (req) => { seen = req; return { status: 200, statusText: 'OK', body: '{"data":null}' }; },
  });
  await call(client).catch(() => undefined);
  return seen!;
}

interface Verdict { readonly method: string; readonly call: string; readonly permissions: Permissions; readonly allowed: boolean }

const verdicts = new Map<string, Verdict>();
for (const [name, call] of Object.entries(CALLS)) {
  const req = await requestOf(call);
  const path = req.url.pathname.replace(/^\/api2\/json/, '');
  const match = matchRequest(endpoints, req.method, path);
  if (!match.ok) throw new Error(`${name}: ${req.method} ${path} is not in the PVE API schema: ${match.reason}`);
  const permissions = (match.info as { permissions?: Permissions }).permissions ?? {};
  // `user: all`: any authenticated user; the answer is filtered by what the token may audit (cluster
  // resources), or the token owns what it asks about (tasks it started; on other nodes' tasks
  // Sys.Audit on /nodes/{node}, which the token holds there).
  const allowed = permissions.user === 'all' || (permissions.check !== undefined && passes(permissions.check, match.pathParams));
  verdicts.set(name, { method: name, call: `${req.method} ${match.endpoint.template}`, permissions, allowed });
}

describe('the Terraform token can make the fleet commands\' API calls (PVE 9.1.3 permissions)', () => {
  it('the table covers every request method of PveClient', () => {
    const methods = Object.getOwnPropertyNames(PveClient.prototype).filter((n) => !['constructor', 'request', 'waitForTask'].includes(n)
      && typeof Object.getOwnPropertyDescriptor(PveClient.prototype, n)?.value === 'function');
    expect(methods.sort()).toEqual(Object.keys(CALLS).sort());
  });

  it('every client method the fleet code calls is listed for its command', () => {
    const sources = [join(REPO, 'libs/core/src/fleet'), join(REPO, 'tools/homelab/src/commands')]
      .flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(join(dir, f), 'utf8'))).join('\n');
    const listed = new Set(Object.values(COMMAND_CALLS).flat());
    const waitsForTask = /\bclient\.waitForTask\(/.test(sources); // waitForTask polls taskStatus
    const called = Object.keys(CALLS).filter((m) => new RegExp(`\\bclient\\.${m}\\(`).test(sources) || (m === 'taskStatus' && waitsForTask));
    expect(called.length, 'the fleet code calls the client as `client.<method>(`').toBeGreaterThan(5);
    expect(called.filter((m) => !listed.has(m))).toEqual([]);
    expect([...listed].filter((m) => !(m in CALLS))).toEqual([]);
  });

  for (const [command, methods] of Object.entries(COMMAND_CALLS)) {
    it(`${command}: each call is allowed for the token, or recorded as needing an administrator token`, () => {
      const denied = methods.map((m) => verdicts.get(m)!).filter((v) => !v.allowed).map((v) => `${v.call} (${JSON.stringify(v.permissions.check)})`);
      const admin = ADMIN_TOKEN_CALLS.filter((a) => a.command === command).map((a) => `${a.call} (${JSON.stringify(verdicts.get(a.method)?.permissions.check)})`);
      expect(denied.sort()).toEqual(admin.sort());
    });
  }

  it('the recorded administrator-only calls are exactly the denied ones: what the token lacks there', () => {
    expect(ADMIN_TOKEN_CALLS.map((a) => [a.method, verdicts.get(a.method)?.call])).toEqual(ADMIN_TOKEN_CALLS.map((a) => [a.method, a.call]));
    expect(verdicts.get('usbDevices')!.permissions.check).toEqual(['perm', '/', ['Sys.Modify']]);
    expect(verdicts.get('clusterStatus')!.permissions.check).toEqual(['perm', '/', ['Sys.Audit']]);
  });

  it('the model itself: a guest call on /vms/{vmid} is allowed, and removing /vms makes it denied (the check can fail)', () => {
    const start = verdicts.get('start')!;
    expect([start.call, start.allowed]).toEqual(['POST /nodes/{node}/lxc/{vmid}/status/start', true]);
    const withoutVms = acls.filter((a) => a.path !== '/vms');
    expect(tokenPrivileges(withoutVms, roles, token, '/vms/200').has('VM.PowerMgmt')).toBe(false);
    expect(passes(['perm', '/nodes/{node}', ['Sys.Audit']], { node: n1 })).toBe(true);
    expect(passes(['perm', '/', ['Sys.Audit']], {})).toBe(false);
  });
});
