/**
 * The Proxmox API settings of the commands that read or operate the running cluster (status,
 * group, patch, drift, adopt, discover), from the same places deploy and bootstrap take them:
 *
 * - the token: the operator's export of site.providerEnv.apiToken wins (as in deploy, an explicit
 *   choice is never overridden), else the token deploy stored in `<state>/secrets/proxmox-api-token`
 *   after applying the hypervisor stack (deploy/provider-token.ts), else none;
 * - the endpoint: the exported site.providerEnv.endpoint, else the first node's
 *   `https://<ip>:8006/`, the fallback bootstrap uses (bootstrap/deploy-phases.ts withEndpoint).
 *
 * The result is an environment for pveSettingsFromEnv with the two filled in. It holds the secret:
 * it is handed to the API client only (an HTTP header), never to a tool's argv, a log or output;
 * the notes name where each value came from, never the token's value.
 */
import { withEndpoint } from '../bootstrap/deploy-phases.ts';
import { describeTokenSource, providerTokenPath, readStoredToken, tokenSource, type TokenSource } from '../deploy/provider-token.ts';
import { deployStateDir } from '../deploy/state-dir.ts';
import type { Site } from '../model/site.ts';
import { PVE_TOKEN_SHAPE } from '../pve/config.ts';
import { PveNotConfiguredError } from '../pve/errors.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface PveAccess {
  /** The operator's environment with the endpoint and token filled in where they come from elsewhere. Holds the secret. */
  readonly env: Env;
  /** Where the token comes from: `env`, `stored` or `none`. */
  readonly token: TokenSource;
  /** The file deploy stores the token in (whether or not it exists). */
  readonly storedPath: string;
  /** The endpoint bootstrap's fallback chose (not exported), if any. */
  readonly fallbackEndpoint?: string;
  /** Both an endpoint and a token are there (not whether they are valid). */
  readonly configured: boolean;
  /** What to say on stderr, once, when the API is used: the endpoint's fallback, and the token's source whenever a token is stored. */
  readonly notes: readonly string[];
}

/** The settings' sources; throws PveNotConfiguredError when the stored token is not a token. */
export async function resolvePveAccess(site: Site, env: Env): Promise<PveAccess> {
  const names = site.providerEnv;
  const stateDir = deployStateDir(env);
  const storedPath = providerTokenPath(stateDir);
  const stored = await readStoredToken(stateDir);
  const token = tokenSource({ role: 'uses', tokenEnv: names.apiToken, adminEnv: '' }, env, stateDir, { stored: stored !== undefined, issuedBefore: false });
  if (token.kind === 'stored' && !PVE_TOKEN_SHAPE.test(stored!)) {
    throw new PveNotConfiguredError([`the token stored in ${storedPath} is not of the form <user>@<realm>!<tokenid>=<secret> (value not shown). Store it again with homelab deploy --service <the hypervisor service> --force, or export ${names.apiToken}.`]);
  }
  const notes: string[] = [];
  const withUrl = withEndpoint({ site, out: (line) => notes.push(line.trim()) }, env);
  const fallbackEndpoint = withUrl === env ? undefined : withUrl[names.endpoint];
  const filled: Record<string, string | undefined> = { ...withUrl };
  if (token.kind === 'stored') filled[names.apiToken] = stored;
  // Said whenever a stored token is there (it is used, or the export wins over it); an exported
  // token with nothing stored is the only source there is, as before the store existed.
  if (stored !== undefined) notes.push(`Proxmox API token: ${describeTokenSource(token)}`);
  const configured = Boolean(filled[names.endpoint]?.trim()) && token.kind !== 'none';
  return { env: filled, token, storedPath, ...(fallbackEndpoint ? { fallbackEndpoint } : {}), configured, notes };
}

/**
 * What is missing, for the not-configured messages: `set ...` for the endpoint, and for the token
 * where deploy stores it and which command creates it. `issuers`: the services that provide the
 * hypervisor (they create the token).
 */
export function pveAccessMissing(access: PveAccess, site: Pick<Site, 'providerEnv'>, issuers: readonly string[]): string {
  const names = site.providerEnv;
  const parts: string[] = [];
  if (!access.env[names.endpoint]?.trim()) parts.push(`set ${names.endpoint} (the site has no node to default to)`);
  if (access.token.kind === 'none') {
    const create = issuers.length
      ? `${issuers.map((s) => `\`homelab deploy --service ${s}\``).join(' or ')} (or \`homelab bootstrap\`) creates the token and stores it there; or export ${names.apiToken}`
      : `no service of this homelab creates one (none provides the hypervisor): export ${names.apiToken} as user@realm!tokenid=secret`;
    parts.push(`${names.apiToken} is not exported and no token is stored in ${access.storedPath} (${create})`);
  }
  return parts.join('; ');
}

/**
 * The fleet commands' API calls that homelab's stored Terraform token cannot make, by decision
 * (least privilege; docs/cli.md, "Which Proxmox token"): those commands need an administrator
 * token exported when they reach these calls. packages/proxmox's test operate-permissions.test.ts
 * derives the denied calls from the PVE API schema and holds this list to them.
 *
 * - patch's cluster-health gate needs Sys.Audit on `/` (the cluster and Ceph status). The token's
 *   role is granted only on the paths the service stacks touch and never on `/` (policy rule
 *   terraform-token, TokenAclOnRoot); patching runs as root over SSH on the nodes anyway, so the
 *   operator who patches holds an administrator credential.
 * - discover's USB listing needs Sys.Modify on `/`, a privilege the role must never hold
 *   (FORBIDDEN_TERRAFORM_PRIVILEGES: it changes node settings). Discover runs once per hardware
 *   change; its disk listing (Sys.Audit on /nodes/{node}) works with the token.
 */
export const TERRAFORM_TOKEN_ADMIN_CALLS: readonly { readonly command: string; readonly method: string; readonly call: string; readonly needs: string }[] = [
  { command: 'patch', method: 'clusterStatus', call: 'GET /cluster/status', needs: 'Sys.Audit on /' },
  { command: 'patch', method: 'cephStatus', call: 'GET /cluster/ceph/status', needs: 'Sys.Audit or Datastore.Audit on /' },
  { command: 'discover', method: 'usbDevices', call: 'GET /nodes/{node}/hardware/usb', needs: 'Sys.Modify on /' },
];

/** The calls of `command` the stored Terraform token cannot make, in words, or undefined when it can make them all. */
export function adminTokenNeed(command: string): string | undefined {
  const calls = TERRAFORM_TOKEN_ADMIN_CALLS.filter((c) => c.command === command);
  return calls.length ? calls.map((c) => `${c.call} needs ${c.needs}`).join(', ') : undefined;
}
