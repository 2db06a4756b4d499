import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  blackboxRouteJob, buildHomelab, DEPLOY_MACHINE, isSystemdUnitName, metricsScrapeJobs, serviceAlertRules, synthesizeSite, systemdUnit,
  type ServiceProps,
} from '../src/index.ts';
import { app, entries, idp, proxy, testSite } from './fixtures/test-site.ts';

const unitFile = systemdUnit({ Unit: { Description: 'a daemon' }, Service: { ExecStart: '/usr/bin/daemon', Environment: ['A=1', 'B=2'] }, Install: { WantedBy: 'multi-user.target' } });
const oneshot = systemdUnit({ Service: { Type: 'oneshot', ExecStart: '/bin/true' } });

const withFiles: ServiceProps = {
  ...app,
  name: 'app',
  hostPackages: { app: ['nginx', 'nginx', 'curl'], n1: ['prometheus-node-exporter'] },
  files: () => [
    { path: '/etc/systemd/system/daemon.service', mode: '0644', format: 'systemd', content: unitFile },
    { path: '/etc/systemd/system/check.service', mode: '0644', format: 'systemd', content: oneshot },
    { path: '/etc/nginx/nginx.conf', mode: '0644', format: 'nginx', content: 'events {}\n', restarts: ['nginx.service'] },
    { path: '/etc/check.conf', mode: '0644', format: 'text', content: 'x\n', host: 'n1' },
    { path: '/etc/client.conf', mode: '0600', format: 'text', content: 'y\n', host: DEPLOY_MACHINE },
  ],
};

const result = synthesizeSite(buildHomelab(testSite, entries(proxy, idp, withFiles))).results.find((r) => r.service === 'app')!;
const plays = parse(result.files.get('ansible/playbook.yml')!) as any[];
const inventory = parse(result.files.get('ansible/inventory.yml')!).all.hosts;
const play = (host: string) => plays.find((p) => p.hosts === host);

describe('ansible: systemd units', () => {
  it('tells unit names from stack directories', () => {
    expect(['nginx.service', 'wg-quick@wg0.service', 'x.timer'].every(isSystemdUnitName)).toBe(true);
    expect(isSystemdUnitName('/opt/stacks/app')).toBe(false);
  });
  it('reloads systemd, then enables and starts units with [Install] and units named in restarts, but not a bare oneshot', () => {
    const names = play('app').tasks.map((t: any) => t.name);
    expect(names).toEqual(expect.arrayContaining(['Reload systemd units', 'Enable and start daemon.service', 'Enable and start nginx.service']));
    expect(names).not.toContain('Enable and start check.service');
    expect(names.indexOf('Reload systemd units')).toBeGreaterThan(names.indexOf('Install /etc/systemd/system/daemon.service'));
  });
  it('restarts a unit when its file or a file naming it changes', () => {
    const tasks = play('app').tasks;
    expect(tasks.find((t: any) => t.name === 'Install /etc/nginx/nginx.conf').notify).toEqual(['Restart nginx.service']);
    expect(tasks.find((t: any) => t.name === 'Install /etc/systemd/system/daemon.service').notify).toEqual(['Restart daemon.service']);
    expect(play('app').handlers.map((h: any) => h.name)).toEqual(['Restart daemon.service', 'Restart nginx.service']);
    expect(play('app').handlers[1]['ansible.builtin.systemd']).toEqual({ name: 'nginx.service', state: 'restarted', daemon_reload: true });
  });
  it('renders repeated keys for list values', () => {
    expect(unitFile).toContain('Environment=A=1\nEnvironment=B=2\n');
    expect(unitFile).toMatch(/^\[Install\]\nWantedBy=multi-user\.target$/m);
  });
});

describe('ansible: hosts and packages', () => {
  it('installs each host\'s packages, sorted and de-duplicated, only on hosts that get files', () => {
    // First the wait for the host (render/ansible.ts), then the packages.
    expect(play('app').tasks[1]['ansible.builtin.apt'].name).toEqual(['curl', 'nginx']);
    expect(play('n1').tasks[1]['ansible.builtin.apt'].name).toEqual(['prometheus-node-exporter']);
  });
  it('addresses a Proxmox node by its IP and the deploy machine by a local connection', () => {
    expect(inventory.n1).toMatchObject({ ansible_host: '10.20.0.11', ansible_user: 'root' });
    expect(inventory[DEPLOY_MACHINE]).toEqual({ ansible_connection: 'local', ansible_python_interpreter: '{{ ansible_playbook_python }}' });
  });
});

describe('prometheus: derived scrape configuration', () => {
  const home = buildHomelab(testSite, entries(
    { ...proxy, metrics: [{ name: 'proxy', port: 8082 }] },
    idp,
    { ...app, metrics: [{ name: 'exporter', port: 9221, path: '/pve', params: { target: ['10.20.0.11'] } }], facts: { alertRules: { groups: [{ name: 'app', rules: [{ alert: 'AppDown', expr: 'up{job="app"} == 0' }] }] } } },
  ));
  it('gives one job per metrics endpoint, named by service and endpoint, with path and params', () => {
    expect(metricsScrapeJobs(home.services)).toEqual([
      { job_name: 'app-exporter', metrics_path: '/pve', params: { target: ['10.20.0.11'] }, static_configs: [{ targets: ['10.20.0.22:9221'], labels: { service: 'app' } }] },
      { job_name: 'proxy', metrics_path: '/metrics', static_configs: [{ targets: ['10.20.0.20:8082'], labels: { service: 'proxy' } }] },
    ]);
  });
  it('probes every route through the blackbox exporter', () => {
    const job = blackboxRouteJob(home.services, { jobName: 'bb', module: 'http_2xx', exporterAddress: '127.0.0.1:9115' });
    expect(job.static_configs.flatMap((c) => c.targets)).toEqual(['https://app.example.test/', 'https://auth.example.test/', 'https://proxy.example.test/']);
    expect(job.relabel_configs).toContainEqual({ target_label: '__address__', replacement: '127.0.0.1:9115' });
  });
  it('reads a service\'s facts.alertRules; a malformed one is a coded problem of the model, and no rules', () => {
    expect(serviceAlertRules(home.byName.get('app')!)[0]!.rules[0]!.alert).toBe('AppDown');
    const bad = buildHomelab(testSite, entries(proxy, idp, { ...app, facts: { alertRules: { groups: [{ name: 'x', rules: [{ alert: 'NoExpr' } as never] }] } } }));
    expect(bad.problems.map((p) => [p.source, p.path, p.code])).toEqual([['packages/app', 'facts.alertRules.groups[0].rules[0].expr', 'InvalidAlertRules']]);
    expect(serviceAlertRules(bad.byName.get('app')!)).toEqual([]);
  });
});
