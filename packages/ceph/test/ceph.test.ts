import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { serviceAlertRules, toYaml, type RuleGroup } from '@homelab/core';
import { site } from '@homelab/site';
import { synthesized, synthesizeThisSite } from '@homelab/site/testing';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';
import { cephMonitorNames, CEPH_RULE_GROUPS, cephAlertRuleTests, cephOsds, crushRules, NODE_SCRIPT, poolRule } from '../src/index.ts';

const c = await synthesized('ceph');
const s = await synthesizeThisSite();
const ceph = s.home.byName.get('ceph')!;
const promtool = spawnSync('promtool', ['--version']).status === 0;
const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
const script = (node: string) => c.text(`files/${node}${NODE_SCRIPT}`);

describe('ceph: OSDs and placement', () => {
  it('has six OSDs, three SSD and three HDD, taken from the node disks with role ceph-osd', () => {
    const osds = cephOsds(site);
    expect(osds).toHaveLength(6);
    expect(osds.filter((o) => o.deviceClass === 'ssd').map((o) => o.node)).toEqual(['pve2', 'pve3', 'zotac']);
    expect(osds.filter((o) => o.deviceClass === 'hdd').map((o) => o.node)).toEqual(['tower1', 'tower1', 'tower1']);
    const fromSite = site.nodes.flatMap((n) => n.disks.filter((d) => d.role === 'ceph-osd').map((d) => `${n.name}:${d.device}`));
    expect(osds.map((o) => `${o.node}:${o.device}`)).toEqual(fromSite);
  });
  it('has one CRUSH rule per device class; SSDs fail over by host, the single-host HDDs by OSD', () => {
    expect(crushRules(site)).toEqual([
      { name: 'ceph-ssd', deviceClass: 'ssd', failureDomain: 'host' },
      { name: 'ceph-hdd', deviceClass: 'hdd', failureDomain: 'osd' },
    ]);
    expect(poolRule(site).name).toBe('ceph-ssd');
  });
  it('refuses a pool size the SSD hosts cannot hold', () => {
    expect(() => poolRule({ ...site, storage: { ...site.storage, ceph: { ...site.storage.ceph!, size: 4 } } })).toThrow(/at least 4 hosts/);
  });
});

describe('ceph: node scripts', () => {
  it('every node gets the script, run by deploy', () => {
    const targets = c.json('manifest.json').artifacts.filter((a: any) => a.target?.path === NODE_SCRIPT).map((a: any) => a.target.host).sort();
    expect(targets).toEqual(site.nodes.map((n) => n.name).sort());
    const plays = parse(c.text('ansible/playbook.yml')) as { hosts: string; tasks: Record<string, any>[] }[];
    for (const play of plays) expect(play.tasks.some((t) => t.name === `Run ${NODE_SCRIPT}`)).toBe(true);
  });
  it('creates each OSD on its own node with an explicit device class, after checking the disk is not one already', () => {
    expect(script('pve2')).toContain("readonly osd_disks=(/dev/sdb=ssd)");
    expect(script('zotac')).toContain("readonly osd_disks=(/dev/nvme1n1=ssd)");
    expect(script('tower1')).toContain("readonly osd_disks=(/dev/disk/by-id/ata-HDD-OSD-1=hdd /dev/disk/by-id/ata-HDD-OSD-2=hdd /dev/disk/by-id/ata-HDD-OSD-3=hdd)");
    expect(script('pve1')).toContain('readonly osd_disks=()');
    expect(script('pve2')).toMatch(/if \(\( osdid < 0 \)\); then\n\s+pveceph osd create "\$\{dev\}" --crush-device-class "\$\{class\}"/);
  });
  it('runs monitors and managers on the three designated nodes only', () => {
    for (const node of site.nodes.map((n) => n.name)) {
      expect(script(node)).toContain(`readonly monitor=${cephMonitorNames(site).includes(node) ? 1 : 0}`);
    }
  });
  it('creates the device-class rules and the 3/2 RBD pool on the SSD rule, idempotently', () => {
    const text = script('pve3');
    expect(text).toContain("ensure_rule ceph-ssd ssd host");
    expect(text).toContain("ensure_rule ceph-hdd hdd osd");
    expect(text).toContain("readonly pool=rbd-k8s");
    expect(text).toContain('readonly pool_size=3');
    expect(text).toContain('readonly pool_min_size=2');
    expect(text).toContain("readonly pool_rule=ceph-ssd");
    expect(text).toContain('if ! ceph_ osd pool ls | grep -qxF "${pool}"; then');
    expect(text).toContain('ensure_pool_value "${pool}" min_size "${pool_min_size}"');
    expect(text).toContain('ensure_pool_value .mgr crush_rule "${pool_rule}"');
  });
  it.skipIf(!shellcheck).each(['pve1', 'pve2', 'pve3', 'tower1', 'zotac'])('the script of %s passes shellcheck', (node) => {
    const r = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: script(node), encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
  it('depends on proxmox and exposes the manager prometheus module of each manager node', () => {
    expect(ceph.dependsOn).toEqual(['proxmox']);
    expect(ceph.metrics.map((m) => `${m.address}:${m.port}`)).toEqual(['192.168.86.29:9283', '192.168.86.130:9283', '192.168.86.147:9283']);
    expect(s.problems.filter((x) => x.source === 'packages/ceph')).toEqual([]);
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
