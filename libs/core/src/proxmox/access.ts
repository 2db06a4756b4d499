/**
 * Hand-typed constructs for the bpg/proxmox access resources our generated bindings do not cover
 * (the schema in schemas/ holds container, VM, pool, download file and HA only). Field
 * names are bpg's, checked against its documentation at the short-name migration (ADR-007):
 *
 * - `proxmox_virtual_environment_role` (SDK resource, no short alias at v0.111.1): role_id, privileges.
 * - `proxmox_virtual_environment_user` (SDK, no short alias): user_id, comment, enabled, ... A user
 *   of the `pve` realm may have no password: it then cannot log in, only its tokens can.
 * - `proxmox_user_token` (framework; alias of the deprecated `proxmox_virtual_environment_user_token`):
 *   user_id, token_name, comment, expiration_date, privileges_separation; computed `id`
 *   (`user@realm!name`) and sensitive `value`.
 * - `proxmox_acl` (framework; alias of `proxmox_virtual_environment_acl`): path, role_id,
 *   one of user_id | group_id | token_id, propagate.
 *
 * Terraform checks these at plan time against the provider; our JSON schema accepts them unchecked.
 */
import type { TerraformScope } from '../model/service.ts';
import { constructOf, TerraformOutput, TerraformResource } from './cdktf.ts';

/** Where the name of a resource type comes from, for a reader of the generated JSON. */
export const PROXMOX_ACCESS_TYPES = {
  Role: 'proxmox_virtual_environment_role',
  User: 'proxmox_virtual_environment_user',
  UserToken: 'proxmox_user_token',
  Acl: 'proxmox_acl',
} as const;

export interface RoleConfig {
  /** Role identifier, e.g. `HomelabTerraform`. */
  readonly role_id: string;
  /** Privileges, e.g. `VM.Allocate`. Sorted on output. */
  readonly privileges: readonly string[];
}

export interface UserConfig {
  /** `name@realm`, e.g. `terraform@pve`. */
  readonly user_id: string;
  readonly comment?: string;
  /** @default true */
  readonly enabled?: boolean;
  /** RFC 3339; the account is disabled after it. @default - never */
  readonly expiration_date?: string;
}

export interface UserTokenConfig {
  /** The owning user, `name@realm`; usually a reference to the user resource. */
  readonly user_id: string;
  readonly token_name: string;
  readonly comment?: string;
  /** RFC 3339. @default - never */
  readonly expiration_date?: string;
  /** The token gets only the ACLs given to it, not its user's. @default true (provider) */
  readonly privileges_separation?: boolean;
}

export interface AclConfig {
  /** ACL path, e.g. `/`, `/vms/200`, `/storage/local-lvm`. */
  readonly path: string;
  readonly role_id: string;
  /** Exactly one of user_id, group_id, token_id. */
  readonly user_id?: string;
  readonly group_id?: string;
  /** `user@realm!token`. */
  readonly token_id?: string;
  /** Children of the path inherit the role. @default false (provider) */
  readonly propagate?: boolean;
}

/** Drops undefined fields; sorts nothing else (Terraform JSON keys are sorted by the stack). */
function defined(config: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
}

abstract class HandTypedProxmoxResource<C extends object> extends TerraformResource {
  constructor(scope: TerraformScope, id: string, type: string, readonly config: C) {
    super(constructOf(scope), id, { terraformResourceType: type, terraformGeneratorMetadata: { providerName: 'proxmox' } });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return defined(this.config);
  }
}

export class ProxmoxRole extends HandTypedProxmoxResource<RoleConfig> {
  constructor(scope: TerraformScope, id: string, config: RoleConfig) {
    if (config.privileges.length === 0) throw new Error(`role ${config.role_id}: a role without privileges grants nothing; give it at least one`);
    super(scope, id, PROXMOX_ACCESS_TYPES.Role, { ...config, privileges: [...new Set(config.privileges)].sort() });
  }

  /** `${proxmox_virtual_environment_role.<id>.role_id}`: makes Terraform create the role first. */
  get roleIdRef(): string {
    return this.getStringAttribute('role_id');
  }
}

export class ProxmoxUser extends HandTypedProxmoxResource<UserConfig> {
  constructor(scope: TerraformScope, id: string, config: UserConfig) {
    if (!/^[^@\s]+@[A-Za-z0-9._-]+$/.test(config.user_id)) throw new Error(`user ${config.user_id}: a Proxmox user id is name@realm`);
    super(scope, id, PROXMOX_ACCESS_TYPES.User, config);
  }

  get userIdRef(): string {
    return this.getStringAttribute('user_id');
  }
}

export class ProxmoxUserToken extends HandTypedProxmoxResource<UserTokenConfig> {
  constructor(scope: TerraformScope, id: string, config: UserTokenConfig) {
    super(scope, id, PROXMOX_ACCESS_TYPES.UserToken, config);
  }

  /** `user@realm!token`, known after apply. */
  get idRef(): string {
    return this.getStringAttribute('id');
  }

  /** The secret; sensitive, known only when the token is created. */
  get valueRef(): string {
    return this.getStringAttribute('value');
  }
}

export class ProxmoxAcl extends HandTypedProxmoxResource<AclConfig> {
  constructor(scope: TerraformScope, id: string, config: AclConfig) {
    const subjects = [config.user_id, config.group_id, config.token_id].filter((s) => s !== undefined);
    if (subjects.length !== 1) throw new Error(`ACL on ${config.path}: give exactly one of user_id, group_id, token_id (got ${subjects.length})`);
    super(scope, id, PROXMOX_ACCESS_TYPES.Acl, config);
  }
}

/**
 * A sensitive stack output (a token the apply created): `tofu output -raw <id>` shows it to the
 * operator once; plans and logs print it as (sensitive).
 */
export function sensitiveOutput(scope: TerraformScope, id: string, value: string, description: string): void {
  new TerraformOutput(constructOf(scope), id, { value, sensitive: true, description });
}
