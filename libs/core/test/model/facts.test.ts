/**
 * The facts a definition states for the others (`facts.<name>`, libs/core/src/model/facts/): per
 * fact a passing value and failing ones, each failing one with the exact coded problem; a broken
 * fact is left out of the model, not its service.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildHomelab, FACTS, ProblemCollector, readFacts, type Problem } from '../../src/index.ts';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

const guest = (name: string) => ({ name, kind: 'vm', placement: 'vm', tier: 'normal', resources: { cores: 2, memoryMiB: 2048, disks: [{ storage: 'local', sizeGiB: 16 }] } });
/** A definition with two guests, for the facts that name guests. */
const cluster = { name: 'kube', guests: [guest('kube-a'), guest('kube-b')] };

function read(facts: Record<string, unknown>, definition: Record<string, unknown> = cluster): { facts: Record<string, unknown>; problems: Problem[] } {
  const out = new ProblemCollector('packages/kube');
  return { facts: readFacts({ ...definition, facts }, out) as Record<string, unknown>, problems: out.problems };
}

/** The problem as a row: where, which code, what was received, and the fact's own fix. */
const row = (p: Problem) => [p.path, p.code, p.received];

const rules = { groups: [{ name: 'app', rules: [{ alert: 'AppDown', expr: 'up{job="app"} == 0', for: '5m', labels: { severity: 'critical' } }] }], tests: { evaluation_interval: '1m', tests: [{ interval: '1m', input_series: [] }] } };

type Case = [fact: string, good: unknown, bad: unknown, problems: unknown[][]];
const cases: Case[] = [
  ['killSwitch', { gateway: 'gluetun', clients: ['sabnzbd'] }, { gateway: 'gluetun', clients: [] }, [['facts.killSwitch.clients', 'InvalidKillSwitch', 'a list']]],
  ['killSwitch', { gateway: 'gluetun', clients: ['sabnzbd'] }, { gateway: 'gluetun', clients: ['gluetun'] }, [['facts.killSwitch.clients[0]', 'InvalidKillSwitch', 'gluetun']]],
  ['wireguard', { subnet: '10.99.0.0/24', serverAddress: '10.99.0.1', peers: [{ name: 'laptop', address: '10.99.0.2', allowedIps: ['10.99.0.0/24'] }] }, { subnet: 42, peers: [] }, [['facts.wireguard.subnet', 'InvalidWireguardFacts', 42]]],
  ['wireguard', { subnet: '10.99.0.0/24', peers: [] }, { subnet: '10.99.0.0/24', peers: [{ name: 'phone', address: '10.99.0.2', allowedIps: [] }, { name: 'phone', address: '10.99.0.3', allowedIps: [] }] }, [['facts.wireguard.peers[1].name', 'InvalidWireguardFacts', 'phone']]],
  ['terraformRole', { name: 'LabTerraform', privileges: ['VM.Audit'] }, { name: 'LabTerraform' }, [['facts.terraformRole.privileges', 'InvalidTerraformRole', undefined]]],
  ['terraformRole', { name: 'LabTerraform', privileges: [] }, { name: 'LabTerraform', privileges: ['VM.Audit', 'VM.Audit'] }, [['facts.terraformRole.privileges[1]', 'InvalidTerraformRole', 'VM.Audit']]],
  ['alertRules', rules, { groups: [{ name: 'app', rules: [{ alert: 'NoExpr' }] }] }, [['facts.alertRules.groups[0].rules[0].expr', 'InvalidAlertRules', undefined]]],
  ['alertRules', rules, { groups: [rules.groups[0], rules.groups[0]] }, [['facts.alertRules.groups[1].name', 'InvalidAlertRules', 'app']]],
  ['alertWebhook', { name: 'alertmind', url: 'http://10.20.0.25:5001/webhook' }, { name: 'alertmind', url: 'http://:5001/webhook' }, [['facts.alertWebhook.url', 'InvalidAlertWebhook', 'http://:5001/webhook']]],
  ['certResolver', 'cloudflare', 'lets encrypt', [['facts.certResolver', 'InvalidCertResolver', 'lets encrypt']]],
  ['mqttBroker', { port: 1883 }, { port: 70000 }, [['facts.mqttBroker.port', 'InvalidMqttBroker', 70000]]],
  ['unpinnedImages', { 'rdio:latest': 'upstream publishes only latest' }, { 'rdio:latest': 'why' }, [['facts.unpinnedImages["rdio:latest"]', 'UnpinnedImageWithoutReason', 'why']]],
  ['kubernetes', { apiEndpoint: 'https://10.20.0.100:6443', nodes: [{ guest: 'kube-a', role: 'controlplane' }, { guest: 'kube-b', role: 'worker' }] }, { apiEndpoint: 'https://10.20.0.100:6443', nodes: [{ guest: 'kube-a', role: 'master' }] }, [['facts.kubernetes.nodes[0].role', 'InvalidKubernetesFacts', 'master']]],
  ['kubernetes', { apiEndpoint: 'https://10.20.0.100:6443', nodes: [{ guest: 'kube-b', role: 'controlplane' }] }, { apiEndpoint: 'https://10.20.0.100:6443', nodes: [{ guest: 'kube-c', role: 'worker' }] }, [
    ['facts.kubernetes.nodes[0].guest', 'InvalidKubernetesFacts', 'kube-c'], ['facts.kubernetes.nodes', 'InvalidKubernetesFacts', ['worker']],
  ]],
  ['kubernetes', { apiEndpoint: 'https://10.20.0.100:6443', nodes: [{ guest: 'kube-a', role: 'controlplane' }] }, { apiEndpoint: 'http://10.20.0.100:6443', nodes: [{ guest: 'kube-a', role: 'controlplane' }] }, [['facts.kubernetes.apiEndpoint', 'InvalidKubernetesFacts', 'http://10.20.0.100:6443']]],
];

describe.each(cases)('fact %s', (key, good, bad, expected) => {
  const fact = FACTS.find((f) => f.key === key)!;
  it('passes a sound value and gives it to the readers as written', () => {
    const { facts, problems } = read({ [key]: good });
    expect(problems).toEqual([]);
    expect(facts).toEqual({ [key]: good });
  });
  it(`reports ${expected.map((e) => e[0]).join(', ')} with code ${fact.code}, naming the value and the fix, and leaves the fact out`, () => {
    const { facts, problems } = read({ [key]: bad });
    expect(problems.map(row)).toEqual(expected);
    for (const p of problems) {
      expect(p.source).toBe('packages/kube');
      expect(p.message).toMatch(/\S{3,}/);
      expect(p.fix).toMatch(/^[A-Z].*\.$/);
    }
    expect(facts).toEqual({});
  });
});

describe('facts in the model', () => {
  it('a broken fact is reported and left out; the service and its sound facts stay in the model', () => {
    const home = buildHomelab(testSite, entries(proxy, idp, { ...app, facts: { certResolver: 'le', killSwitch: { gateway: 'vpn', clients: [] } } }));
    expect(home.problems.map((p) => [p.source, p.path, p.code])).toEqual([['packages/app', 'facts.killSwitch.clients', 'InvalidKillSwitch']]);
    expect(home.byName.get('app')!.facts).toEqual({ certResolver: 'le' });
  });
  it('a service without facts has none', () => {
    expect(buildHomelab(testSite, entries(proxy, idp, app)).byName.get('app')!.facts).toEqual({});
  });
  it('every fact has its own code, in docs/policy.md with its key', () => {
    const doc = readFileSync(new URL('../../../../docs/policy.md', import.meta.url), 'utf8');
    const codes = FACTS.map((f) => f.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const f of FACTS) expect(doc.split('\n').find((l) => l.startsWith(`| \`facts.${f.key}\` |`)), f.key).toContain(f.code);
  });
});
