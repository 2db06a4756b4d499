/**
 * Device nodes for LXCs, the NFS export root as a mount, disk-image VMs (UEFI, import, cloud-init
 * user), Compose profiles, user-owned directories in the playbook, and moonraker.conf.
 */
import { describe, expect, it } from 'vitest';
import { buildHomelab, moonrakerConfig, playbook, synthesizeSite, type ServiceProps, type Site } from '../src/index.ts';
import { entries, testSite } from './fixtures/test-site.ts';

const site: Site = {
  ...testSite,
  nodes: testSite.nodes.map((n) => (n.name === 'n2'
    ? { ...n, devices: { ...n.devices, radio: { kind: 'usb', id: 'abcd:0001', path: '/dev/ttyACM0', description: 'serial radio' } } }
    : n)),
};

const lxc = (extra: Partial<ServiceProps>): ServiceProps => ({
  name: 'app', description: 'an application', kind: 'lxc', tier: 'normal', group: 'special',
  resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 8 }] }, ...extra,
});
const vm = (os: string): ServiceProps => ({
  name: 'vm', description: 'a vm', kind: 'vm', os, tier: 'normal', group: 'special',
  resources: { cores: 2, memoryMiB: 2048, disks: [{ storage: 'local', sizeGiB: 32 }] },
});
const tf = (def: ServiceProps) => {
  const s = synthesizeSite(buildHomelab(site, entries(def)));
  return JSON.parse(s.results[0]!.files.get('terraform/cdk.tf.json')!);
};
/** The `want KEY VALUE` lines of the root-settings script of the app LXC (102 on n2). */
const rootSettings = (def: ServiceProps): [string, string][] => {
  const s = synthesizeSite(buildHomelab(site, entries(def)));
  const script = s.results[0]!.files.get('files/n2/usr/local/lib/homelab/guests/102-app.sh');
  if (script === undefined) throw new Error(`no root-settings script; files: ${[...s.results[0]!.files.keys()].join(', ')}`);
  // VALUE is one shell word (shellQuote): bare when safe, else single-quoted.
  return [...script.matchAll(/^want (\S+) (?:'((?:[^']|'\\'')*)'|([^\s']+))/gm)].map((m) => [m[1]!, m[2] !== undefined ? m[2].replaceAll("'\\''", "'") : m[3]!]);
};

describe('LXC device passthrough (root step on the node)', () => {
  it('passes a USB device by the site device\'s node path, not its vendor:product id', () => {
    const def = lxc({ devices: [{ device: 'radio' }] });
    expect(rootSettings(def)).toEqual([['dev0', '/dev/ttyACM0,mode=0660']]);
    const ct = tf(def).resource.proxmox_virtual_environment_container.app;
    expect(ct.device_passthrough).toBeUndefined();
    expect(ct.lifecycle.ignore_changes).toContain('device_passthrough');
  });
  it('lets explicit paths win over the site path', () => {
    expect(rootSettings(lxc({ devices: [{ device: 'radio', paths: ['/dev/ttyUSB9'] }] }))).toEqual([['dev0', '/dev/ttyUSB9,mode=0660']]);
  });
});

describe('NFS mounts (root step on the node)', () => {
  it('mounts share "/" as the host mount point itself, and a sub-share below it', () => {
    const def = lxc({ nfsMounts: [{ share: '/', path: '/data' }, { share: '/media', path: '/media', readOnly: true }] });
    expect(rootSettings(def)).toEqual([['mp0', '/mnt/pve/nas,backup=0,mp=/data'], ['mp1', '/mnt/pve/nas/media,backup=0,mp=/media,ro=1']]);
    const ct = tf(def).resource.proxmox_virtual_environment_container.app;
    expect(ct.mount_point).toBeUndefined();
    expect(ct.lifecycle.ignore_changes).toContain('mount_point');
  });
});

describe('disk-image VMs', () => {
  it('HAOS: UEFI without pre-enrolled keys, image imported into the first disk, no CD-ROM, no SSH key', () => {
    const doc = tf(vm('haos'));
    const v = doc.resource.proxmox_virtual_environment_vm.vm;
    expect(v.bios).toBe('ovmf');
    expect(v.efi_disk).toEqual({ datastore_id: 'local-lvm', type: '4m', pre_enrolled_keys: false });
    expect(v.disk[0].import_from).toMatch(/^local:import\/haos_ova-.*\.qcow2$/);
    expect(v.cdrom).toBeUndefined();
    expect(doc.variable).toBeUndefined();
  });
  it('a cloud image gets its cloud-init user with the deploy key, and the key variable', () => {
    const doc = tf(vm('debian-12-vm'));
    const v = doc.resource.proxmox_virtual_environment_vm.vm;
    expect(v.initialization.user_account).toEqual({ username: 'debian', keys: ['${var.ssh_public_key}'] });
    expect(doc.variable.ssh_public_key).toBeDefined();
    expect(v.bios).toBeUndefined();
  });
  it('an installer ISO is still a CD-ROM with an empty disk', () => {
    const v = tf(vm('truenas-scale')).resource.proxmox_virtual_environment_vm.vm;
    expect(v.cdrom.file_id).toMatch(/^local:iso\//);
    expect(v.disk[0].import_from).toBeUndefined();
  });
});

describe('playbook directories', () => {
  const file = (path: string, owner?: string) => ({ file: { path, content: 'x\n', mode: '0644', format: 'text' as const, ...(owner ? { owner } : {}) }, distPath: `files/h${path}` });
  const tasks = (files: ReturnType<typeof file>[]) => (playbook({ service: 's', hosts: [{ host: 'h', address: '10.0.0.1', files }], stacks: [], packages: {} })[0] as any).tasks as any[];
  it('keeps a directory whose files all belong to one user owned by that user', () => {
    const t = tasks([file('/home/pi/cfg/a.conf', 'pi'), file('/etc/x/b.conf')]);
    expect(t.find((k) => k.name === 'Create configuration directories').loop).toEqual(['/etc/x']);
    expect(t.find((k) => k.name === 'Create configuration directories owned by pi')).toMatchObject({ loop: ['/home/pi/cfg'], 'ansible.builtin.file': { owner: 'pi', group: 'pi' } });
  });
  it('gives a directory with mixed owners to root', () => {
    const t = tasks([file('/srv/a', 'pi'), file('/srv/b')]);
    expect(t.find((k) => k.name === 'Create configuration directories').loop).toEqual(['/srv']);
    expect(t.some((k) => String(k.name).includes('owned by'))).toBe(false);
  });
});

describe('moonrakerConfig', () => {
  const conf = moonrakerConfig({ trustedClients: ['10.0.0.20/32', '127.0.0.0/8'], corsDomains: ['https://b.example', 'https://a.example'], header: ['generated'] });
  it('always trusts loopback, once, then the given clients', () => {
    expect(conf).toContain('trusted_clients:\n    127.0.0.0/8\n    ::1/128\n    10.0.0.20/32\n');
  });
  it('sorts the CORS origins and listens on 7125 by default', () => {
    expect(conf).toContain('cors_domains:\n    https://a.example\n    https://b.example\n');
    expect(conf).toContain('[server]\nhost: 0.0.0.0\nport: 7125\n');
  });
  it('starts with the header as comments and ends with a newline', () => {
    expect(conf.startsWith('# generated\n\n[server]')).toBe(true);
    expect(conf.endsWith('path: ~/mainsail\n')).toBe(true);
  });
});
