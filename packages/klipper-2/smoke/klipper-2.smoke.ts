/**
 * Smoke tests of klipper-2 against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('klipper-2')!;

describeSmoke('klipper-2', [
  ...serviceSmokeRows(home, service),
  { kind: 'tcp', host: service.ip!, port: 7125, title: 'Moonraker listens on klipper-2' },
]);
