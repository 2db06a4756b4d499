/**
 * Ceph's alert rules, carried as service data (`facts.alertRules.groups`) for the monitoring service to
 * install, with `promtool test rules` cases (`facts.alertRules.tests`) proving each alert fires on
 * the failure it names and stays quiet otherwise. Metric names are the Ceph manager prometheus
 * module's: ceph_health_status (0 OK, 1 WARN, 2 ERR), ceph_healthcheck_slow_ops,
 * ceph_osd_commit_latency_ms and ceph_osd_metadata (labels ceph_daemon, device_class, hostname).
 *
 * Annotations use only $labels, so a test's expected annotations come from the same templates.
 */
import type { AlertRule, RuleGroup, RuleTests } from '@homelab/core/model';

export const RUNBOOK = 'docs/runbooks/ceph-osd-restart.md';
/** HDD OSDs are "diverging" when their mean commit latency is this many times the SSD OSDs'... */
export const DIVERGENCE_RATIO = 10;
/** ...and above this many milliseconds (an idle cluster's ratios mean nothing). */
export const DIVERGENCE_FLOOR_MS = 100;
/** One OSD committing slower than this is the one the runbook restarts. */
export const SLOW_OSD_MS = 500;

/**
 * Per-OSD commit latency joined with the OSD's metadata. Both sides are first reduced to one
 * series per OSD, so a manager failover (two instances reporting for a few minutes) cannot make
 * the join many-to-many.
 */
function latencyBy(label: 'device_class' | 'hostname'): string {
  return `max by (ceph_daemon) (ceph_osd_commit_latency_ms) * on (ceph_daemon) group_left (${label}) max by (ceph_daemon, ${label}) (ceph_osd_metadata)`;
}

function classLatency(deviceClass: 'hdd' | 'ssd'): string {
  return `avg(${latencyBy('device_class').replace('(ceph_osd_metadata)', `(ceph_osd_metadata{device_class="${deviceClass}"})`)})`;
}

export const CEPH_ALERTS: readonly AlertRule[] = [
  {
    alert: 'CephHealthWarning',
    expr: 'max(ceph_health_status) == 1',
    for: '15m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'Ceph has been HEALTH_WARN for 15 minutes',
      description: `Run "ceph health detail" on a Proxmox node. Slow ops on one OSD stall TrueNAS writes, then NFS, then the containers: see ${RUNBOOK}.`,
      runbook: RUNBOOK,
    },
  },
  {
    alert: 'CephHealthError',
    expr: 'max(ceph_health_status) == 2',
    for: '1m',
    labels: { severity: 'critical' },
    annotations: {
      summary: 'Ceph is HEALTH_ERR',
      description: `Data may be unavailable. Run "ceph health detail" on a Proxmox node; ${RUNBOOK} covers the OSD restart.`,
      runbook: RUNBOOK,
    },
  },
  {
    alert: 'CephSlowOps',
    expr: 'max(ceph_healthcheck_slow_ops) > 0',
    for: '2m',
    labels: { severity: 'critical' },
    annotations: {
      summary: 'Ceph OSD operations are blocked (SLOW_OPS)',
      description: `The first link of the known failure chain (Ceph slow ops, TrueNAS write stall, NFS hang, frozen containers). Find and restart the slow OSD: ${RUNBOOK}.`,
      runbook: RUNBOOK,
    },
  },
  {
    alert: 'CephOsdSlow',
    expr: `${latencyBy('hostname')} > ${SLOW_OSD_MS}`,
    for: '5m',
    labels: { severity: 'warning' },
    annotations: {
      summary: '{{ $labels.ceph_daemon }} on {{ $labels.hostname }} commits slower than 500 ms',
      description: `One OSD is far slower than the rest; it is the one to restart (systemctl restart ceph-osd@<id> on {{ $labels.hostname }}): ${RUNBOOK}.`,
      runbook: RUNBOOK,
    },
  },
  {
    alert: 'CephOsdLatencyDivergence',
    expr: `${classLatency('hdd')} > ${DIVERGENCE_RATIO} * clamp_min(${classLatency('ssd')}, 1) and ${classLatency('hdd')} > ${DIVERGENCE_FLOOR_MS}`,
    for: '10m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'HDD OSDs commit more than 10 times slower than SSD OSDs',
      description: 'Mixed SSD/HDD OSDs diverge under heavy writes (the seed names this). Kubernetes disks are on the SSD rule; look for a pool or a recovery writing to the HDD OSDs.',
      runbook: RUNBOOK,
    },
  },
];

export const CEPH_RULE_GROUPS: readonly RuleGroup[] = [{ name: 'ceph', rules: CEPH_ALERTS }];

type Labels = Readonly<Record<string, string>>;

function seriesName(metric: string, labels: Labels): string {
  return `${metric}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}

function expand(template: string, labels: Labels): string {
  return template.replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_, k: string) => labels[k] ?? '');
}

/** What promtool expects of a firing alert: its labels and its annotations, expanded. */
function fired(alert: string, labels: Labels): { exp_labels: Labels; exp_annotations: Labels } {
  const rule = CEPH_ALERTS.find((r) => r.alert === alert)!;
  const allLabels = { ...labels, ...rule.labels };
  return {
    exp_labels: allLabels,
    exp_annotations: Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, expand(v, allLabels)])),
  };
}

const mgr = { instance: '192.0.2.29:9283', job: 'ceph-mgr' };

function osd(id: number, deviceClass: 'hdd' | 'ssd', hostname: string): { daemon: Labels; meta: Labels } {
  const daemon = { ...mgr, ceph_daemon: `osd.${id}` };
  return { daemon, meta: { ...daemon, device_class: deviceClass, hostname } };
}

/** Three SSD and three HDD OSDs, as the seed has them. */
const OSDS = [
  osd(0, 'ssd', 'node-a'), osd(1, 'ssd', 'node-b'), osd(2, 'ssd', 'node-c'),
  osd(3, 'hdd', 'node-d'), osd(4, 'hdd', 'node-d'), osd(5, 'hdd', 'node-d'),
];

/**
 * The promtool test cases: for each alert, one group where the failure happens (it must fire,
 * and not before its `for`) and one where it does not (it must stay quiet).
 */
export function cephAlertRuleTests(): RuleTests {
  const metadata = OSDS.map((o) => ({ series: seriesName('ceph_osd_metadata', o.meta), values: '1x40' }));
  const latency = (ms: (o: (typeof OSDS)[number]) => string) => OSDS.map((o) => ({ series: seriesName('ceph_osd_commit_latency_ms', o.daemon), values: ms(o) }));
  const slow = OSDS[4]!;
  const tests = [
    {
      name: 'CephHealthWarning fires after 15 minutes of HEALTH_WARN',
      interval: '1m',
      input_series: [{ series: seriesName('ceph_health_status', mgr), values: '0x5 1x30' }],
      alert_rule_test: [
        { eval_time: '5m', alertname: 'CephHealthWarning', exp_alerts: [] },
        { eval_time: '15m', alertname: 'CephHealthWarning', exp_alerts: [] },
        { eval_time: '25m', alertname: 'CephHealthWarning', exp_alerts: [fired('CephHealthWarning', {})] },
        { eval_time: '25m', alertname: 'CephHealthError', exp_alerts: [] },
      ],
    },
    {
      name: 'CephHealthError fires on HEALTH_ERR; nothing fires while HEALTH_OK',
      interval: '1m',
      input_series: [{ series: seriesName('ceph_health_status', mgr), values: '0x20 2x10' }],
      alert_rule_test: [
        { eval_time: '20m', alertname: 'CephHealthWarning', exp_alerts: [] },
        { eval_time: '20m', alertname: 'CephHealthError', exp_alerts: [] },
        { eval_time: '23m', alertname: 'CephHealthError', exp_alerts: [fired('CephHealthError', {})] },
      ],
    },
    {
      name: 'CephSlowOps fires while operations are blocked and clears after',
      interval: '1m',
      input_series: [{ series: seriesName('ceph_healthcheck_slow_ops', mgr), values: '0x5 7x10 0x10' }],
      alert_rule_test: [
        { eval_time: '5m', alertname: 'CephSlowOps', exp_alerts: [] },
        { eval_time: '10m', alertname: 'CephSlowOps', exp_alerts: [fired('CephSlowOps', {})] },
        { eval_time: '25m', alertname: 'CephSlowOps', exp_alerts: [] },
      ],
    },
    {
      name: 'CephOsdSlow names the one slow OSD and its host',
      interval: '1m',
      input_series: [...metadata, ...latency((o) => (o === slow ? '20 20 900x20' : o.meta.device_class === 'hdd' ? '30x22' : '2x22'))],
      alert_rule_test: [
        { eval_time: '4m', alertname: 'CephOsdSlow', exp_alerts: [] },
        { eval_time: '12m', alertname: 'CephOsdSlow', exp_alerts: [fired('CephOsdSlow', { ceph_daemon: slow.meta.ceph_daemon!, hostname: slow.meta.hostname! })] },
      ],
    },
    {
      name: 'CephOsdLatencyDivergence fires when HDD OSDs fall far behind SSD OSDs',
      interval: '1m',
      input_series: [...metadata, ...latency((o) => (o.meta.device_class === 'hdd' ? '40x5 400x30' : '3x36'))],
      alert_rule_test: [
        { eval_time: '5m', alertname: 'CephOsdLatencyDivergence', exp_alerts: [] },
        { eval_time: '12m', alertname: 'CephOsdLatencyDivergence', exp_alerts: [] },
        { eval_time: '20m', alertname: 'CephOsdLatencyDivergence', exp_alerts: [fired('CephOsdLatencyDivergence', {})] },
      ],
    },
    {
      name: 'CephOsdLatencyDivergence stays quiet when both classes are slow (a cluster-wide problem) or both are fast',
      interval: '1m',
      input_series: [...metadata, ...latency((o) => (o.meta.device_class === 'hdd' ? '40x15 400x20' : '3x15 200x20'))],
      alert_rule_test: [
        { eval_time: '14m', alertname: 'CephOsdLatencyDivergence', exp_alerts: [] },
        { eval_time: '34m', alertname: 'CephOsdLatencyDivergence', exp_alerts: [] },
        { eval_time: '34m', alertname: 'CephOsdSlow', exp_alerts: [] },
      ],
    },
  ];
  return { evaluation_interval: '1m', tests };
}
