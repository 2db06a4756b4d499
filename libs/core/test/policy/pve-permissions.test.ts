import { describe, expect, it } from 'vitest';
import { tokenPrivileges, userPrivileges, type PveAcl } from '../../src/policy/pve-permissions.ts';

// Semantics from the Proxmox VE Administration Guide, "Permission Management" (inheritance,
// propagation, most specific path wins) and "API Tokens" (a separated token is a subset of its user).
const roles = new Map<string, readonly string[]>([['Admin', ['VM.Allocate', 'VM.Audit', 'Sys.Audit']], ['Auditor', ['VM.Audit']]]);
const user = 'tf@pve';
const token = { id: 'tf@pve!t', user, privilegeSeparation: true };

describe('the PVE permission model', () => {
  it('an ACL applies below its path only with propagate', () => {
    const acls: PveAcl[] = [{ path: '/vms', role: 'Admin', propagate: false, user }];
    expect([...userPrivileges(acls, roles, user, '/vms')].sort()).toEqual(['Sys.Audit', 'VM.Allocate', 'VM.Audit']);
    expect(userPrivileges(acls, roles, user, '/vms/100').size).toBe(0);
    expect(userPrivileges([{ ...acls[0]!, propagate: true }], roles, user, '/vms/100').size).toBe(3);
  });
  it('the most specific path replaces what is inherited', () => {
    const acls: PveAcl[] = [{ path: '/vms', role: 'Admin', propagate: true, user }, { path: '/vms/100', role: 'Auditor', propagate: false, user }];
    expect([...userPrivileges(acls, roles, user, '/vms/100')]).toEqual(['VM.Audit']);
    expect(userPrivileges(acls, roles, user, '/vms/101').size).toBe(3);
  });
  it('a path that only shares a prefix is not below it', () => {
    expect(userPrivileges([{ path: '/vms', role: 'Admin', propagate: true, user }], roles, user, '/vmsx').size).toBe(0);
  });
  it('a separated token holds the intersection of its ACLs and its user\'s', () => {
    const tokenOnly: PveAcl[] = [{ path: '/vms', role: 'Admin', propagate: true, token: token.id }];
    expect(tokenPrivileges(tokenOnly, roles, token, '/vms/100').size).toBe(0);
    const both: PveAcl[] = [...tokenOnly, { path: '/vms', role: 'Auditor', propagate: true, user }];
    expect([...tokenPrivileges(both, roles, token, '/vms/100')]).toEqual(['VM.Audit']);
  });
  it('an unseparated token holds exactly its user\'s, whatever ACLs name the token', () => {
    const acls: PveAcl[] = [{ path: '/vms', role: 'Admin', propagate: true, user }, { path: '/', role: 'Auditor', propagate: true, token: token.id }];
    const unseparated = { ...token, privilegeSeparation: false };
    expect(tokenPrivileges(acls, roles, unseparated, '/vms/100').size).toBe(3);
    expect(tokenPrivileges(acls, roles, unseparated, '/nodes/n1').size).toBe(0);
  });
});
