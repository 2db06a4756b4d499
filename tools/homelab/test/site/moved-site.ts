/**
 * This repository's site moved to another LAN, domain, tunnel, node names, admin group and
 * datastores: every string value of libs/site rewritten, so each package that reads the site
 * has something to follow. A site module (default export): HOMELAB_SITE can name this file.
 */
import type { Site } from '@homelab/core';
import { site } from '@homelab/site';

export const NODE_NAMES: Readonly<Record<string, string>> = {
  pve1: 'alder', pve2: 'birch', pve3: 'cedar', tower1: 'douglas', zotac: 'elm', thinkcentre1: 'nuc-a', thinkcentre2: 'nuc-b', thinkcentre3: 'nuc-c',
};

const REWRITES: readonly [string, string][] = [
  ['192.168.86.', '10.61.4.'], ['woodhead.tech', 'harbor.example'], ['woodhead', 'harbor'], ['10.10.0.', '10.77.9.'],
  ['homelab-admins', 'harbor-admins'], ['ceph-rbd', 'rbd-vms'], ['rbd-k8s', 'rbd-cluster'], ['truenas-media', 'nas-media'],
  ['/mnt/tank/media', '/mnt/vault/media'], ['pi-piboard', 'kiosk'],
];

function moved(value: unknown): unknown {
  if (typeof value === 'string') return NODE_NAMES[value] ?? REWRITES.reduce((s, [from, to]) => s.replaceAll(from, to), value);
  if (Array.isArray(value)) return value.map(moved);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [moved(k) as string, moved(v)]));
  return value;
}

export const movedSite = moved(site) as Site;
export default movedSite;
