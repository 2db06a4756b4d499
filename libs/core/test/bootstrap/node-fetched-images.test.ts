/**
 * The images bootstrap fetches on their node (download-url cannot unpack xz: HAOS). The script
 * the node would run runs here for real, with bash, curl, the checksum tool and xz, against a
 * local HTTP server that serves an xz file; only `pvesm` (which names the volume's path) and the
 * storage listing stand in for the node.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/homelab.ts';
import { servicesPhase } from '../../src/bootstrap/deploy-phases.ts';
import { FETCH_CHECKSUM_MISMATCH } from '../../src/bootstrap/node-fetched-images.ts';
import { OS_IMAGES } from '../../src/model/os-images.ts';
import type { BootstrapContext } from '../../src/bootstrap/phase.ts';
import type { ToolCommand, ToolResult } from '../../src/fleet/process-runner.ts';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

const DISK = 'a qcow2 disk image, as unpacked\n'.repeat(1000);
let xz: Buffer;
let server: Server;
let url: string;
const dir = mkdtempSync(join(tmpdir(), 'homelab-fetch-'));
const storage = join(dir, 'storage');
const bin = join(dir, 'bin');

beforeAll(async () => {
  xz = await new Promise<Buffer>((resolve, reject) => {
    const child = execFile('xz', ['-z', '-c'], { encoding: 'buffer' }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
    child.stdin!.end(DISK);
  });
  server = createServer((req, res) => {
    if (req.url === '/haos.qcow2.xz') res.end(xz);
    else { res.statusCode = 404; res.end(); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/haos.qcow2.xz`;
  // pvesm path <storage>:<content>/<file> on a directory storage: <path>/<content>/<file>.
  mkdirSync(bin, { recursive: true });
  mkdirSync(storage, { recursive: true });
  writeFileSync(join(bin, 'pvesm'), `#!/bin/bash\n[[ "$1" == path ]] || exit 2\necho "${storage}/\${2#*:}"\n`);
  chmodSync(join(bin, 'pvesm'), 0o755);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const haosApp = { ...app, name: 'ha', kind: 'vm' as const, placement: 'vm', os: 'haos' };
const volume = `${testSite.storage.images}:import/haos_ova-16.3.qcow2`;
const dest = () => join(storage, 'import/haos_ova-16.3.qcow2');

/** The site with HAOS's source pointed at the local server, its checksum pinned (or not). */
function siteWith(checksum: string | undefined) {
  const { haos: _h, ...pins } = testSite.imageChecksums!;
  return {
    ...testSite,
    osImages: { haos: { ...OS_IMAGES.haos!, source: { ...OS_IMAGES.haos!.source!, url } } },
    imageChecksums: checksum === undefined ? pins : { ...pins, haos: checksum },
  };
}

function context(site: ReturnType<typeof siteWith>): BootstrapContext & { remote: string[]; deployed: string[][] } {
  const remote: string[] = [];
  const deployed: string[][] = [];
  const runner = async (cmd: ToolCommand): Promise<ToolResult> => {
    const words = cmd.args.at(-1)!;
    remote.push(words.startsWith('bash -c') ? 'fetch' : words);
    if (words.startsWith('pvesh get /nodes/n2/storage/')) {
      return { exitCode: 0, stdout: JSON.stringify(existsSync(dest()) ? [{ volid: volume, format: 'qcow2', size: DISK.length }] : []), stderr: '' };
    }
    if (!words.startsWith('bash -c')) return { exitCode: 0, stdout: '', stderr: '' };
    // What ssh would hand the node's shell, run by this machine's bash.
    return new Promise((resolve) => {
      execFile('bash', ['-c', words], { env: { PATH: `${bin}:/usr/bin:/bin` } }, (error, stdout, stderr) => resolve({ exitCode: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    });
  };
  return {
    remote, deployed, site, home: buildModel(site, entries(proxy, idp, app, haosApp)), env: {}, stateDir: '/nonexistent', out: () => undefined, sshUser: 'root',
    confirmed: new Set(), confirmedBefore: new Set(), resolveNs: async () => [], sleep: async () => undefined, wait: { attempts: 1, pauseMs: 0 },
    deploy: async (s) => { deployed.push([...s]); return { exitCode: 0, changed: [] }; },
    runner,
  };
}

describe('bootstrap fetches the images download-url cannot unpack', () => {
  it('a wrong pin: the download is refused, nothing is unpacked or left behind, nothing deploys', async () => {
    const ctx = context(siteWith('0'.repeat(64)));
    const result = await servicesPhase.run(ctx);
    expect(result.blockers.map((b) => b.check)).toEqual(['image:n2:haos']);
    expect(result.blockers[0]!.message).toBe(`fetching import/haos_ova-16.3.qcow2 on n2 failed (exit ${FETCH_CHECKSUM_MISMATCH}): the sha256 of ${url} is not the one pinned in imageChecksums.haos`);
    expect(result.blockers[0]!.fix).toMatch(/^The download is not what imageChecksums\.haos pins/);
    expect(existsSync(dest())).toBe(false);
    expect(readdirSync(join(storage, 'import'))).toEqual([]);
    expect(existsSync('/var/tmp/haos_ova-16.3.qcow2.download')).toBe(false);
    expect(ctx.deployed).toEqual([]);
  });

  it('pinned and missing: fetched, verified and unpacked on the node, then listed; the services deploy; a rerun fetches nothing', async () => {
    const ctx = context(siteWith(sha256(xz)));
    const result = await servicesPhase.run(ctx);
    expect(result.blockers).toEqual([]);
    expect(result.changed).toEqual(['n2: fetched import/haos_ova-16.3.qcow2']);
    expect(readFileSync(dest(), 'utf8')).toBe(DISK);
    expect(readdirSync(join(storage, 'import'))).toEqual(['haos_ova-16.3.qcow2']);
    expect(existsSync('/var/tmp/haos_ova-16.3.qcow2.download')).toBe(false);
    expect(ctx.remote.filter((r) => r === 'fetch')).toHaveLength(1);
    // ha boots HAOS, an appliance: its own first-run phase deploys it.
    expect(ctx.deployed).toEqual([['proxy', 'idp', 'app']]);

    const again = context(siteWith(sha256(xz)));
    const rerun = await servicesPhase.run(again);
    expect(rerun.blockers).toEqual([]);
    expect(rerun.changed).toEqual([]);
    expect(rerun.verified).toContain('import/haos_ova-16.3.qcow2 is on n2');
    expect(again.remote).not.toContain('fetch');
  });

  it('not pinned: the unmeasured checksum is the blocker, and nothing is fetched unverified', async () => {
    const ctx = context(siteWith(undefined));
    const result = await servicesPhase.run(ctx);
    expect(result.blockers.map((b) => b.check)).toEqual(['unmeasured:imageChecksums.haos']);
    expect(ctx.remote).not.toContain('fetch');
  });

  it('the dry run shows the fetch as a change with its command, not as a manual step', () => {
    const site = siteWith(sha256(xz));
    const steps = servicesPhase.describe({ site, home: buildModel(site, entries(proxy, idp, app, haosApp)), sshUser: 'root' });
    const fetch = steps.find((s) => s.what.startsWith('import/haos_ova-16.3.qcow2 on n2'))!;
    expect(fetch).toMatchObject({ mutates: true, what: `import/haos_ova-16.3.qcow2 on n2 for ha, when missing: downloaded on the node from ${url}, checked against imageChecksums.haos, unpacked` });
    expect(fetch.manual).toBeUndefined();
    expect(fetch.command?.args.at(-1)).toMatch(/^bash -c /);
    expect(steps.filter((s) => s.manual)).toEqual([]);
  });
});
