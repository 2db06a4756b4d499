/**
 * Smoke tests of traefik against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('traefik')!;

describeSmoke('traefik', [
  ...serviceSmokeRows(home, service),
  { kind: 'tcp', host: service.ip!, port: 8082, title: 'traefik ping and metrics entrypoint' },
]);
