/**
 * The rows of a service package's smoke table and how to run one. Free of vitest, so the deploy
 * runner can run the same rows after a deploy; `smoke-table.ts` registers them with vitest.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ProbeConnectOptions } from './connect-options.ts';
import { SMOKE_DEFAULTS } from './defaults.ts';
import { probeForwardAuth } from './forward-auth-probe.ts';
import { probeHttps } from './http-probe.ts';
import { probePrometheusTargets } from './prometheus-probe.ts';
import type { ProbeResult } from './probe-result.ts';
import { probeRedirect } from './redirect-probe.ts';
import { retry, type RetryOptions } from './retry.ts';
import { probeTcp } from './tcp-probe.ts';
import { probeTls } from './tls-probe.ts';

interface RowBase {
  /**
   * Test title.
   * @default - derived from the row by `smokeRowTitle`
   */
  readonly title?: string;
}

/** GET `url` and expect a status. */
export interface HttpsRow extends RowBase {
  readonly kind: 'https';
  readonly url: string;
  /** @default 200 */
  readonly expectStatus?: number | readonly number[];
  /** @default - no header check */
  readonly expectHeaders?: Readonly<Record<string, string>>;
  /** @default - no body check */
  readonly expectBody?: string;
}

/** A plain http:// GET of `url` redirects to its https:// form. */
export interface RedirectRow extends RowBase {
  readonly kind: 'redirect';
  readonly url: string;
  /** @default - the https:// form of `url` */
  readonly expectLocation?: string;
}

/** An unauthenticated GET of `url` redirects to Authentik at `authHost`. */
export interface ForwardAuthRow extends RowBase {
  readonly kind: 'forward-auth';
  readonly url: string;
  readonly authHost: string;
}

/** The certificate served at `host:port` covers `name` and stays valid `minDays` more days. */
export interface TlsRow extends RowBase {
  readonly kind: 'tls';
  readonly host: string;
  /** @default 443 */
  readonly port?: number;
  /** @default - `host` */
  readonly name?: string;
  /** @default 14 */
  readonly minDays?: number;
}

/** `host:port` accepts a TCP connection. There is no UDP row: see `tcp-probe.ts`. */
export interface TcpRow extends RowBase {
  readonly kind: 'tcp';
  readonly host: string;
  readonly port: number;
}

/** Every active Prometheus target of `job` has health "up". */
export interface PrometheusTargetUpRow extends RowBase {
  readonly kind: 'prometheus-target-up';
  readonly prometheusUrl: string;
  readonly job: string;
}

export type SmokeRow = HttpsRow | RedirectRow | ForwardAuthRow | TlsRow | TcpRow | PrometheusTargetUpRow;

/** How rows are run: retry bounds plus how to reach the site. */
export interface SmokeRunOptions extends RetryOptions, Pick<ProbeConnectOptions, 'ca' | 'resolveTo' | 'insecure'> {
  /**
   * Per-attempt timeout.
   * @default 10000
   */
  readonly timeoutMs?: number;
}

/**
 * Runs one row through its probe with bounded retries. `resolveTo`, `ca` and `insecure` apply to
 * every HTTP(S) and TLS row; TCP rows connect to their host as given (they name addresses, not
 * routes behind Traefik).
 */
export async function runSmokeRow(row: SmokeRow, options: SmokeRunOptions = {}): Promise<ProbeResult> {
  const connect: ProbeConnectOptions = {
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.resolveTo === undefined ? {} : { resolveTo: options.resolveTo }),
    ...(options.insecure === undefined ? {} : { insecure: options.insecure }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  const probe = (): Promise<ProbeResult> => {
    switch (row.kind) {
      case 'https':
        return probeHttps({ ...connect, url: row.url, ...pick(row, 'expectStatus', 'expectHeaders', 'expectBody') });
      case 'redirect':
        return probeRedirect({ ...connect, url: row.url, ...pick(row, 'expectLocation') });
      case 'forward-auth':
        return probeForwardAuth({ ...connect, url: row.url, authHost: row.authHost });
      case 'tls':
        return probeTls({ ...connect, host: row.host, ...pick(row, 'port', 'name', 'minDays') });
      case 'tcp':
        return probeTcp({ host: row.host, port: row.port, ...pick(options, 'timeoutMs') });
      case 'prometheus-target-up':
        return probePrometheusTargets({ ...connect, prometheusUrl: row.prometheusUrl, job: row.job });
      default:
        return unknownRow(row);
    }
  };
  return retry(probe, options);
}

function unknownRow(row: never): never {
  throw new TypeError(`runSmokeRow: unknown row kind ${JSON.stringify((row as { kind?: unknown }).kind)}.`);
}

/** The defined values of `keys`, so optional fields stay absent rather than `undefined`. */
function pick<T extends object, K extends keyof T>(source: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

/** A readable test title for a row, e.g. `https://sonarr.example.test/ answers 200`. */
export function smokeRowTitle(row: SmokeRow): string {
  if (row.title !== undefined) return row.title;
  switch (row.kind) {
    case 'https':
      return `${row.url} answers ${[row.expectStatus ?? SMOKE_DEFAULTS.expectStatus].flat().join('|')}`;
    case 'redirect':
      return `${row.url} redirects to https`;
    case 'forward-auth':
      return `${row.url} is behind forward auth at ${row.authHost}`;
    case 'tls':
      return `${row.host}:${row.port ?? SMOKE_DEFAULTS.tlsPort} serves a certificate for ${row.name ?? row.host} valid ${row.minDays ?? SMOKE_DEFAULTS.minDays}+ days`;
    case 'tcp':
      return `${row.host}:${row.port} accepts TCP`;
    case 'prometheus-target-up':
      return `prometheus job ${JSON.stringify(row.job)} has every target up`;
    default:
      return unknownRow(row);
  }
}

/** Environment variables read by `smokeTarget`. */
export const SMOKE_ENV = {
  /** Name of the live site to smoke-test, e.g. `live`. Unset: smoke tests skip. */
  target: 'HOMELAB_SMOKE_TARGET',
  /** Address to connect every HTTP(S) and TLS probe to, e.g. the Traefik IP `10.0.0.20`. */
  resolve: 'HOMELAB_SMOKE_RESOLVE',
  /** Path to a PEM file of CAs to trust. */
  ca: 'HOMELAB_SMOKE_CA',
} as const;

/** Why smoke tests skip when no target is configured; shown in the vitest suite title. */
export const SMOKE_SKIP_REASON = `${SMOKE_ENV.target} is not set; smoke tests run against the live homelab`;

export interface SmokeTarget {
  /** The live site's name, from `HOMELAB_SMOKE_TARGET`. */
  readonly name: string;
  /** From `HOMELAB_SMOKE_RESOLVE`. */
  readonly resolveTo?: string;
  /** From `HOMELAB_SMOKE_CA`: the path, and the PEM read from it. */
  readonly caPath?: string;
  readonly ca?: string;
}

/**
 * The live site to smoke-test, from the environment, or undefined when `HOMELAB_SMOKE_TARGET` is
 * unset or empty. Throws on a malformed `HOMELAB_SMOKE_RESOLVE` or an unreadable `HOMELAB_SMOKE_CA`.
 */
export function smokeTarget(env: Readonly<Record<string, string | undefined>> = process.env): SmokeTarget | undefined {
  const name = env[SMOKE_ENV.target]?.trim();
  if (!name) return undefined;
  const resolveTo = env[SMOKE_ENV.resolve]?.trim() || undefined;
  if (resolveTo !== undefined && isIP(resolveTo) === 0) {
    throw new Error(`${SMOKE_ENV.resolve}: expected an IP address, got ${JSON.stringify(resolveTo)}. Set it to the Traefik IP, e.g. 10.0.0.20.`);
  }
  const caPath = env[SMOKE_ENV.ca]?.trim() || undefined;
  let ca: string | undefined;
  if (caPath !== undefined) {
    try {
      ca = readFileSync(caPath, 'utf8');
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'error';
      throw new Error(`${SMOKE_ENV.ca}: cannot read ${caPath} (${code}). Point it at a PEM file or unset it.`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new Error(`${SMOKE_ENV.ca}: ${caPath} holds no PEM certificate. Point it at a PEM file or unset it.`);
    }
  }
  return {
    name,
    ...(resolveTo === undefined ? {} : { resolveTo }),
    ...(caPath === undefined ? {} : { caPath, ca: ca! }),
  };
}

/** The run options that reach `target`. */
export function smokeRunOptions(target: SmokeTarget): SmokeRunOptions {
  return {
    ...(target.resolveTo === undefined ? {} : { resolveTo: target.resolveTo }),
    ...(target.ca === undefined ? {} : { ca: target.ca }),
  };
}

/** `arr [live]` when a target is set, else `arr (skipped: HOMELAB_SMOKE_TARGET is not set; ...)`. */
export function smokeSuiteTitle(title: string, target: SmokeTarget | undefined): string {
  return target === undefined ? `${title} (skipped: ${SMOKE_SKIP_REASON})` : `${title} [${target.name}]`;
}

/** The longest a row can take with these options: every attempt timing out, plus the pauses. */
export function smokeRowBudgetMs(options: SmokeRunOptions): number {
  const attempts = options.attempts ?? SMOKE_DEFAULTS.attempts;
  const delayMs = options.delayMs ?? SMOKE_DEFAULTS.delayMs;
  const timeoutMs = options.timeoutMs ?? SMOKE_DEFAULTS.timeoutMs;
  return attempts * timeoutMs + (attempts - 1) * delayMs;
}
