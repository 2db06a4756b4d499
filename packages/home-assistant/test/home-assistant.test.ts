import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';

const s = await synthesizeFor(fixtureSite, 'home-assistant');
const here = placementOf(fixtureSite, 'home-assistant');
const radio = fixtureSite.nodes.find((n) => n.name === here.node)!.devices!['ha-usb']!;
const tf = s.json('terraform/cdk.tf.json');
const vm = tf.resource.proxmox_virtual_environment_vm['home-assistant'];

describe('home-assistant: the HAOS VM', () => {
  it('is its address-plan VM with CPU weight 1024 (normal)', () => {
    expect(vm).toMatchObject({ vm_id: here.vmid, node_name: here.node, cpu: { units: 1024, cores: 2 }, on_boot: true });
    expect(vm.initialization.ip_config[0].ipv4.address).toBe(here.cidr);
  });
  it('balloons between a 2 GB floor and 4 GB', () => {
    expect(vm.memory).toEqual({ dedicated: 4096, floating: 2048 });
  });
  it('passes the USB radio through by vendor:product, in the root step on its node', () => {
    expect(s.rootSettings(here.vmid!)).toEqual({ usb0: `host=${radio.id}` });
    expect([...s.files.keys()]).toContain(`files/${here.node}/usr/local/lib/homelab/guests/${here.vmid}-home-assistant.sh`);
    expect(vm.usb).toBeUndefined();
    expect(vm.lifecycle.ignore_changes).toEqual(expect.arrayContaining(['usb', 'disk']));
  });
  it('boots UEFI without Secure Boot keys and imports the HAOS disk image, with no CD-ROM', () => {
    expect(vm.bios).toBe('ovmf');
    expect(vm.efi_disk).toEqual({ datastore_id: fixtureSite.storage.local, type: '4m', pre_enrolled_keys: false });
    expect(vm.disk[0]).toMatchObject({ interface: 'scsi0', size: 32, import_from: expect.stringMatching(/:import\/haos_ova-16\.3\.qcow2$/) });
    expect(vm.cdrom).toBeUndefined();
  });
  it('needs no SSH key variable (HAOS does not run cloud-init)', () => {
    expect(tf.variable).toBeUndefined();
    expect(vm.initialization.user_account).toBeUndefined();
  });
  it('is tagged into the hardware-bound group', () => {
    expect(vm.tags).toContain('group-special');
  });
  it('is valid Terraform JSON for bpg/proxmox', () => {
    expect(validateArtifact('terraform-json', s.text('terraform/cdk.tf.json'), 'cdk.tf.json').problems).toEqual([]);
  });
});

describe('home-assistant: route', () => {
  it('routes ha.<domain> to :8123 with HA\'s own login', () => {
    const routes = parse(s.text('files/traefik/etc/traefik/dynamic/home-assistant.yml'));
    expect(routes.http.routers['home-assistant-ha']).toMatchObject({ rule: `Host(\`ha.${fixtureSite.domain}\`)` });
    expect(routes.http.routers['home-assistant-ha'].middlewares).toBeUndefined();
    expect(routes.http.services['home-assistant-ha'].loadBalancer.servers).toEqual([{ url: `http://${here.ip}:8123` }]);
  });
  it('ships no file to the VM itself (HAOS has no Ansible access)', () => {
    expect([...s.files.keys()].filter((k) => k.startsWith('files/home-assistant/'))).toEqual([]);
  });
});
