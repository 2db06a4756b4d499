import { isIP } from 'node:net';
import tls, { type PeerCertificate } from 'node:tls';
import type { ProbeConnectOptions } from './connect-options.ts';
import { SMOKE_DEFAULTS } from './defaults.ts';
import { codedError, describeError } from './private/errors.ts';
import { fixedLookup } from './private/http-get.ts';
import { probeFailed, probeOk, type ProbeResult } from './probe-result.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface TlsProbe extends ProbeConnectOptions {
  /** Host to connect to (and, by default, the name to check). */
  readonly host: string;
  /**
   * @default 443
   */
  readonly port?: number;
  /**
   * The DNS name the certificate must cover. Also sent as SNI unless `servername` is set.
   * @default - `host`
   */
  readonly name?: string;
  /**
   * Fail when fewer than this many whole days of validity remain.
   * @default 14
   */
  readonly minDays?: number;
  /**
   * The moment to measure the remaining validity from, in epoch milliseconds.
   * @default - now
   */
  readonly now?: number;
}

/** What a TLS probe read from the peer certificate. */
export interface CertificateFacts {
  readonly commonName?: string;
  /** subjectAltName DNS entries, in certificate order. */
  readonly dnsNames: readonly string[];
  /** The end of validity (notAfter), in epoch milliseconds. */
  readonly validTo: number;
}

function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * Whether a certificate name (`pattern`) covers the DNS `name`. A wildcard stands for exactly one
 * whole left-most label: `*.example.test` covers `a.example.test`, not `example.test` and not
 * `a.b.example.test`. Partial-label wildcards (`a*.example.test`) match nothing, as in browsers.
 */
export function nameCovered(pattern: string, name: string): boolean {
  const p = normalizeName(pattern);
  const n = normalizeName(name);
  if (p === '' || n === '') return false;
  if (!p.includes('*')) return p === n;
  if (!p.startsWith('*.') || p.indexOf('*', 1) !== -1) return false;
  const suffix = p.slice(1); // ".example.test"
  if (suffix.split('.').length < 3) return false; // no `*.test`
  if (!n.endsWith(suffix)) return false;
  const label = n.slice(0, -suffix.length);
  return label !== '' && !label.includes('.');
}

/**
 * The names a certificate answers for: its subjectAltName DNS entries, or its CN when it has no
 * DNS entries (clients ignore the CN once DNS entries exist, RFC 6125 §6.4.4).
 */
export function certificateNames(facts: Pick<CertificateFacts, 'commonName' | 'dnsNames'>): readonly string[] {
  if (facts.dnsNames.length > 0) return facts.dnsNames;
  return facts.commonName === undefined ? [] : [facts.commonName];
}

/** Whether any of the certificate's names covers `name`. */
export function certificateCovers(facts: Pick<CertificateFacts, 'commonName' | 'dnsNames'>, name: string): boolean {
  return certificateNames(facts).some((pattern) => nameCovered(pattern, name));
}

/** Whole days from `now` until `validTo`; negative once expired. */
export function daysUntil(validTo: number, now: number): number {
  return Math.floor((validTo - now) / DAY_MS);
}

function dayCount(days: number): string {
  return `${days} day${days === 1 ? '' : 's'}`;
}

/** Reads the names and validity out of Node's peer certificate. */
export function certificateFacts(cert: PeerCertificate): CertificateFacts {
  const cn = cert.subject?.CN as string | string[] | undefined;
  const commonName = Array.isArray(cn) ? cn[0] : cn;
  const dnsNames = (cert.subjectaltname ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => {
      const value = entry.slice('DNS:'.length);
      // Node quotes names holding unusual characters as JSON strings.
      return value.startsWith('"') ? (JSON.parse(value) as string) : value;
    });
  return { ...(commonName === undefined ? {} : { commonName }), dnsNames, validTo: Date.parse(cert.valid_to) };
}

interface Handshake {
  readonly cert: PeerCertificate;
  readonly authorized: boolean;
  readonly authorizationError?: string;
}

function handshake(probe: TlsProbe, port: number, servername: string): Promise<Handshake> {
  const timeoutMs = probe.timeoutMs ?? SMOKE_DEFAULTS.timeoutMs;
  const options: tls.ConnectionOptions = {
    host: probe.host,
    port,
    // Names are checked below, so that a mismatch is reported with the names found.
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  };
  if (isIP(servername) === 0) options.servername = servername;
  if (probe.ca !== undefined) options.ca = probe.ca;
  if (probe.resolveTo !== undefined) options.lookup = fixedLookup(probe.resolveTo);
  return new Promise<Handshake>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const socket = tls.connect(options, () => {
      clearTimeout(timer);
      const authorizationError = socket.authorizationError;
      resolve({
        cert: socket.getPeerCertificate(),
        authorized: socket.authorized,
        ...(authorizationError ? { authorizationError: String(authorizationError) } : {}),
      });
      socket.destroy();
    });
    timer = setTimeout(() => socket.destroy(codedError('ETIMEDOUT', `no TLS handshake within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * One TLS handshake with `host:port`: passes when the peer certificate covers `name`
 * (wildcard-aware), at least `minDays` whole days of validity remain, and the chain verifies
 * against `ca` (or Node's roots) unless `insecure`.
 */
export async function probeTls(probe: TlsProbe): Promise<ProbeResult> {
  const port = probe.port ?? SMOKE_DEFAULTS.tlsPort;
  const name = probe.name ?? probe.host;
  const minDays = probe.minDays ?? SMOKE_DEFAULTS.minDays;
  const now = probe.now ?? Date.now();
  const target = `${isIP(probe.host) === 6 ? `[${probe.host}]` : probe.host}:${port}`;
  let shake: Handshake;
  try {
    shake = await handshake(probe, port, probe.servername ?? name);
  } catch (error) {
    return probeFailed(target, `expected a TLS certificate for ${name}, got ${describeError(error)}`);
  }
  if (!shake.cert || Object.keys(shake.cert).length === 0) {
    return probeFailed(target, `expected a TLS certificate for ${name}, got none`);
  }
  const facts = certificateFacts(shake.cert);
  const names = certificateNames(facts);
  const namesText = names.length > 0 ? names.join(', ') : '(none)';
  if (!certificateCovers(facts, name)) {
    return probeFailed(target, `expected a certificate covering ${name}, got one for ${namesText}`);
  }
  if (Number.isNaN(facts.validTo)) {
    return probeFailed(target, `expected a certificate with a readable notAfter, got ${JSON.stringify(shake.cert.valid_to)}`);
  }
  const days = daysUntil(facts.validTo, now);
  const notAfter = new Date(facts.validTo).toISOString();
  if (days < minDays) {
    const left =
      facts.validTo <= now ? `expired ${dayCount(daysUntil(now, facts.validTo))} ago` : `has ${dayCount(days)} left`;
    return probeFailed(target, `expected at least ${dayCount(minDays)} of validity for ${name}, got a certificate that ${left} (notAfter ${notAfter})`);
  }
  if (!probe.insecure && !shake.authorized) {
    return probeFailed(target, `expected a certificate chain that verifies for ${name}, got ${shake.authorizationError ?? 'an unverified chain'}`);
  }
  return probeOk(target, `certificate covers ${name} (${namesText}), ${dayCount(days)} left`);
}
