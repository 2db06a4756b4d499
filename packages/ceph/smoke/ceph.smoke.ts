/**
 * Smoke tests of ceph against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';
import { MGR_METRICS_PORT, monitorNodes } from '../src/index.ts';

const { home } = await synthesizeThisSite();
const service = home.byName.get('ceph')!;

describeSmoke('ceph', [
  ...serviceSmokeRows(home, service),
  ...monitorNodes(home.site).flatMap((n) => [
    { kind: 'tcp' as const, host: n.ip, port: 3300, title: `Ceph monitor on ${n.name} (msgr2, ${n.ip}:3300)` },
    { kind: 'tcp' as const, host: n.ip, port: MGR_METRICS_PORT, title: `Ceph manager prometheus module on ${n.name} (${n.ip}:${MGR_METRICS_PORT})` },
  ]),
]);
