/**
 * Smoke tests of pxe against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('pxe')!;

describeSmoke('pxe', [
  ...serviceSmokeRows(home, service),
  // PXE runs only during provisioning (not started on boot); its UDP services cannot be probed over TCP.
]);
