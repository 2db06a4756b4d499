/**
 * Hand-typed constructs for bpg/proxmox storage definitions (cluster-wide entries of
 * /etc/pve/storage.cfg). bpg has storage resources for cifs, directory, lvm, lvmthin, nfs, pbs and
 * zfspool (framework resources, short names `proxmox_storage_*` since the ADR-007 migration);
 * it has none for RBD, so the Ceph RBD storage is configured with `pvesm` instead (see the
 * proxmox package). Field names are bpg's documented schema:
 *
 * - `proxmox_storage_lvmthin`: id, volume_group, thin_pool, content (set), nodes (set), disable.
 *
 * The installer creates `local-lvm` on every node, so the resource is adopted with an import
 * block rather than created.
 */
import type { TerraformScope } from '../model/service.ts';
import { constructOf, TerraformResource } from './cdktf.ts';

export const PROXMOX_STORAGE_TYPES = {
  LvmThin: 'proxmox_storage_lvmthin',
} as const;

/** Proxmox content types a storage may hold. */
export type StorageContent = 'backup' | 'images' | 'import' | 'iso' | 'rootdir' | 'snippets' | 'vztmpl';

export interface LvmThinStorageConfig {
  /** Storage id, e.g. `local-lvm`. */
  readonly id: string;
  readonly volume_group: string;
  readonly thin_pool: string;
  readonly content: readonly StorageContent[];
  /** Nodes the definition applies to. @default - all nodes */
  readonly nodes?: readonly string[];
  /** @default false */
  readonly disable?: boolean;
}

export class ProxmoxLvmThinStorage extends TerraformResource {
  constructor(scope: TerraformScope, id: string, readonly config: LvmThinStorageConfig) {
    super(constructOf(scope), id, { terraformResourceType: PROXMOX_STORAGE_TYPES.LvmThin, terraformGeneratorMetadata: { providerName: 'proxmox' } });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const c = this.config;
    return Object.fromEntries(Object.entries({
      id: c.id,
      volume_group: c.volume_group,
      thin_pool: c.thin_pool,
      content: [...new Set(c.content)].sort(),
      nodes: c.nodes ? [...new Set(c.nodes)].sort() : undefined,
      disable: c.disable,
    }).filter(([, v]) => v !== undefined));
  }
}
