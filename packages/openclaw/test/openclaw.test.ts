import { describe, expect, it } from 'vitest';
import { synthesized, synthesizeThisSite } from '@homelab/site/testing';
import { ASSUMPTIONS } from '@homelab/site';

const x = await synthesized('openclaw');

describe('openclaw', () => {
  const ct = x.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container['openclaw'];
  it('is LXC 215 at .37 on pve2 with CPU weight 800 (low), as the seed\'s weight table says', () => {
    expect(ct).toMatchObject({ vm_id: 215, node_name: 'pve2', cpu: { units: 800 } });
    expect(ct.initialization.ip_config[0].ipv4.address).toBe('192.168.86.37/24');
  });
  it('exposes nothing: no route, no port, no configuration (the seed describes none)', async () => {
    const { home } = await synthesizeThisSite();
    const svc = home.byName.get('openclaw')!;
    expect([svc.routes, svc.ports, svc.metrics, svc.secrets]).toEqual([[], [], [], []]);
    expect([...x.files.keys()].filter((k) => k.startsWith('files/'))).toEqual([]);
  });
  it('records every value the seed does not give as an assumption', () => {
    const paths = ASSUMPTIONS.map((a) => a.path);
    expect(paths).toEqual(expect.arrayContaining(['addressPlan.openclaw', 'packages/openclaw.resources', 'packages/openclaw.group', 'packages/openclaw (workload)']));
  });
  it('has no problem in the whole-site synthesis', async () => {
    const s = await synthesizeThisSite();
    expect(s.problems.filter((p) => p.source === 'packages/openclaw')).toEqual([]);
  });
});
