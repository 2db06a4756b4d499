import { describe, expect, it } from 'vitest';
import { synthesized, synthesizeThisSite } from '@homelab/site/testing';
import { ASSUMPTIONS } from '@homelab/site';

const x = await synthesized('libby-alert');

describe('libby-alert', () => {
  const ct = x.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container['libby-alert'];
  it('is LXC 216 at .38 on pve2 with CPU weight 512 (minimal), as the seed\'s weight table says', () => {
    expect(ct).toMatchObject({ vm_id: 216, node_name: 'pve2', cpu: { units: 512 } });
    expect(ct.initialization.ip_config[0].ipv4.address).toBe('192.168.86.38/24');
  });
  it('exposes nothing: no route, no port, no configuration (the seed describes none)', async () => {
    const { home } = await synthesizeThisSite();
    const svc = home.byName.get('libby-alert')!;
    expect([svc.routes, svc.ports, svc.metrics, svc.secrets]).toEqual([[], [], [], []]);
    expect([...x.files.keys()].filter((k) => k.startsWith('files/'))).toEqual([]);
  });
  it('records every value the seed does not give as an assumption', () => {
    const paths = ASSUMPTIONS.map((a) => a.path);
    expect(paths).toEqual(expect.arrayContaining(['addressPlan.libby-alert', 'packages/libby-alert.resources', 'packages/libby-alert.group', 'packages/libby-alert (workload)']));
  });
});
