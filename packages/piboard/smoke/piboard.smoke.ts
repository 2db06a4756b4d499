/**
 * Smoke tests of piboard against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('piboard')!;

describeSmoke('piboard', [
  ...serviceSmokeRows(home, service),
  // What the dashboard depends on: Prometheus answering on the address it polls.
  { kind: 'tcp', host: '192.168.86.25', port: 9090, title: 'Prometheus, which piboard polls, accepts connections' },
  { kind: 'tcp', host: service.ip!, port: 22, title: 'piboard is reachable over SSH (how it is configured)' },
]);
