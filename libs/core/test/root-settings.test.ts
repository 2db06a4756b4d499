/**
 * Root-only guest settings (root-settings.ts): what Proxmox reserves for root@pam is left out of
 * the Terraform JSON, ignored there by lifecycle.ignore_changes, and applied by an idempotent
 * script run as root on the guest's node. The script is run here for real, with `sh`, against a
 * fake `pct` / `qm` on PATH.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  buildHomelab, containerRootSettings, guestRootSettings, pveProperty, ROOT_MANAGED_ATTRIBUTES, rootSettingsScript, synthesizeSite, vmRootSettings,
  type NormalizedGuest, type ServiceProps, type Site,
} from '../src/index.ts';
import { entries, idp, proxy, testSite } from './fixtures/test-site.ts';

const RAW_DISK = '/dev/disk/by-id/ata-TEST-HDD-1';

/** The fixture site, with a passthrough disk on n2 for the VM. */
const site: Site = {
  ...testSite,
  nodes: testSite.nodes.map((n) => (n.name === 'n2'
    ? { ...n, disks: [...n.disks, { kind: 'hdd', sizeGiB: 8000, role: 'passthrough', device: RAW_DISK }] }
    : n)),
};

/** A Docker LXC (100 on n1) with an extra datastore disk, two NFS mounts and n1's iGPU. */
const dockerCt: ServiceProps = {
  ...proxy,
  resources: { cores: 2, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 8 }, { storage: 'local', sizeGiB: 20 }] },
  nfsMounts: [{ share: '/media', path: '/media', readOnly: true }, { share: '/', path: '/data' }],
  devices: [{ device: 'gpu' }],
};

/** A VM (103 on n2) with n2's USB stick and its raw passthrough disk. */
const usbVm: ServiceProps = {
  name: 'vm', description: 'a vm', kind: 'vm', os: 'debian-12-vm', tier: 'normal', group: 'special',
  resources: { cores: 2, memoryMiB: 2048, disks: [{ storage: 'local', sizeGiB: 32 }], passthroughDisks: true },
  devices: [{ device: 'stick' }],
};

const home = buildHomelab(site, entries(dockerCt, idp, usbVm));
const synthesis = synthesizeSite(home);
const result = (name: string) => synthesis.results.find((r) => r.service === name)!;
const resource = (name: string, kind: 'container' | 'vm') =>
  JSON.parse(result(name).files.get('terraform/cdk.tf.json')!).resource[`proxmox_virtual_environment_${kind}`][name];
const guestOf = (name: string) => home.byName.get(name)!.guests[0]!;

const CT_SCRIPT = 'files/n1/usr/local/lib/homelab/guests/100-proxy.sh';
const VM_SCRIPT = 'files/n2/usr/local/lib/homelab/guests/103-vm.sh';

describe('pveProperty', () => {
  it('puts the default key first, then the others sorted by name, whatever their order in the object', () => {
    expect(pveProperty('/mnt/pve/nas', { ro: 1, mp: '/media', backup: 0 })).toBe('/mnt/pve/nas,backup=0,mp=/media,ro=1');
    expect(pveProperty('keyctl=1', { nesting: 1 })).toBe('keyctl=1,nesting=1');
  });
  it('leaves out undefined options, and is the default alone when there are none', () => {
    expect(pveProperty('/dev/ttyACM0', { mode: '0660', gid: undefined })).toBe('/dev/ttyACM0,mode=0660');
    expect(pveProperty('host=1234:5678', {})).toBe('host=1234:5678');
  });
});

describe('a Docker LXC with NFS mounts and a device', () => {
  it('needs keyctl, the NFS bind mounts after the datastore disk, and the device, in that order', () => {
    expect(containerRootSettings(home.site, home.byName.get('proxy')!, guestOf('proxy'))).toEqual([
      { key: 'features', value: 'keyctl=1,nesting=1' },
      { key: 'mp1', value: '/mnt/pve/nas/media,backup=0,mp=/media,ro=1' },
      { key: 'mp2', value: '/mnt/pve/nas,backup=0,mp=/data' },
      { key: 'dev0', value: '/dev/dri/renderD128,mode=0660' },
    ]);
  });
  it('writes them, in that order, to a root-run script on its node', () => {
    const file = result('proxy').configFiles.find((f) => f.host === 'n1' && f.path === '/usr/local/lib/homelab/guests/100-proxy.sh');
    expect(file).toMatchObject({ mode: '0750', run: true });
    const wants = result('proxy').files.get(CT_SCRIPT)!.split('\n').filter((l) => l.startsWith('want '));
    expect(wants).toEqual([
      'want features keyctl=1,nesting=1',
      'want mp1 /mnt/pve/nas/media,backup=0,mp=/media,ro=1',
      'want mp2 /mnt/pve/nas,backup=0,mp=/data',
      'want dev0 /dev/dri/renderD128,mode=0660',
    ]);
  });
  it('keeps nesting and the datastore disk in Terraform, leaves the rest out, and ignores what the root step owns', () => {
    const ct = resource('proxy', 'container');
    expect(ct.features).toEqual({ nesting: true });
    expect(ct.mount_point).toEqual([{ volume: 'local-lvm', size: '20G', path: '/data' }]);
    expect(ct.device_passthrough).toBeUndefined();
    expect(ct.lifecycle).toEqual({ ignore_changes: [...ROOT_MANAGED_ATTRIBUTES.lxc] });
    expect(ct.lifecycle.ignore_changes).toEqual(['features', 'mount_point', 'device_passthrough']);
  });
  it('runs the script in a play for the node, before the play that configures the guest', () => {
    const plays = parse(result('proxy').files.get('ansible/playbook.yml')!) as { hosts: string; tasks: Record<string, any>[] }[];
    expect(plays.map((p) => p.hosts).indexOf('n1')).toBe(0);
    expect(plays.map((p) => p.hosts)).toContain('proxy');
    const run = plays[0]!.tasks.find((t) => t.name === 'Run /usr/local/lib/homelab/guests/100-proxy.sh')!;
    expect(run['ansible.builtin.command'].argv.at(-1)).toBe('/usr/local/lib/homelab/guests/100-proxy.sh');
    expect(run.changed_when).toBe("'homelab: changed' in homelab_run.stdout");
  });
});

describe('a VM with a USB device and raw passthrough disks', () => {
  it('passes the USB device by host id and the raw disk after the datastore disks, matched as a prefix', () => {
    expect(vmRootSettings(guestOf('vm'), 1)).toEqual([
      { key: 'usb0', value: 'host=1234:5678' },
      { key: 'scsi1', value: `${RAW_DISK},backup=0,replicate=0`, prefix: true },
    ]);
    expect(result('vm').files.get(VM_SCRIPT)).toContain(`want scsi1 ${RAW_DISK},backup=0,replicate=0 prefix\n`);
  });
  it('has neither in Terraform, and ignores usb and disk', () => {
    const vm = resource('vm', 'vm');
    expect(vm.usb).toBeUndefined();
    expect(vm.disk.map((d: any) => d.interface)).toEqual(['scsi0']);
    expect(vm.lifecycle).toEqual({ ignore_changes: ['usb', 'disk'] });
  });
});

describe('a guest with no root-only setting', () => {
  it('has no settings, no script and no lifecycle block', () => {
    expect(guestRootSettings(home.site, home.byName.get('idp')!, guestOf('idp'))).toEqual([]);
    expect([...result('idp').files.keys()].filter((k) => k.includes('/homelab/guests/'))).toEqual([]);
    const ct = resource('idp', 'container');
    expect(ct.lifecycle).toBeUndefined();
    expect(ct.features).toEqual({ nesting: false });
  });
});

describe('the script, run with sh against a fake pct / qm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-root-settings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // pct/qm: `config` prints the canned config, `status` the canned status; every other call is logged.
  const fake = [
    '#!/bin/sh',
    'case "$1" in',
    '  config) cat "$FAKE_DIR/config" ;;',
    '  status) cat "$FAKE_DIR/status" ;;',
    '  *) echo "$(basename "$0") $*" >> "$FAKE_DIR/calls.log" ;;',
    'esac',
    '',
  ].join('\n');
  for (const tool of ['pct', 'qm']) {
    writeFileSync(join(dir, tool), fake);
    chmodSync(join(dir, tool), 0o755);
  }
  const scripts = { ct: join(dir, 'ct.sh'), vm: join(dir, 'vm.sh') };
  writeFileSync(scripts.ct, result('proxy').files.get(CT_SCRIPT)!);
  writeFileSync(scripts.vm, result('vm').files.get(VM_SCRIPT)!);

  /** Runs a script with the given `config` output and status; returns its stdout and the logged calls. */
  function run(script: string, config: string, status = 'status: stopped'): { stdout: string; calls: string[] } {
    writeFileSync(join(dir, 'config'), config);
    writeFileSync(join(dir, 'status'), `${status}\n`);
    writeFileSync(join(dir, 'calls.log'), '');
    const stdout = execFileSync('sh', [script], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, FAKE_DIR: dir }, encoding: 'utf8' });
    return { stdout, calls: readFileSync(join(dir, 'calls.log'), 'utf8').split('\n').filter(Boolean) };
  }

  const ctConfig = [
    'arch: amd64',
    'cores: 2',
    'features: keyctl=1,nesting=1',
    'hostname: proxy',
    'mp0: local-lvm:vm-100-disk-1,mp=/data,size=20G',
    'mp1: /mnt/pve/nas/media,backup=0,mp=/media,ro=1',
    'mp2: /mnt/pve/nas,backup=0,mp=/data',
    'dev0: /dev/dri/renderD128,mode=0660',
    'unprivileged: 1',
    '',
  ].join('\n');

  it('a value with quotes, spaces and command substitutions reaches pct as one literal argument (shellQuote)', () => {
    const hostile = `/mnt/x' ; touch ${dir}/pwned ; echo '$(touch ${dir}/pwned2) \`touch ${dir}/pwned3\``;
    const guest = { kind: 'lxc', placement: { vmid: 100 } } as unknown as NormalizedGuest;
    const script = join(dir, 'hostile.sh');
    writeFileSync(script, rootSettingsScript(guest, [{ key: 'mp9', value: hostile }], []));
    const { calls } = run(script, '');
    expect(calls).toEqual([`pct set 100 --mp9 ${hostile}`]);
    for (const f of ['pwned', 'pwned2', 'pwned3']) expect(existsSync(join(dir, f)), f).toBe(false);
  });
  it('first run, empty config: sets every key in order and reports a change', () => {
    const { stdout, calls } = run(scripts.ct, '');
    expect(calls).toEqual([
      'pct set 100 --features keyctl=1,nesting=1',
      'pct set 100 --mp1 /mnt/pve/nas/media,backup=0,mp=/media,ro=1',
      'pct set 100 --mp2 /mnt/pve/nas,backup=0,mp=/data',
      'pct set 100 --dev0 /dev/dri/renderD128,mode=0660',
    ]);
    expect(stdout).toBe('homelab: changed\n');
  });
  it('second run, the config already shows every line: calls nothing and prints nothing', () => {
    expect(run(scripts.ct, ctConfig)).toEqual({ stdout: '', calls: [] });
  });
  it('sets only what differs: a read-write mount that should be read-only is set again', () => {
    const { stdout, calls } = run(scripts.ct, ctConfig.replace('mp=/media,ro=1', 'mp=/media'));
    expect(calls).toEqual(['pct set 100 --mp1 /mnt/pve/nas/media,backup=0,mp=/media,ro=1']);
    expect(stdout).toBe('homelab: changed\n');
  });
  it('matches a raw disk as a prefix: Proxmox\'s appended ,size=8T is not a change, another disk is', () => {
    const vmConfig = (scsi1: string) => `boot: order=scsi0\nscsi0: local-lvm:vm-103-disk-0,size=32G\n${scsi1}\nusb0: host=1234:5678\n`;
    expect(run(scripts.vm, vmConfig(`scsi1: ${RAW_DISK},backup=0,replicate=0,size=8T`))).toEqual({ stdout: '', calls: [] });
    expect(run(scripts.vm, vmConfig(`scsi1: ${RAW_DISK}0,backup=0,replicate=0,size=8T`)).calls).toEqual([`qm set 103 --scsi1 ${RAW_DISK},backup=0,replicate=0`]);
  });
  it('reboots a running guest only when something changed', () => {
    expect(run(scripts.ct, '', 'status: running').calls.at(-1)).toBe('pct reboot 100');
    expect(run(scripts.ct, '', 'status: stopped').calls).not.toContain('pct reboot 100');
    expect(run(scripts.ct, ctConfig, 'status: running')).toEqual({ stdout: '', calls: [] });
    expect(run(scripts.vm, '', 'status: running').calls).toEqual([
      'qm set 103 --usb0 host=1234:5678',
      `qm set 103 --scsi1 ${RAW_DISK},backup=0,replicate=0`,
      'qm reboot 103',
    ]);
  });
});
