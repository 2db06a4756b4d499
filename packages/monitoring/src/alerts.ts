/**
 * The homelab's own alert rules and, for each one, a `promtool test rules` case proving it fires on
 * the failure it names and stays quiet otherwise. Annotations use only `$labels`, so the expected
 * annotations of a test are computed from the same templates.
 */
import type { AlertRule, RuleGroup } from '@homelab/core/model';

/** The blackbox job that probes every route (its name is part of the rules). */
export const BLACKBOX_JOB = 'blackbox-https';
export const CERT_MIN_DAYS = 14;
/** Written by the NFS check timer on every Proxmox host (node_exporter textfile collector). */
export const NFS_RESPONSIVE_METRIC = 'homelab_nfs_mount_responsive';
export const NFS_LAST_CHECK_METRIC = 'homelab_nfs_mount_last_check_timestamp_seconds';
/** A check older than this means the check itself hung on the mount. */
export const NFS_STALE_SECONDS = 300;

export const HOMELAB_RULES: readonly AlertRule[] = [
  {
    alert: 'TargetDown',
    expr: 'up == 0',
    for: '5m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'Scrape target {{ $labels.instance }} of job {{ $labels.job }} is down',
      description: 'Prometheus has not been able to scrape {{ $labels.instance }} (job {{ $labels.job }}) for 5 minutes.',
    },
  },
  {
    alert: 'RouteDown',
    expr: `probe_success{job="${BLACKBOX_JOB}"} == 0`,
    for: '5m',
    labels: { severity: 'critical' },
    annotations: {
      summary: '{{ $labels.instance }} is not answering through Traefik',
      description: 'The blackbox https probe of {{ $labels.instance }} (service {{ $labels.service }}) has failed for 5 minutes.',
    },
  },
  {
    alert: 'CephHealthNotOk',
    // Ceph mgr prometheus module: 0 = HEALTH_OK, 1 = HEALTH_WARN, 2 = HEALTH_ERR.
    expr: 'ceph_health_status != 0',
    for: '5m',
    labels: { severity: 'critical' },
    annotations: {
      summary: 'Ceph is not HEALTH_OK',
      description: 'Ceph reported HEALTH_WARN or HEALTH_ERR for 5 minutes (instance {{ $labels.instance }}). Slow ops stall TrueNAS writes and then NFS: see the OSD restart runbook.',
    },
  },
  {
    alert: 'CertificateExpiresSoon',
    expr: `probe_ssl_earliest_cert_expiry{job="${BLACKBOX_JOB}"} - time() < ${CERT_MIN_DAYS} * 86400`,
    for: '10m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'The certificate served for {{ $labels.instance }} expires in less than 14 days',
      description: 'Traefik renews the wildcard 30 days before expiry; a certificate this close to expiry means renewal (DNS-01 through Cloudflare) is failing.',
    },
  },
  {
    alert: 'NfsMountStalled',
    expr: `${NFS_RESPONSIVE_METRIC} == 0 or time() - ${NFS_LAST_CHECK_METRIC} > ${NFS_STALE_SECONDS}`,
    for: '2m',
    labels: { severity: 'critical' },
    annotations: {
      summary: 'NFS mount {{ $labels.mountpoint }} on {{ $labels.instance }} is stalled',
      description: 'stat of {{ $labels.mountpoint }} timed out or the check itself hung. LXC processes with bind mounts of it block on I/O; recovery happens on the Proxmox host, not in the container.',
    },
  },
];

/**
 * Built-in rules a service may replace with its own (`facts.alertRules`): the built-in is dropped
 * when a contributed rule uses the same metric (Ceph's package carries finer Ceph health rules).
 */
const REPLACEABLE: Readonly<Record<string, string>> = { CephHealthNotOk: 'ceph_health_status' };

/** The built-in rules that no contributed rule replaces. */
export function homelabRules(contributedExprs: readonly string[]): AlertRule[] {
  return HOMELAB_RULES.filter((r) => !(r.alert in REPLACEABLE && contributedExprs.some((e) => e.includes(REPLACEABLE[r.alert]!))));
}

export function homelabRuleGroup(contributedExprs: readonly string[]): RuleGroup {
  return { name: 'homelab', rules: homelabRules(contributedExprs) };
}

interface Series { readonly series: string; readonly values: string }
interface AlertCase { readonly eval_time: string; readonly alertname: string; readonly exp_alerts: readonly { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[] }

function rule(name: string): AlertRule {
  const r = HOMELAB_RULES.find((x) => x.alert === name);
  if (!r) throw new Error(`no rule ${name}`);
  return r;
}

/** Expands `{{ $labels.x }}` the way Prometheus' template engine does for these annotations. */
export function expandAnnotations(r: AlertRule, labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(r.annotations ?? {}).map(([k, v]) => [k, v.replace(/\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_m, l: string) => labels[l] ?? '')]));
}

function series(metric: string, labels: Record<string, string>, values: string): Series {
  return { series: `${metric}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`, values };
}

function fired(name: string, labels: Record<string, string>) {
  const r = rule(name);
  return { exp_labels: { ...r.labels, ...labels }, exp_annotations: expandAnnotations(r, labels) };
}

/** A test group: a failing and a healthy input together, quiet before `for`, then only the failing one fires. */
function group(name: string, input: Series[], quietAt: string, fireAt: string, failing: Record<string, string>[], interval = '1m') {
  const cases: AlertCase[] = [
    { eval_time: quietAt, alertname: name, exp_alerts: [] },
    { eval_time: fireAt, alertname: name, exp_alerts: failing.map((l) => fired(name, l)) },
  ];
  return { name: `${name} fires on the failure it names and stays quiet otherwise`, interval, input_series: input, alert_rule_test: cases };
}

/** The promtool unit tests of the given built-in rules: one group (or two) per rule, every rule covered. */
export function homelabRuleTests(ruleFile: string, rules: readonly AlertRule[] = HOMELAB_RULES): Record<string, unknown> {
  const down = { job: 'traefik', instance: '192.168.0.20:8082', service: 'traefik' };
  const upOk = { job: 'authentik', instance: '192.168.0.28:9300', service: 'authentik' };
  const routeBad = { job: BLACKBOX_JOB, instance: 'https://grafana.example.test/api/health', service: 'monitoring' };
  const routeOk = { job: BLACKBOX_JOB, instance: 'https://auth.example.test/-/health/live/', service: 'authentik' };
  const cephBad = { job: 'ceph', instance: '192.168.0.29:9283' };
  const certBad = { job: BLACKBOX_JOB, instance: 'https://old.example.test/', service: 'old' };
  const certOk = { job: BLACKBOX_JOB, instance: 'https://fresh.example.test/', service: 'fresh' };
  const nfsHung = { instance: '192.168.0.29:9100', job: 'pve-node-exporter', mountpoint: '/mnt/pve/nfs', node: 'pve1' };
  const nfsCheckStuck = { instance: '192.168.0.30:9100', job: 'pve-node-exporter', mountpoint: '/mnt/pve/nfs', node: 'pve2' };
  const nfsOk = { instance: '192.168.0.31:9100', job: 'pve-node-exporter', mountpoint: '/mnt/pve/nfs', node: 'pve3' };
  const groups = [
    group('TargetDown', [series('up', down, '0x15'), series('up', upOk, '1x15')], '4m', '10m', [down]),
    group('RouteDown', [series('probe_success', routeBad, '0x15'), series('probe_success', routeOk, '1x15')], '4m', '10m', [routeBad]),
    group('CephHealthNotOk', [series('ceph_health_status', cephBad, '0 0 1x15')], '5m', '12m', [cephBad]),
    {
      name: 'CephHealthNotOk stays quiet while Ceph is HEALTH_OK',
      interval: '1m',
      input_series: [series('ceph_health_status', cephBad, '0x30')],
      alert_rule_test: [{ eval_time: '30m', alertname: 'CephHealthNotOk', exp_alerts: [] }],
    },
    // 10 days left vs 60 days left, constant: only the first is under 14 days.
    group('CertificateExpiresSoon', [series('probe_ssl_earliest_cert_expiry', certBad, '864000x30'), series('probe_ssl_earliest_cert_expiry', certOk, '5184000x30')], '5m', '20m', [certBad]),
    // pve1: stat timed out (responsive 0); pve2: the check hung, so its timestamp stopped at 0;
    // pve3: healthy, checked every minute.
    group('NfsMountStalled', [
      series(NFS_RESPONSIVE_METRIC, nfsHung, '1 1 0x20'), series(NFS_LAST_CHECK_METRIC, nfsHung, '0+60x22'),
      series(NFS_RESPONSIVE_METRIC, nfsCheckStuck, '1x22'), series(NFS_LAST_CHECK_METRIC, nfsCheckStuck, '0x22'),
      series(NFS_RESPONSIVE_METRIC, nfsOk, '1x22'), series(NFS_LAST_CHECK_METRIC, nfsOk, '0+60x22'),
    ], '3m', '15m', [nfsHung, nfsCheckStuck]),
  ];
  const names = new Set(rules.map((r) => r.alert));
  const kept = groups.filter((g) => g.alert_rule_test.every((c) => names.has(c.alertname)));
  return { rule_files: [ruleFile], evaluation_interval: '1m', tests: kept };
}
