/**
 * TrueNAS's first run, between the services that do not need it and those that mount its NFS.
 * The installer is a console TUI, so installing is a named manual step bootstrap checks: TrueNAS
 * answers `GET /api/v2.0/system/state` with "READY" over the CA the site pins (the same check the
 * apply script makes). Then bootstrap creates the API key the apply script reads (TRUENAS_API_KEY)
 * through the API itself, authenticated as the admin user with the password from
 * TRUENAS_ADMIN_PASSWORD (a Basic header built in-process, never an argv), and keeps it 0600 in
 * `<state>/secrets/truenas-api-key`. A key the operator exports wins and bootstrap creates none.
 * Then the truenas service deploys with the key: pool import, datasets, NFS exports.
 *
 * Calls (TrueNAS SCALE 25.04 REST, /api/v2.0, the api_key namespace as documented at
 * api.truenas.com for 24.10+): `GET /api_key?name=<n>` (query filter), `POST /api_key
 * {name, username}` answering the entry with its `key` (shown once), `DELETE /api_key/id/<id>`
 * for a key of ours whose secret was lost (it cannot be read back).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from '../deploy/private-files.ts';
import type { NormalizedService } from '../model/service.ts';
import type { Homelab } from '../model/homelab.ts';
import { nodeHttp, type HttpRequest, type HttpResponse } from './appliance-http.ts';
import { serviceEnv } from './deploy-phases.ts';
import type { BootstrapBlocker, BootstrapContext, BootstrapPhase, PhaseResult } from './phase.ts';
import { onHost, pveshGet, runJson } from './remote.ts';

export const TRUENAS_OS = 'truenas-scale';
/** What the truenas package's apply script reads (packages/truenas API_KEY_ENV). */
export const TRUENAS_API_KEY_ENV = 'TRUENAS_API_KEY';
export const TRUENAS_ADMIN_PASSWORD_ENV = 'TRUENAS_ADMIN_PASSWORD';
export const TRUENAS_ADMIN_USER_ENV = 'TRUENAS_ADMIN_USER';
/** The administrative user the SCALE 24.10+ installer creates (the installer's own choice, not ours). */
export const TRUENAS_DEFAULT_ADMIN = 'truenas_admin';
export const TRUENAS_KEY_NAME = 'homelab-bootstrap';

export const truenasKeyPath = (stateDir: string): string => join(stateDir, 'secrets', 'truenas-api-key');

export function truenasService(home: Homelab): NormalizedService | undefined {
  return home.services.find((s) => s.guests.some((g) => g.os === TRUENAS_OS));
}

interface Where { readonly service: NormalizedService; readonly api: string; readonly node: string; readonly vmid: number; readonly caEnv?: string; readonly servername?: string }

function where(ctx: Pick<BootstrapContext, 'site'>, s: NormalizedService): Where {
  const guest = s.guests[0];
  const ca = ctx.site.edge?.backendCas?.[s.name];
  return {
    service: s, api: `https://${s.ip}/api/v2.0`, node: guest?.node?.name ?? '?', vmid: guest?.placement.vmid ?? 0,
    ...(ca ? { caEnv: ca.pemEnv, ...(ca.serverName ? { servername: ca.serverName } : {}) } : {}),
  };
}

const isSet = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

export async function storedTruenasKey(stateDir: string): Promise<string | undefined> {
  try {
    return (await readFile(truenasKeyPath(stateDir), 'utf8')).trim() || undefined;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}

const installFix = (w: Where): string => `Open the console of VM ${w.vmid} on ${w.node} (Proxmox UI → ${w.node} → ${w.vmid} → Console), install TrueNAS SCALE to the ${w.service.guests[0]?.resources.disks[0]?.sizeGiB ?? '?'} GiB boot disk (not the passed-through data disks), set the admin (${TRUENAS_DEFAULT_ADMIN}) password and reboot. Then export ${TRUENAS_ADMIN_PASSWORD_ENV} with that password and ${w.caEnv ?? 'the pinned CA variable'} with the PEM of its certificate (UI at ${w.api.replace(/\/api\/v2\.0$/, '')} → Credentials → Certificates → the default certificate → Download), and rerun homelab bootstrap.`;

type Call = (method: HttpRequest['method'], path: string, opts?: { auth?: string; body?: unknown }) => Promise<HttpResponse>;

export const truenasFirstRunPhase: BootstrapPhase = {
  id: 'truenas-first-run',
  title: 'TrueNAS first run: installed (checked), API key, datasets and NFS',
  describe: (ctx) => {
    const s = truenasService(ctx.home);
    if (!s) return [];
    const w = where(ctx, s);
    return [
      { what: `${s.name}: VM ${w.vmid} on ${w.node} exists (if it does not: deploy --infra-only ${s.name}, its Terraform stack alone; the apply script waits for the install)`, mutates: true },
      { what: `${s.name}: installed from its ISO on the VM console (${w.node}, VM ${w.vmid}); checked: GET ${w.api}/system/state is READY over the pinned CA ${w.caEnv ? `($${w.caEnv})` : '(none pinned: blocked)'}`, mutates: false, manual: true },
      { what: `${s.name}: API key "${TRUENAS_KEY_NAME}" (POST ${w.api}/api_key as $${TRUENAS_ADMIN_USER_ENV} or ${TRUENAS_DEFAULT_ADMIN}, password $${TRUENAS_ADMIN_PASSWORD_ENV}), kept 0600 in <state>/secrets/truenas-api-key; skipped when ${TRUENAS_API_KEY_ENV} is exported`, mutates: true },
      { what: `deploy ${s.name} with ${TRUENAS_API_KEY_ENV} (pool import, datasets, NFS exports)`, mutates: true },
    ];
  },
  async run(ctx): Promise<PhaseResult> {
    const s = truenasService(ctx.home);
    if (!s) return { changed: [], verified: ['no TrueNAS in this homelab'], blockers: [] };
    const w = where(ctx, s);
    const http = ctx.http ?? nodeHttp;
    const changed: string[] = [];
    const blocked = (b: BootstrapBlocker): PhaseResult => ({ changed, verified: [], blockers: [b] });
    if (!w.caEnv) return blocked({ check: 'truenas-ca', message: `the site pins no CA for ${s.name} (edge.backendCas.${s.name}): its self-signed certificate cannot be verified`, fix: `Add edge.backendCas.${s.name} = { pemEnv: 'TRUENAS_CA_PEM', description: '...' } to the site, then rerun.` });

    // 1. The VM, when it does not exist yet: its Terraform stack alone (deploy --infra-only). The
    // apply script needs the API key and the CA, which only the install makes; the record says
    // `infrastructure`, so the full deploy below runs once they exist.
    const vmExists = async (): Promise<boolean> => {
      const live = await runJson<{ vmid?: number }[]>(ctx, onHost(ctx, ctx.site.nodes[0]!, [...pveshGet('/cluster/resources'), '--type', 'vm'], 'guests'));
      return (Array.isArray(live) ? live : []).some((g) => g.vmid === w.vmid);
    };
    if (!(await vmExists())) {
      ctx.out(`  ${s.name}: VM ${w.vmid} does not exist yet: deploying its infrastructure alone (the apply script waits for the install)`);
      const r = await ctx.deploy([s.name], serviceEnv(ctx), { infraOnly: true });
      changed.push(...r.changed);
      if (!(await vmExists())) return blocked({ check: `deploy:${s.name}`, message: `deploy of ${s.name} did not create VM ${w.vmid} (exit code ${r.exitCode}; its output above says why)`, fix: 'Fix what the deploy output names, then rerun homelab bootstrap.' });
      changed.push(`${s.name}: VM ${w.vmid} created on ${w.node}`);
    }

    // 2. Installed (manual, checked): READY over the pinned CA, which exists only after the install.
    const ca = ctx.env[w.caEnv];
    if (!isSet(ca)) return blocked({ check: 'truenas-installed', message: `${w.caEnv} is not set, so TrueNAS at ${w.api} cannot be checked (its certificate is made by the install)`, fix: installFix(w) });
    const call: Call = (method, path, opts = {}) => http({
      method, url: `${w.api}${path}`, ca, ...(w.servername ? { servername: w.servername } : {}),
      ...(opts.auth ? { headers: { Authorization: opts.auth } } : {}),
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    // Asked with the credential bootstrap has, if any: whether system.state needs one is not
    // something this code could check offline, so it works either way.
    const exported = ctx.env[TRUENAS_API_KEY_ENV];
    const known = isSet(exported) ? exported : await storedTruenasKey(ctx.stateDir);
    const user = ctx.env[TRUENAS_ADMIN_USER_ENV]?.trim() || TRUENAS_DEFAULT_ADMIN;
    const password = ctx.env[TRUENAS_ADMIN_PASSWORD_ENV];
    const basic = isSet(password) ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : undefined;
    const stateAuth = known ? `Bearer ${known}` : basic;
    const answer = await call('GET', '/system/state', stateAuth ? { auth: stateAuth } : {}).then((r) => r, (e: Error) => e.message);
    if (typeof answer !== 'string' && (answer.status === 401 || answer.status === 403)) {
      return blocked({ check: 'truenas-admin-password', message: `TrueNAS answers at ${w.api} but refuses ${known ? `the API key (${isSet(exported) ? `$${TRUENAS_API_KEY_ENV}` : truenasKeyPath(ctx.stateDir)})` : stateAuth ? `${user}'s login` : 'an unauthenticated call'} (HTTP ${answer.status})`, fix: isSet(exported) ? `TrueNAS does not accept $${TRUENAS_API_KEY_ENV}: export a key it knows (Credentials → API Keys), or unset it and export ${TRUENAS_ADMIN_PASSWORD_ENV} so bootstrap makes one; then rerun.` : `Export ${TRUENAS_ADMIN_PASSWORD_ENV} with the admin password set during the install (and ${TRUENAS_ADMIN_USER_ENV} if the admin is not ${TRUENAS_DEFAULT_ADMIN}); a stored key TrueNAS no longer knows is removed by deleting ${truenasKeyPath(ctx.stateDir)}. Then rerun.` });
    }
    const state = typeof answer === 'string' ? answer : answer.status === 200 ? String(JSON.parse(answer.body)) : `HTTP ${answer.status}`;
    if (state !== 'READY') return blocked({ check: 'truenas-installed', message: `TrueNAS does not answer READY at ${w.api}/system/state (${state})`, fix: installFix(w) });

    // 2. The API key: exported, stored, or created now.
    let key = known;
    const verified: string[] = [`${s.name}: installed, ${w.api}/system/state is READY`];
    if (isSet(exported)) verified.push(`${TRUENAS_API_KEY_ENV} is exported: your own key is used`);
    else {
      if (key) verified.push(`${s.name}: API key in ${truenasKeyPath(ctx.stateDir)}`);
      else if (!isSet(password)) return { changed, verified, blockers: [{ check: 'truenas-admin-password', message: `no TrueNAS API key yet, and ${TRUENAS_ADMIN_PASSWORD_ENV} is not set to create one with`, fix: isSet(exported) ? `TrueNAS does not accept $${TRUENAS_API_KEY_ENV}: export a key it knows (Credentials → API Keys), or unset it and export ${TRUENAS_ADMIN_PASSWORD_ENV} so bootstrap makes one; then rerun.` : `Export ${TRUENAS_ADMIN_PASSWORD_ENV} with the admin password set during the install (and ${TRUENAS_ADMIN_USER_ENV} if the admin is not ${TRUENAS_DEFAULT_ADMIN}), or export ${TRUENAS_API_KEY_ENV} with a key you made (Credentials → API Keys); then rerun.` }] };
      else {
        const auth = basic!;
        const expect = async (r: Promise<HttpResponse>, what: string): Promise<unknown> => {
          const res = await r;
          if (res.status === 401 || res.status === 403) throw new Error(`TrueNAS refused ${what} as ${user} (HTTP ${res.status}): check ${TRUENAS_ADMIN_PASSWORD_ENV} and ${TRUENAS_ADMIN_USER_ENV}`);
          if (res.status < 200 || res.status > 299) throw new Error(`TrueNAS answered ${what} with HTTP ${res.status}: ${res.body.slice(0, 200)}`);
          return JSON.parse(res.body || 'null');
        };
        const listed = await expect(call('GET', `/api_key?name=${encodeURIComponent(TRUENAS_KEY_NAME)}`, { auth }), 'the API key list');
        // A key of ours whose secret is not stored cannot be read back: replaced, never duplicated.
        for (const k of (Array.isArray(listed) ? listed : []) as { id?: number; name?: string }[]) {
          if (k.name !== TRUENAS_KEY_NAME || typeof k.id !== 'number') continue;
          await expect(call('DELETE', `/api_key/id/${k.id}`, { auth }), `deleting API key ${k.id}`);
          changed.push(`${s.name}: removed API key "${TRUENAS_KEY_NAME}" (id ${k.id}; its secret was not in the state directory)`);
        }
        const created = await expect(call('POST', '/api_key', { auth, body: { name: TRUENAS_KEY_NAME, username: user } }), 'creating the API key') as { id?: number; key?: string };
        if (!isSet(created?.key)) throw new Error('TrueNAS answered POST /api_key without the key');
        key = created.key;
        await writePrivateFile(truenasKeyPath(ctx.stateDir), `${key}\n`);
        changed.push(`${s.name}: created API key "${TRUENAS_KEY_NAME}" for ${user} (secret in ${truenasKeyPath(ctx.stateDir)})`);
      }
    }

    // 3. The apply script, with the key in its environment (never its argv).
    const r = await ctx.deploy([s.name], { ...serviceEnv(ctx), [TRUENAS_API_KEY_ENV]: key! });
    changed.push(...r.changed);
    if (r.exitCode !== 0) return { changed, verified, blockers: [{ check: `deploy:${s.name}`, message: `deploy of ${s.name} ended with exit code ${r.exitCode} (its output above says why: pool, datasets or NFS)`, fix: 'Fix what the deploy output names, then rerun homelab bootstrap.' }] };
    if (!r.changed.length) verified.push(`${s.name}: deployed, unchanged`);
    return { changed, verified, blockers: [] };
  },
};
