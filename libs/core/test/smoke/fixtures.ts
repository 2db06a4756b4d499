/** Test fixtures for the smoke probes: a throwaway CA and leaf certificates, and local servers. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExecaSpawner, formatCommand } from '../../src/process/run-tool.ts';

export interface Pki {
  readonly dir: string;
  readonly caPem: string;
  readonly key: string;
  /** SAN `*.example.test` only. */
  readonly wildcardOnly: string;
  /** SAN `*.example.test` and `example.test`. */
  readonly wildcardAndApex: string;
  /** SAN `*.example.test` and `example.test`, issued with `-days 3`. */
  readonly shortLived: string;
  readonly cleanup: () => Promise<void>;
}

const CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = Homelab Smoke Test CA
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
`;

/** Creates a CA and three leaf certificates with openssl, in a fresh temp dir. */
export async function makePki(): Promise<Pki> {
  const dir = await mkdtemp(join(tmpdir(), 'homelab-smoke-'));
  const file = (name: string) => join(dir, name);
  const spawn = createExecaSpawner();
  const openssl = async (...args: string[]): Promise<void> => {
    const r = await spawn({ service: 'test-pki', step: 'openssl', label: 'openssl', file: 'openssl', args, cwd: dir, setEnv: {}, readsEnv: [], mutates: false, stream: false }, { env: process.env });
    if (r.exitCode !== 0) throw new Error(`${formatCommand({ file: 'openssl', args })} failed (${r.spawnError ?? r.signal ?? `exit code ${r.exitCode}`}):\n${r.stderr}`);
  };
  await writeFile(file('openssl.cnf'), CONFIG);
  await openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ca.key');
  await openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'leaf.key');
  await openssl('req', '-x509', '-new', '-key', 'ca.key', '-config', 'openssl.cnf', '-extensions', 'ca', '-days', '30', '-out', 'ca.pem');
  await openssl('req', '-new', '-key', 'leaf.key', '-config', 'openssl.cnf', '-subj', '/CN=*.example.test', '-out', 'leaf.csr');
  const leaf = async (name: string, serial: number, sans: string, days: number): Promise<string> => {
    await writeFile(file(`${name}.ext`), `${CONFIG}subjectAltName = ${sans}\n`);
    await openssl(
      'x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(serial),
      '-days', String(days), '-extfile', `${name}.ext`, '-extensions', 'leaf', '-out', `${name}.pem`,
    );
    return readFile(file(`${name}.pem`), 'utf8');
  };
  const [wildcardOnly, wildcardAndApex, shortLived] = await Promise.all([
    leaf('wildcard-only', 2, 'DNS:*.example.test', 30),
    leaf('wildcard-and-apex', 3, 'DNS:*.example.test, DNS:example.test', 30),
    leaf('short-lived', 4, 'DNS:*.example.test, DNS:example.test', 3),
  ]);
  return {
    dir,
    caPem: await readFile(file('ca.pem'), 'utf8'),
    key: await readFile(file('leaf.key'), 'utf8'),
    wildcardOnly,
    wildcardAndApex,
    shortLived,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface Running<S> {
  readonly server: S;
  readonly port: number;
  readonly close: () => Promise<void>;
}

async function listen<S extends http.Server | https.Server>(server: S): Promise<Running<S>> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function startHttp(handler: http.RequestListener): Promise<Running<http.Server>> {
  return listen(http.createServer(handler));
}

export function startHttps(pki: Pki, cert: string, handler: http.RequestListener): Promise<Running<https.Server>> {
  return listen(https.createServer({ key: pki.key, cert }, handler));
}

/** A port on 127.0.0.1 that was just listening and now is not. */
export async function closedPort(): Promise<number> {
  const running = await startHttp(() => {});
  await running.close();
  return running.port;
}

/** A trimmed answer of Prometheus' /api/v1/targets: job "node" up, job "sonarr" down. */
export const CANNED_TARGETS = {
  status: 'success',
  data: {
    activeTargets: [
      {
        labels: { instance: '192.168.86.11:9100', job: 'node' },
        scrapePool: 'node',
        scrapeUrl: 'http://192.168.86.11:9100/metrics',
        health: 'up',
        lastError: '',
      },
      {
        labels: { instance: '10.10.0.30:9707', job: 'sonarr' },
        scrapePool: 'sonarr',
        scrapeUrl: 'http://10.10.0.30:9707/metrics',
        health: 'down',
        lastError: 'connect: connection refused',
      },
    ],
    droppedTargets: [],
  },
};
