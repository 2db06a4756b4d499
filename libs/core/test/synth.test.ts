import { describe, expect, it } from 'vitest';
import { buildHomelab, synthesizeSite, type ContainerConfig } from '../src/index.ts';
import { app, entries, idp, proxy, testSite } from './fixtures/test-site.ts';

const synth = () => synthesizeSite(buildHomelab(testSite, entries(proxy, idp, app)));

describe('synthesis', () => {
  it('is deterministic: the same inputs give byte-identical files', () => {
    const a = synth().results.map((r) => [...r.files]);
    const b = synth().results.map((r) => [...r.files]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('writes an LXC with CPU weight, limits, disk, network, nesting, tags and version', () => {
    const result = synth().results.find((r) => r.service === 'app')!;
    const tf = JSON.parse(result.files.get('terraform/cdk.tf.json')!);
    const ct = tf.resource.proxmox_virtual_environment_container.app as ContainerConfig;
    expect(ct).toMatchObject({
      node_name: 'n2', vm_id: 102, unprivileged: true, start_on_boot: true,
      cpu: { cores: 1, units: 1024 }, memory: { dedicated: 1024, swap: 512 },
      disk: { datastore_id: 'local-lvm', size: 8 },
      features: { nesting: false },
      startup: { order: 3 },
    });
    expect(ct.initialization?.ip_config?.[0]?.ipv4).toEqual({ address: '10.20.0.22/24', gateway: '10.20.0.1' });
    expect(ct.tags).toEqual(expect.arrayContaining(['homelab', 'svc-app', 'group-apps', 'v1.2.3']));
    expect(ct.description).toContain('@t/app@1.2.3');
    expect(tf.terraform.required_providers.proxmox).toEqual({ source: 'bpg/proxmox', version: '0.111.1' });
    expect(tf.provider.proxmox).toEqual([{}]);
    // No path and nothing of this machine: deploy gives the state path at init.
    expect(tf.terraform.backend).toEqual({ local: {} });
  });

  it('writes a VM with a balloon floor and the all-keys network_device form', () => {
    const vm = { ...app, name: 'vmsvc', kind: 'vm' as const, placement: 'vm', routes: [], secrets: [], dependsOn: [],
      resources: { cores: 4, memoryMiB: 8192, balloonMiB: 4096, disks: [{ storage: 'ceph' as const, sizeGiB: 40 }] } };
    const result = synthesizeSite(buildHomelab(testSite, entries(proxy, idp, vm))).results.find((r) => r.service === 'vmsvc')!;
    const body = JSON.parse(result.files.get('terraform/cdk.tf.json')!).resource.proxmox_virtual_environment_vm.vmsvc;
    expect(body.memory).toEqual({ dedicated: 8192, floating: 4096 });
    expect(body.disk[0]).toMatchObject({ datastore_id: 'ceph', size: 40, interface: 'scsi0' });
    expect(Object.keys(body.network_device[0]).sort()).toHaveLength(11);
  });

  it('sends route files to the ingress host and blueprints to the identity host', () => {
    const result = synth().results.find((r) => r.service === 'app')!;
    const targets = result.manifest.artifacts.filter((a) => a.target).map((a) => `${a.target!.host}:${a.target!.path}`);
    expect(targets).toContain('proxy:/etc/traefik/dynamic/app.yml');
    expect(targets.some((t) => t.startsWith('idp:') && t.endsWith('/app.yaml'))).toBe(true);
    const route = result.files.get('files/proxy/etc/traefik/dynamic/app.yml')!;
    expect(route).toContain('Host(`app.example.test`)');
    expect(route).toContain('authentik@file');
    expect(route).toContain('url: http://10.20.0.22:3000');
    expect(result.manifest.env).toEqual(['APP_TOKEN', 'PROXMOX_VE_API_TOKEN', 'PROXMOX_VE_ENDPOINT']);
  });

  it('the identity host carries the blueprints of services it depends on', () => {
    const idpResult = synth().results.find((r) => r.service === 'idp')!;
    expect([...idpResult.files.keys()].some((f) => f.endsWith('/proxy.yaml'))).toBe(true);
    const proxyResult = synth().results.find((r) => r.service === 'proxy')!;
    expect([...proxyResult.files.keys()].some((f) => f.startsWith('files/idp/'))).toBe(false);
  });

  it('hashes every artifact in the manifest', () => {
    const result = synth().results.find((r) => r.service === 'app')!;
    for (const a of result.manifest.artifacts) expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
