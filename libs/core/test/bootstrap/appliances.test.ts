/**
 * The appliances' first-run phases against in-process fakes of their APIs: a TrueNAS over real
 * TLS with a CA made for the test (only the calls the phase makes, shapes checked strictly:
 * system/state without auth; api_key query, create and delete with the admin's Basic login), a
 * Home Assistant answering /api/onboarding and /api/onboarding/users, and an MQTT broker that
 * reads the CONNECT packet. Every request a fake does not expect is a rejection the tests assert
 * empty. Deploys are recorded with their environment, never run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createServer as createTcp, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeHttp, nodeMqttProbe, type HttpTransport, type MqttProbe } from '../../src/bootstrap/appliance-http.ts';
import { applianceConsumersPhase, deployWaves, wavesAfterAppliances, wavesBeforeAppliances } from '../../src/bootstrap/deploy-phases.ts';
import { homeAssistantFirstRunPhase, MQTT_CLIENT_LOGIN } from '../../src/bootstrap/home-assistant-first-run.ts';
import { BOOTSTRAP_PHASES } from '../../src/bootstrap/phases.ts';
import type { BootstrapContext } from '../../src/bootstrap/phase.ts';
import { describeBootstrap } from '../../src/bootstrap/run-bootstrap.ts';
import { TRUENAS_API_KEY_ENV, truenasFirstRunPhase, truenasKeyPath } from '../../src/bootstrap/truenas-first-run.ts';
import { buildModel } from '../../src/model/homelab.ts';
import type { ServiceProps, Site } from '../../src/index.ts';
import { entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

const vm = { kind: 'vm' as const, tier: 'normal' as const, group: 'apps', resources: { cores: 2, memoryMiB: 2048, disks: [{ storage: 'local' as const, sizeGiB: 32 }] } };
const nas: ServiceProps = { ...vm, name: 'nas', description: 'TrueNAS', os: 'truenas-scale', provides: ['nfs'], dependsOn: ['proxy'] };
const ha: ServiceProps = { ...vm, name: 'ha', description: 'HAOS', os: 'haos', routes: [{ host: 'ha', port: 8123, auth: 'app' }], dependsOn: ['proxy'], facts: { mqttBroker: { port: 1883 } } };
const media: ServiceProps = { name: 'media', description: 'mounts NFS', kind: 'lxc', tier: 'normal', group: 'apps', resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 8 }] }, dependsOn: ['nas'] };
const z2m: ServiceProps = { ...media, name: 'z2m', description: 'publishes MQTT', dependsOn: ['ha'] };
const site: Site = {
  ...testSite,
  addressPlan: { ...testSite.addressPlan, nas: { node: 'n1', vmid: 300, ip: '10.20.0.40' }, ha: { node: 'n2', vmid: 301, ip: '10.20.0.41' }, media: { node: 'n1', vmid: 104, ip: '10.20.0.24' }, z2m: { node: 'n2', vmid: 105, ip: '10.20.0.25' } },
  edge: { backendCas: { nas: { pemEnv: 'NAS_CA_PEM', description: 'the NAS CA' } } },
};
const home = buildModel(site, entries(proxy, idp, nas, ha, media, z2m));

const rejections: string[] = [];
let dir: string;
let ca: string;
const servers: Server[] = [];
const listen = async (s: Server): Promise<number> => { servers.push(s); await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r())); return (s.address() as AddressInfo).port; };
async function body(req: IncomingMessage): Promise<string> { const c: Buffer[] = []; for await (const x of req) c.push(x as Buffer); return Buffer.concat(c).toString('utf8'); }

// --- fake TrueNAS (REST v2.0) ---
const truenas = { state: 'BOOTING' as string, keys: [] as { id: number; name: string; username: string; key: string }[], nextId: 1, password: 'admin-pass', posts: 0 };
let truenasPort = 0;
// --- fake HA ---
const hass = { steps: [{ step: 'user', done: false }, { step: 'core_config', done: false }, { step: 'analytics', done: false }, { step: 'integration', done: false }], owners: [] as string[] };
let haPort = 0;
// --- fake broker ---
const broker = { running: false, logins: new Map<string, string>() };
let mqttPort = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'appliances-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=truenas-test', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const reject = (res: import('node:http').ServerResponse, why: string): void => { rejections.push(why); res.writeHead(400).end(JSON.stringify({ message: why })); };
  truenasPort = await listen(createHttps({ key: readFileSync(join(dir, 'key.pem')), cert: ca }, (req, res) => {
    void (async () => {
      const text = await body(req);
      const url = new URL(req.url ?? '/', 'https://x');
      const at = `${req.method} ${url.pathname}${url.search}`;
      const auth = req.headers.authorization ?? '';
      const admin = auth === `Basic ${Buffer.from(`truenas_admin:${truenas.password}`).toString('base64')}`;
      const keyed = auth.startsWith('Bearer ') && truenas.keys.some((k) => `Bearer ${k.key}` === auth);
      if (req.method === 'GET' && url.pathname === '/api/v2.0/system/state') {
        if (truenas.state === 'INSTALLER') { req.socket.destroy(); return; }
        // A credential, when sent, must be a valid one.
        if (auth && !admin && !keyed) { res.writeHead(401).end('{}'); return; }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(truenas.state)); return;
      }
      // api_key.* is for the admin's login only (a key may not make keys here).
      if (!admin) { res.writeHead(401).end('{}'); return; }
      if (req.method === 'GET' && url.pathname === '/api/v2.0/api_key') {
        if ([...url.searchParams.keys()].join() !== 'name') return reject(res, `${at}: only the name filter is expected`);
        res.writeHead(200).end(JSON.stringify(truenas.keys.filter((k) => k.name === url.searchParams.get('name')).map(({ key: _k, ...k }) => ({ ...k, keyhash: 'x', created_at: { $date: 0 }, expires_at: null, local: true, revoked: false, revoked_reason: null, user_identifier: 950 })))); return;
      }
      if (req.method === 'POST' && url.pathname === '/api/v2.0/api_key') {
        if (req.headers['content-type'] !== 'application/json') return reject(res, `${at}: not JSON`);
        const b = JSON.parse(text) as Record<string, unknown>;
        // api_key.create (api.truenas.com v24.10+): name (1..200), username; no additional properties sent by us.
        if (Object.keys(b).sort().join() !== 'name,username' || typeof b.name !== 'string' || !b.name || typeof b.username !== 'string') return reject(res, `${at}: body ${text}`);
        if (truenas.keys.some((k) => k.name === b.name)) return reject(res, `${at}: a key named ${b.name} exists already (duplicate)`);
        truenas.posts++;
        const k = { id: truenas.nextId++, name: b.name, username: b.username, key: `${truenas.nextId}-secretkeyvalue${truenas.posts}` };
        truenas.keys.push(k);
        res.writeHead(200).end(JSON.stringify({ ...k, keyhash: 'x', local: true, revoked: false, expires_at: null })); return;
      }
      const del = /^\/api\/v2\.0\/api_key\/id\/(\d+)$/.exec(url.pathname);
      if (req.method === 'DELETE' && del) { truenas.keys = truenas.keys.filter((k) => k.id !== Number(del[1])); res.writeHead(200).end('true'); return; }
      reject(res, `${at}: the fake TrueNAS has no answer for it`);
    })();
  }));
  haPort = await listen(createHttp((req, res) => {
    void (async () => {
      const text = await body(req);
      if (req.method === 'GET' && req.url === '/api/onboarding') { res.writeHead(200).end(JSON.stringify(hass.steps)); return; }
      if (req.method === 'POST' && req.url === '/api/onboarding/users') {
        const user = hass.steps.find((s) => s.step === 'user')!;
        if (user.done) { res.writeHead(403).end(JSON.stringify({ message: 'User step already done' })); return; }
        const b = JSON.parse(text) as Record<string, unknown>;
        // UserOnboardingView: client_id, name, username, password, language, all strings, all required.
        if (Object.keys(b).sort().join() !== 'client_id,language,name,password,username' || Object.values(b).some((v) => typeof v !== 'string' || !v)) return reject(res, `POST /api/onboarding/users: body ${Object.keys(b).join()}`);
        hass.owners.push(String(b.username));
        user.done = true;
        res.writeHead(200).end(JSON.stringify({ auth_code: 'code' })); return;
      }
      reject(res, `${req.method} ${req.url}: the fake HA has no answer for it`);
    })();
  }));
  const tcp = createTcp((sock) => {
    if (!broker.running) { sock.destroy(); return; }
    sock.once('data', (d: Buffer) => {
      // CONNECT: fixed header, remaining length (1 byte here), "MQTT", level 4, flags, keepalive, client id, user, password.
      if (d[0] !== 0x10) { rejections.push('mqtt: not a CONNECT'); sock.destroy(); return; }
      let i = 2;
      const str = (): string => { const n = d.readUInt16BE(i); const s = d.subarray(i + 2, i + 2 + n).toString(); i += 2 + n; return s; };
      if (str() !== 'MQTT' || d[i] !== 4) { rejections.push('mqtt: not 3.1.1'); sock.destroy(); return; }
      const flags = d[i + 1]!;
      i += 4;
      str();
      const user = flags & 0x80 ? str() : undefined;
      const pass = flags & 0x40 ? str() : undefined;
      const ok = user !== undefined && broker.logins.get(user) === pass;
      sock.write(Buffer.from([0x20, 2, 0, ok ? 0 : 5]));
    });
    sock.on('error', () => undefined);
  });
  mqttPort = await listen(tcp as unknown as Server);
});

afterAll(async () => {
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

/** The real transports, pointed at the fakes instead of the model's addresses. */
const http: HttpTransport = (req) => {
  const url = new URL(req.url);
  const port = url.hostname === '10.20.0.40' ? truenasPort : url.hostname === '10.20.0.41' ? haPort : 9;
  if (url.hostname === '10.20.0.40' && url.protocol !== 'https:') rejections.push(`TrueNAS over ${url.protocol}`);
  return nodeHttp({ ...req, url: `${url.protocol}//127.0.0.1:${port}${url.pathname}${url.search}` });
};
const mqtt: MqttProbe = (host, port, login) => {
  if (host !== '10.20.0.41' || port !== 1883) rejections.push(`mqtt to ${host}:${port}`);
  return nodeMqttProbe('127.0.0.1', mqttPort, login);
};

interface Deployed { services: readonly string[]; env: Record<string, string | undefined>; infraOnly: boolean }
function context(env: Record<string, string>, state: string, resources: unknown[] = []): BootstrapContext & { deploys: Deployed[] } {
  const deploys: Deployed[] = [];
  return {
    deploys, site, home, env: { PROXMOX_VE_ADMIN_API_TOKEN: 'root@pam!x=admin', ...env }, stateDir: state, out: () => undefined, sshUser: 'root',
    confirmed: new Set(), confirmedBefore: new Set(), resolveNs: async () => [], sleep: async () => undefined, wait: { attempts: 1, pauseMs: 0 },
    deploy: async (services, e, o) => { deploys.push({ services, env: { ...e }, infraOnly: o?.infraOnly === true }); return { exitCode: 0, changed: services.map((s) => `${s}: deployed`) }; },
    runner: async () => ({ exitCode: 0, stdout: JSON.stringify(resources), stderr: '' }),
    http, mqtt,
  };
}

describe('the appliances between the services: waves before and after', () => {
  it('TrueNAS and HA and what needs them are held back; the rest deploys first', () => {
    expect(wavesBeforeAppliances(home).flat().sort()).toEqual(['idp', 'proxy']);
    expect(wavesAfterAppliances(home).flat().sort()).toEqual(['media', 'z2m']);
    const order = BOOTSTRAP_PHASES.map((p) => p.id);
    expect(order.indexOf('services')).toBeLessThan(order.indexOf('truenas-first-run'));
    expect(order.indexOf('truenas-first-run')).toBeLessThan(order.indexOf('appliance-consumers'));
    expect(order.indexOf('home-assistant-first-run')).toBeLessThan(order.indexOf('appliance-consumers'));
  });

  it('the dry run names each step, manual ones marked, with nothing run', () => {
    const lines = describeBootstrap({ site, home, sshUser: 'root' }).join('\n');
    expect(lines).toMatch(/\[manual, checked\] nas: installed from its ISO on the VM console \(n1, VM 300\); checked: GET https:\/\/10\.20\.0\.40\/api\/v2\.0\/system\/state is READY over the pinned CA \(\$NAS_CA_PEM\)/);
    expect(lines).toMatch(/\[change\] nas: API key "homelab-bootstrap"/);
    expect(lines).toMatch(/\[manual, checked\] ha: Mosquitto add-on with the zigbee2mqtt login; checked: MQTT CONNECT to 10\.20\.0\.41:1883/);
    expect(lines).toMatch(/\[change\] wave 1: deploy media, z2m/);
  });

  it('the consumers phase deploys only the services that need an appliance, without the admin credential', async () => {
    const ctx = context({}, '/nonexistent');
    await applianceConsumersPhase.run(ctx);
    // The services phase's own checks (unmeasured facts, hand-placed images) have their tests in phases.test.ts.
    await deployWaves(ctx, wavesBeforeAppliances(home));
    expect(ctx.deploys.map((d) => [...d.services].sort().join(','))).toEqual(['media,z2m', 'idp,proxy']);
    expect(ctx.deploys.every((d) => !('PROXMOX_VE_ADMIN_API_TOKEN' in d.env))).toBe(true);
  });
});

describe('TrueNAS first run', () => {
  it('no CA pinned by the site: blocked naming the field; pinned but its variable unset (before the install): the VM is deployed (infrastructure only, nothing invented for the key or the CA) and the install fix names it', async () => {
    const unpinned = { ...context({}, join(dir, 's0')), site: { ...site, edge: {} } };
    const r0 = await truenasFirstRunPhase.run(unpinned);
    expect(r0.blockers.map((b) => `${b.check}: ${b.message}`)).toEqual(['truenas-ca: the site pins no CA for nas (edge.backendCas.nas): its self-signed certificate cannot be verified']);
    expect(unpinned.deploys).toEqual([]);
    let vms: unknown[] = [];
    const ctx = { ...context({}, join(dir, 's0')), runner: async () => ({ exitCode: 0, stdout: JSON.stringify(vms), stderr: '' }) };
    const deploys: string[] = [];
    const r = await truenasFirstRunPhase.run({ ...ctx, deploy: async (services, env, o) => { deploys.push(`${services.join()} ${o?.infraOnly ? 'infra-only' : 'full'} ${env.TRUENAS_API_KEY} / ${env.NAS_CA_PEM}`); vms = [{ vmid: 300 }]; return { exitCode: 0, changed: [] }; } });
    expect(deploys).toEqual(['nas infra-only undefined / undefined']);
    expect(r.changed).toEqual(['nas: VM 300 created on n1']);
    expect(r.blockers.map((b) => `${b.check}: ${b.message}`)).toEqual(['truenas-installed: NAS_CA_PEM is not set, so TrueNAS at https://10.20.0.40/api/v2.0 cannot be checked (its certificate is made by the install)']);
  });

  it('a deploy that does not create the VM is named as such, not as "install TrueNAS"', async () => {
    const r = await truenasFirstRunPhase.run({ ...context({ NAS_CA_PEM: ca }, join(dir, 's0')), deploy: async () => ({ exitCode: 1, changed: [] }) });
    expect(r.blockers.map((b) => b.check)).toEqual(['deploy:nas']);
  });

  it('fresh: the VM is deployed once, then blocked "install TrueNAS" with the console fix; after the install a rerun creates the key once, 0600, fed through the env; a further rerun creates none', async () => {
    truenas.state = 'INSTALLER';
    const state = join(dir, 's1');
    const e = { NAS_CA_PEM: ca, TRUENAS_ADMIN_PASSWORD: truenas.password };
    let vms: unknown[] = [];
    const fresh = context(e, state);
    const r1 = await truenasFirstRunPhase.run({ ...fresh, runner: async () => ({ exitCode: 0, stdout: JSON.stringify(vms), stderr: '' }), deploy: async (services, env, o) => { vms = [{ vmid: 300 }]; return fresh.deploy(services, env, o); } });
    expect(r1.blockers.map((b) => b.check)).toEqual(['truenas-installed']);
    expect(r1.blockers[0]!.fix).toBe('Open the console of VM 300 on n1 (Proxmox UI → n1 → 300 → Console), install TrueNAS SCALE to the 32 GiB boot disk (not the passed-through data disks), set the admin (truenas_admin) password and reboot. Then export TRUENAS_ADMIN_PASSWORD with that password and NAS_CA_PEM with the PEM of its certificate (UI at https://10.20.0.40 → Credentials → Certificates → the default certificate → Download), and rerun homelab bootstrap.');
    expect(fresh.deploys.map((d) => d.services.join())).toEqual(['nas']);
    // The VM alone: the config step, which needs the key the install makes, does not run.
    expect(fresh.deploys[0]!.infraOnly).toBe(true);
    expect(fresh.deploys[0]!.env[TRUENAS_API_KEY_ENV]).toBeUndefined();
    // The VM exists now, still not installed: blocked again, nothing deployed.
    const waiting = context(e, state, [{ vmid: 300 }]);
    expect((await truenasFirstRunPhase.run(waiting)).blockers.map((b) => b.check)).toEqual(['truenas-installed']);
    expect(waiting.deploys).toEqual([]);

    truenas.state = 'READY';
    const after = context(e, state, [{ vmid: 300 }]);
    const r2 = await truenasFirstRunPhase.run(after);
    expect(r2.blockers).toEqual([]);
    expect(truenas.keys.map((k) => `${k.name} ${k.username}`)).toEqual(['homelab-bootstrap truenas_admin']);
    const file = truenasKeyPath(state);
    expect(readFileSync(file, 'utf8')).toBe(`${truenas.keys[0]!.key}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(after.deploys).toHaveLength(1);
    expect(after.deploys[0]!.env[TRUENAS_API_KEY_ENV]).toBe(truenas.keys[0]!.key);
    expect(after.deploys[0]!.infraOnly).toBe(false);
    expect(after.deploys[0]!.env.PROXMOX_VE_ADMIN_API_TOKEN).toBeUndefined();
    expect(JSON.stringify(r2)).not.toContain(truenas.keys[0]!.key);

    const again = context(e, state, [{ vmid: 300 }]);
    expect((await truenasFirstRunPhase.run(again)).blockers).toEqual([]);
    expect(truenas.posts).toBe(1);
    expect(again.deploys[0]!.env[TRUENAS_API_KEY_ENV]).toBe(truenas.keys[0]!.key);
    expect(rejections).toEqual([]);
  });

  it('a key of ours whose secret was lost is replaced, not duplicated; a wrong password is named', async () => {
    const state = join(dir, 's2');
    truenas.state = 'READY';
    const before = truenas.keys.length;
    const r = await truenasFirstRunPhase.run(context({ NAS_CA_PEM: ca, TRUENAS_ADMIN_PASSWORD: truenas.password }, state, [{ vmid: 300 }]));
    expect(r.changed.some((c) => c.startsWith('nas: removed API key "homelab-bootstrap"'))).toBe(true);
    expect(truenas.keys.filter((k) => k.name === 'homelab-bootstrap')).toHaveLength(before);
    const wrong = await truenasFirstRunPhase.run(context({ NAS_CA_PEM: ca, TRUENAS_ADMIN_PASSWORD: 'wrong' }, join(dir, 's3'), [{ vmid: 300 }]));
    expect(wrong.blockers.map((b) => `${b.check}: ${b.message}`)).toEqual(['truenas-admin-password: TrueNAS answers at https://10.20.0.40/api/v2.0 but refuses truenas_admin\'s login (HTTP 401)']);
    expect(rejections).toEqual([]);
  });

  it('an exported TRUENAS_API_KEY wins: no key created, the deploy gets it', async () => {
    const posts = truenas.posts;
    // Not a key TrueNAS knows: refused, named, nothing deployed.
    const unknown = context({ NAS_CA_PEM: ca, TRUENAS_API_KEY: 'my-own-key' }, join(dir, 's1'), [{ vmid: 300 }]);
    expect((await truenasFirstRunPhase.run(unknown)).blockers.map((b) => b.message)).toEqual(['TrueNAS answers at https://10.20.0.40/api/v2.0 but refuses the API key ($TRUENAS_API_KEY) (HTTP 401)']);
    expect(unknown.deploys).toEqual([]);
    // One the operator made in the UI.
    truenas.keys.push({ id: 99, name: 'mine', username: 'truenas_admin', key: 'my-own-key' });
    const ctx = context({ NAS_CA_PEM: ca, TRUENAS_API_KEY: 'my-own-key' }, join(dir, 's1'), [{ vmid: 300 }]);
    expect((await truenasFirstRunPhase.run(ctx)).blockers).toEqual([]);
    expect(truenas.posts).toBe(posts);
    expect(ctx.deploys[0]!.env[TRUENAS_API_KEY_ENV]).toBe('my-own-key');
  });

  it('installed but no admin password and no key: blocked with the fix', async () => {
    const r = await truenasFirstRunPhase.run(context({ NAS_CA_PEM: ca }, join(dir, 's4'), [{ vmid: 300 }]));
    expect(r.blockers.map((b) => b.check)).toEqual(['truenas-admin-password']);
  });

  it('a certificate that does not chain to the pinned CA is not trusted: not READY', async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=another-ca', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'other-key.pem'), '-out', join(dir, 'other.pem')], { stdio: 'ignore' });
    const other = readFileSync(join(dir, 'other.pem'), 'utf8');
    const r = await truenasFirstRunPhase.run(context({ NAS_CA_PEM: other }, join(dir, 's5'), [{ vmid: 300 }]));
    expect(r.blockers.map((b) => b.check)).toEqual(['truenas-installed']);
  });
});

describe('Home Assistant OS first run', () => {
  // That the broker login and the key's variable are the packages' own is tested in packages/zigbee2mqtt and packages/truenas:
  // core's tests import no service package (Nx would make every service depend on them).

  it('no owner and no owner env: blocked ha-owner; with it the owner is created once; the rest of onboarding and the broker are checked', async () => {
    const r0 = await homeAssistantFirstRunPhase.run(context({}, dir));
    expect(r0.blockers.map((b) => b.check)).toEqual(['ha-owner']);
    const e = { HA_OWNER_USERNAME: 'owner', HA_OWNER_PASSWORD: 'pw', Z2M_MQTT_PASSWORD: 'z2m-pw' };
    const r1 = await homeAssistantFirstRunPhase.run(context(e, dir));
    expect(hass.owners).toEqual(['owner']);
    expect(r1.changed).toContain('ha: owner owner created through the onboarding API');
    expect(r1.blockers.map((b) => b.check)).toEqual(['ha-onboarding', 'mqtt-broker']);
    expect(r1.blockers[0]!.message).toBe('Home Assistant\'s onboarding is not finished: core_config, analytics, integration not done');
    expect(r1.blockers[1]!.fix).toContain('install and start "Mosquitto broker", add the login zigbee2mqtt with the password in Z2M_MQTT_PASSWORD');

    // The operator finishes onboarding and installs the add-on, with a wrong password first.
    for (const s of hass.steps) s.done = true;
    broker.running = true;
    broker.logins.set('zigbee2mqtt', 'other');
    const r2 = await homeAssistantFirstRunPhase.run(context(e, dir));
    expect(r2.blockers.map((b) => `${b.check}: ${b.message}`)).toEqual(['mqtt-login: the MQTT broker at 10.20.0.41:1883 refuses zigbee2mqtt: not authorized']);
    broker.logins.set('zigbee2mqtt', 'z2m-pw');
    const r3 = await homeAssistantFirstRunPhase.run(context(e, dir));
    expect(r3.blockers).toEqual([]);
    expect(r3.verified).toEqual(['ha: owner exists (onboarding user step done)', 'ha: onboarding done', 'ha: MQTT broker at 10.20.0.41:1883 accepts zigbee2mqtt']);
    expect(hass.owners).toEqual(['owner']);
    expect(rejections).toEqual([]);
  });
});
