/**
 * Whether the token the hypervisor stack creates can actually do what the service stacks need,
 * by the Proxmox VE permission model (./pve-permissions.ts): ACLs given only to a
 * privilege-separated token whose user has none grant nothing, and every service apply gets 403.
 */
import type { ProblemCollector } from '../model/collector.ts';
import { PROXMOX_ACCESS_TYPES } from '../proxmox/access.ts';
import { tokenPrivileges, type PveAcl, type PveToken } from './pve-permissions.ts';
import { asRecord as record } from './rendered-files.ts';
import type { AclPathUse } from './terraform-token-acl.ts';

const ROLE_RESOURCE = PROXMOX_ACCESS_TYPES.Role;
const ACL_RESOURCE = PROXMOX_ACCESS_TYPES.Acl;
const TOKEN_RESOURCE = PROXMOX_ACCESS_TYPES.UserToken;

export const TOKEN_PERMISSION_INEFFECTIVE = 'TokenPermissionIneffective';

/** Role id (literal or `${proxmox_virtual_environment_role.X.role_id}`) → its privileges. */
function rolesOf(resource: Record<string, unknown>): Map<string, readonly string[]> {
  const roles = new Map<string, readonly string[]>();
  for (const [name, raw] of Object.entries(record(resource[ROLE_RESOURCE]))) {
    const body = record(raw);
    const privileges = Array.isArray(body.privileges) ? (body.privileges as string[]) : [];
    roles.set(String(body.role_id), privileges);
    roles.set(`\${${ROLE_RESOURCE}.${name}.role_id}`, privileges);
  }
  return roles;
}

function aclsOf(resource: Record<string, unknown>): PveAcl[] {
  return Object.values(record(resource[ACL_RESOURCE])).map(record).map((b) => ({
    path: String(b.path), role: String(b.role_id), propagate: b.propagate === true,
    ...(b.user_id !== undefined ? { user: String(b.user_id) } : {}),
    ...(b.token_id !== undefined ? { token: String(b.token_id) } : {}),
  }));
}

/** The tokens the stack creates, as its ACLs refer to them (the provider's privilege separation defaults to on). */
function tokensOf(resource: Record<string, unknown>): (PveToken & { readonly resource: string })[] {
  return Object.entries(record(resource[TOKEN_RESOURCE])).map(([name, raw]) => {
    const body = record(raw);
    return { resource: name, id: `\${${TOKEN_RESOURCE}.${name}.id}`, user: String(body.user_id), privilegeSeparation: body.privileges_separation !== false };
  });
}

/** On every path the service stacks touch, each token the stack creates holds every privilege they need. */
export function checkEffectiveTokens(stack: Readonly<Record<string, unknown>>, used: readonly AclPathUse[], needed: readonly string[], out: ProblemCollector): void {
  const resource = record(stack.resource);
  const roles = rolesOf(resource);
  const acls = aclsOf(resource);
  for (const token of tokensOf(resource)) {
    for (const need of used) {
      const held = tokenPrivileges(acls, roles, token, need.path);
      const missing = needed.filter((p) => !held.has(p));
      if (!missing.length) continue;
      const userHolds = acls.some((a) => a.user === token.user);
      const why = token.privilegeSeparation && !userHolds
        ? 'the token is privilege-separated and its user holds no ACL, and a separated token holds at most its user\'s permissions'
        : 'by the Proxmox VE permission model (the most specific ACL path wins; a separated token holds the intersection of its ACLs and its user\'s)';
      out.report(`terraform.${TOKEN_RESOURCE}.${token.resource}`, TOKEN_PERMISSION_INEFFECTIVE,
        `the stacks of ${need.by.join(', ')} need ${missing.join(', ')} on ${need.path}, and the token cannot use them there: ${why}; every apply with it gets 403`,
        { path: need.path, holds: [...held].sort() },
        'Give the role to the token\'s user on the path and create the token with privileges_separation: false (or grant the user and the token the same ACLs).');
    }
  }
}
