/**
 * Smoke tests of talos against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';
import { API_PORT, talosNodes } from '../src/index.ts';

const { home } = await synthesizeThisSite();
const service = home.byName.get('talos')!;

describeSmoke('talos', [
  ...serviceSmokeRows(home, service),
  { kind: 'tcp', host: home.site.kubernetes!.apiVip, port: API_PORT, title: `Kubernetes API on the VIP (${home.site.kubernetes!.apiVip}:${API_PORT})` },
  ...talosNodes(home.site).map((n) => ({ kind: 'tcp' as const, host: n.ip, port: 50000, title: `Talos API of ${n.name} (${n.ip}:50000)` })),
]);
