import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OS_IMAGES } from '@homelab/core/model';
import { aclPathsUsed, checkRenderedFiles, tokenPrivileges, type PveAcl, nfsClientNodes, privilegesNeeded, PROVIDER_TOKEN_OUTPUT, PROXMOX_PRIVILEGE_NEEDS, systemdEscapePath } from '@homelab/core';
import { fixtureSite, synthesizeFor } from '@homelab/core/testing';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';
import proxmox, { CONTAINER, managementNode, FORBIDDEN_TERRAFORM_PRIVILEGES, TERRAFORM_PRIVILEGES, TERRAFORM_PRIVILEGE_NEEDS, TERRAFORM_ROLE, VM } from '../src/index.ts';

const p = await synthesizeFor(fixtureSite, 'proxmox');
const s = p.synthesis;
const nodeNames = fixtureSite.nodes.map((n) => n.name).sort();
const { storage } = fixtureSite;
const tf = p.json('terraform/cdk.tf.json');
const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;

describe('proxmox: least-privilege Terraform access', () => {
  const role = tf.resource.proxmox_virtual_environment_role.terraform_role;
  it('the role has exactly the exported privileges, none of them administrative', () => {
    expect(role.privileges).toEqual([...TERRAFORM_PRIVILEGES]);
    expect(role.privileges).not.toContain('Permissions.Modify');
    for (const forbidden of FORBIDDEN_TERRAFORM_PRIVILEGES) expect(role.privileges).not.toContain(forbidden);
    expect(role.role_id).not.toMatch(/admin/i);
  });
  it('covers every privilege the guest resources of all service stacks need, and nothing they do not', () => {
    const used = new Set(s.results.flatMap((r) => {
      const text = r.files.get('terraform/cdk.tf.json');
      return text ? Object.keys(JSON.parse(text).resource ?? {}) : [];
    }).filter((t) => t === 'proxmox_virtual_environment_container' || t === 'proxmox_virtual_environment_vm'));
    expect(used.size).toBe(2);
    const needed = Object.entries(TERRAFORM_PRIVILEGE_NEEDS).filter(([, types]) => types.some((t) => used.has(t))).map(([priv]) => priv).sort();
    expect(needed).toEqual([...TERRAFORM_PRIVILEGES]);
  });
  it('a token-only user (no password) that holds the role, only on the paths the stacks touch, through an unseparated token', () => {
    const user = tf.resource.proxmox_virtual_environment_user.terraform_user;
    expect(user).toEqual(expect.objectContaining({ user_id: 'terraform@pve', enabled: true }));
    expect(user.password).toBeUndefined();
    const token = tf.resource.proxmox_user_token.terraform_token;
    expect(token).toMatchObject({ token_name: 'homelab', privileges_separation: false, user_id: '${proxmox_virtual_environment_user.terraform_user.user_id}' });
    const acls = Object.values(tf.resource.proxmox_acl) as Record<string, unknown>[];
    // Every node, the site's bridge, the datastores the guests use (Ceph, local, images), and the guests.
    expect(acls.map((a) => [a.path, a.propagate])).toEqual([
      ...nodeNames.map((n) => [`/nodes/${n}`, false]),
      [`/sdn/zones/localnetwork/${fixtureSite.network.bridge}`, false],
      ...[storage.ceph!.datastore, storage.local, storage.images].sort().map((d) => [`/storage/${d}`, false]),
      ['/vms', true],
    ]);
    expect(acls.map((a) => a.path)).not.toContain('/');
    for (const a of acls) {
      expect(a).toMatchObject({ role_id: '${proxmox_virtual_environment_role.terraform_role.role_id}', user_id: '${proxmox_virtual_environment_user.terraform_user.user_id}' });
      expect(a.token_id).toBeUndefined();
    }
  });
  it('those are exactly the paths the synthesized service stacks touch (the rule terraform-token agrees)', () => {
    const used = aclPathsUsed(s.results.filter((r) => r.service !== 'proxmox' && r.files.has('terraform/cdk.tf.json'))
      .map((r) => [r.service, JSON.parse(r.files.get('terraform/cdk.tf.json')!)] as const)).map((u) => u.path);
    expect(used).toEqual((Object.values(tf.resource.proxmox_acl) as { path: string }[]).map((a) => a.path));
    expect(s.problems.filter((x) => x.code.startsWith('TokenAcl'))).toEqual([]);
  });
  it('by the PVE permission model the token can use every privilege the stacks need on every path they touch', () => {
    const roles = new Map([['${proxmox_virtual_environment_role.terraform_role.role_id}', tf.resource.proxmox_virtual_environment_role.terraform_role.privileges as string[]]]);
    const acls: PveAcl[] = (Object.values(tf.resource.proxmox_acl) as Record<string, string | boolean>[]).map((a) => ({
      path: String(a.path), role: String(a.role_id), propagate: a.propagate === true, ...(a.user_id ? { user: String(a.user_id) } : {}), ...(a.token_id ? { token: String(a.token_id) } : {}),
    }));
    const body = tf.resource.proxmox_user_token.terraform_token;
    const token = { id: '${proxmox_user_token.terraform_token.id}', user: body.user_id, privilegeSeparation: body.privileges_separation !== false };
    const used = aclPathsUsed(s.results.filter((r) => r.service !== 'proxmox' && r.files.has('terraform/cdk.tf.json'))
      .map((r) => [r.service, JSON.parse(r.files.get('terraform/cdk.tf.json')!)] as const));
    expect(used.length).toBeGreaterThan(5);
    for (const { path } of [...used, { path: '/vms/300' }]) expect([path, [...tokenPrivileges(acls, roles, token, path)].sort()]).toEqual([path, [...TERRAFORM_PRIVILEGES].sort()]);
    // Outside those paths it holds nothing: not the cluster, not the users.
    for (const path of ['/', '/access', '/storage', '/nodes']) expect(tokenPrivileges(acls, roles, token, path).size).toBe(0);
    // The shape this replaced (the role on a separated token only) gives nothing anywhere.
    const tokenOnly = acls.map(({ user: _user, ...a }) => ({ ...a, token: token.id }));
    expect(tokenPrivileges(tokenOnly, roles, { ...token, privilegeSeparation: true }, '/vms/300').size).toBe(0);
    expect(s.problems.filter((x) => x.code === 'TokenPermissionIneffective')).toEqual([]);
  });
  it('hands the token on only as a sensitive output, under the name deploy reads', () => {
    expect(PROVIDER_TOKEN_OUTPUT).toBe('terraform_api_token');
    expect(tf.output.terraform_api_token).toMatchObject({ sensitive: true, value: '${proxmox_user_token.terraform_token.id}=${proxmox_user_token.terraform_token.value}' });
  });
  it('declares the bpg/proxmox provider even though the stack has no guest; runs with the administrator token, not the one it creates', () => {
    expect(tf.terraform.required_providers.proxmox.source).toBe('bpg/proxmox');
    expect(p.json('manifest.json').env).toEqual([fixtureSite.providerEnv.adminApiToken, fixtureSite.providerEnv.endpoint].sort());
  });
  it('passes the bpg/proxmox Terraform JSON schema', () => {
    expect(validateArtifact('terraform-json', p.text('terraform/cdk.tf.json'), 'cdk.tf.json').problems).toEqual([]);
  });
});

describe('proxmox: storage definitions', () => {
  it('adopts the installer\'s thin pool as the site\'s local datastore on every node with an import block', () => {
    expect(tf.resource.proxmox_storage_lvmthin.local_lvm).toEqual({
      id: storage.local, volume_group: 'pve', thin_pool: 'data', content: ['images', 'rootdir'],
      nodes: nodeNames,
    });
    expect(tf.import).toEqual([{ id: storage.local, to: 'proxmox_storage_lvmthin.local_lvm' }]);
  });
  const manager = managementNode(fixtureSite).name;
  const script = p.text(`files/${manager}/usr/local/sbin/homelab-pve-storage.sh`);
  it('defines the Ceph RBD storage with pvesm on one node, checking before it adds', () => {
    expect(script).toContain(`readonly storage_id=${storage.ceph!.datastore}`);
    expect(script).toContain(`readonly pool=${storage.ceph!.pool}`);
    expect(script).toContain(`readonly nodes=${nodeNames.join(',')}`);
    expect(script).toMatch(/if current="\$\(pvesh get "\/storage\/\$\{storage_id\}"/);
    expect(script).toContain('pvesm add rbd "${storage_id}"');
    expect(script.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(script).toContain('set -euo pipefail');
    const target = p.json('manifest.json').artifacts.find((a: any) => a.target?.path === '/usr/local/sbin/homelab-pve-storage.sh').target;
    expect(manager).toBe(fixtureSite.nodes[0]!.name);
    expect(target).toMatchObject({ host: manager, mode: '0755' });
  });
  it.skipIf(!shellcheck)('the storage script passes shellcheck', () => {
    const r = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: script, encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
  it('the playbook runs the script on the management node after installing it, and reports changes from its output', () => {
    const plays = parse(p.text('ansible/playbook.yml')) as { hosts: string; tasks: Record<string, any>[] }[];
    const tasks = plays.find((x) => x.hosts === manager)!.tasks;
    const run = tasks.find((t) => t.name === 'Run /usr/local/sbin/homelab-pve-storage.sh')!;
    expect(run['ansible.builtin.command']).toEqual({ argv: ['bash', '/usr/local/sbin/homelab-pve-storage.sh'] });
    expect(run.changed_when).toBe("'homelab: changed' in homelab_run.stdout");
    expect(tasks.findIndex((t) => t === run)).toBeGreaterThan(tasks.findIndex((t) => t.name === 'Install /usr/local/sbin/homelab-pve-storage.sh'));
    expect(parse(p.text('ansible/inventory.yml')).all.hosts[manager].ansible_host).toBe(fixtureSite.nodes[0]!.ip);
  });
});

describe('proxmox: host-level NFS mount', () => {
  const consumers = nfsClientNodes(s.home.services).map((n) => n.name);
  const unit = systemdEscapePath(s.home.site.storage.nfs.hostMountPath);
  it('is mounted exactly on the nodes whose services declare nfsMounts', () => {
    const expected = [...new Set(s.home.services.filter((x) => x.nfsMounts.length > 0).flatMap((x) => x.guests.map((g) => g.placement.node!)))].sort();
    expect(consumers).toEqual(expected);
    expect(consumers.length).toBeGreaterThan(0);
    const hosts = [...p.files.keys()].filter((k) => k.endsWith('.automount')).map((k) => k.split('/')[1]).sort();
    expect(hosts).toEqual(expected);
  });
  it('uses a hard NFSv4 mount behind an automount that does not block boot', () => {
    const node = consumers[0]!;
    const mount = p.text(`files/${node}/etc/systemd/system/${unit}.mount`);
    const automount = p.text(`files/${node}/etc/systemd/system/${unit}.automount`);
    // systemd's escape of the fixture's /mnt/pve/fixture-nas: '/' becomes '-', a '-' becomes \x2d.
    expect(unit).toBe('mnt-pve-fixture\\x2dnas');
    expect(mount).toContain(`What=${storage.nfs.server}:${storage.nfs.export}`);
    expect(mount).toContain(`Where=${storage.nfs.hostMountPath}`);
    expect(mount).toMatch(/^Options=.*\bhard\b.*$/m);
    expect(mount).toContain('nfsvers=4.2');
    expect(mount).not.toContain('[Install]');
    expect(automount).toContain('WantedBy=remote-fs.target');
    expect(automount).toContain('TimeoutIdleSec=0');
  });
  it('the playbook enables and starts the automount on each of those nodes', () => {
    const plays = parse(p.text('ansible/playbook.yml')) as { hosts: string; tasks: Record<string, any>[] }[];
    for (const node of consumers) {
      const tasks = plays.find((x) => x.hosts === node)!.tasks;
      expect(tasks.find((t) => t['ansible.builtin.systemd']?.name === `${unit}.automount`)?.['ansible.builtin.systemd']).toEqual({ name: `${unit}.automount`, enabled: true, state: 'started' });
    }
  });
});

describe('proxmox: the terraform-token policy rule', () => {
  const stacks = new Map(s.results.filter((r) => r.files.has('terraform/cdk.tf.json')).map((r) => [r.service, JSON.parse(r.files.get('terraform/cdk.tf.json')!)]));
  const files = new Map(s.results.map((r) => [r.service, r.configFiles]));
  const check = (home = s.home) => checkRenderedFiles(home, files, undefined, undefined, stacks).filter((p) => p.source === 'packages/proxmox');
  const withRole = (privileges: readonly string[]) => {
    const services = s.home.services.map((x) => (x.name === 'proxmox' ? { ...x, facts: { ...x.facts, terraformRole: { name: TERRAFORM_ROLE, privileges } } } : x));
    return { ...s.home, services, byName: new Map(services.map((x) => [x.name, x])) };
  };
  it('publishes the role the token holds in facts.terraformRole', () => {
    expect(proxmox.facts?.terraformRole).toEqual({ name: TERRAFORM_ROLE, privileges: TERRAFORM_PRIVILEGES });
  });
  it('core\'s privilege table asks for exactly what this package grants for containers and VMs', () => {
    expect(privilegesNeeded([CONTAINER, VM])).toEqual([...TERRAFORM_PRIVILEGES]);
    for (const [privilege, types] of Object.entries(TERRAFORM_PRIVILEGE_NEEDS)) {
      expect(PROXMOX_PRIVILEGE_NEEDS[privilege]!.resourceTypes.filter((t) => t === CONTAINER || t === VM).sort(), privilege).toEqual([...types].sort());
    }
  });
  it('finds the role to match what every service stack needs', () => {
    expect(check()).toEqual([]);
  });
  it('would report a missing, an unneeded and a broad privilege', () => {
    const problems = check(withRole([...TERRAFORM_PRIVILEGES.filter((p) => p !== 'VM.Allocate'), 'Pool.Allocate', 'Sys.Modify']));
    expect(problems.map((p) => [p.code, p.received])).toEqual(expect.arrayContaining([
      ['TokenPrivilegeMissing', expect.any(Array)], ['TokenPrivilegeNotNeeded', 'Pool.Allocate'], ['TokenTooBroad', 'Sys.Modify'],
    ]));
  });
});

describe('proxmox: the OS images the guests boot from', () => {
  type Download = { node_name: string; datastore_id: string; content_type: string; file_name: string; url: string; checksum: string; checksum_algorithm: string; overwrite: boolean; overwrite_unmanaged: boolean };
  const downloads = Object.values((tf.resource.proxmox_download_file ?? {}) as Record<string, Download>);
  /** Every image file a guest stack of the fixture site names, as `node datastore:content/file`. */
  const guestFiles = () => {
    const wanted = new Set<string>();
    for (const r of s.results) {
      if (r.service === 'proxmox') continue;
      const stack = r.files.get('terraform/cdk.tf.json');
      if (!stack) continue;
      const res = JSON.parse(stack).resource ?? {};
      for (const ct of Object.values(res.proxmox_virtual_environment_container ?? {}) as { node_name: string; operating_system: { template_file_id: string } }[]) wanted.add(`${ct.node_name} ${ct.operating_system.template_file_id}`);
      for (const vm of Object.values(res.proxmox_virtual_environment_vm ?? {}) as { node_name: string; cdrom?: { file_id: string }; disk: { import_from?: string }[] }[]) {
        if (vm.cdrom) wanted.add(`${vm.node_name} ${vm.cdrom.file_id}`);
        for (const d of vm.disk) if (d.import_from) wanted.add(`${vm.node_name} ${d.import_from}`);
      }
    }
    return [...wanted].sort();
  };

  it('downloads exactly the files the guest stacks name, on the nodes they run on; only HAOS (xz, which download-url cannot undo) is placed by hand', () => {
    const downloaded = downloads.map((d) => `${d.node_name} ${d.datastore_id}:${d.content_type}/${d.file_name}`).sort();
    expect(downloaded.length).toBeGreaterThan(3);
    expect(guestFiles().filter((f) => !downloaded.includes(f))).toEqual(guestFiles().filter((f) => f.includes('haos_ova')));
    expect(downloaded.filter((f) => !guestFiles().includes(f))).toEqual([]);
  });

  it('each download is verified with the checksum the site pins, from the image\'s source, and never replaces the pinned file nor a hand-placed one', () => {
    for (const d of downloads) {
      const [name, image] = Object.entries(OS_IMAGES).find(([, i]) => i.file === `${d.content_type}/${d.file_name}`)!;
      expect(d.url).toBe(image.source!.url);
      expect([d.checksum, d.checksum_algorithm]).toEqual([fixtureSite.imageChecksums![name], image.source!.checksumAlgorithm]);
      expect([d.overwrite, d.overwrite_unmanaged]).toEqual([false, false]);
    }
  });

  it('an unpinned checksum leaves that image\'s downloads out (and only those)', async () => {
    const { 'debian-13': _dropped, ...rest } = fixtureSite.imageChecksums!;
    const unpinned = await synthesizeFor({ ...fixtureSite, imageChecksums: rest }, 'proxmox');
    const files = Object.values(unpinned.json('terraform/cdk.tf.json').resource.proxmox_download_file as Record<string, Download>).map((d) => d.file_name);
    expect(files.some((f) => f.startsWith('debian-13-standard'))).toBe(false);
    expect(files.length).toBe(downloads.filter((d) => !d.file_name.startsWith('debian-13-standard')).length);
  });

});
