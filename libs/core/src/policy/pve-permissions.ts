/**
 * The Proxmox VE permission model, as far as the Terraform token needs it (Proxmox VE
 * Administration Guide, "User Management" → "Permission Management"; PVE::AccessControl):
 *
 * - An ACL gives a role to a user, group or API token on a path. It applies on its own path, and
 *   on the paths below only with `propagate`.
 * - The most specific path with an ACL for the subject wins: an ACL on `/vms/200` replaces what
 *   `/vms` (propagated) would give, it does not add to it.
 * - A privilege-separated token holds the intersection of its own ACLs and its user's ("the
 *   permissions of an API token are always a subset of those of its corresponding user"); a token
 *   without separation holds exactly its user's.
 *
 * Groups and the special `NoAccess` role are not modelled: the stacks grant neither.
 */
export interface PveAcl {
  readonly path: string;
  readonly role: string;
  readonly propagate: boolean;
  /** Exactly one of them: who holds the role. */
  readonly user?: string;
  readonly token?: string;
}

export interface PveToken {
  /** `user@realm!name`, or whatever stands for it in the ACLs (a Terraform reference). */
  readonly id: string;
  /** The owning user, as the ACLs name it. */
  readonly user: string;
  readonly privilegeSeparation: boolean;
}

/** `/`, `/vms`, `/vms/200` for `/vms/200`. */
function ancestry(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
}

/** The roles one subject holds on a path: those of the most specific ACL path that applies. */
function rolesOf(acls: readonly PveAcl[], holds: (acl: PveAcl) => boolean, path: string): string[] {
  let roles: string[] = [];
  for (const level of ancestry(path)) {
    const here = acls.filter((a) => holds(a) && a.path === level && (level === path || a.propagate));
    if (here.length) roles = here.map((a) => a.role);
  }
  return roles;
}

function privilegesOf(roles: readonly string[], privileges: ReadonlyMap<string, readonly string[]>): Set<string> {
  return new Set(roles.flatMap((r) => privileges.get(r) ?? []));
}

/** What a user holds on a path. */
export function userPrivileges(acls: readonly PveAcl[], roles: ReadonlyMap<string, readonly string[]>, user: string, path: string): Set<string> {
  return privilegesOf(rolesOf(acls, (a) => a.user === user, path), roles);
}

/** What an API token can actually do on a path. */
export function tokenPrivileges(acls: readonly PveAcl[], roles: ReadonlyMap<string, readonly string[]>, token: PveToken, path: string): Set<string> {
  const ofUser = userPrivileges(acls, roles, token.user, path);
  if (!token.privilegeSeparation) return ofUser;
  const ofToken = privilegesOf(rolesOf(acls, (a) => a.token === token.id, path), roles);
  return new Set([...ofToken].filter((p) => ofUser.has(p)));
}
