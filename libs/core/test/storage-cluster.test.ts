import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { App, TerraformStack } from '../src/proxmox/cdktf.ts';
import { ProxmoxAcl, ProxmoxRole } from '../src/proxmox/access.ts';
import { playbook, DEPLOY_MACHINE } from '../src/render/ansible.ts';
import { nfsClientNodes, nfsHostMountUnits, systemdEscapePath } from '../src/render/nfs.ts';
import { talosNodePatch } from '../src/render/talos.ts';
import type { ConfigFile, NormalizedService } from '../src/model/service.ts';
import type { ProxmoxNode, Site } from '../src/model/site.ts';

const node = (name: string, ip: string) => ({ name, ip }) as ProxmoxNode;

describe('systemdEscapePath', () => {
  it.each([
    ['/mnt/pve/nas-media', 'mnt-pve-nas\\x2dmedia'],
    ['/mnt/data/', 'mnt-data'],
    ['/srv/.hidden/x', 'srv-\\x2ehidden-x'],
    ['/', '-'],
  ])('%s → %s', (path, unit) => {
    expect(systemdEscapePath(path)).toBe(unit);
  });
  it.skipIf(spawnSync('systemd-escape', ['--version']).status !== 0)('agrees with systemd-escape --path', () => {
    for (const path of ['/mnt/pve/truenas-media', '/var/lib/a b/ü', '/mnt/x.y-z']) {
      expect(systemdEscapePath(path)).toBe(spawnSync('systemd-escape', ['--path', path], { encoding: 'utf8' }).stdout.trim());
    }
  });
});

describe('NFS consumers and host mount units', () => {
  const pve2 = node('pve2', '10.0.0.2');
  const pve3 = node('pve3', '10.0.0.3');
  const svc = (name: string, mounts: number, n?: ProxmoxNode, sharesGuestWith?: string) => ({
    name, nfsMounts: Array.from({ length: mounts }, () => ({ share: '/', path: '/data', readOnly: false })),
    node: n, guests: n ? [{ node: n }] : [], sharesGuestWith,
  }) as unknown as NormalizedService;
  it('are the nodes of the services that declare nfsMounts, a shared guest counting as its host\'s', () => {
    const services = [svc('media', 1, pve3), svc('helper', 1, undefined, 'host'), svc('host', 0, pve2), svc('other', 0, node('pve1', '10.0.0.1'))];
    expect(nfsClientNodes(services).map((n) => n.name)).toEqual(['pve2', 'pve3']);
    expect(nfsClientNodes([svc('other', 0, pve2)])).toEqual([]);
  });
  it('mount hard, on first access, without blocking boot', () => {
    const site = { storage: { nfs: { server: '10.0.0.40', export: '/mnt/tank/media', hostMountPath: '/mnt/pve/nas', datastore: 'nas' } } } as Site;
    const u = nfsHostMountUnits(site, ['header']);
    expect(u.mountName).toBe('mnt-pve-nas.mount');
    expect(u.automountName).toBe('mnt-pve-nas.automount');
    expect(u.mount).toMatch(/^What=10\.0\.0\.40:\/mnt\/tank\/media$/m);
    expect(u.mount).toMatch(/^Options=nfsvers=4\.2,hard,/m);
    expect(u.mount).not.toContain('[Install]');
    expect(u.automount).toMatch(/\[Install\]\nWantedBy=remote-fs\.target/);
  });
});

describe('playbook: scripts that run (ConfigFile.run)', () => {
  const file = (path: string, extra: Partial<ConfigFile> = {}): ConfigFile => ({ path, content: '#!/bin/sh\n', mode: '0755', format: 'shell', ...extra });
  it('runs a remote script after installing it, changed when it says so', () => {
    const [play] = playbook({ service: 'x', stacks: [], packages: {}, hosts: [{ host: 'pve1', address: '10.0.0.1', files: [{ file: file('/usr/local/sbin/a.sh', { run: true }), distPath: 'files/pve1/usr/local/sbin/a.sh' }] }] }) as { tasks: Record<string, any>[] }[];
    const names = play!.tasks.map((t) => t.name);
    expect(names.indexOf('Run /usr/local/sbin/a.sh')).toBeGreaterThan(names.indexOf('Install /usr/local/sbin/a.sh'));
    const run = play!.tasks.find((t) => t.name === 'Run /usr/local/sbin/a.sh')!;
    expect(run['ansible.builtin.command'].argv).toEqual(['bash', '/usr/local/sbin/a.sh']);
    expect(run.changed_when).toBe("'homelab: changed' in homelab_run.stdout");
  });
  it('on the deploy machine, runs the script where synth wrote it and leaves its directory in place; other local files are still installed', () => {
    const [play] = playbook({
      service: 'x', stacks: [], packages: {},
      hosts: [{
        host: DEPLOY_MACHINE, address: 'localhost', files: [
          { file: file('/bundle/apply.sh', { run: true }), distPath: 'files/localhost/bundle/apply.sh' },
          { file: file('/bundle/patches/a.yaml', { format: 'yaml', mode: '0644' }), distPath: 'files/localhost/bundle/patches/a.yaml' },
          { file: file('/etc/other.conf', { format: 'text', mode: '0644' }), distPath: 'files/localhost/etc/other.conf' },
        ],
      }],
    }) as { tasks: Record<string, any>[] }[];
    const names = play!.tasks.map((t) => t.name);
    expect(names).toContain('Install /etc/other.conf');
    expect(names.filter((n: string) => n.includes('/bundle'))).toEqual(['Run /bundle/apply.sh']);
    expect(play!.tasks.find((t) => t.name === 'Run /bundle/apply.sh')!['ansible.builtin.command'].argv).toEqual(['bash', '{{ playbook_dir | dirname }}/{{ homelab_dist_path }}']);
    expect(play!.tasks.find((t) => t.name === 'Run /bundle/apply.sh')!.vars).toEqual({ homelab_dist_path: 'files/localhost/bundle/apply.sh' });
  });
  it('enables an escaped automount unit like any other unit', () => {
    const unit = 'mnt-pve-nas\\x2dmedia.automount';
    const [play] = playbook({ service: 'x', stacks: [], packages: {}, hosts: [{ host: 'pve2', address: '10.0.0.2', files: [{ file: { path: `/etc/systemd/system/${unit}`, content: '[Automount]\nWhere=/mnt/pve/nas-media\n\n[Install]\nWantedBy=remote-fs.target\n', mode: '0644', format: 'systemd' }, distPath: `files/pve2/etc/systemd/system/${unit}` }] }] }) as { tasks: Record<string, any>[] }[];
    expect(play!.tasks.find((t) => t.name === `Enable and start ${unit}`)?.['ansible.builtin.systemd']).toEqual({ name: unit, enabled: true, state: 'started' });
  });
});

describe('Talos node patches', () => {
  const base = { hostname: 'n1', address: '10.0.0.11/24', gateway: '10.0.0.1', nameservers: ['10.0.0.1'], lanCidr: '10.0.0.0/24' };
  it('put the VIP on control planes only', () => {
    expect(talosNodePatch({ ...base, role: 'controlplane', vip: '10.0.0.100' }).some((d) => (d as { kind?: string }).kind === 'Layer2VIPConfig')).toBe(true);
    expect(() => talosNodePatch({ ...base, role: 'worker', vip: '10.0.0.100' })).toThrow(/control-plane nodes only/);
  });
  it('need the prefix length of the static address', () => {
    expect(() => talosNodePatch({ ...base, role: 'worker', address: '10.0.0.11' })).toThrow(/prefix length/);
  });
});

describe('hand-typed Proxmox access constructs', () => {
  const stack = () => new TerraformStack(new App({ skipValidation: true, outdir: '/tmp/homelab-cdktf-test' }), 's');
  it('an ACL names exactly one subject', () => {
    expect(() => new ProxmoxAcl(stack(), 'a', { path: '/', role_id: 'r', user_id: 'u@pve', token_id: 'u@pve!t' })).toThrow(/exactly one/);
    expect(() => new ProxmoxAcl(stack(), 'a', { path: '/', role_id: 'r' })).toThrow(/exactly one/);
  });
  it('a role has privileges, sorted and de-duplicated', () => {
    expect(() => new ProxmoxRole(stack(), 'r', { role_id: 'R', privileges: [] })).toThrow(/grants nothing/);
    const s = stack();
    new ProxmoxRole(s, 'r', { role_id: 'R', privileges: ['VM.Audit', 'Datastore.Audit', 'VM.Audit'] });
    expect((s.toTerraform() as any).resource.proxmox_virtual_environment_role.r.privileges).toEqual(['Datastore.Audit', 'VM.Audit']);
  });
});
