import {
  defineService, type AlertWebhookFact, type ConfigFile, type NormalizedService, type RenderContext, type RuleGroup,
  type RuleTests,
} from '@homelab/core/model';
import {
  blackboxRouteJob, composeFile, composeRef, envFile, envRef, generatedHeader, metricsScrapeJobs, multiTargetJob,
  serviceAlertRules, stackDir, toYaml, type ScrapeJob, nfsClientNodes,
} from '@homelab/core/render';
import { BLACKBOX_JOB, homelabRuleGroup, homelabRuleTests } from './alerts.ts';
import { nfsCheckFiles } from './nfs-check.ts';

export const PROMETHEUS_IMAGE = 'docker.io/prom/prometheus:v3.5.0';
export const ALERTMANAGER_IMAGE = 'docker.io/prom/alertmanager:v0.28.1';
export const GRAFANA_IMAGE = 'docker.io/grafana/grafana:12.1.1';
export const BLACKBOX_IMAGE = 'docker.io/prom/blackbox-exporter:v0.27.0';
export const NODE_EXPORTER_IMAGE = 'docker.io/prom/node-exporter:v1.9.1';
export const PVE_EXPORTER_IMAGE = 'docker.io/prompve/prometheus-pve-exporter:3.10.2';
/** The seed's own exporter (not in the catalog): image name and port are assumptions. */
export const DEXCOM_EXPORTER_IMAGE = 'ghcr.io/woodhead/dexcom-exporter:0.1.0';

/** Where the exporters only Prometheus (on the same host) talks to listen. */
const LOOPBACK = '127.0.0.1';

export const PORTS = { prometheus: 9090, alertmanager: 9093, grafana: 3000, blackbox: 9115, node: 9100, pve: 9221, dexcom: 9500 } as const;
const STACK = stackDir('monitoring');
const ALERTMANAGER_UID = '65534';
const SECRETS_DIR = `${STACK}/alertmanager/secrets`;
const CONTAINER_SECRETS_DIR = '/etc/alertmanager/secrets';
export const RULES_DIR = `${STACK}/prometheus/rules`;
export const RULE_TESTS_DIR = `${STACK}/prometheus/tests`;
/** Proxmox API user and token id the PVE exporter uses (PVEAuditor role); the token value is a secret. */
const PVE_EXPORTER_USER = 'prometheus@pve';
const PVE_EXPORTER_TOKEN_NAME = 'monitoring';

/** Where the exporter container reads the cluster CA, and the file's name (Proxmox's own). */
const PVE_CA_MOUNT = '/etc/pve-ca';
const PVE_CA_FILE = 'pve-root-ca.pem';

const ENV = {
  discord: 'DISCORD_WEBHOOK_URL',
  smsUrl: 'SMS_GATEWAY_URL',
  smsKey: 'SMS_GATEWAY_API_KEY',
  grafana: 'GRAFANA_ADMIN_PASSWORD',
  pveToken: 'PVE_EXPORTER_TOKEN_VALUE',
  pveCa: 'PVE_CA_PEM',
  dexcomUser: 'DEXCOM_USERNAME',
  dexcomPassword: 'DEXCOM_PASSWORD',
} as const;

/** The webhook receivers other services offer Alertmanager (`facts.alertWebhook`), e.g. AlertMind. */
export function alertWebhooks(services: readonly NormalizedService[]): (AlertWebhookFact & { service: string })[] {
  return services.flatMap((s) => {
    const hook = s.facts.alertWebhook;
    return hook === undefined ? [] : [{ service: s.name, name: hook.name, url: hook.url }];
  }).sort((a, b) => a.name.localeCompare(b.name));
}

/** Every scrape job: declared metrics endpoints, Proxmox (PVE exporter and node exporters), blackbox probes of every route. */
export function scrapeJobs(ctx: RenderContext): ScrapeJob[] {
  const nodes = [...ctx.site.nodes].sort((a, b) => a.name.localeCompare(b.name));
  const pve = `127.0.0.1:${PORTS.pve}`;
  return [
    ...metricsScrapeJobs(ctx.services),
    // Cluster-wide metrics from one node, node metrics from every node (the exporter's README).
    multiTargetJob({ jobName: 'pve-cluster', exporterAddress: pve, metricsPath: '/pve', params: { module: ['default'], cluster: ['1'], node: ['0'] }, targets: [{ targets: [nodes[0]!.ip], labels: { cluster: ctx.site.name } }] }),
    multiTargetJob({ jobName: 'pve-node', exporterAddress: pve, metricsPath: '/pve', params: { module: ['default'], cluster: ['0'], node: ['1'] }, targets: nodes.map((n) => ({ targets: [n.ip], labels: { node: n.name } })) }),
    { job_name: 'pve-node-exporter', metrics_path: '/metrics', static_configs: nodes.map((n) => ({ targets: [`${n.ip}:${PORTS.node}`], labels: { node: n.name } })) },
    blackboxRouteJob(ctx.services, { jobName: BLACKBOX_JOB, module: 'http_2xx', exporterAddress: `127.0.0.1:${PORTS.blackbox}` }),
  ];
}

/** Rule groups other services bring in `facts.alertRules`, with their tests, by service. */
export function contributedRules(services: readonly NormalizedService[]): { service: string; groups: readonly RuleGroup[]; tests?: RuleTests }[] {
  return services.map((s) => ({ service: s.name, groups: serviceAlertRules(s), tests: s.facts.alertRules?.tests }))
    .filter((x) => x.groups.length > 0);
}

function prometheusConfig(ctx: RenderContext): Record<string, unknown> {
  return {
    global: { scrape_interval: '30s', scrape_timeout: '10s', evaluation_interval: '30s', external_labels: { site: ctx.site.name } },
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${PORTS.alertmanager}`] }] }] },
    rule_files: ['/etc/prometheus/rules/*.yml'],
    scrape_configs: scrapeJobs(ctx),
  };
}

function alertmanagerConfig(ctx: RenderContext): Record<string, unknown> {
  const hooks = alertWebhooks(ctx.services);
  return {
    route: {
      receiver: 'discord',
      group_by: ['alertname', 'service'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        // Every alert also goes to the triage webhooks (AlertMind), then critical ones to SMS,
        // and everything to Discord.
        ...hooks.map((h) => ({ receiver: h.name, matchers: ['alertname=~".+"'], continue: true })),
        { receiver: 'sms', matchers: ['severity="critical"'], continue: true },
        { receiver: 'discord', matchers: ['alertname=~".+"'] },
      ],
    },
    inhibit_rules: [
      // A stalled NFS mount makes the routes on it fail too: page once, for the cause.
      { source_matchers: ['alertname="NfsMountStalled"'], target_matchers: ['alertname="RouteDown"'], equal: [] },
    ],
    receivers: [
      { name: 'discord', discord_configs: [{ webhook_url_file: `${CONTAINER_SECRETS_DIR}/discord-webhook-url`, send_resolved: true }] },
      {
        name: 'sms',
        webhook_configs: [{
          url_file: `${CONTAINER_SECRETS_DIR}/sms-gateway-url`,
          send_resolved: false,
          max_alerts: 5,
          http_config: { authorization: { type: 'Bearer', credentials_file: `${CONTAINER_SECRETS_DIR}/sms-gateway-api-key` } },
        }],
      },
      ...hooks.map((h) => ({ name: h.name, webhook_configs: [{ url: h.url, send_resolved: true }] })),
    ],
  };
}

function secretFile(name: string, env: string): ConfigFile {
  // The value alone, resolved at deploy; readable only by the Alertmanager container's user.
  return { path: `${SECRETS_DIR}/${name}`, mode: '0600', owner: ALERTMANAGER_UID, format: 'text', secret: true, content: envRef(env), restarts: [STACK] };
}

function files(ctx: RenderContext): ConfigFile[] {
  const pkg = ctx.service.pkg;
  const fqdn = (name: string) => ctx.service.routes.find((r) => r.name === name)?.fqdn ?? '';
  const y = (value: unknown, what: string) => toYaml(value, { header: generatedHeader(pkg, what) });
  const compose = composeFile({
    name: 'monitoring',
    services: {
      prometheus: {
        image: PROMETHEUS_IMAGE,
        network_mode: 'host',
        command: [
          '--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', '--storage.tsdb.retention.time=30d',
          // No --web.enable-lifecycle: nothing POSTs /-/reload or /-/quit; deploy restarts the stack.
          `--web.listen-address=:${PORTS.prometheus}`, `--web.external-url=https://${fqdn('prometheus')}/`,
        ],
        volumes: ['./prometheus:/etc/prometheus:ro', 'prometheus-data:/prometheus'],
      },
      alertmanager: {
        image: ALERTMANAGER_IMAGE,
        network_mode: 'host',
        command: [
          '--config.file=/etc/alertmanager/alertmanager.yml', '--storage.path=/alertmanager',
          `--web.listen-address=:${PORTS.alertmanager}`, `--web.external-url=https://${fqdn('alertmanager')}/`, '--cluster.listen-address=',
        ],
        volumes: ['./alertmanager:/etc/alertmanager:ro', 'alertmanager-data:/alertmanager'],
      },
      grafana: {
        image: GRAFANA_IMAGE,
        network_mode: 'host',
        environment: {
          GF_SECURITY_ADMIN_USER: 'admin',
          GF_SECURITY_ADMIN_PASSWORD: composeRef(ENV.grafana),
          GF_SERVER_HTTP_PORT: PORTS.grafana,
          GF_SERVER_ROOT_URL: `https://${fqdn('grafana')}/`,
          GF_USERS_ALLOW_SIGN_UP: 'false',
          GF_ANALYTICS_REPORTING_ENABLED: 'false',
          GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
        },
        volumes: ['./grafana/provisioning:/etc/grafana/provisioning:ro', 'grafana-data:/var/lib/grafana'],
        depends_on: ['prometheus'],
      },
      'blackbox-exporter': {
        image: BLACKBOX_IMAGE,
        network_mode: 'host',
        // Loopback: only Prometheus, on this host, asks it to probe.
        command: ['--config.file=/etc/blackbox/blackbox.yml', `--web.listen-address=${LOOPBACK}:${PORTS.blackbox}`],
        volumes: ['./blackbox:/etc/blackbox:ro'],
      },
      'node-exporter': {
        image: NODE_EXPORTER_IMAGE,
        network_mode: 'host',
        command: ['--path.rootfs=/host', `--web.listen-address=${LOOPBACK}:${PORTS.node}`],
        volumes: ['/:/host:ro,rslave'],
      },
      'pve-exporter': {
        image: PVE_EXPORTER_IMAGE,
        network_mode: 'host',
        // Loopback: it holds the PVE token and fetches any target= it is given; only Prometheus asks.
        command: [`--web.listen-address=${LOOPBACK}:${PORTS.pve}`],
        environment: {
          PVE_USER: PVE_EXPORTER_USER,
          PVE_TOKEN_NAME: PVE_EXPORTER_TOKEN_NAME,
          PVE_TOKEN_VALUE: composeRef(ENV.pveToken),
          // The nodes serve certificates signed by the cluster's own CA (/etc/pve/pve-root-ca.pem):
          // verified against that CA, pinned, never switched off (requests reads REQUESTS_CA_BUNDLE).
          PVE_VERIFY_SSL: 'true',
          REQUESTS_CA_BUNDLE: `${PVE_CA_MOUNT}/${PVE_CA_FILE}`,
        },
        volumes: [`./pve-ca:${PVE_CA_MOUNT}:ro`],
      },
      'dexcom-exporter': {
        image: DEXCOM_EXPORTER_IMAGE,
        network_mode: 'host',
        environment: {
          DEXCOM_USERNAME: composeRef(ENV.dexcomUser),
          DEXCOM_PASSWORD: composeRef(ENV.dexcomPassword),
          DEXCOM_REGION: 'us',
          LISTEN_ADDRESS: `:${PORTS.dexcom}`,
        },
      },
    },
    volumes: { 'prometheus-data': { driver: 'local' }, 'alertmanager-data': { driver: 'local' }, 'grafana-data': { driver: 'local' } },
  });

  const contributed = contributedRules(ctx.services);
  const builtIn = homelabRuleGroup(contributed.flatMap((c) => c.groups.flatMap((g) => g.rules.map((r) => r.expr))));
  const list: ConfigFile[] = [
    { path: `${STACK}/compose.yml`, mode: '0644', format: 'compose', content: y(compose, 'Monitoring: Prometheus, Alertmanager, Grafana, blackbox, node, PVE and Dexcom exporters.') },
    envFile(`${STACK}/.env`, [ENV.grafana, ENV.pveToken, ENV.dexcomUser, ENV.dexcomPassword], {}, [STACK]),
    {
      path: `${STACK}/prometheus/prometheus.yml`, mode: '0644', format: 'prometheus-config', restarts: [STACK],
      content: y(prometheusConfig(ctx), 'Prometheus: scrape jobs derived from every service\'s metrics endpoints and routes.'),
    },
    { path: `${RULES_DIR}/homelab.yml`, mode: '0644', format: 'prometheus-rules', restarts: [STACK], content: y({ groups: [builtIn] }, 'Alert rules of the homelab.') },
    { path: `${RULE_TESTS_DIR}/homelab.test.yml`, mode: '0644', format: 'prometheus-rules-test', content: y(homelabRuleTests('../rules/homelab.yml', builtIn.rules), 'promtool test rules: each alert fires on its failure and stays quiet otherwise.') },
    { path: `${STACK}/alertmanager/alertmanager.yml`, mode: '0644', format: 'alertmanager-config', restarts: [STACK], content: y(alertmanagerConfig(ctx), 'Alertmanager: Discord, SMS and the triage webhooks.') },
    // The cluster CA comes from the deploy environment: nobody measured it (cat /etc/pve/pve-root-ca.pem on a node).
    { path: `${STACK}/pve-ca/${PVE_CA_FILE}`, mode: '0644', format: 'text', secret: false, content: `${envRef(ENV.pveCa)}\n`, restarts: [STACK] },
    secretFile('discord-webhook-url', ENV.discord),
    secretFile('sms-gateway-url', ENV.smsUrl),
    secretFile('sms-gateway-api-key', ENV.smsKey),
    {
      path: `${STACK}/blackbox/blackbox.yml`, mode: '0644', format: 'yaml', restarts: [STACK],
      content: y({
        modules: {
          http_2xx: {
            prober: 'http',
            timeout: '10s',
            // Routes behind Authentik answer with a redirect to the login page: follow it.
            http: { preferred_ip_protocol: 'ip4', follow_redirects: true, fail_if_not_ssl: true, valid_http_versions: ['HTTP/1.1', 'HTTP/2.0'] },
          },
        },
      }, 'blackbox_exporter modules.'),
    },
    {
      path: `${STACK}/grafana/provisioning/datasources/prometheus.yml`, mode: '0644', format: 'yaml', restarts: [STACK],
      content: y({
        apiVersion: 1,
        datasources: [
          { name: 'Prometheus', uid: 'prometheus', type: 'prometheus', access: 'proxy', url: `http://127.0.0.1:${PORTS.prometheus}`, isDefault: true, editable: false },
          { name: 'Alertmanager', uid: 'alertmanager', type: 'alertmanager', access: 'proxy', url: `http://127.0.0.1:${PORTS.alertmanager}`, jsonData: { implementation: 'prometheus' }, editable: false },
        ],
      }, 'Grafana datasources.'),
    },
  ];
  for (const c of contributed) {
    list.push({ path: `${RULES_DIR}/${c.service}.yml`, mode: '0644', format: 'prometheus-rules', restarts: [STACK], content: y({ groups: c.groups }, `Alert rules contributed by ${c.service} (facts.alertRules).`) });
    if (c.tests !== undefined) {
      list.push({ path: `${RULE_TESTS_DIR}/${c.service}.test.yml`, mode: '0644', format: 'prometheus-rules-test', content: y({ ...c.tests, rule_files: [`../rules/${c.service}.yml`] }, `promtool tests of the rules of ${c.service}.`) });
    }
  }
  // Only the nodes that mount the share get the stall check: elsewhere it would alert on nothing.
  for (const node of nfsClientNodes(ctx.services)) list.push(...nfsCheckFiles(pkg, node.name, ctx.site.storage.nfs.hostMountPath));
  return list;
}


// A function of the site: node_exporter goes on the nodes of the site being synthesized.
export default defineService((site) => ({
  name: 'monitoring',
  // It watches every service with metrics or a route: the model makes those its dependencies
  // (deploy order, Nx edges; a new route becomes a new probe), not needs to run.
  observer: true,
  // The scraper: the guest firewalls let it in to every metrics port.
  provides: ['metrics'],
  description: 'Prometheus, Grafana and Alertmanager: scrapes every service, probes every route, alerts to Discord, SMS and AlertMind',
  kind: 'lxc',
  tier: 'low',
  group: 'observability',
  docker: true,
  resources: { cores: 2, memoryMiB: 3072, disks: [{ storage: 'local', sizeGiB: 40 }] },
  routes: [
    { name: 'prometheus', host: 'prometheus', port: PORTS.prometheus, auth: 'authentik', admin: true, probePath: '/-/healthy' },
    { name: 'grafana', host: 'grafana', port: PORTS.grafana, auth: 'authentik', admin: true, probePath: '/api/health' },
    { name: 'alertmanager', host: 'alertmanager', port: PORTS.alertmanager, auth: 'authentik', admin: true, probePath: '/-/healthy' },
  ],
  metrics: [
    { name: 'prometheus', port: PORTS.prometheus },
    { name: 'alertmanager', port: PORTS.alertmanager },
    { name: 'grafana', port: PORTS.grafana },
    { name: 'blackbox', port: PORTS.blackbox, address: LOOPBACK },
    { name: 'node', port: PORTS.node, address: LOOPBACK },
    { name: 'pve-exporter', port: PORTS.pve, address: LOOPBACK },
    { name: 'dexcom', port: PORTS.dexcom },
  ],
  ports: [
    { port: PORTS.prometheus, protocol: 'tcp', description: 'Prometheus (UI, API; Piboard polls it)', from: ['piboard'] },
    { port: PORTS.alertmanager, protocol: 'tcp', description: 'Alertmanager' },
    { port: PORTS.grafana, protocol: 'tcp', description: 'Grafana' },
    { port: PORTS.blackbox, protocol: 'tcp', description: 'blackbox_exporter (loopback only)' },
    { port: PORTS.node, protocol: 'tcp', description: 'node_exporter of the LXC (loopback only)' },
    { port: PORTS.pve, protocol: 'tcp', description: 'Proxmox VE exporter (loopback only)' },
    { port: PORTS.dexcom, protocol: 'tcp', description: 'Dexcom glucose exporter' },
  ],
  secrets: [
    { env: ENV.discord, description: 'Discord webhook URL alerts are posted to (written to a 0600 file for webhook_url_file)' },
    { env: ENV.smsUrl, description: 'URL of the SMS gateway webhook that receives critical alerts (Alertmanager webhook payload)' },
    { env: ENV.smsKey, description: 'Bearer token of the SMS gateway' },
    { env: ENV.grafana, description: 'Grafana admin password' },
    { env: ENV.pveToken, description: `Secret of the Proxmox API token ${PVE_EXPORTER_USER}!${PVE_EXPORTER_TOKEN_NAME} (PVEAuditor role)` },
    { env: ENV.pveCa, description: 'The Proxmox cluster CA certificate (PEM, /etc/pve/pve-root-ca.pem on any node) the PVE exporter verifies the nodes against; not secret, but not a fact of the repository' },
    { env: ENV.dexcomUser, description: 'Dexcom Share account user name (glucose exporter)' },
    { env: ENV.dexcomPassword, description: 'Dexcom Share account password (glucose exporter)' },
  ],
  // node_exporter (textfile collector for the NFS check) on every Proxmox node.
  hostPackages: Object.fromEntries(site.nodes.map((n) => [n.name, ['prometheus-node-exporter']])),
  files,
}));
