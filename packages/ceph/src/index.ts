/**
 * Ceph on the Proxmox nodes (pveceph): monitors and managers, six OSDs from the site's node disks
 * with role `ceph-osd` and an explicit device class, one CRUSH rule per device class, and the RBD
 * pool for the Kubernetes VM disks (3 replicas, min_size 2) on the SSD rule. Applied by one
 * idempotent script per node. Its alert rules travel as service data for the monitoring service.
 */
import { defineService, generatedHeader, shellQuote, siteFeature, type ConfigFile, type ProxmoxNode, type RenderContext, type Site } from '@homelab/core';
import { CEPH_RULE_GROUPS, cephAlertRuleTests } from './alerts.ts';

export { CEPH_ALERTS, CEPH_RULE_GROUPS, cephAlertRuleTests, DIVERGENCE_FLOOR_MS, DIVERGENCE_RATIO, RUNBOOK, SLOW_OSD_MS } from './alerts.ts';

/** The nodes that run a monitor and a manager: the site's storage.ceph.monitors. */
export function cephMonitorNames(site: Site): readonly string[] {
  return siteFeature(site, 'storage.ceph').monitors;
}
export const NODE_SCRIPT = '/usr/local/sbin/homelab-ceph.sh';
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
  readonly device: string;
  readonly deviceClass: DeviceClass;
}

export interface CrushRule {
  readonly name: string;
  readonly deviceClass: DeviceClass;
  /** `host` when the class spans enough hosts for the pool size, else `osd`. */
  readonly failureDomain: 'host' | 'osd';
}

/** Every disk the site marks `ceph-osd`, with the class CRUSH should use (NVMe counts as SSD). */
export function cephOsds(site: Site): Osd[] {
  return site.nodes.flatMap((n) => n.disks.filter((d) => d.role === 'ceph-osd').map((d) => {
    if (!d.device) throw new Error(`node ${n.name}: a ceph-osd disk needs its device path in libs/site`);
    return { node: n.name, device: d.device, deviceClass: d.kind === 'hdd' ? 'hdd' as const : 'ssd' as const };
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
  const osds = cephOsds(site).filter((o) => o.node === node.name);
  const rules = crushRules(site);
  const ssdRule = poolRule(site);
  const monitors = cephMonitorNames(site);
  const monitor = monitors.includes(node.name);
  const header = generatedHeader(ctx.service.pkg, `Ceph on ${node.name}: ${monitor ? 'monitor, manager, ' : ''}${osds.length} OSD(s), and the cluster-wide rules and pool.`);
  return `#!/usr/bin/env bash
${header.map((l) => `# ${l}`).join('\n')}
#
# Every node runs this on every deploy. Each step checks before it creates, so a second run
# changes nothing; "homelab: changed: ..." lines tell the playbook what did change. The
# cluster-wide steps (manager module, CRUSH rules, pool) run on every node: whichever node runs
# after the OSDs of a device class exist creates that class's rule, so one deploy converges.
set -euo pipefail

readonly node=${shellQuote(node.name)}
readonly public_network=${shellQuote(site.network.cidr)}
readonly monitor=${monitor ? 1 : 0}
# OSD disks of this node (libs/site, role ceph-osd) as device=class.
readonly osd_disks=(${osds.map((o) => shellQuote(`${o.device}=${o.deviceClass}`)).join(' ')})
readonly pool=${shellQuote(pool)}
readonly pool_size=${size}
readonly pool_min_size=${minSize}
readonly pool_rule=${shellQuote(ssdRule.name)}
readonly osd_memory_target=${OSD_MEMORY_TARGET_BYTES}

changed() { printf 'homelab: changed: %s\\n' "$*"; }
die() { printf 'error: %s\\n' "$*" >&2; exit 1; }
# Never wait for ever on a cluster without quorum.
ceph_() { ceph --connect-timeout 30 "$@"; }

[[ "$(hostname)" == "\${node}" ]] || die "this script is for \${node}, but this is $(hostname)"
for tool in pveceph pvesh ceph jq; do
  command -v "\${tool}" >/dev/null 2>&1 || die "\${tool} is missing on \${node}"
done
command -v ceph-osd >/dev/null 2>&1 \\
  || die "the Ceph packages are not installed on \${node}: run 'pveceph install --repository no-subscription' once (packages/ceph/README.md)"

# 1. The cluster configuration (/etc/pve is shared: the first node to run creates it).
if [[ ! -e /etc/pve/ceph.conf ]]; then
  pveceph init --network "\${public_network}"
  changed "ceph initialised for \${public_network}"
fi

# 2. Monitor and manager on the designated nodes.
if (( monitor )); then
  if [[ ! -d "/var/lib/ceph/mon/ceph-\${node}" ]]; then
    pveceph mon create
    changed "monitor on \${node}"
  fi
  if [[ ! -d "/var/lib/ceph/mgr/ceph-\${node}" ]]; then
    pveceph mgr create
    changed "manager on \${node}"
  fi
fi
ceph_ status >/dev/null || die "no Ceph monitor answers: deploy the monitor nodes (${monitors.join(', ')}) first"

# 3. This node's OSDs, with the device class set explicitly (not guessed from the rotational flag).
for entry in "\${osd_disks[@]}"; do
  disk="\${entry%%=*}"
  class="\${entry##*=}"
  [[ -b "\${disk}" ]] || die "OSD disk \${disk} is not a block device on \${node}"
  dev="$(readlink -f "\${disk}")"
  osdid="$(pvesh get "/nodes/\${node}/disks/list" --output-format json \\
    | jq -r --arg d "\${dev}" '.[] | select(.devpath == $d) | (.osdid // -1)')"
  [[ -n "\${osdid}" ]] || die "\${dev} is not in the disk list of \${node}"
  if (( osdid < 0 )); then
    pveceph osd create "\${dev}" --crush-device-class "\${class}"
    changed "OSD on \${dev} (\${class})"
  fi
done

# 4. Cluster-wide settings.
if ! ceph_ mgr module ls --format json | jq -e '.enabled_modules | index("prometheus")' >/dev/null; then
  ceph_ mgr module enable prometheus
  changed "manager prometheus module enabled"
fi
set_config() {
  local current
  current="$(ceph_ config get "$1" "$2" 2>/dev/null || true)"
  if [[ "\${current}" != "$3" ]]; then
    ceph_ config set "$1" "$2" "$3"
    changed "config $1 $2 = $3"
  fi
}
# Standby managers answer scrapes with an error instead of an HTML page.
set_config mgr mgr/prometheus/standby_behaviour error
set_config osd osd_memory_target "\${osd_memory_target}"

# 5. One CRUSH rule per device class, created once the class has an OSD.
ensure_rule() {
  local rule="$1" class="$2" domain="$3"
  if ceph_ osd crush rule ls | grep -qxF "\${rule}"; then return 0; fi
  if ! ceph_ osd crush class ls --format json | jq -e --arg c "\${class}" 'index($c)' >/dev/null; then
    echo "CRUSH rule \${rule} waits for the first \${class} OSD"
    return 0
  fi
  ceph_ osd crush rule create-replicated "\${rule}" default "\${domain}" "\${class}"
  changed "CRUSH rule \${rule} (\${class}, failure domain \${domain})"
}
${rules.map((r) => `ensure_rule ${shellQuote(r.name)} ${shellQuote(r.deviceClass)} ${shellQuote(r.failureDomain)}`).join('\n')}

# 6. The RBD pool for the Kubernetes VM disks, on the SSD rule, and its settings kept as declared.
ensure_pool_value() {
  local name="$1" key="$2" want="$3" have
  have="$(ceph_ osd pool get "\${name}" "\${key}" --format json | jq -r --arg k "\${key}" '.[$k]')"
  if [[ "\${have}" != "\${want}" ]]; then
    ceph_ osd pool set "\${name}" "\${key}" "\${want}"
    changed "pool \${name} \${key} = \${want} (was \${have})"
  fi
}
if ceph_ osd crush rule ls | grep -qxF "\${pool_rule}"; then
  if ! ceph_ osd pool ls | grep -qxF "\${pool}"; then
    pveceph pool create "\${pool}" --size "\${pool_size}" --min_size "\${pool_min_size}" \\
      --crush_rule "\${pool_rule}" --application rbd --pg_autoscale_mode on
    changed "pool \${pool} (size \${pool_size}, min_size \${pool_min_size}, rule \${pool_rule})"
  fi
  ensure_pool_value "\${pool}" size "\${pool_size}"
  ensure_pool_value "\${pool}" min_size "\${pool_min_size}"
  ensure_pool_value "\${pool}" crush_rule "\${pool_rule}"
  # The manager's own pool would otherwise use the class-less default rule; a mix of class rules
  # and the default rule gives overlapping roots, and the PG autoscaler then does nothing.
  if ceph_ osd pool ls | grep -qxF .mgr; then
    ensure_pool_value .mgr crush_rule "\${pool_rule}"
  fi
else
  echo "pool \${pool} waits for CRUSH rule \${pool_rule}"
fi
`;
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
  dependsOn: ['proxmox'],
  // Every manager serves the prometheus module; only the active one answers (standbys return an error).
  metrics: monitorNodes(site).map((n) => ({ name: `mgr-${n.name}`, port: MGR_METRICS_PORT, address: n.ip })),
  files,
  facts: {
    alertRules: { groups: CEPH_RULE_GROUPS, tests: cephAlertRuleTests() },
  },
}));
