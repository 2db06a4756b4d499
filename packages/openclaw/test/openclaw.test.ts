import { describe, expect, it } from 'vitest';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';

const x = await synthesizeFor(fixtureSite, 'openclaw');
const here = placementOf(fixtureSite, 'openclaw');

describe('openclaw', () => {
  const ct = x.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container['openclaw'];
  it('is its address-plan LXC with CPU weight 800 (low), as the seed\'s weight table says', () => {
    expect(ct).toMatchObject({ vm_id: here.vmid, node_name: here.node, cpu: { units: 800 } });
    expect(ct.initialization.ip_config[0].ipv4).toEqual({ address: here.cidr, gateway: here.gateway });
  });
  it('exposes nothing: no route, no port, no configuration (the seed describes none)', () => {
    const svc = x.service;
    expect([svc.routes, svc.ports, svc.metrics, svc.secrets]).toEqual([[], [], [], []]);
    expect([...x.files.keys()].filter((k) => k.startsWith('files/'))).toEqual([]);
  });
});
