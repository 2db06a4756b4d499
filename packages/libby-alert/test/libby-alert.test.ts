import { describe, expect, it } from 'vitest';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';
import { ASSUMPTIONS } from '@homelab/site';

const x = await synthesizeFor(fixtureSite, 'libby-alert');
const here = placementOf(fixtureSite, 'libby-alert');

describe('libby-alert', () => {
  const ct = x.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container['libby-alert'];
  it('is its address-plan LXC with CPU weight 512 (minimal), as the seed\'s weight table says', () => {
    expect(ct).toMatchObject({ vm_id: here.vmid, node_name: here.node, cpu: { units: 512 } });
    expect(ct.initialization.ip_config[0].ipv4.address).toBe(here.cidr);
  });
  it('exposes nothing: no route, no port, no configuration (the seed describes none)', () => {
    const svc = x.service;
    expect([svc.routes, svc.ports, svc.metrics, svc.secrets]).toEqual([[], [], [], []]);
    expect([...x.files.keys()].filter((k) => k.startsWith('files/'))).toEqual([]);
  });
  it('records every value the seed does not give as an assumption', () => {
    const paths = ASSUMPTIONS.map((a) => a.path);
    expect(paths).toEqual(expect.arrayContaining(['addressPlan.libby-alert', 'packages/libby-alert.resources', 'packages/libby-alert.group', 'packages/libby-alert (workload)']));
  });
});
