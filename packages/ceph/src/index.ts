/**
 * Ceph on the Proxmox nodes (pveceph): monitors and managers, six OSDs from the site's node disks
 * with role `ceph-osd` and an explicit device class, one CRUSH rule per device class, and the RBD
 * pool for the Kubernetes VM disks (3 replicas, min_size 2) on the SSD rule. Applied by one
 * idempotent script per node. Its alert rules travel as service data for the monitoring service.
 */
import {
  defineService, measuredValue, renderScript, siteFeature, type ConfigFile, type ProxmoxNode, type RenderContext, type Site,
} from '@homelab/core/model';
import { generatedHeader } from '@homelab/core/render';
import { CEPH_RULE_GROUPS, cephAlertRuleTests } from './alerts.ts';

export { CEPH_ALERTS, CEPH_RULE_GROUPS, cephAlertRuleTests, DIVERGENCE_FLOOR_MS, DIVERGENCE_RATIO, RUNBOOK, SLOW_OSD_MS } from './alerts.ts';

/** The nodes that run a monitor and a manager: the site's storage.ceph.monitors. */
export function cephMonitorNames(site: Site): readonly string[] {
  return siteFeature(site, 'storage.ceph').monitors;
}
export const NODE_SCRIPT = '/usr/local/sbin/homelab-ceph.sh';
/** The script's source beside this package; found from the module, so it ships with the package. */
export const NODE_SCRIPT_SOURCE = new URL('../scripts/homelab-ceph.sh', import.meta.url);
/** The manager prometheus module's port. */
export const MGR_METRICS_PORT = 9283;
/**
 * BlueStore's cache target per OSD. The default (4 GiB) does not fit the 8 GB ThinkCentres that
 * also run a Kubernetes worker; 2 GiB is the value assumed in libs/site.
 */
export const OSD_MEMORY_TARGET_BYTES = 2 * 1024 ** 3;

export type DeviceClass = 'ssd' | 'hdd';

export interface Osd {
  readonly node: string;
  /** Undefined while the site leaves it unmeasured: the OSD counts for the CRUSH rules, but no script creates it. */
  readonly device: string | undefined;
  readonly deviceClass: DeviceClass;
}

export interface CrushRule {
  readonly name: string;
  readonly deviceClass: DeviceClass;
  /** `host` when the class spans enough hosts for the pool size, else `osd`. */
  readonly failureDomain: 'host' | 'osd';
}

/**
 * Every disk the site marks `ceph-osd`, with the class CRUSH should use (NVMe counts as SSD). The
 * design (how many OSDs of which class on which host) holds whether or not a device path is
 * measured yet; only creating the OSD needs it.
 */
export function cephOsds(site: Site): Osd[] {
  return site.nodes.flatMap((n) => n.disks.filter((d) => d.role === 'ceph-osd').map((d) => {
    if (d.device === undefined) throw new Error(`node ${n.name}: a ceph-osd disk needs its device path in libs/site, or unmeasured('how to measure it')`);
    return { node: n.name, device: measuredValue(d.device), deviceClass: d.kind === 'hdd' ? 'hdd' as const : 'ssd' as const };
  }));
}

/**
 * One replicated rule per device class. A class spread over at least `size` hosts fails over by
 * host; the HDDs all sit in tower1, so their rule can only spread replicas over OSDs (and loses
 * everything with tower1; nothing is placed on it by default).
 */
export function crushRules(site: Site): CrushRule[] {
  const osds = cephOsds(site);
  return (['ssd', 'hdd'] as const).filter((c) => osds.some((o) => o.deviceClass === c)).map((deviceClass) => {
    const hosts = new Set(osds.filter((o) => o.deviceClass === deviceClass).map((o) => o.node));
    return { name: `ceph-${deviceClass}`, deviceClass, failureDomain: hosts.size >= siteFeature(site, 'storage.ceph').size ? 'host' : 'osd' };
  });
}

/** The rule the Kubernetes pool uses; it must spread `size` replicas over distinct hosts. */
export function poolRule(site: Site): CrushRule {
  const rule = crushRules(site).find((r) => r.deviceClass === 'ssd');
  if (!rule || rule.failureDomain !== 'host') {
    const ceph = siteFeature(site, 'storage.ceph');
    throw new Error(`the pool ${ceph.pool} needs SSD OSDs on at least ${ceph.size} hosts for ${ceph.size} replicas on distinct hosts`);
  }
  return rule;
}

/** The idempotent script for one node: its own daemons and OSDs, then the cluster-wide steps. */
export function nodeScript(ctx: RenderContext, node: ProxmoxNode): string {
  const { site } = ctx;
  const { pool, size, minSize } = siteFeature(site, 'storage.ceph');
  // An OSD whose device is unmeasured is left out; the manifest lists it and deploy waits for it.
  const osds = cephOsds(site).filter((o) => o.node === node.name && o.device !== undefined);
  const rules = crushRules(site);
  const ssdRule = poolRule(site);
  const monitors = cephMonitorNames(site);
  const monitor = monitors.includes(node.name);
  return renderScript(NODE_SCRIPT_SOURCE, {
    header: generatedHeader(ctx.service.pkg, `Ceph on ${node.name}: ${monitor ? 'monitor, manager, ' : ''}${osds.length} OSD(s), and the cluster-wide rules and pool.`),
    values: {
      node: node.name,
      public_network: site.network.cidr,
      monitor: monitor ? 1 : 0,
      monitor_names: monitors.join(', '),
      osd_disks: osds.map((o) => `${o.device}=${o.deviceClass}`),
      pool,
      pool_size: size,
      pool_min_size: minSize,
      pool_rule: ssdRule.name,
      osd_memory_target: OSD_MEMORY_TARGET_BYTES,
      crush_rules: { rows: rules.map((r) => [r.name, r.deviceClass, r.failureDomain]) },
    },
  });
}

function files(ctx: RenderContext): ConfigFile[] {
  return ctx.site.nodes.map((node) => ({
    path: NODE_SCRIPT, host: node.name, hostLevel: { reason: 'Ceph runs on the Proxmox nodes themselves (hyperconverged): each node sets up its own monitor and OSDs' }, mode: '0755', format: 'shell' as const, run: true, content: nodeScript(ctx, node),
  }));
}

export function monitorNodes(site: Site): ProxmoxNode[] {
  return cephMonitorNames(site).map((name) => {
    const node = site.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`Ceph monitor node ${name} is not a node of the site`);
    return node;
  });
}

// A function of the site: the OSDs, monitors and pool are its storage.ceph (a site without Ceph
// gets a MissingSiteFeature problem).
export default defineService((site) => ({
  name: 'ceph',
  description: 'Ceph distributed block storage: six OSDs (three SSD, three HDD), device-class CRUSH rules, the RBD pool for the Kubernetes VM disks',
  kind: 'none',
  tier: 'critical',
  group: 'storage',
  provides: ['block-storage'],
  // The OSDs are the nodes' own disks: their device paths are this service's inputs.
  nodeDisks: ['ceph-osd'],
  dependsOn: ['proxmox'],
  // Every manager serves the prometheus module; only the active one answers (standbys return an error).
  metrics: monitorNodes(site).map((n) => ({ name: `mgr-${n.name}`, port: MGR_METRICS_PORT, address: n.ip })),
  files,
  facts: {
    alertRules: { groups: CEPH_RULE_GROUPS, tests: cephAlertRuleTests() },
  },
}));
