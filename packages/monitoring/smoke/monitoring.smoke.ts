/**
 * Smoke tests of monitoring against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('monitoring')!;
const prometheusUrl = `http://${service.ip}:9090`;

describeSmoke('monitoring', [
  ...serviceSmokeRows(home, service),
  // Every derived job is scraped successfully: the declared endpoints really exist.
  ...home.services.flatMap((s) => s.metrics.filter((m) => m.address !== '').map((m) => ({
    kind: 'prometheus-target-up' as const, prometheusUrl, job: m.name === s.name ? s.name : `${s.name}-${m.name}`,
  }))),
  { kind: 'prometheus-target-up', prometheusUrl, job: 'blackbox-https', title: 'every route answers its blackbox probe' },
  { kind: 'prometheus-target-up', prometheusUrl, job: 'pve-node', title: 'the PVE exporter reaches every Proxmox node' },
  { kind: 'prometheus-target-up', prometheusUrl, job: 'pve-node-exporter', title: 'node_exporter runs on every Proxmox node' },
]);
