import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nfsClientNodes } from '@homelab/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toYaml } from '@homelab/core';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';
import { HOMELAB_RULES, homelabRuleTests } from '../src/alerts.ts';

const m = await synthesizeFor(fixtureSite, 'monitoring');
const { home } = m.synthesis;
const here = placementOf(fixtureSite, 'monitoring');
const domain = fixtureSite.domain;
const STACK = 'files/monitoring/opt/stacks/monitoring';
const prom = parse(m.text(`${STACK}/prometheus/prometheus.yml`));
const rulesText = m.text(`${STACK}/prometheus/rules/homelab.yml`);
const testsText = m.text(`${STACK}/prometheus/tests/homelab.test.yml`);
const am = parse(m.text(`${STACK}/alertmanager/alertmanager.yml`));
const compose = parse(m.text(`${STACK}/compose.yml`));
const manifest = m.json('manifest.json');
const target = (host: string, path: string) => manifest.artifacts.find((a: any) => a.target?.host === host && a.target?.path === path)?.target;
const job = (name: string) => prom.scrape_configs.find((j: any) => j.job_name === name);

describe('monitoring: infrastructure', () => {
  const ct = m.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container.monitoring;
  it('is its address-plan LXC with CPU weight 800 (low) and Docker', () => {
    expect(ct).toMatchObject({ vm_id: here.vmid, node_name: here.node, cpu: { units: 800 }, features: { nesting: true } });
    expect(ct.lifecycle.ignore_changes).toContain('features');
    expect(m.rootSettings(here.vmid!).features).toBe('keyctl=1,nesting=1');
    expect(ct.initialization.ip_config[0].ipv4).toEqual({ address: here.cidr, gateway: here.gateway });
  });
  it('is counted once in its node\'s capacity even though AlertMind runs in it too', () => {
    const node = m.synthesis.plan.capacity.find((c) => c.node === here.node)!;
    expect(node.guests.filter((g) => g.guest.placement.vmid === here.vmid).map((g) => g.service)).toEqual(['monitoring']);
  });
  it('routes Prometheus, Grafana and Alertmanager behind Authentik', () => {
    const routes = parse(m.text('files/traefik/etc/traefik/dynamic/monitoring.yml')).http.routers;
    for (const host of ['prometheus', 'grafana', 'alertmanager']) {
      expect(routes[`monitoring-${host}`]).toMatchObject({ rule: `Host(\`${host}.${domain}\`)`, middlewares: ['authentik@file'] });
    }
  });
});

describe('monitoring: scrape jobs derived from every service', () => {
  it('has one job per declared metrics endpoint of every service, with its path and params', () => {
    const endpoints = home.services.flatMap((s) => s.metrics.filter((e) => e.address !== '').map((e) => ({ s, e })));
    expect(endpoints.length).toBeGreaterThan(5);
    for (const { s, e } of endpoints) {
      const j = job(e.name === s.name ? s.name : `${s.name}-${e.name}`);
      expect(j, `${s.name}/${e.name}`).toBeDefined();
      expect(j.static_configs[0].targets).toEqual([`${e.address}:${e.port}`]);
      expect(j.static_configs[0].labels).toEqual({ service: s.name });
      expect(j.metrics_path).toBe(e.path);
      if (Object.keys(e.params).length) expect(j.params).toEqual(e.params);
    }
  });
  it('scrapes Traefik\'s metrics and Authentik\'s', () => {
    expect(job('traefik').static_configs[0].targets).toEqual([`${placementOf(fixtureSite, 'traefik').ip}:8082`]);
    expect(job('authentik').static_configs[0].targets).toEqual([`${placementOf(fixtureSite, 'authentik').ip}:9300`]);
  });
  it('probes every route of every service over https with the http_2xx module through blackbox_exporter', () => {
    const expected = home.services.flatMap((s) => s.routes.map((r) => `https://${r.fqdn}${r.probePath}`)).sort();
    const bb = job('blackbox-https');
    const probed = bb.static_configs.flatMap((c: any) => c.targets).sort();
    expect(probed).toEqual(expected);
    expect(probed).toContain(`https://grafana.${domain}/api/health`);
    expect(bb.params).toEqual({ module: ['http_2xx'] });
    expect(bb.metrics_path).toBe('/probe');
    expect(bb.relabel_configs).toContainEqual({ target_label: '__address__', replacement: '127.0.0.1:9115' });
    expect(bb.relabel_configs).toContainEqual({ source_labels: ['__address__'], target_label: '__param_target' });
  });
  it('scrapes Proxmox through the PVE exporter with a target per node, and each node\'s node_exporter', () => {
    const nodes = home.site.nodes.map((n) => n.ip).sort();
    const pveNode = job('pve-node');
    expect(pveNode.static_configs.flatMap((c: any) => c.targets).sort()).toEqual(nodes);
    expect(pveNode).toMatchObject({ metrics_path: '/pve', params: { module: ['default'], cluster: ['0'], node: ['1'] } });
    expect(pveNode.relabel_configs).toContainEqual({ target_label: '__address__', replacement: '127.0.0.1:9221' });
    expect(job('pve-cluster').static_configs[0].targets).toHaveLength(1);
    expect(job('pve-node-exporter').static_configs.flatMap((c: any) => c.targets).sort()).toEqual(home.site.nodes.map((n) => `${n.ip}:9100`).sort());
  });
  it('scrapes the Dexcom glucose exporter it runs itself, credentials by env name', () => {
    expect(job('monitoring-dexcom').static_configs[0].targets).toEqual([`${here.ip}:9500`]);
    expect(compose.services['dexcom-exporter'].environment.DEXCOM_PASSWORD).toMatch(/^\$\{DEXCOM_PASSWORD:\?/);
  });
  it('has no duplicate job name', () => {
    const names = prom.scrape_configs.map((j: any) => j.job_name);
    expect(new Set(names).size).toBe(names.length);
  });
  it('scrapes or probes every service the model says it observes, and depends on each', () => {
    const mon = home.byName.get('monitoring')!;
    expect(mon.observes.length).toBeGreaterThan(10);
    const promText = m.text(`${STACK}/prometheus/prometheus.yml`);
    const labelled = new Set(prom.scrape_configs.flatMap((j: any) => (j.static_configs ?? []).map((c: any) => c.labels?.service)));
    const watched = (name: string): boolean => labelled.has(name) || home.byName.get(name)!.routes.some((r) => promText.includes(r.fqdn));
    expect(mon.observes.filter((name) => !watched(name))).toEqual([]);
    expect(mon.observes.filter((name) => !mon.dependsOn.includes(name))).toEqual([]);
  });
});

describe('monitoring: alert rules', () => {
  const rules = parse(rulesText).groups.flatMap((g: any) => g.rules);
  const ruleFiles = [...m.files.keys()].filter((k) => k.startsWith(`${STACK}/prometheus/rules/`));
  const contributedExprs = ruleFiles.filter((f) => !f.endsWith('/homelab.yml')).flatMap((f) => parse(m.text(f)).groups.flatMap((g: any) => g.rules.map((r: any) => r.expr)));
  it('has the alerts the design names; Ceph health comes from the Ceph package when it carries rules', () => {
    const cephByPackage = contributedExprs.some((e: string) => e.includes('ceph_health_status'));
    expect(rules.map((r: any) => r.alert)).toEqual(['TargetDown', 'RouteDown', ...(cephByPackage ? [] : ['CephHealthNotOk']), 'CertificateExpiresSoon', 'NfsMountStalled']);
    expect([...rules.map((r: any) => r.expr), ...contributedExprs].some((e: string) => e.includes('ceph_health_status'))).toBe(true);
    const byName = Object.fromEntries(rules.map((r: any) => [r.alert, r]));
    expect(byName.TargetDown).toMatchObject({ expr: 'up == 0', for: '5m' });
    expect(byName.CertificateExpiresSoon.expr).toBe('probe_ssl_earliest_cert_expiry{job="blackbox-https"} - time() < 14 * 86400');
    expect(byName.NfsMountStalled.expr).toContain('homelab_nfs_mount_responsive == 0');
  });
  it('renders every service\'s facts.alertRules into its own rules file, with its tests', () => {
    const contributing = home.services.filter((x) => x.facts.alertRules !== undefined);
    expect(contributing.map((s) => s.name)).toContain('ceph');
    for (const s of contributing) {
      const file = parse(m.text(`${STACK}/prometheus/rules/${s.name}.yml`));
      expect(file.groups.map((g: any) => g.name)).toEqual(s.facts.alertRules!.groups.map((g) => g.name));
      if (s.facts.alertRules!.tests) expect(parse(m.text(`${STACK}/prometheus/tests/${s.name}.test.yml`)).rule_files).toEqual([`../rules/${s.name}.yml`]);
    }
  });
  it('has a promtool test group for every built-in alert (Ceph\'s too), each with a firing and a quiet case', () => {
    const all = parse(toYaml(homelabRuleTests('x', HOMELAB_RULES)));
    const cases = all.tests.flatMap((t: any) => t.alert_rule_test);
    for (const r of HOMELAB_RULES) {
      const mine = cases.filter((c: any) => c.alertname === r.alert);
      expect(mine.some((c: any) => c.exp_alerts.length > 0), `${r.alert} fires somewhere`).toBe(true);
      expect(mine.some((c: any) => c.exp_alerts.length === 0), `${r.alert} is quiet somewhere`).toBe(true);
    }
    const rendered = parse(testsText);
    expect(rendered.rule_files).toEqual(['../rules/homelab.yml']);
    expect([...new Set(rendered.tests.flatMap((t: any) => t.alert_rule_test.map((c: any) => c.alertname)))].sort()).toEqual(rules.map((r: any) => r.alert).sort());
  });
  it.skipIf(!has('promtool'))('every rendered rules file passes `promtool check rules` and every test file `promtool test rules`', () => {
    const tree = Object.fromEntries([...m.files].filter(([k]) => k.startsWith(`${STACK}/prometheus/`)).map(([k, v]) => [k.slice(`${STACK}/prometheus/`.length), v]));
    const dir = writeTree(tree);
    for (const f of Object.keys(tree).filter((k) => k.startsWith('rules/'))) {
      expect(() => execFileSync('promtool', ['check', 'rules', join(dir, f)], { stdio: 'pipe' }), f).not.toThrow();
    }
    for (const f of Object.keys(tree).filter((k) => k.startsWith('tests/'))) {
      expect(() => execFileSync('promtool', ['test', 'rules', join(dir, f)], { stdio: 'pipe' }), f).not.toThrow();
    }
  });
  it.skipIf(!has('promtool'))('the built-in tests pass, and fail when a rule no longer detects its failure', () => {
    const rulesAll = toYaml({ groups: [{ name: 'homelab', rules: HOMELAB_RULES }] });
    const testsAll = toYaml(homelabRuleTests('../rules/homelab.yml', HOMELAB_RULES));
    const dir = writeTree({ 'rules/homelab.yml': rulesAll, 'tests/homelab.test.yml': testsAll });
    expect(() => execFileSync('promtool', ['test', 'rules', join(dir, 'tests/homelab.test.yml')], { stdio: 'pipe' })).not.toThrow();
    for (const [from, to] of [['expr: up == 0', 'expr: up == 2'], ['probe_success{job="blackbox-https"} == 0', 'probe_success{job="blackbox-https"} == 2'], ['ceph_health_status != 0', 'ceph_health_status > 1'], ['< 14 * 86400', '< 7 * 86400'], ['> 300', '> 3000']]) {
      expect(rulesAll).toContain(from);
      const broken = writeTree({ 'rules/homelab.yml': rulesAll.replace(from!, to!), 'tests/homelab.test.yml': testsAll });
      expect(() => execFileSync('promtool', ['test', 'rules', join(broken, 'tests/homelab.test.yml')], { stdio: 'pipe' }), `${from} → ${to}`).toThrow();
    }
  });
  it.skipIf(!has('promtool'))('the Prometheus configuration passes `promtool check config`', () => {
    const dir = writeTree({ 'prometheus.yml': m.text(`${STACK}/prometheus/prometheus.yml`) });
    expect(() => execFileSync('promtool', ['check', 'config', '--syntax-only', join(dir, 'prometheus.yml')], { stdio: 'pipe' })).not.toThrow();
  });
});

describe('monitoring: Alertmanager', () => {
  const receivers = Object.fromEntries(am.receivers.map((r: any) => [r.name, r]));
  it('posts to Discord with the webhook URL read from a file', () => {
    expect(receivers.discord.discord_configs[0].webhook_url_file).toBe('/etc/alertmanager/secrets/discord-webhook-url');
  });
  it('sends critical alerts to the SMS gateway webhook (URL and key from files)', () => {
    expect(receivers.sms.webhook_configs[0]).toMatchObject({ url_file: '/etc/alertmanager/secrets/sms-gateway-url', http_config: { authorization: { credentials_file: '/etc/alertmanager/secrets/sms-gateway-api-key' } } });
    expect(am.route.routes).toContainEqual({ receiver: 'sms', matchers: ['severity="critical"'], continue: true });
  });
  it('sends every alert to AlertMind in the same LXC, then still to Discord', () => {
    expect(receivers.alertmind.webhook_configs[0].url).toBe(`http://${here.ip}:5001/webhook`);
    expect(am.route.routes[0]).toEqual({ receiver: 'alertmind', matchers: ['alertname=~".+"'], continue: true });
    expect(am.route.routes.at(-1)).toEqual({ receiver: 'discord', matchers: ['alertname=~".+"'] });
  });
  it('renders the secret files from env names, 0600, readable by the Alertmanager container user only', () => {
    for (const [file, env] of [['discord-webhook-url', 'DISCORD_WEBHOOK_URL'], ['sms-gateway-url', 'SMS_GATEWAY_URL'], ['sms-gateway-api-key', 'SMS_GATEWAY_API_KEY']]) {
      expect(m.text(`${STACK}/alertmanager/secrets/${file}`)).toBe(`{{ lookup('ansible.builtin.env', '${env}') }}`);
      expect(target('monitoring', `/opt/stacks/monitoring/alertmanager/secrets/${file}`)).toMatchObject({ mode: '0600', owner: '65534' });
      expect(manifest.env).toContain(env);
    }
  });
});

describe('monitoring: Compose and Grafana', () => {
  it('runs every component from a pinned image', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['alertmanager', 'blackbox-exporter', 'dexcom-exporter', 'grafana', 'node-exporter', 'prometheus', 'pve-exporter']);
    for (const s of Object.values<any>(compose.services)) expect(s.image).toMatch(/:[^:]*\d[^:]*$/);
  });
  it('provisions the Prometheus datasource and takes the admin password by env name', () => {
    const ds = parse(m.text(`${STACK}/grafana/provisioning/datasources/prometheus.yml`));
    expect(ds.datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://127.0.0.1:9090', isDefault: true });
    expect(compose.services.grafana.environment.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?/);
    expect(compose.services['pve-exporter'].environment.PVE_TOKEN_VALUE).toMatch(/^\$\{PVE_EXPORTER_TOKEN_VALUE:\?/);
  });
  it('the PVE exporter verifies the nodes\' TLS against the cluster CA, given at deploy time, never switched off', () => {
    const pve = compose.services['pve-exporter'];
    expect(pve.environment.PVE_VERIFY_SSL).toBe('true');
    // The bundle requests reads is the file the stack mounts, which deploy templates from PVE_CA_PEM.
    const [hostDir, mount] = String(pve.volumes.find((v: string) => v.startsWith('./pve-ca:'))).split(':');
    expect(pve.environment.REQUESTS_CA_BUNDLE).toBe(`${mount}/pve-root-ca.pem`);
    expect(m.text(`${STACK}/${hostDir!.slice(2)}/pve-root-ca.pem`)).toContain("lookup('ansible.builtin.env', 'PVE_CA_PEM')");
    // Deploy's preflight refuses to run without it.
    expect(m.json('manifest.json').env).toContain('PVE_CA_PEM');
  });
});

describe('monitoring: NFS stall check on every Proxmox host that mounts the share', () => {
  const mount = home.site.storage.nfs.hostMountPath;
  const clients = nfsClientNodes(home.services).map((n) => n.name);
  it('only the nodes whose guests mount NFS get the check (elsewhere it would alert on nothing)', () => {
    expect(clients.length).toBeGreaterThan(0);
    for (const node of home.site.nodes.map((n) => n.name).filter((n) => !clients.includes(n))) {
      expect(m.files.has(`files/${node}/usr/local/lib/homelab/nfs-mount-check.sh`)).toBe(false);
    }
  });
  it('the check script, run by sh on an answering mount, writes both gauges for the alert rules', () => {
    const script = m.text(`files/${clients[0]}/usr/local/lib/homelab/nfs-mount-check.sh`);
    const dir = mkdtempSync(join(tmpdir(), 'nfs-check-'));
    const runnable = script.replace('out_dir=/var/lib/prometheus/node-exporter\n', `out_dir=${dir}/out\n`).replace(`mount_point=${mount}\n`, `mount_point=${dir}\n`);
    execFileSync('sh', ['-c', runnable], { stdio: 'pipe' });
    const prom = readFileSync(join(dir, 'out/nfs-mount.prom'), 'utf8');
    expect(prom).toContain('# HELP homelab_nfs_mount_responsive 1 when stat of the NFS mount point answered within 10 seconds.\n');
    expect(prom).toContain(`homelab_nfs_mount_responsive{mountpoint="${dir}"} 1\n`);
    expect(prom).toMatch(new RegExp(`^homelab_nfs_mount_last_check_timestamp_seconds\\{mountpoint="${dir}"\\} \\d+$`, 'm'));
  });
  it.each(clients)('%s gets the check script, its timer, and node_exporter', (node) => {
    const script = m.text(`files/${node}/usr/local/lib/homelab/nfs-mount-check.sh`);
    expect(script).toContain(`mount_point=${mount}\n`);
    expect(script).toContain('out_dir=/var/lib/prometheus/node-exporter\n');
    expect(m.text(`files/${node}/etc/systemd/system/homelab-nfs-mount-check.timer`)).toContain('OnUnitActiveSec=1min');
    const plays = parse(m.text('ansible/playbook.yml')) as any[];
    const play = plays.find((p) => p.hosts === node);
    expect(play.tasks.find((t: any) => t.name === 'Install host packages')['ansible.builtin.apt'].name).toEqual(['prometheus-node-exporter']);
    expect(play.tasks.map((t: any) => t.name)).toContain('Enable and start homelab-nfs-mount-check.timer');
    expect(parse(m.text('ansible/inventory.yml')).all.hosts[node].ansible_host).toBe(home.site.nodes.find((n) => n.name === node)!.ip);
  });
  it.skipIf(!has('sh'))('the script writes both gauges for a responsive mount', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfs-check-'));
    const script = m.text(`files/${clients[0]}/usr/local/lib/homelab/nfs-mount-check.sh`).replace(`mount_point=${mount}\n`, `mount_point='${dir}'\n`).replace('out_dir=/var/lib/prometheus/node-exporter\n', `out_dir='${dir}/out'\n`);
    writeFileSync(join(dir, 'check.sh'), script);
    execFileSync('sh', [join(dir, 'check.sh')]);
    const prom = readFileSync(join(dir, 'out/nfs-mount.prom'), 'utf8');
    expect(prom).toContain(`homelab_nfs_mount_responsive{mountpoint="${dir}"} 1`);
    expect(prom).toMatch(new RegExp(`homelab_nfs_mount_last_check_timestamp_seconds\\{mountpoint="${dir}"\\} \\d+`));
  });
});

describe('monitoring: upstream schemas', () => {
  it.skipIf(!validatorPath())('Prometheus, rules, rule tests, Alertmanager, Compose and Terraform pass their schemas', async () => {
    const { validateArtifact } = await import(validatorPath()!);
    for (const a of manifest.artifacts.filter((x: any) => ['prometheus-config', 'prometheus-rules', 'prometheus-rules-test', 'alertmanager-config', 'compose', 'terraform-json'].includes(x.format))) {
      const check = validateArtifact(a.format, m.text(a.file), a.file);
      expect(check.ok, `${a.file}: ${JSON.stringify(check.problems)}`).toBe(true);
    }
  });
});

function has(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'monitoring-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

function validatorPath(): string | undefined {
  for (const f of ['index.ts', 'validate-artifact.ts']) {
    const p = new URL(`../../../libs/core/src/validate/${f}`, import.meta.url);
    if (existsSync(p)) return p.href;
  }
  return undefined;
}

describe('monitoring: reachable only where needed (issue 9)', () => {
  const tf = m.json('terraform/cdk.tf.json');
  const rules = tf.resource.proxmox_virtual_environment_firewall_rules.monitoring_firewall_rules.rule;
  const byPort = Object.fromEntries(rules.map((r: any) => [r.dport, r]));
  const ip = (name: string) => home.site.addressPlan[name]!.ip;
  it('runs Prometheus without --web.enable-lifecycle (no /-/reload, /-/quit from anyone)', () => {
    expect(compose.services.prometheus.command.join(' ')).not.toContain('lifecycle');
  });
  it('binds the PVE exporter (it holds the PVE token), blackbox and node_exporter to loopback, and scrapes them there', () => {
    expect(compose.services['pve-exporter'].command).toContain('--web.listen-address=127.0.0.1:9221');
    expect(compose.services['blackbox-exporter'].command).toContain('--web.listen-address=127.0.0.1:9115');
    expect(compose.services['node-exporter'].command).toContain('--web.listen-address=127.0.0.1:9100');
    expect(job('monitoring-node').static_configs[0].targets).toEqual(['127.0.0.1:9100']);
  });
  it('lets no one in to the exporters through the guest firewall', () => {
    for (const port of ['9100', '9115', '9221', '9500']) expect(byPort[port], port).toBeUndefined();
  });
  it('opens Prometheus to Traefik and Piboard, Grafana and Alertmanager to Traefik only', () => {
    expect(byPort['9090'].source).toBe([ip('traefik'), ip('piboard')].join(','));
    expect(byPort['3000'].source).toBe(ip('traefik'));
    expect(byPort['9093'].source).toBe(ip('traefik'));
    expect(tf.resource.proxmox_virtual_environment_firewall_options.monitoring_firewall).toMatchObject({ enabled: true, input_policy: 'DROP' });
  });
  it('is the scraper every other guest lets in to its metrics ports', () => {
    const t = m.synthesis.results.find((r) => r.service === 'traefik')!;
    const traefikRules = JSON.parse(t.files.get('terraform/cdk.tf.json')!).resource.proxmox_virtual_environment_firewall_rules.traefik_firewall_rules.rule;
    expect(traefikRules.find((r: any) => r.dport === '8082')).toMatchObject({ proto: 'tcp', source: ip('monitoring') });
    expect(traefikRules.filter((r: any) => r.dport === '443' || r.dport === '80').every((r: any) => r.source === undefined)).toBe(true);
  });
});
