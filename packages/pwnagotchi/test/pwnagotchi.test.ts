import { describe, expect, it } from 'vitest';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';

const s = await synthesizeFor(fixtureSite, 'pwnagotchi');
const here = placementOf(fixtureSite, 'pwnagotchi');
const rootStep = `files/${here.node}/usr/local/lib/homelab/guests/${here.vmid}-pwnagotchi.sh`;
const tf = s.json('terraform/cdk.tf.json');
const vm = tf.resource.proxmox_virtual_environment_vm.pwnagotchi;

describe('pwnagotchi: the VM', () => {
  it('is its address-plan VM with CPU weight 512 (minimal)', () => {
    expect(vm).toMatchObject({ vm_id: here.vmid, node_name: here.node, cpu: { units: 512, cores: 1 } });
    expect(vm.initialization.ip_config[0].ipv4).toEqual({ address: here.cidr, gateway: here.gateway });
    expect(vm.memory).toEqual({ dedicated: 1024, floating: 512 });
  });
  it('passes the monitor-mode Wi-Fi adapter through by vendor:product, in the root step on its node', () => {
    const adapter = fixtureSite.nodes.find((n) => n.name === here.node)!.devices!['wifi-monitor']!;
    expect(s.rootSettings(here.vmid!)).toEqual({ usb0: `host=${adapter.id}` });
    expect(vm.usb).toBeUndefined();
    expect(vm.lifecycle.ignore_changes).toEqual(expect.arrayContaining(['usb', 'disk']));
  });
  it('imports the Debian cloud image as its disk and lets cloud-init install the deploy key', () => {
    expect(vm.disk[0]).toMatchObject({ interface: 'scsi0', size: 16, import_from: `${fixtureSite.storage.images}:import/debian-12-genericcloud-amd64.qcow2` });
    expect(vm.cdrom).toBeUndefined();
    expect(vm.initialization.user_account).toEqual({ username: 'debian', keys: ['${var.ssh_public_key}'] });
    expect(tf.variable.ssh_public_key.type).toBe('string');
    expect(vm.bios).toBeUndefined();
  });
  it('is hardware-bound and has no route; the only file it ships is its root step on its node', () => {
    expect(vm.tags).toContain('group-special');
    expect(s.service.routes).toEqual([]);
    expect([...s.files.keys()].filter((k) => k.startsWith('files/'))).toEqual([rootStep]);
  });
  it('is valid Terraform JSON for bpg/proxmox', () => {
    expect(validateArtifact('terraform-json', s.text('terraform/cdk.tf.json'), 'cdk.tf.json').problems).toEqual([]);
  });
});
