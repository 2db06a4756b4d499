/**
 * TrueNAS SCALE as a VM on tower1 with its data disks passed through raw, so ZFS sees the real
 * disks (checksums, SMART). Its ZFS datasets and NFS exports are applied through the TrueNAS REST
 * API from the deploy machine: a desired-state JSON file and an idempotent apply script, which
 * reads the API key from the environment and never writes it anywhere.
 *
 * The NFS export clients are derived, never listed: NFS is mounted on the Proxmox hosts and
 * bind-mounted into containers, so the clients are the nodes that host a service declaring
 * nfsMounts (the same derivation decides where the proxmox package mounts the share).
 */
import { defineService, renderScript, type ConfigFile, type RenderContext, type Site } from '@homelab/core/model';
import { DEPLOY_MACHINE, generatedHeader, nfsConsumers } from '@homelab/core/render';

export const API_KEY_ENV = 'TRUENAS_API_KEY';
export const APPLY_DIR = '/truenas';
export const DESIRED_STATE_FILE = `${APPLY_DIR}/truenas-desired-state.json`;
export const APPLY_SCRIPT = `${APPLY_DIR}/truenas-apply.sh`;
/** The apply script's source beside this package (found from the module, so it ships with it). */
export const APPLY_SCRIPT_SOURCE = new URL('../scripts/truenas-apply.sh', import.meta.url);
/**
 * One dataset for the whole media tree, no child datasets: downloads and library must be one
 * filesystem, or the ARR stack's import (a rename from downloads/ to media/) fails with EXDEV and
 * becomes a copy over NFS, the seed's failure path (docs/decisions.md, "The ARR stack mounts the
 * whole NFS export once"). The directories inside it belong to the services that mount it.
 */
export const MEDIA_CHILDREN: readonly string[] = [];
/** ZFS properties for media: large sequential files, never read-time updates. */
export const MEDIA_PROPERTIES = { compression: 'LZ4', atime: 'OFF', recordsize: '1M' } as const;

export interface NfsShare {
  readonly path: string;
  readonly comment: string;
  /** IP addresses allowed to mount; an empty list would allow every host, so it is never sent enabled. */
  readonly hosts: readonly string[];
  readonly ro: boolean;
  readonly maproot_user: string;
  readonly maproot_group: string;
  readonly enabled: boolean;
}

export interface DesiredState {
  readonly api: string;
  readonly pool: { readonly name: string; readonly importIfMissing: boolean };
  readonly datasets: readonly { readonly name: string; readonly properties: Readonly<Record<string, string>> }[];
  readonly nfs: { readonly serviceEnabled: boolean; readonly shares: readonly NfsShare[] };
  /** Why each client is there: the service and the node that mounts the share for it. */
  readonly clientsFrom: readonly { readonly service: string; readonly node: string; readonly ip: string }[];
}

/** `/mnt/tank/media` → pool `tank`, dataset `tank/media`. */
export function exportDataset(site: Site): { pool: string; dataset: string } {
  const m = /^\/mnt\/([^/]+)\/(.+)$/.exec(site.storage.nfs.export);
  if (!m) throw new Error(`the NFS export ${site.storage.nfs.export} is not a TrueNAS dataset path (/mnt/<pool>/<dataset>)`);
  return { pool: m[1]!, dataset: `${m[1]}/${m[2]}` };
}

export function desiredState(ctx: RenderContext): DesiredState {
  const { site } = ctx;
  const { pool, dataset } = exportDataset(site);
  const consumers = nfsConsumers(ctx.services);
  const hosts = [...new Set(consumers.map((c) => c.node.ip))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const datasets = [dataset, ...MEDIA_CHILDREN.map((c) => `${dataset}/${c}`)];
  return {
    api: `https://${ctx.service.ip}/api/v2.0`,
    pool: { name: pool, importIfMissing: true },
    datasets: datasets.map((name) => ({ name, properties: { ...MEDIA_PROPERTIES } })),
    nfs: {
      serviceEnabled: hosts.length > 0,
      // Every dataset of the tree is exported to the same clients (should child datasets come
      // back, an NFSv4 client then crosses into them instead of seeing empty directories).
      shares: datasets.map((name) => ({
        path: `/mnt/${name}`,
        comment: `homelab: mounted on the Proxmox hosts of ${[...new Set(consumers.map((c) => c.service.name))].sort().join(', ') || 'no service yet'}`,
        hosts,
        ro: false,
        // The hosts mount as root and bind-mount into unprivileged containers.
        maproot_user: 'root',
        maproot_group: 'root',
        enabled: hosts.length > 0,
      })),
    },
    clientsFrom: consumers.map((c) => ({ service: c.service.name, node: c.node.name, ip: c.node.ip })),
  };
}

/**
 * The apply script. Its source names the API key variable literally (a parameter expansion cannot
 * take a quoted value); the package test holds it to API_KEY_ENV. The CA's variable is the site's
 * (edge.backendCas.truenas.pemEnv), read indirectly; without one the script refuses to run.
 */
export function applyScript(ctx: RenderContext): string {
  return renderScript(APPLY_SCRIPT_SOURCE, {
    header: generatedHeader(ctx.service.pkg, 'Applies truenas-desired-state.json through the TrueNAS REST API (v2.0).'),
    values: { ca_pem_env: ctx.site.edge?.backendCas?.[ctx.service.name]?.pemEnv ?? '' },
  });
}

/** TrueNAS is configured through its API, not over SSH: the apply script runs on the deploy machine. */
const ON_DEPLOY_MACHINE = { reason: 'TrueNAS is configured through its REST API from the deploy machine, not by files on the appliance' };

function files(ctx: RenderContext): ConfigFile[] {
  return [
    { path: DESIRED_STATE_FILE, host: DEPLOY_MACHINE, hostLevel: ON_DEPLOY_MACHINE, mode: '0644', format: 'json', content: `${JSON.stringify(desiredState(ctx), null, 2)}\n` },
    { path: APPLY_SCRIPT, host: DEPLOY_MACHINE, hostLevel: ON_DEPLOY_MACHINE, mode: '0755', format: 'shell', run: true, content: applyScript(ctx) },
  ];
}

export default defineService({
  name: 'truenas',
  description: 'TrueNAS SCALE NAS VM: ZFS on raw passed-through disks, NFS exports of /media to the Proxmox hosts that bind-mount it',
  kind: 'vm',
  tier: 'high',
  cpuWeight: 1500,
  group: 'storage',
  provides: ['nfs'],
  os: 'truenas-scale',
  resources: {
    cores: 4,
    memoryMiB: 8192,
    // No ballooning: ZFS sizes its ARC from the RAM it sees at boot and gives memory back slowly;
    // a balloon inflating under it starves the ARC or pushes the VM into swap, which is the ZFS
    // write stall of the seed's failure chain. The floor is the maximum.
    balloonMiB: 8192,
    disks: [{ storage: 'local', sizeGiB: 32 }],
    passthroughDisks: true,
  },
  routes: [{ name: 'truenas', host: 'truenas', port: 443, scheme: 'https', selfSignedBackend: true, auth: 'authentik', admin: true, probePath: '/ui/' }],
  ports: [
    // The apply script on the deploy machine calls the REST API directly (Authentik would stop it).
    { port: 443, protocol: 'tcp', description: 'Web UI and REST API (self-signed certificate)', from: ['management'] },
    { port: 2049, protocol: 'tcp', description: 'NFSv4', from: ['nfs-clients'] },
  ],
  secrets: [{ env: API_KEY_ENV, description: 'TrueNAS API key used by the apply script on the deploy machine; homelab bootstrap creates it and keeps it 0600 in the state directory, or export your own (Credentials > API Keys)' }],
  dependsOn: ['authentik', 'proxmox', 'traefik'],
  files,
});
