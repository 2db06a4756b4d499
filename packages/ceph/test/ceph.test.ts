import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { serviceAlertRules, toYaml, type RuleGroup, type Site } from '@homelab/core';
import { fixtureSite as site, synthesizeFor } from '@homelab/core/testing';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';
import { cephMonitorNames, CEPH_RULE_GROUPS, cephAlertRuleTests, cephOsds, crushRules, NODE_SCRIPT, poolRule } from '../src/index.ts';

const c = await synthesizeFor(site, 'ceph');
const ceph = c.service;
const promtool = spawnSync('promtool', ['--version']).status === 0;
const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
const script = (node: string) => c.text(`files/${node}${NODE_SCRIPT}`);
const nodeNames = site.nodes.map((n) => n.name);
const ceph_ = site.storage.ceph!;
/** The fixture site with HDD OSDs added on one node only: the shape a single-host HDD shelf has. */
const withHddShelf: Site = {
  ...site,
  nodes: site.nodes.map((n, i) => (i === 0 ? { ...n, disks: [...n.disks, { kind: 'hdd', sizeGiB: 4096, role: 'ceph-osd', device: '/dev/disk/by-id/shelf-1' }, { kind: 'hdd', sizeGiB: 4096, role: 'ceph-osd', device: '/dev/disk/by-id/shelf-2' }] } : n)),
};

describe('ceph: OSDs and placement', () => {
  it('takes its OSDs from the node disks with role ceph-osd, NVMe and SSD as class ssd, HDD as hdd', () => {
    const fromSite = withHddShelf.nodes.flatMap((n) => n.disks.filter((d) => d.role === 'ceph-osd').map((d) => `${n.name}:${d.device}:${d.kind === 'hdd' ? 'hdd' : 'ssd'}`));
    expect(fromSite.length).toBeGreaterThan(site.nodes.length);
    expect(cephOsds(withHddShelf).map((o) => `${o.node}:${o.device}:${o.deviceClass}`)).toEqual(fromSite);
    expect(cephOsds({ ...site, nodes: site.nodes.map((n) => ({ ...n, disks: n.disks.map((d) => ({ ...d, kind: 'nvme' as const })) })) }).every((o) => o.deviceClass === 'ssd')).toBe(true);
  });
  it('has one CRUSH rule per device class; SSDs over enough hosts fail over by host, single-host HDDs by OSD', () => {
    expect(crushRules(withHddShelf)).toEqual([
      { name: 'ceph-ssd', deviceClass: 'ssd', failureDomain: 'host' },
      { name: 'ceph-hdd', deviceClass: 'hdd', failureDomain: 'osd' },
    ]);
    expect(crushRules(site)).toEqual([{ name: 'ceph-ssd', deviceClass: 'ssd', failureDomain: 'host' }]);
    expect(poolRule(withHddShelf).name).toBe('ceph-ssd');
  });
  it('refuses a pool size the SSD hosts cannot hold', () => {
    const hosts = new Set(cephOsds(site).filter((o) => o.deviceClass === 'ssd').map((o) => o.node)).size;
    expect(() => poolRule({ ...site, storage: { ...site.storage, ceph: { ...ceph_, size: hosts + 1 } } })).toThrow(new RegExp(`at least ${hosts + 1} hosts`));
  });
});

describe('ceph: node scripts', () => {
  it('every node gets the script, run by deploy', () => {
    const targets = c.json('manifest.json').artifacts.filter((a: any) => a.target?.path === NODE_SCRIPT).map((a: any) => a.target.host).sort();
    expect(targets).toEqual([...nodeNames].sort());
    const plays = parse(c.text('ansible/playbook.yml')) as { hosts: string; tasks: Record<string, any>[] }[];
    for (const play of plays) expect(play.tasks.some((t) => t.name === `Run ${NODE_SCRIPT}`)).toBe(true);
  });
  it('creates each OSD on its own node with an explicit device class, after checking the disk is not one already', () => {
    for (const n of site.nodes) {
      const own = n.disks.filter((d) => d.role === 'ceph-osd').map((d) => `${d.device}=${d.kind === 'hdd' ? 'hdd' : 'ssd'}`);
      expect(script(n.name), n.name).toContain(`readonly osd_disks=(${own.join(' ')})`);
    }
    expect(script(nodeNames[0]!)).toMatch(/if \(\( osdid < 0 \)\); then\n\s+pveceph osd create "\$\{dev\}" --crush-device-class "\$\{class\}"/);
  });
  it('runs monitors and managers on the site\'s designated nodes only', async () => {
    // The fixture puts a monitor on every node; a site with fewer monitors than nodes shows the other branch.
    const fewer: Site = { ...site, storage: { ...site.storage, ceph: { ...ceph_, monitors: nodeNames.slice(0, 2) } } };
    const other = await synthesizeFor(fewer, 'ceph');
    for (const [s, monitors] of [[c, ceph_.monitors], [other, nodeNames.slice(0, 2)]] as const) {
      for (const node of nodeNames) expect(s.text(`files/${node}${NODE_SCRIPT}`), node).toContain(`readonly monitor=${monitors.includes(node) ? 1 : 0}`);
    }
  });
  it('creates the device-class rules and the site\'s replicated RBD pool on the SSD rule, idempotently', () => {
    const text = script(nodeNames[1]!);
    expect(text).toContain('ensure_rule ceph-ssd ssd host');
    expect(text).toContain(`readonly pool=${ceph_.pool}`);
    expect(text).toContain(`readonly pool_size=${ceph_.size}`);
    expect(text).toContain(`readonly pool_min_size=${ceph_.minSize}`);
    expect(text).toContain('readonly pool_rule=ceph-ssd');
    expect(text).toContain('if ! ceph_ osd pool ls | grep -qxF "${pool}"; then');
    expect(text).toContain('ensure_pool_value "${pool}" min_size "${pool_min_size}"');
    expect(text).toContain('ensure_pool_value .mgr crush_rule "${pool_rule}"');
  });
  it.skipIf(!shellcheck).each(nodeNames)('the script of %s passes shellcheck', (node) => {
    const r = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: script(node), encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
  it('depends on proxmox and exposes the manager prometheus module of each manager node', () => {
    expect(ceph.dependsOn).toEqual(['proxmox']);
    const managers = cephMonitorNames(site).map((m) => site.nodes.find((n) => n.name === m)!.ip);
    expect(ceph.metrics.map((m) => `${m.address}:${m.port}`)).toEqual(managers.map((ip) => `${ip}:9283`));
  });
});

describe('ceph: alert rules travel as service data', () => {
  const groups = serviceAlertRules(ceph);
  const rulesYaml = toYaml({ groups });
  const testsYaml = (rules: string) => toYaml({ ...cephAlertRuleTests(), rule_files: [rules] });

  it('carries the health, slow-ops and SSD/HDD latency alerts in facts.alertRules', () => {
    expect(groups.flatMap((g) => g.rules.map((r) => r.alert))).toEqual(['CephHealthWarning', 'CephHealthError', 'CephSlowOps', 'CephOsdSlow', 'CephOsdLatencyDivergence']);
    const divergence = groups[0]!.rules.find((r) => r.alert === 'CephOsdLatencyDivergence')!;
    expect(divergence.expr).toContain('ceph_osd_metadata{device_class="hdd"}');
    expect(divergence.expr).toContain('ceph_osd_metadata{device_class="ssd"}');
    expect(divergence.expr).toContain('ceph_osd_commit_latency_ms');
    expect(groups[0]!.rules.find((r) => r.alert === 'CephHealthWarning')!.expr).toContain('ceph_health_status');
  });
  it('the rules and their unit tests pass the Prometheus schemas', () => {
    expect(validateArtifact('prometheus-rules', rulesYaml, 'ceph.yml').problems).toEqual([]);
    expect(validateArtifact('prometheus-rules-test', testsYaml('ceph.yml'), 'ceph.test.yml').problems).toEqual([]);
  });
  it('every alert has a test where it fires and one where it stays quiet', () => {
    const tests = cephAlertRuleTests().tests as { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    for (const rule of groups[0]!.rules) {
      const cases = tests.flatMap((t) => t.alert_rule_test).filter((x) => x.alertname === rule.alert);
      expect(cases.some((x) => x.exp_alerts.length > 0), `${rule.alert} fires somewhere`).toBe(true);
      expect(cases.some((x) => x.exp_alerts.length === 0), `${rule.alert} is quiet somewhere`).toBe(true);
    }
  });

  function promtoolTest(ruleGroups: readonly RuleGroup[]): { status: number | null; output: string } {
    const dir = mkdtempSync(join(tmpdir(), 'ceph-rules-'));
    writeFileSync(join(dir, 'ceph.yml'), toYaml({ groups: ruleGroups }));
    writeFileSync(join(dir, 'ceph.test.yml'), testsYaml('ceph.yml'));
    const r = spawnSync('promtool', ['test', 'rules', 'ceph.test.yml'], { cwd: dir, encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }

  it.skipIf(!promtool)('promtool test rules passes: each alert fires on its failure and stays quiet otherwise', () => {
    const r = promtoolTest(CEPH_RULE_GROUPS);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
  it.skipIf(!promtool)('promtool catches a broken rule (the divergence alert comparing the wrong classes)', () => {
    const broken = CEPH_RULE_GROUPS.map((g) => ({
      ...g,
      rules: g.rules.map((r) => (r.alert === 'CephOsdLatencyDivergence' ? { ...r, expr: r.expr.replaceAll('"hdd"', '"tmp"').replaceAll('"ssd"', '"hdd"').replaceAll('"tmp"', '"ssd"') } : r)),
    }));
    const r = promtoolTest(broken);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('CephOsdLatencyDivergence');
  });
});
