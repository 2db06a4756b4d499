import { defineService } from '@homelab/core/model';

/**
 * OpenClaw. The seed says only: an LXC with CPU weight 800 (tier low). Everything else here is an
 * assumption (libs/site/src/assumptions.ts, and the README): the address-plan entry (LXC 215,
 * .37, pve2), the resources, the group, and that it has no route, port or configuration yet.
 */
export default defineService({
  name: 'openclaw',
  description: 'OpenClaw (the seed gives only: LXC, CPU weight 800); the workload itself is not described',
  kind: 'lxc',
  tier: 'low',
  group: 'apps',
  resources: { cores: 1, memoryMiB: 2048, disks: [{ storage: 'local', sizeGiB: 16 }] },
});
