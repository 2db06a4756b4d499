import { ProblemCollector } from '../model/collector.ts';
import { factPath } from '../model/facts/fact.ts';
import type { TerraformRoleFact } from '../model/facts/terraform-role.ts';
import type { Problem } from '../model/problem.ts';
import type { NormalizedService } from '../model/service.ts';
import { BROAD_PROXMOX_GRANTS, knownProxmoxResourceTypes, PROXMOX_PRIVILEGE_NEEDS, privilegesNeeded } from './proxmox-privileges.ts';
import { asRecord } from './rendered-files.ts';
import type { PolicyRule } from './rule.ts';
import { aclPathsUsed, VMS_PATH } from './terraform-token-acl.ts';
import { checkEffectiveTokens, TOKEN_PERMISSION_INEFFECTIVE } from './terraform-token-effective.ts';

const ROLE_PATH = factPath('terraformRole');
const ROLE_RESOURCE = 'proxmox_virtual_environment_role';
const ACL_RESOURCE = 'proxmox_acl';
const TOKEN_RESOURCE = 'proxmox_user_token';

/**
 * The Terraform API token's role holds only the privileges the resources need: the resource types
 * of every stack that uses the Proxmox provider (except the stack that creates the role, which is
 * applied with an administrator credential) give the privileges needed (./proxmox-privileges.ts);
 * the role the hypervisor package declares in `facts.terraformRole` must grant exactly those.
 */
export const terraformTokenRule: PolicyRule = {
  name: 'terraform-token',
  phase: 'rendered',
  codes: ['TokenPrivilegeMissing', 'TokenPrivilegeNotNeeded', 'TokenTooBroad', 'UnknownProxmoxResourceType', 'DuplicateTerraformRole', 'TerraformRoleMismatch', 'TokenAclOnRoot', 'TokenAclPathMissing', 'TokenAclPathNotNeeded', TOKEN_PERMISSION_INEFFECTIVE],
  description: 'The Terraform API token\'s role grants exactly the privileges the resource types of the synthesized stacks need, and no broad grant (Administrator, Sys.Modify, ...) they do not need; the token holds it only on the ACL paths the stacks touch (/vms, each storage, bridge and node used), never on /; and by the PVE permission model the token can actually use it there (a privilege-separated token holds at most its user\'s permissions).',
  check: ({ services, stacks }) => {
    if (!stacks) return [];
    const owners = services.filter((s) => s.facts.terraformRole !== undefined);
    const owner = owners[0];
    if (!owner) return [];
    const problems: Problem[] = [];
    const out = new ProblemCollector(owner.pkg.dir);
    for (const other of owners.slice(1)) {
      problems.push({
        source: other.pkg.dir, path: ROLE_PATH, code: 'DuplicateTerraformRole', message: `the site has one Terraform token role, and ${owner.name} already declares it`,
        received: other.facts.terraformRole, fix: 'Remove terraformRole from this package; the hypervisor package declares the role.',
      });
    }
    const role = owner.facts.terraformRole!;

    // Resource type → services whose stacks use it.
    const users = new Map<string, string[]>();
    const known = knownProxmoxResourceTypes();
    for (const s of services) {
      const stack = stacks.get(s.name);
      if (s === owner || !stack || !usesProxmox(stack)) continue;
      const types = [...blockTypes(stack.resource), ...blockTypes(stack.data)].filter((t) => t.startsWith('proxmox_'));
      for (const type of new Set(types)) {
        if (!known.has(type)) {
          problems.push({
            source: s.pkg.dir, path: `terraform.${type}`, code: 'UnknownProxmoxResourceType',
            message: `the stack uses ${type}, and core's privilege table does not say which privileges it needs, so the token's role cannot be checked`, received: type,
            fix: 'Add the type to PROXMOX_PRIVILEGE_NEEDS in libs/core/src/policy/proxmox-privileges.ts, with the privileges its API calls need.',
          });
        }
        users.set(type, [...(users.get(type) ?? []), s.name]);
      }
    }
    // With --service only some stacks exist: what is missing can be told, what is extra cannot.
    const complete = services.every((s) => s === owner || (s.guests.length === 0 && s.props.terraform === undefined) || stacks.has(s.name));
    const needed = privilegesNeeded(users.keys());
    const granted = [...new Set(role.privileges)].sort();

    for (const privilege of needed.filter((p) => !granted.includes(p))) {
      const why = PROXMOX_PRIVILEGE_NEEDS[privilege]!;
      const by = why.resourceTypes.filter((t) => users.has(t)).map((t) => `${t} (${users.get(t)!.join(', ')})`).join(', ');
      out.report(`${ROLE_PATH}.privileges`, 'TokenPrivilegeMissing', `role ${role.name} lacks ${privilege}, which ${by} need: ${why.why}`, granted, `Add "${privilege}" to the role's privileges.`);
    }
    if (BROAD_PROXMOX_GRANTS.includes(role.name)) {
      out.report(`${ROLE_PATH}.name`, 'TokenTooBroad', `${role.name} is a built-in role with administrative privileges; the token gets a role of its own with only what the stacks need`, role.name, `Declare a custom role (e.g. "HomelabTerraform") with the privileges ${needed.join(', ') || '(none)'}.`);
    }
    if (complete) {
      for (const privilege of granted.filter((p) => !needed.includes(p))) {
        if (BROAD_PROXMOX_GRANTS.includes(privilege)) {
          out.report(`${ROLE_PATH}.privileges`, 'TokenTooBroad', `role ${role.name} grants ${privilege}, a broad grant no resource of the service stacks needs; a leaked token could use it against the whole cluster`, privilege, `Remove "${privilege}" from the role's privileges.`);
        } else {
          const types = PROXMOX_PRIVILEGE_NEEDS[privilege]?.resourceTypes;
          const what = types ? `it is for ${types.join(', ')}, which no service stack uses` : 'core\'s privilege table knows no resource type that needs it';
          out.report(`${ROLE_PATH}.privileges`, 'TokenPrivilegeNotNeeded', `role ${role.name} grants ${privilege}, which no resource of the service stacks needs (${what})`, privilege, `Remove "${privilege}" from the role's privileges.`);
        }
      }
    }
    const ownStack = stacks.get(owner.name);
    checkOwnStack(owner, ownStack, role, out);
    const serviceStacks = services.flatMap((s) => {
      const stack = stacks.get(s.name);
      return s !== owner && stack && usesProxmox(stack) ? [[s.name, stack] as const] : [];
    });
    const used = aclPathsUsed(serviceStacks);
    checkAcls(ownStack, used, complete, out);
    if (ownStack) checkEffectiveTokens(ownStack, used, needed, out);
    return [...problems, ...out.problems];
  },
};

/** The role the package's own stack creates must be the one it declares. */
function checkOwnStack(owner: NormalizedService, stack: Readonly<Record<string, unknown>> | undefined, role: TerraformRoleFact, out: ProblemCollector): void {
  if (!stack) return;
  const bodies = Object.values(asRecord(asRecord(stack.resource)[ROLE_RESOURCE])).map(asRecord);
  const body = bodies.find((b) => b.role_id === role.name);
  if (!body) {
    out.report(ROLE_PATH, 'TerraformRoleMismatch', `the ${owner.name} stack creates no ${ROLE_RESOURCE} with role_id "${role.name}"`, bodies.map((b) => b.role_id), 'Publish the role the stack creates: facts.terraformRole = { name: its role_id, privileges: its privileges }.');
    return;
  }
  const created = Array.isArray(body.privileges) ? [...(body.privileges as string[])].sort() : [];
  const declared = [...role.privileges].sort();
  if (created.join(',') !== declared.join(',')) {
    out.report(`${ROLE_PATH}.privileges`, 'TerraformRoleMismatch', `the ${owner.name} stack gives role ${role.name} other privileges than facts.terraformRole declares`, created, 'Build both from one constant (TERRAFORM_PRIVILEGES).');
  }
}

/**
 * The token's ACLs in the hypervisor package's stack: none on `/` (with propagate that is the whole
 * cluster: every node's shell-level settings, users, storage definitions); one on every path the
 * service stacks touch; with every stack synthesized, none elsewhere.
 */
function checkAcls(stack: Readonly<Record<string, unknown>> | undefined, used: ReturnType<typeof aclPathsUsed>, complete: boolean, out: ProblemCollector): void {
  if (!stack) return;
  const acls = Object.entries(asRecord(asRecord(stack.resource)[ACL_RESOURCE])).map(([id, body]) => ({ id, body: asRecord(body) })).filter((a) => a.body.token_id !== undefined || a.body.user_id !== undefined);
  const createsToken = Object.keys(asRecord(asRecord(stack.resource)[TOKEN_RESOURCE])).length > 0;
  if (acls.length === 0 && !createsToken) return; // the stack manages no token: nothing to hold ACLs
  const granted = new Set(acls.map((a) => String(a.body.path)));
  for (const acl of acls) {
    if (acl.body.path === '/') {
      out.report(`terraform.${ACL_RESOURCE}.${acl.id}.path`, 'TokenAclOnRoot', `the Terraform token holds its role on /${acl.body.propagate === true ? ' with propagate' : ''}, so a leaked token acts on every node, storage and guest of the cluster, not only the ones the stacks manage`, '/', `Grant the role only on the paths the stacks touch: ${used.map((u) => u.path).join(', ') || '(none)'} (${VMS_PATH} with propagate).`);
    }
  }
  for (const need of used) {
    if (granted.has(need.path) || granted.has('/')) continue;
    out.report(`terraform.${ACL_RESOURCE}`, 'TokenAclPathMissing', `the stacks of ${need.by.join(', ')} touch ${need.path}, and the token holds no ACL there, so their apply fails with 403`, [...granted].sort(), `Add a ${ACL_RESOURCE} for the token on ${need.path}${need.path === VMS_PATH ? ' with propagate: true' : ''}.`);
  }
  if (!complete) return;
  for (const acl of acls) {
    const path = String(acl.body.path);
    if (path === '/' || used.some((u) => u.path === path)) continue;
    out.report(`terraform.${ACL_RESOURCE}.${acl.id}.path`, 'TokenAclPathNotNeeded', `the token holds its role on ${path}, which no service stack touches`, path, 'Remove the ACL (derive the paths from the site\'s guests, storages, bridge and nodes).');
  }
}

function usesProxmox(stack: Readonly<Record<string, unknown>>): boolean {
  const required = asRecord(asRecord(stack.terraform).required_providers);
  return required.proxmox !== undefined || asRecord(stack.provider).proxmox !== undefined;
}

function blockTypes(value: unknown): string[] {
  return Object.keys(asRecord(value));
}

