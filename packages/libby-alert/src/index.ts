import { defineService } from '@homelab/core/model';

/**
 * Libby Alert. The seed says only: an LXC with CPU weight 512 (tier minimal). Everything else here
 * is an assumption (libs/site/src/assumptions.ts, and the README): the address-plan entry (LXC 216,
 * .38, pve2), the resources, the group, and that it has no route, port or configuration yet.
 */
export default defineService({
  name: 'libby-alert',
  description: 'Libby Alert (the seed gives only: LXC, CPU weight 512); the workload itself is not described',
  kind: 'lxc',
  tier: 'minimal',
  group: 'apps',
  resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 4 }] },
});
