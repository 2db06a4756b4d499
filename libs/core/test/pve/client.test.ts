import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PveApiError, PveAuthError, PveClient, PveNotConfiguredError, PveTaskFailedError, PveTaskTimeoutError, PveTlsError, PveUnreachableError,
  pveSettingsFromEnv, type PveSettings,
} from '../../src/pve/index.ts';
import { defaultCluster, startPveTestServer, type FakeCluster, type PveTestServer } from './pve-test-server.ts';

const TOKEN = 'homelab@pve!fleet=00000000-0000-4000-8000-000000000000';

function cluster(overrides: Partial<FakeCluster> = {}): FakeCluster {
  return defaultCluster({
    token: TOKEN,
    guests: [
      { vmid: 100, node: 'n1', type: 'lxc', name: 'proxy', status: 'running', tags: 'homelab;svc-proxy;v1.2.3' },
      { vmid: 103, node: 'n2', type: 'qemu', name: 'vm', status: 'stopped' },
    ],
    ...overrides,
  });
}

const servers: PveTestServer[] = [];
async function serve(c: FakeCluster = cluster(), tls?: { key: string; cert: string }): Promise<PveTestServer> {
  const s = await startPveTestServer(c, tls ? { tls } : {});
  servers.push(s);
  return s;
}
afterEach(async () => {
  for (const s of servers.splice(0)) {
    // No test may leave a request the schema rejected unless it asserts on it (and clears it).
    expect(s.rejections).toEqual([]);
    expect(s.cannedFaults).toEqual([]);
    await s.close();
  }
});

function settings(endpoint: string, extra: Record<string, string> = {}, token = TOKEN): PveSettings {
  return pveSettingsFromEnv({ PROXMOX_VE_ENDPOINT: endpoint, PROXMOX_VE_API_TOKEN: token, ...extra });
}

const noWait = { sleep: async () => {} };

describe('PveClient against the schema-checking test server', () => {
  it('reads cluster resources (type vm gives lxc and qemu), cluster status and Ceph status', async () => {
    const s = await serve();
    const client = new PveClient(settings(s.endpoint), noWait);
    const vms = await client.clusterResources('vm');
    expect(vms.map((r) => [r.type, r.vmid, r.node, r.status])).toEqual([['lxc', 100, 'n1', 'running'], ['qemu', 103, 'n2', 'stopped']]);
    expect(vms[0]!.tags).toBe('homelab;svc-proxy;v1.2.3');
    expect(vms[0]!.template).toBe(false);
    const nodes = await client.clusterResources('node');
    expect(nodes.map((n) => [n.node, n.status])).toEqual([['n1', 'online'], ['n2', 'online']]);
    const status = await client.clusterStatus();
    expect(status.find((e) => e.type === 'cluster')?.quorate).toBe(true);
    expect(status.filter((e) => e.type === 'node').map((e) => e.online)).toEqual([true, true]);
    expect((await client.cephStatus()).health?.status).toBe('HEALTH_OK');
    expect(s.requests.map((r) => `${r.method} ${r.template} ${JSON.stringify(r.params)}`)).toEqual([
      'GET /cluster/resources {"type":"vm"}',
      'GET /cluster/resources {"type":"node"}',
      'GET /cluster/status {}',
      'GET /cluster/ceph/status {}',
    ]);
  });

  it.each([
    ['lxc', 100, 'n1', 'shutdown', 'stop'],
    ['qemu', 103, 'n2', 'start', 'shutdown'],
  ] as const)('%s %i: %s then %s, each waiting for its task', async (type, vmid, node, first, then) => {
    const second = then as 'start' | 'stop' | 'shutdown';
    const s = await serve();
    const client = new PveClient(settings(s.endpoint), noWait);
    const act = (a: 'start' | 'stop' | 'shutdown'): Promise<string> => (a === 'start' ? client.start(node, type, vmid) : a === 'stop' ? client.stop(node, type, vmid) : client.shutdown(node, type, vmid));
    const polls: string[] = [];
    const upid = await act(first);
    expect(upid).toMatch(new RegExp(`^UPID:${node}:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:(vz|qm)${first}:${vmid}:homelab@pve!fleet:$`));
    const done = await client.waitForTask(node, upid, { onPoll: (_ms, st) => polls.push(st.status) });
    expect(done.exitstatus).toBe('OK');
    expect(polls).toEqual(['running']);
    const guest = s.cluster.guests.find((g) => g.vmid === vmid)!;
    expect(guest.status).toBe(first === 'start' ? 'running' : 'stopped');
    // Bring the guest into a state the second action can act on.
    if (guest.status === 'stopped' && second !== 'start') await client.waitForTask(node, await client.start(node, type, vmid));
    if (guest.status === 'running' && second === 'start') await client.waitForTask(node, await client.shutdown(node, type, vmid));
    await client.waitForTask(node, await act(second));
    expect((await client.guestStatus(node, type, vmid)).status).toBe(second === 'start' ? 'running' : 'stopped');
    const templates = new Set(s.requests.map((r) => `${r.method} ${r.template}`));
    expect(templates).toContain(`POST /nodes/{node}/${type}/{vmid}/status/${first}`);
    expect(templates).toContain(`POST /nodes/{node}/${type}/{vmid}/status/${second}`);
    expect(templates).toContain('GET /nodes/{node}/tasks/{upid}/status');
    expect(templates).toContain(`GET /nodes/{node}/${type}/{vmid}/status/current`);
  });

  it('sends shutdown options as PVE types: timeout as an integer, forceStop as 0/1', async () => {
    const s = await serve();
    const client = new PveClient(settings(s.endpoint), noWait);
    await client.shutdown('n1', 'lxc', 100, { timeoutSec: 90, forceStop: true });
    expect(s.requests.at(-1)).toMatchObject({ method: 'POST', template: '/nodes/{node}/lxc/{vmid}/status/shutdown', params: { node: 'n1', vmid: '100', timeout: '90', forceStop: '1' } });
  });

  it('every request the client can make is one the schema defines', async () => {
    const s = await serve(cluster({ guests: [
      { vmid: 100, node: 'n1', type: 'lxc', name: 'a', status: 'stopped' },
      { vmid: 101, node: 'n1', type: 'qemu', name: 'b', status: 'stopped' },
    ] }));
    const client = new PveClient(settings(s.endpoint), noWait);
    for (const t of ['vm', 'node', 'storage', 'sdn', undefined] as const) await client.clusterResources(t);
    await client.clusterStatus();
    await client.cephStatus();
    for (const [type, vmid] of [['lxc', 100], ['qemu', 101]] as const) {
      await client.guestStatus('n1', type, vmid);
      await client.waitForTask('n1', await client.start('n1', type, vmid));
      await client.waitForTask('n1', await client.shutdown('n1', type, vmid, { timeoutSec: 0, forceStop: false }));
      await client.waitForTask('n1', await client.start('n1', type, vmid));
      await client.taskStatus('n1', await client.stop('n1', type, vmid));
    }
    expect([...new Set(s.requests.map((r) => `${r.method} ${r.template}`))].sort()).toEqual([
      'GET /cluster/ceph/status',
      'GET /cluster/resources',
      'GET /cluster/status',
      'GET /nodes/{node}/lxc/{vmid}/status/current',
      'GET /nodes/{node}/qemu/{vmid}/status/current',
      'GET /nodes/{node}/tasks/{upid}/status',
      'POST /nodes/{node}/lxc/{vmid}/status/shutdown',
      'POST /nodes/{node}/lxc/{vmid}/status/start',
      'POST /nodes/{node}/lxc/{vmid}/status/stop',
      'POST /nodes/{node}/qemu/{vmid}/status/shutdown',
      'POST /nodes/{node}/qemu/{vmid}/status/start',
      'POST /nodes/{node}/qemu/{vmid}/status/stop',
    ]);
  });
});

describe('the test server rejects what the schema does not define (so drift cannot pass)', () => {
  it.each([
    ['an undefined path', 'GET', '/cluster/nosuch', {}, /matches no path template/],
    ['an undefined method on a defined path', 'DELETE', '/cluster/resources', {}, /DELETE is not defined for \/cluster\/resources/],
    ['an undefined parameter', 'POST', '/nodes/n1/lxc/100/status/start', { force: 1 }, /parameter force is not defined/],
    ['a boolean sent as true instead of 1', 'POST', '/nodes/n1/lxc/100/status/shutdown', { forceStop: 'true' }, /forceStop: "true" is not a PVE boolean \(0 or 1\)/],
    ['an integer that is not one', 'POST', '/nodes/n1/lxc/100/status/shutdown', { timeout: '1m' }, /timeout: "1m" is not an integer/],
    ['a VMID below the schema minimum', 'POST', '/nodes/n1/lxc/99/status/start', {}, /vmid: 99 is below the minimum 100/],
    ['a value outside an enum (there is no type=lxc)', 'GET', '/cluster/resources', { type: 'lxc' }, /type: "lxc" is not one of vm, storage, node, sdn/],
  ] as const)('%s gets HTTP 501 with the reason', async (_name, method, path, params, reason) => {
    const s = await serve();
    const client = new PveClient(settings(s.endpoint), noWait);
    const error = await client.request(method, path, params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PveApiError);
    expect((error as PveApiError).status).toBe(501);
    expect((error as PveApiError).message).toMatch(reason);
    expect(s.rejections).toHaveLength(1);
    expect(s.rejections[0]!.reasons.join('\n')).toMatch(reason);
    expect(s.requests).toEqual([]);
    s.rejections.length = 0;
  });
});

describe('faults', () => {
  it('a rejected token (401) says to check PROXMOX_VE_API_TOKEN', async () => {
    const s = await serve();
    const client = new PveClient(settings(s.endpoint, {}, 'homelab@pve!fleet=wrong'), noWait);
    const error = await client.clusterResources('vm').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PveAuthError);
    expect((error as Error).message).toContain(`the Proxmox API at ${s.endpoint}api2/json rejected the API token (HTTP 401 invalid token value!)`);
    expect((error as Error).message).toContain('Check PROXMOX_VE_API_TOKEN');
    expect((error as Error).message).not.toContain('wrong');
  });

  it('connection refused names the endpoint and PROXMOX_VE_ENDPOINT', async () => {
    const port = await freePort();
    const client = new PveClient(settings(`http://127.0.0.1:${port}/`), noWait);
    const error = await client.clusterStatus().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PveUnreachableError);
    expect((error as Error).message).toBe(`cannot reach the Proxmox API at http://127.0.0.1:${port}/api2/json: connection refused. Check PROXMOX_VE_ENDPOINT (it must be the URL of a cluster node, e.g. https://192.0.2.10:8006/) and that the node is up.`);
  });

  it('a server that does not answer in time is unreachable, with the timeout in the message', async () => {
    const { server, port } = await silentServer();
    try {
      const client = new PveClient(settings(`http://127.0.0.1:${port}/`, { HOMELAB_PVE_TIMEOUT_MS: '200' }), noWait);
      await expect(client.clusterStatus()).rejects.toThrow(/cannot reach the Proxmox API at .*: no answer within 200 ms/);
    } finally {
      server.close();
    }
  });

  it('an action on a guest that is not there is an API error with PVE\'s reason', async () => {
    const s = await serve();
    const client = new PveClient(settings(s.endpoint), noWait);
    await expect(client.start('n2', 'lxc', 100)).rejects.toThrow("POST /nodes/n2/lxc/100/status/start failed: HTTP 500 Configuration file 'nodes/n2/lxc/100.conf' does not exist.");
  });

  it('a task that ends in error fails with its exit status', async () => {
    const s = await serve(cluster({ taskExit: { 100: "command 'lxc-stop -n 100' failed: exit code 1" } }));
    const client = new PveClient(settings(s.endpoint), noWait);
    const upid = await client.shutdown('n1', 'lxc', 100);
    const error = await client.waitForTask('n1', upid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PveTaskFailedError);
    expect((error as Error).message).toBe(`task ${upid} failed: command 'lxc-stop -n 100' failed: exit code 1`);
  });

  it('a task still running when the wait runs out is a timeout, not a failure', async () => {
    const s = await serve(cluster({ taskPolls: 1000 }));
    let now = 0;
    const client = new PveClient(settings(s.endpoint), { sleep: async (ms) => { now += ms; }, now: () => now });
    const upid = await client.shutdown('n1', 'lxc', 100);
    await expect(client.waitForTask('n1', upid, { timeoutMs: 10_000 })).rejects.toBeInstanceOf(PveTaskTimeoutError);
  });
});

describe('settings', () => {
  it('names every missing variable at once', () => {
    const error = (() => { try { pveSettingsFromEnv({}); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(PveNotConfiguredError);
    expect((error as Error).message).toContain('PROXMOX_VE_ENDPOINT is not set');
    expect((error as Error).message).toContain('PROXMOX_VE_API_TOKEN is not set');
  });

  it.each([
    ['https://pve1:8006/', 'https://pve1:8006/api2/json/'],
    ['https://pve1:8006', 'https://pve1:8006/api2/json/'],
    ['https://pve1:8006/api2/json', 'https://pve1:8006/api2/json/'],
  ])('endpoint %s means API base %s', (endpoint, base) => {
    expect(settings(endpoint).baseUrl.href).toBe(base);
  });

  it('rejects a malformed token without printing it, and a non-URL endpoint', () => {
    expect(() => pveSettingsFromEnv({ PROXMOX_VE_ENDPOINT: 'pve1:8006', PROXMOX_VE_API_TOKEN: 'sekrit' })).toThrow(/PROXMOX_VE_ENDPOINT="pve1:8006" is not an http\(s\) URL[\s\S]*PROXMOX_VE_API_TOKEN is not of the form <user>@<realm>!<tokenid>=<secret> \(value not shown\)/);
    expect(() => pveSettingsFromEnv({ PROXMOX_VE_ENDPOINT: 'https://x/', PROXMOX_VE_API_TOKEN: 'sekrit' })).not.toThrow(/sekrit/);
  });

  it('TLS: verification on by default; PROXMOX_VE_INSECURE and HOMELAB_PVE_CA_FILE are explicit', () => {
    expect(settings('https://x/').insecure).toBe(false);
    expect(settings('https://x/', { PROXMOX_VE_INSECURE: 'true' }).insecure).toBe(true);
    expect(settings('https://x/', { HOMELAB_PVE_CA_FILE: '/etc/ca.pem' }).caFile).toBe('/etc/ca.pem');
    expect(() => settings('https://x/', { PROXMOX_VE_INSECURE: 'maybe' })).toThrow(/PROXMOX_VE_INSECURE="maybe" is not a boolean/);
    expect(() => new PveClient(settings('https://x/', { HOMELAB_PVE_CA_FILE: '/nonexistent/ca.pem' }))).toThrow(/the CA file \/nonexistent\/ca.pem .* cannot be read: ENOENT/);
  });
});

const hasOpenssl = (() => { try { execFileSync('openssl', ['version'], { stdio: 'ignore' }); return true; } catch { return false; } })();

describe.skipIf(!hasOpenssl)('TLS against a self-signed server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pve-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  if (hasOpenssl) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  }
  const tls = hasOpenssl ? { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') } : { key: '', cert: '' };

  it('refuses an untrusted certificate and says how to trust it', async () => {
    const s = await serve(cluster(), tls);
    const error = await new PveClient(settings(s.endpoint), noWait).clusterStatus().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PveTlsError);
    expect((error as Error).message).toMatch(/is not trusted: DEPTH_ZERO_SELF_SIGNED_CERT[\s\S]*HOMELAB_PVE_CA_FILE[\s\S]*PROXMOX_VE_INSECURE=true or pass --insecure/);
  });

  it('trusts it with the CA file, or with insecure set explicitly', async () => {
    const s = await serve(cluster(), tls);
    writeFileSync(join(dir, 'ca.pem'), tls.cert);
    expect(await new PveClient(settings(s.endpoint, { HOMELAB_PVE_CA_FILE: join(dir, 'ca.pem') }), noWait).clusterStatus()).toHaveLength(3);
    expect(await new PveClient(settings(s.endpoint, { PROXMOX_VE_INSECURE: '1' }), noWait).clusterStatus()).toHaveLength(3);
  });
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function silentServer(): Promise<{ server: ReturnType<typeof createServer>; port: number }> {
  const server = createServer(() => { /* accepts, never answers */ });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}
