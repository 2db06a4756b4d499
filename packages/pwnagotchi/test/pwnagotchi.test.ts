import { describe, expect, it } from 'vitest';
import { synthesized, synthesizeThisSite } from '@homelab/site/testing';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';

const s = await synthesized('pwnagotchi');
const tf = s.json('terraform/cdk.tf.json');
const vm = tf.resource.proxmox_virtual_environment_vm.pwnagotchi;

describe('pwnagotchi: the VM', () => {
  it('is VM 302 at .42 on pve3 with CPU weight 512 (minimal)', () => {
    expect(vm).toMatchObject({ vm_id: 302, node_name: 'pve3', cpu: { units: 512, cores: 1 } });
    expect(vm.initialization.ip_config[0].ipv4.address).toBe('192.168.86.42/24');
    expect(vm.memory).toEqual({ dedicated: 1024, floating: 512 });
  });
  it('passes the monitor-mode Wi-Fi adapter through by vendor:product, in the root step on pve3', () => {
    expect(s.rootSettings(302)).toEqual({ usb0: 'host=0bda:8812' });
    expect(vm.usb).toBeUndefined();
    expect(vm.lifecycle.ignore_changes).toEqual(expect.arrayContaining(['usb', 'disk']));
  });
  it('imports the Debian cloud image as its disk and lets cloud-init install the deploy key', () => {
    expect(vm.disk[0]).toMatchObject({ interface: 'scsi0', size: 16, import_from: 'local:import/debian-12-genericcloud-amd64.qcow2' });
    expect(vm.cdrom).toBeUndefined();
    expect(vm.initialization.user_account).toEqual({ username: 'debian', keys: ['${var.ssh_public_key}'] });
    expect(tf.variable.ssh_public_key.type).toBe('string');
    expect(vm.bios).toBeUndefined();
  });
  it('is hardware-bound and has no route; the only file it ships is its root step on pve3', async () => {
    expect(vm.tags).toContain('group-special');
    const { home } = await synthesizeThisSite();
    expect(home.byName.get('pwnagotchi')!.routes).toEqual([]);
    expect([...s.files.keys()].filter((k) => k.startsWith('files/'))).toEqual(['files/pve3/usr/local/lib/homelab/guests/302-pwnagotchi.sh']);
  });
  it('is valid Terraform JSON for bpg/proxmox', () => {
    expect(validateArtifact('terraform-json', s.text('terraform/cdk.tf.json'), 'cdk.tf.json').problems).toEqual([]);
  });
  it('has no problem in the whole-site synthesis', async () => {
    const all = await synthesizeThisSite();
    expect(all.problems.filter((p) => p.source === 'packages/pwnagotchi')).toEqual([]);
  });
});
