/**
 * Where the Proxmox VE API is and how to authenticate: the same variables the bpg/proxmox
 * provider reads (the site names them, `site.providerEnv`), plus explicit TLS settings.
 */
import { PveNotConfiguredError } from './errors.ts';

/** PEM file with the CA that signed the nodes' certificates (`/etc/pve/pve-root-ca.pem`). */
export const PVE_CA_FILE_ENV = 'HOMELAB_PVE_CA_FILE';
/** Skip certificate verification. bpg/proxmox reads the same variable. @default false */
export const PVE_INSECURE_ENV = 'PROXMOX_VE_INSECURE';
/** Per-request timeout in milliseconds. @default 15000 */
export const PVE_TIMEOUT_ENV = 'HOMELAB_PVE_TIMEOUT_MS';

export const DEFAULT_PVE_TIMEOUT_MS = 15_000;

export interface PveEnvNames {
  /** Variable holding the endpoint URL. @default "PROXMOX_VE_ENDPOINT" */
  readonly endpoint: string;
  /** Variable holding `user@realm!tokenid=secret`. @default "PROXMOX_VE_API_TOKEN" */
  readonly apiToken: string;
}

export const DEFAULT_PVE_ENV: PveEnvNames = { endpoint: 'PROXMOX_VE_ENDPOINT', apiToken: 'PROXMOX_VE_API_TOKEN' };

export interface PveSettings {
  /** The endpoint as configured, for messages (never contains the token). */
  readonly endpoint: string;
  /** `<endpoint>/api2/json/`. */
  readonly baseUrl: URL;
  readonly token: string;
  readonly env: PveEnvNames;
  /** @default - the system's trust store */
  readonly caFile?: string;
  /** @default false */
  readonly insecure: boolean;
  /** @default 15000 */
  readonly timeoutMs: number;
}

export interface PveOverrides {
  readonly caFile?: string;
  readonly insecure?: boolean;
  readonly timeoutMs?: number;
}

/** `user@realm!tokenid=secret`, the shape bpg/proxmox and the API take. */
export const PVE_TOKEN_SHAPE = /^[^\s@]+@[^\s!]+![^\s=]+=\S+$/;

/** True when both variables are set (not whether they are valid). */
export function isPveConfigured(env: Readonly<Record<string, string | undefined>>, names: PveEnvNames = DEFAULT_PVE_ENV): boolean {
  return Boolean(env[names.endpoint]) && Boolean(env[names.apiToken]);
}

function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  return undefined;
}

/** Reads and checks the settings; throws PveNotConfiguredError naming every problem. */
export function pveSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  names: PveEnvNames = DEFAULT_PVE_ENV,
  overrides: PveOverrides = {},
): PveSettings {
  const problems: string[] = [];
  const endpoint = env[names.endpoint] ?? '';
  const token = env[names.apiToken] ?? '';
  let baseUrl: URL | undefined;
  if (!endpoint) {
    problems.push(`${names.endpoint} is not set. Set it to a cluster node's API URL, e.g. https://192.0.2.10:8006/.`);
  } else {
    try {
      const url = new URL(endpoint);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`protocol ${url.protocol}`);
      const path = url.pathname.replace(/\/+$/, '');
      url.pathname = `${path.endsWith('/api2/json') ? path : `${path}/api2/json`}/`;
      url.search = '';
      url.hash = '';
      baseUrl = url;
    } catch {
      problems.push(`${names.endpoint}=${JSON.stringify(endpoint)} is not an http(s) URL. Use e.g. https://192.0.2.10:8006/.`);
    }
  }
  if (!token) {
    problems.push(`${names.apiToken} is not set. Set it to <user>@<realm>!<tokenid>=<secret> (Datacenter > Permissions > API Tokens).`);
  } else if (!PVE_TOKEN_SHAPE.test(token)) {
    problems.push(`${names.apiToken} is not of the form <user>@<realm>!<tokenid>=<secret> (value not shown).`);
  }
  const insecureRaw = env[PVE_INSECURE_ENV];
  const insecureEnv = parseBool(insecureRaw);
  if (insecureRaw && insecureEnv === undefined) problems.push(`${PVE_INSECURE_ENV}=${JSON.stringify(insecureRaw)} is not a boolean. Use true or false.`);
  const timeoutRaw = env[PVE_TIMEOUT_ENV];
  const timeoutEnv = timeoutRaw ? Number(timeoutRaw) : undefined;
  if (timeoutEnv !== undefined && !(Number.isInteger(timeoutEnv) && timeoutEnv > 0)) problems.push(`${PVE_TIMEOUT_ENV}=${JSON.stringify(timeoutRaw)} is not a positive whole number of milliseconds.`);
  if (problems.length || !baseUrl) throw new PveNotConfiguredError(problems);
  const caFile = overrides.caFile ?? (env[PVE_CA_FILE_ENV] || undefined);
  return {
    endpoint,
    baseUrl,
    token,
    env: names,
    ...(caFile ? { caFile } : {}),
    insecure: overrides.insecure ?? insecureEnv ?? false,
    timeoutMs: overrides.timeoutMs ?? timeoutEnv ?? DEFAULT_PVE_TIMEOUT_MS,
  };
}
