/**
 * Phase 4: the admin credential, used only by the stack that creates homelab's own Terraform
 * identity (the `hypervisor` service) and by nothing else. Created on the cluster's first node
 * as an unseparated API token of root@pam (`pveum user token add ... --privsep 0`), so no
 * password is ever typed or stored; its secret goes from pveum's stdout straight into the state
 * directory (0600), never into an argv or a log. An operator who sets the variable themselves
 * keeps their own credential and bootstrap creates none.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from '../deploy/private-files.ts';
import type { DeployEnv } from '../process/run-tool.ts';
import type { BootstrapContext, BootstrapPhase, PhaseResult } from './phase.ts';
import { onHost, runJson, runOk } from './remote.ts';

export const ADMIN_USER = 'root@pam';
export const ADMIN_TOKEN_ID = 'homelab-bootstrap';
/** The variable the hypervisor stack reads its admin credential from, unless the site names another. */
export const DEFAULT_ADMIN_TOKEN_ENV = 'PROXMOX_VE_ADMIN_API_TOKEN';

export const adminTokenFile = (stateDir: string): string => join(stateDir, 'bootstrap', 'admin-token');

export function adminTokenEnv(site: BootstrapContext['site']): string {
  const named = (site.providerEnv as { readonly adminApiToken?: string }).adminApiToken;
  return named?.trim() || DEFAULT_ADMIN_TOKEN_ENV;
}

export const tokenList = ['pveum', 'user', 'token', 'list', ADMIN_USER, '--output-format', 'json'];
export const tokenRemove = ['pveum', 'user', 'token', 'remove', ADMIN_USER, ADMIN_TOKEN_ID];
export const tokenAdd = ['pveum', 'user', 'token', 'add', ADMIN_USER, ADMIN_TOKEN_ID, '--privsep', '0', '--comment', 'homelab bootstrap: the hypervisor stack only', '--output-format', 'json'];

/** The stored `user@realm!token=secret`, if bootstrap created one earlier. */
export async function storedAdminToken(stateDir: string): Promise<string | undefined> {
  try {
    return (await readFile(adminTokenFile(stateDir), 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The environment with the admin credential: the operator's own, else the stored one. */
export async function withAdminToken(env: DeployEnv, site: BootstrapContext['site'], stateDir: string): Promise<DeployEnv> {
  const name = adminTokenEnv(site);
  if (env[name]?.trim()) return env;
  const stored = await storedAdminToken(stateDir);
  return stored ? { ...env, [name]: stored } : env;
}

export const adminTokenPhase: BootstrapPhase = {
  id: 'admin-token',
  title: 'Admin credential (for the hypervisor stack only)',
  describe: (ctx) => {
    const first = ctx.site.nodes[0];
    if (!first) return [];
    return [
      { what: `${first.name}: is ${ADMIN_USER}!${ADMIN_TOKEN_ID} there (skipped when ${adminTokenEnv(ctx.site)} is set)`, mutates: false, command: onHost(ctx, first, tokenList, 'list admin tokens') },
      { what: `${first.name}: create ${ADMIN_USER}!${ADMIN_TOKEN_ID} (unseparated); its secret kept 0600 in the state directory`, mutates: true, command: onHost(ctx, first, tokenAdd, 'create admin token') },
    ];
  },
  async run(ctx): Promise<PhaseResult> {
    const name = adminTokenEnv(ctx.site);
    if (ctx.env[name]?.trim()) return { changed: [], verified: [`${name} is set: your own admin credential is used`], blockers: [] };
    const first = ctx.site.nodes[0]!;
    const listed = await runJson<{ tokenid?: string }[]>(ctx, onHost(ctx, first, tokenList, 'list admin tokens'));
    const exists = (Array.isArray(listed) ? listed : []).some((t) => t.tokenid === ADMIN_TOKEN_ID);
    const stored = await storedAdminToken(ctx.stateDir);
    if (exists && stored) return { changed: [], verified: [`${ADMIN_USER}!${ADMIN_TOKEN_ID} exists; its secret is in the state directory`], blockers: [] };
    const changed: string[] = [];
    // A token whose secret was lost cannot be read back: replace it.
    if (exists) {
      await runOk(ctx, onHost(ctx, first, tokenRemove, 'remove admin token'));
      changed.push(`${first.name}: removed ${ADMIN_USER}!${ADMIN_TOKEN_ID} (its secret was not in the state directory)`);
    }
    const created = await runJson<{ 'full-tokenid'?: string; value?: string }>(ctx, onHost(ctx, first, tokenAdd, 'create admin token'));
    if (!created['full-tokenid'] || !created.value) throw new Error(`${first.name}: pveum user token add answered without full-tokenid and value`);
    await ensurePrivateDir(join(ctx.stateDir, 'bootstrap'));
    await writePrivateFile(adminTokenFile(ctx.stateDir), `${created['full-tokenid']}=${created.value}\n`);
    changed.push(`${first.name}: created ${created['full-tokenid']} (secret in ${adminTokenFile(ctx.stateDir)})`);
    return { changed, verified: [], blockers: [] };
  },
};
