/**
 * Typed cdktf constructs for the bpg/proxmox resources we use. The config types are generated
 * from the provider schema (generated/bpg-proxmox.ts) and are already in Terraform's snake_case,
 * so synthesis is the config itself, minus unset fields.
 */
import type { TerraformScope } from '../model/service.ts';
import { constructOf, TerraformProvider, TerraformResource } from './cdktf.ts';
import { BPG_PROXMOX_VERSION, RESOURCE_TYPES, type ContainerConfig, type DownloadFileConfig, type FirewallOptionsConfig, type FirewallRulesConfig, type PoolConfig, type VmConfig } from './generated/bpg-proxmox.ts';

const PROVIDER_SOURCE = 'bpg/proxmox';

/**
 * The provider block is empty on purpose: bpg/proxmox reads PROXMOX_VE_ENDPOINT and
 * PROXMOX_VE_API_TOKEN from the environment, so no endpoint or token is ever written to a file.
 */
export class ProxmoxProvider extends TerraformProvider {
  constructor(scope: TerraformScope, id: string) {
    super(constructOf(scope), id, {
      terraformResourceType: 'proxmox',
      terraformGeneratorMetadata: { providerName: 'proxmox', providerVersion: BPG_PROXMOX_VERSION, providerVersionConstraint: BPG_PROXMOX_VERSION },
      terraformProviderSource: PROVIDER_SOURCE,
    });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return {};
  }
}

/** Terraform meta-arguments a resource may carry. */
export interface ResourceMeta {
  /** Attributes whose live value something else owns (root-settings.ts). @default - none */
  readonly ignoreChanges?: readonly string[];
  /** Resources this one needs first, when no attribute reference says so. @default - none */
  readonly dependsOn?: readonly TerraformResource[];
}

abstract class BpgResource<C extends object> extends TerraformResource {
  constructor(scope: TerraformScope, id: string, type: string, readonly config: C, meta: ResourceMeta = {}) {
    super(constructOf(scope), id, {
      terraformResourceType: type,
      terraformGeneratorMetadata: { providerName: 'proxmox', providerVersion: BPG_PROXMOX_VERSION },
      ...(meta.ignoreChanges?.length ? { lifecycle: { ignoreChanges: [...meta.ignoreChanges] } } : {}),
      ...(meta.dependsOn?.length ? { dependsOn: [...meta.dependsOn] } : {}),
    });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return prune(this.config) as Record<string, unknown>;
  }
}

export class ProxmoxContainer extends BpgResource<ContainerConfig> {
  constructor(scope: TerraformScope, id: string, config: ContainerConfig, meta?: ResourceMeta) {
    super(scope, id, RESOURCE_TYPES.Container, config, meta);
  }
}

export class ProxmoxVm extends BpgResource<VmConfig> {
  constructor(scope: TerraformScope, id: string, config: VmConfig, meta?: ResourceMeta) {
    super(scope, id, RESOURCE_TYPES.Vm, config, meta);
  }
}

export class ProxmoxPool extends BpgResource<PoolConfig> {
  constructor(scope: TerraformScope, id: string, config: PoolConfig) {
    super(scope, id, RESOURCE_TYPES.Pool, config);
  }
}

export class ProxmoxDownloadFile extends BpgResource<DownloadFileConfig> {
  constructor(scope: TerraformScope, id: string, config: DownloadFileConfig) {
    super(scope, id, RESOURCE_TYPES.DownloadFile, config);
  }
}

/** A guest's firewall switch and default policies. */
export class ProxmoxFirewallOptions extends BpgResource<FirewallOptionsConfig> {
  constructor(scope: TerraformScope, id: string, config: FirewallOptionsConfig, meta?: ResourceMeta) {
    super(scope, id, RESOURCE_TYPES.FirewallOptions, config, meta);
  }
}

/** A guest's firewall rules, in order. */
export class ProxmoxFirewallRules extends BpgResource<FirewallRulesConfig> {
  constructor(scope: TerraformScope, id: string, config: FirewallRulesConfig, meta?: ResourceMeta) {
    super(scope, id, RESOURCE_TYPES.FirewallRules, config, meta);
  }
}

/** Drops undefined fields (but keeps null, which ConfigMode=Attr lists need), recursively. */
function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, prune(v)]));
  }
  return value;
}

/**
 * The stack's `proxmox` provider (id `proxmox`, as synthesizeStack names it), created on first use:
 * a stack without guests that adds resources through its `terraform` hook needs it too.
 */
export function ensureProxmoxProvider(scope: TerraformScope): ProxmoxProvider {
  const existing = constructOf(scope).node.tryFindChild('proxmox');
  return existing instanceof ProxmoxProvider ? existing : new ProxmoxProvider(scope, 'proxmox');
}
