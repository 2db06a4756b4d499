/**
 * Runs the installed `homelab` binary against the fixture workspace (proxy n1/100, idp n1/101,
 * app n2/102, solo n2/103: all LXC) and the schema-checking Proxmox test server, for the commands
 * that compare the cluster with the model (adopt, drift). Every request and canned answer the
 * server saw must have matched the PVE 9.1.3 schema.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { createWorkspace } from '../deploy/fixture-workspace.ts';
import { defaultCluster, startPveTestServer, type FakeCluster, type FakeGuest, type PveTestServer } from '../../../../libs/core/test/pve/pve-test-server.ts';
import { HOMELAB_BIN, REPO_ROOT } from '../cli/run-homelab.ts';

export interface ClusterRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly server?: PveTestServer;
}

/** The fixture's four guests as the plan has them (names, nodes, types), running. */
export function plannedGuests(): FakeGuest[] {
  return [
    { vmid: 100, node: 'n1', type: 'lxc', name: 'proxy', status: 'running' },
    { vmid: 101, node: 'n1', type: 'lxc', name: 'idp', status: 'running' },
    { vmid: 102, node: 'n2', type: 'lxc', name: 'app', status: 'running' },
    { vmid: 103, node: 'n2', type: 'lxc', name: 'solo', status: 'running' },
  ];
}

/** CPU weight of each fixture guest's tier (critical, high, normal, normal), as the site's tiers give it. */
const UNITS: Readonly<Record<number, number>> = { 100: 2048, 101: 1200, 102: 1024, 103: 1024 };
const GROUP: Readonly<Record<number, string>> = { 100: 'core', 101: 'core', 102: 'apps', 103: 'apps' };
const TIER: Readonly<Record<number, string>> = { 100: 'critical', 101: 'high', 102: 'normal', 103: 'normal' };

/** The planned guests with the configuration the code gives them (1 core, 512 MiB, 8 GiB on local-lvm, their IP, tags of 1.0.0). */
export function inSyncGuests(): FakeGuest[] {
  return plannedGuests().map((g) => ({
    ...g,
    tags: `group-${GROUP[g.vmid]};homelab;svc-${g.name};tier-${TIER[g.vmid]};v1.0.0`,
    config: {
      cores: 1, memoryMiB: 512, swapMiB: 512, cpuunits: UNITS[g.vmid]!, disks: [{ key: 'rootfs', storage: 'local-lvm', sizeGiB: 8 }],
      bridge: 'vmbr0', ip: `10.20.0.${g.vmid - 80}/24`, gateway: '10.20.0.1',
    },
  }));
}

export function clusterOf(guests: FakeGuest[]): FakeCluster {
  return defaultCluster({ guests });
}

export interface RunOptions {
  /** Without one, the API variables are not set. */
  readonly cluster?: FakeCluster;
  readonly ws?: string;
  readonly env?: Record<string, string>;
  /** Prepended to PATH (stub tools). */
  readonly path?: string;
  /** Variables not to set at all (e.g. the API token, to test the stored one). */
  readonly unset?: readonly string[];
}

export async function runAgainstCluster(args: readonly string[], options: RunOptions = {}): Promise<ClusterRun & { ws: string; state: string }> {
  const ws = options.ws ?? createWorkspace();
  const state = options.env?.HOMELAB_STATE_DIR ?? join(ws, 'state');
  const server = options.cluster ? await startPveTestServer(options.cluster) : undefined;
  const env: Record<string, string> = {
    PATH: `${options.path ? `${options.path}:` : ''}${dirname(process.execPath)}:/usr/bin:/bin`, HOME: ws, HOMELAB_SITE: './site.ts', HOMELAB_STATE_DIR: state,
    HOMELAB_SCHEMAS_DIR: join(REPO_ROOT, 'schemas'), HOMELAB_DEBUG: '',
    ...(server ? { PROXMOX_VE_ENDPOINT: server.endpoint, PROXMOX_VE_API_TOKEN: options.cluster!.token } : {}),
    ...options.env,
  };
  for (const name of options.unset ?? []) delete env[name];
  const child = spawn(HOMELAB_BIN, [...args, '--root', ws], { cwd: ws, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise<number | null>((resolve, reject) => { child.on('error', reject); child.on('close', resolve); });
  if (server) {
    await server.close();
    expect(server.rejections, 'requests the PVE schema rejects').toEqual([]);
    expect(server.cannedFaults, 'canned answers that do not match the schema').toEqual([]);
  }
  return { code, stdout, stderr, ...(server ? { server } : {}), ws, state };
}
