/**
 * The Proxmox API token of the guest stacks, without a manual copy. The hypervisor stack
 * (model/provider-token.ts) is the only one applied with the administrator credential
 * (site.providerEnv.adminApiToken): its tools receive that value under the name the provider
 * reads (site.providerEnv.apiToken), and no other stack's tools ever see it. After it applies,
 * deploy reads its `terraform_api_token` output (`tofu output -raw`, never printed) into
 * `<state>/secrets/proxmox-api-token` (0600) and every later stack of this run or a later one
 * gets that value as site.providerEnv.apiToken.
 *
 * Precedence: a token the operator exports wins over the stored one (an explicit choice, e.g.
 * while rotating, is never overridden silently); deploy says which one each stack gets. With
 * neither, and no issuer deployed before the stack in this run, preflight refuses.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Problem } from '../model/problem.ts';
import type { DeployEnv } from '../process/run-tool.ts';
import { writePrivateFile, type Tightened } from './private-files.ts';
import { atStatePath } from './state-error.ts';

/** Which side of the token a stack is on: it creates it (admin credential) or uses it. */
export type ProviderTokenRole =
  | { readonly role: 'issues'; readonly tokenEnv: string; readonly adminEnv: string; readonly output: string }
  | { readonly role: 'uses'; readonly tokenEnv: string; readonly adminEnv: string; readonly issuer?: string };

/** Where a using stack's token comes from in this run. */
export type TokenSource =
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'stored'; readonly path: string }
  | { readonly kind: 'issued'; readonly by: string; readonly path: string }
  | { readonly kind: 'none' };

export const PROVIDER_TOKEN_MISSING = 'ProviderTokenMissing';

export const providerTokenPath = (stateDir: string): string => join(stateDir, 'secrets', 'proxmox-api-token');

const isSet = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/** The stored token, or undefined when none was stored yet. */
export async function readStoredToken(stateDir: string): Promise<string | undefined> {
  const path = providerTokenPath(stateDir);
  try {
    const value = (await readFile(path, 'utf8')).trim();
    return value === '' ? undefined : value;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    return atStatePath(path, 'read the stored Proxmox API token', () => Promise.reject(error));
  }
}

/** Stores the issuer's output (0600, directory 0700, atomically). */
export async function storeToken(stateDir: string, value: string, onTightened?: Tightened): Promise<void> {
  const path = providerTokenPath(stateDir);
  await atStatePath(path, 'store the Proxmox API token', () => writePrivateFile(path, `${value.trim()}\n`, onTightened));
}

/** Where `tokenEnv` comes from for a using stack: the operator's export, a token the issuer stores earlier in this run, or the stored one. */
export function tokenSource(
  use: Extract<ProviderTokenRole, { role: 'uses' }>, env: DeployEnv, stateDir: string,
  known: { readonly stored: boolean; readonly issuedBefore: boolean },
): TokenSource {
  if (isSet(env[use.tokenEnv])) return { kind: 'env', name: use.tokenEnv };
  if (known.issuedBefore && use.issuer) return { kind: 'issued', by: use.issuer, path: providerTokenPath(stateDir) };
  if (known.stored) return { kind: 'stored', path: providerTokenPath(stateDir) };
  return { kind: 'none' };
}

export function describeTokenSource(source: TokenSource): string {
  switch (source.kind) {
    case 'env': return `$${source.name} as exported (it wins over a stored token)`;
    case 'issued': return `the ${source.by} stack's output, read after its apply in this run and stored in ${source.path}`;
    case 'stored': return `the token stored in ${source.path} by the last deploy of the token's stack`;
    case 'none': return 'nowhere: not exported and none stored';
  }
}

/** Preflight: the using stacks that would run without a token, in one problem. */
export function missingTokenProblem(services: readonly string[], use: Extract<ProviderTokenRole, { role: 'uses' }>, stateDir: string): Problem {
  const them = services.length === 1 ? 'it' : 'them';
  const where = `it is not exported, none is stored in ${providerTokenPath(stateDir)}`;
  return {
    source: 'homelab deploy', path: 'env', code: PROVIDER_TOKEN_MISSING, received: services,
    message: `${services.join(', ')} need${services.length === 1 ? 's' : ''} the Proxmox API token ${use.tokenEnv}: ${where}, and ${use.issuer ? `${use.issuer} does not deploy before ${them} in this run` : 'no service of this homelab creates it (none provides the hypervisor)'}`,
    fix: use.issuer
      ? `Deploy ${use.issuer} first (homelab deploy --service ${use.issuer}, with ${use.adminEnv} set to an administrator token such as root@pam!homelab): it creates the token and stores it for every later deploy (an unchanged ${use.issuer} needs --force to read it again). Or export ${use.tokenEnv}.`
      : `Export ${use.tokenEnv} (user@realm!tokenid=secret).`,
  };
}

/**
 * The environment a stack's tools are started from: the withheld names (the administrator
 * credential) never reach any tool by their own name; the issuer gets the administrator value as
 * the provider's token; a using stack gets the operator's token, else `token` (stored or just
 * issued). A stack that uses no Proxmox gets neither.
 */
export function stackToolEnv(role: ProviderTokenRole | undefined, withheld: readonly string[], env: DeployEnv, token: string | undefined): DeployEnv {
  if (!role && !withheld.some((n) => n in env)) return env;
  const out: Record<string, string | undefined> = { ...env };
  for (const name of withheld) delete out[name];
  if (role?.role === 'issues') {
    if (isSet(env[role.adminEnv])) out[role.tokenEnv] = env[role.adminEnv];
    else delete out[role.tokenEnv];
  } else if (role?.role === 'uses' && !isSet(env[role.tokenEnv]) && token !== undefined) {
    out[role.tokenEnv] = token;
  }
  return out;
}
