/**
 * The Proxmox VE cluster itself: its five nodes (from the site), the storage definitions every
 * guest uses, the OS images the guests boot from, the host-level NFS mount the containers
 * bind-mount, and the least-privilege API token the service stacks' Terraform runs with.
 */
import {
  defineService, PROVIDER_TOKEN_OUTPUT, renderScript, type ConfigFile, type RenderContext, type Site, type TerraformContext, type TerraformScope,
} from '@homelab/core/model';
import { generatedHeader, nfsClientNodes, nfsHostMountUnits } from '@homelab/core/render';
import {
  ensureProxmoxProvider, imageDownloads, ProxmoxAcl, ProxmoxDownloadFile, ProxmoxLvmThinStorage, ProxmoxRole, ProxmoxUser, ProxmoxUserToken, sensitiveOutput,
} from '@homelab/core/terraform';
import { TERRAFORM_PRIVILEGES } from './privileges.ts';

export { CONTAINER, VM, FORBIDDEN_TERRAFORM_PRIVILEGES, ROOT_ONLY_GUEST_SETTINGS, TERRAFORM_PRIVILEGES, TERRAFORM_PRIVILEGE_NEEDS } from './privileges.ts';

export const TERRAFORM_ROLE = 'HomelabTerraform';
export const TERRAFORM_USER = 'terraform@pve';
export const TERRAFORM_TOKEN_NAME = 'homelab';
/** The installer's LVM-thin layout on every node (volume group `pve`, thin pool `data`). */
export const LOCAL_LVM = { volumeGroup: 'pve', thinPool: 'data' } as const;
export const STORAGE_SCRIPT = '/usr/local/sbin/homelab-pve-storage.sh';
/** The storage script's source beside this package (found from the module, so it ships with it). */
export const STORAGE_SCRIPT_SOURCE = new URL('../scripts/homelab-pve-storage.sh', import.meta.url);

/** The node that applies cluster-wide configuration (/etc/pve is shared by all nodes). */
export function managementNode(site: Site): Site['nodes'][number] {
  const first = site.nodes[0];
  if (!first) throw new Error('the site has no Proxmox nodes');
  return first;
}

/**
 * The Ceph RBD storage definition. bpg/proxmox has no RBD storage resource, so it is applied with
 * pvesm on one node; /etc/pve/storage.cfg is cluster-wide (pmxcfs), so once is enough.
 */
function storageScript(ctx: RenderContext, ceph: NonNullable<Site['storage']['ceph']>): string {
  const { site } = ctx;
  const nodes = site.nodes.map((n) => n.name).sort().join(',');
  return renderScript(STORAGE_SCRIPT_SOURCE, {
    header: generatedHeader(ctx.service.pkg, 'Cluster-wide storage definitions that bpg/proxmox cannot manage (RBD).'),
    values: { storage_id: ceph.datastore, pool: ceph.pool, nodes },
  });
}

/** The node mounts the share; its containers bind-mount the node's mount point. */
const NFS_MOUNT = { reason: 'the NFS share is mounted by the Proxmox node, whose containers bind-mount it' };

function files(ctx: RenderContext): ConfigFile[] {
  // The RBD storage exists only where the site has Ceph (storage.ceph is optional).
  const ceph = ctx.site.storage.ceph;
  const list: ConfigFile[] = ceph ? [
    { path: STORAGE_SCRIPT, host: managementNode(ctx.site).name, hostLevel: { reason: 'cluster storage definitions are made with pvesm on a node, as root' }, mode: '0755', format: 'shell', run: true, content: storageScript(ctx, ceph) },
  ] : [];
  // The NFS share is mounted only on the nodes whose containers bind-mount it (TrueNAS exports to
  // exactly those nodes, derived from the same services).
  const header = generatedHeader(ctx.service.pkg, 'Host-level NFS mount that containers on this node bind-mount; see libs/core/src/render/nfs.ts.');
  const units = nfsHostMountUnits(ctx.site, header);
  for (const node of nfsClientNodes(ctx.services)) {
    list.push({ path: `/etc/systemd/system/${units.mountName}`, host: node.name, hostLevel: NFS_MOUNT, mode: '0644', format: 'systemd', content: units.mount });
    list.push({ path: `/etc/systemd/system/${units.automountName}`, host: node.name, hostLevel: NFS_MOUNT, mode: '0644', format: 'systemd', content: units.automount });
  }
  return list;
}

/**
 * The ACL paths of the Terraform token, from the site: the guests (`/vms`, propagated to each
 * `/vms/{vmid}`), the storages guests use (local LVM-thin, Ceph RBD) and the one holding templates
 * and ISOs, the bridge their NICs attach to, and every node (guests are placed on them, and the
 * provider reads their status). Sorted, so the stack is the same bytes every time.
 */
export function terraformTokenAclPaths(site: Site): string[] {
  const storages = [...new Set([site.storage.local, ...(site.storage.ceph ? [site.storage.ceph.datastore] : []), site.storage.images])];
  return [
    '/vms',
    ...storages.map((id) => `/storage/${id}`),
    `/sdn/zones/localnetwork/${site.network.bridge}`,
    ...site.nodes.map((n) => `/nodes/${n.name}`),
  ].sort();
}

function aclId(path: string): string {
  return `terraform_token_acl${path.replace(/[^A-Za-z0-9]+/g, '_')}`.replace(/_$/, '');
}

/**
 * The least-privilege role, user and API token every service stack's Terraform uses, and the
 * local LVM-thin storage (created by the installer, adopted with an import block). This stack
 * itself manages users and ACLs, so it is applied once with an administrator credential.
 */
function terraform(scope: TerraformScope, ctx: TerraformContext): void {
  const { site } = ctx;
  ensureProxmoxProvider(scope);
  const role = new ProxmoxRole(scope, 'terraform_role', { role_id: TERRAFORM_ROLE, privileges: TERRAFORM_PRIVILEGES });
  const user = new ProxmoxUser(scope, 'terraform_user', {
    user_id: TERRAFORM_USER,
    comment: 'homelab Terraform (API token only, no password: cannot log in). Managed by packages/proxmox.',
    enabled: true,
  });
  const token = new ProxmoxUserToken(scope, 'terraform_token', {
    user_id: user.userIdRef,
    token_name: TERRAFORM_TOKEN_NAME,
    comment: `Service stacks' Terraform; role ${TERRAFORM_ROLE} only. Managed by packages/proxmox.`,
    // A separated token holds at most its user's permissions, so ACLs on the token alone grant
    // nothing. The user exists only for this token (no password, cannot log in): the token holds
    // exactly its user's ACLs (docs/decisions.md, "The Terraform token is not privilege-separated").
    privileges_separation: false,
  });
  // The role only where the service stacks act (never on /): the rule terraform-token compares
  // these paths with the ones the synthesized stacks touch, and checks the token can use them.
  for (const path of terraformTokenAclPaths(site)) {
    new ProxmoxAcl(scope, aclId(path), { path, role_id: role.roleIdRef, user_id: user.userIdRef, propagate: path === '/vms' });
  }
  const localLvm = new ProxmoxLvmThinStorage(scope, 'local_lvm', {
    id: site.storage.local,
    volume_group: LOCAL_LVM.volumeGroup,
    thin_pool: LOCAL_LVM.thinPool,
    content: ['images', 'rootdir'],
    nodes: site.nodes.map((n) => n.name),
  });
  localLvm.importFrom(site.storage.local);
  // The OS images the guests boot from, on the nodes that run them, before any guest stack runs
  // (they all depend on this service). This stack holds the administrator credential download-url needs.
  for (const download of imageDownloads(site, ctx.services)) new ProxmoxDownloadFile(scope, download.id, download.config);
  // Deploy reads this output after the apply and gives it to every later stack as their token
  // (libs/core/src/deploy/provider-token.ts): nobody copies it by hand.
  sensitiveOutput(scope, PROVIDER_TOKEN_OUTPUT, `${token.idRef}=${token.valueRef}`,
    `The value of ${site.providerEnv.apiToken} for every service stack (user@realm!token=secret); deploy stores it in its state directory.`);
}

export default defineService({
  name: 'proxmox',
  description: 'The Proxmox VE cluster: nodes, storage definitions, the host NFS mount, and the least-privilege Terraform token',
  kind: 'none',
  tier: 'critical',
  group: 'core',
  provides: ['hypervisor'],
  terraform,
  files,
  facts: {
    /** The role the token holds, for the policy rule terraform-token (compared with what the stacks need). */
    terraformRole: { name: TERRAFORM_ROLE, privileges: TERRAFORM_PRIVILEGES },
  },
});
