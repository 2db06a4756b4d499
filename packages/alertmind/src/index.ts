import { defineService, type ConfigFile, type RenderContext } from '@homelab/core/model';
import { composeFile, envFile, generatedHeader, stackDir, toYaml } from '@homelab/core/render';

/** The seed's own application; the image name and tag are assumptions (libs/site assumptions.ts). */
export const ALERTMIND_IMAGE = 'ghcr.io/woodhead/alertmind:0.1.0';
export const ALERTMIND_PORT = 5001;
export const WEBHOOK_PATH = '/webhook';
/** Claude model used for triage (assumption: the seed names only "Claude API"). */
export const ALERTMIND_MODEL = 'claude-sonnet-4-5';
const STACK = stackDir('alertmind');
const ANTHROPIC = 'ANTHROPIC_API_KEY';
const DISCORD = 'DISCORD_WEBHOOK_URL';

function files(ctx: RenderContext): ConfigFile[] {
  const pkg = ctx.service.pkg;
  const monitoring = ctx.services.find((s) => s.name === 'monitoring');
  const route = (name: string) => monitoring?.routes.find((r) => r.name === name)?.fqdn;
  const config = {
    listen: `:${ALERTMIND_PORT}`,
    webhook_path: WEBHOOK_PATH,
    anthropic: { api_key_env: ANTHROPIC, model: ALERTMIND_MODEL, max_tokens: 1024, timeout: '30s' },
    discord: { webhook_url_env: DISCORD, username: 'AlertMind' },
    // Context the model is given: recent series of the alert's expression, links for the operator.
    prometheus: { url: 'http://127.0.0.1:9090', lookback: '1h' },
    links: {
      ...(route('grafana') ? { grafana: `https://${route('grafana')}` } : {}),
      ...(route('alertmanager') ? { alertmanager: `https://${route('alertmanager')}` } : {}),
      ...(route('prometheus') ? { prometheus: `https://${route('prometheus')}` } : {}),
    },
    // Resolved notifications are posted without a model call.
    enrich_resolved: false,
  };
  const compose = composeFile({
    name: 'alertmind',
    services: {
      alertmind: {
        image: ALERTMIND_IMAGE,
        network_mode: 'host',
        env_file: ['.env'],
        environment: { ALERTMIND_CONFIG: '/etc/alertmind/config.yaml' },
        volumes: ['./config.yaml:/etc/alertmind/config.yaml:ro'],
      },
    },
  });
  return [
    { path: `${STACK}/compose.yml`, mode: '0644', format: 'compose', content: toYaml(compose, { header: generatedHeader(pkg, 'AlertMind: Alertmanager webhook → Claude triage → Discord.') }) },
    { path: `${STACK}/config.yaml`, mode: '0644', format: 'yaml', restarts: [STACK], content: toYaml(config, { header: generatedHeader(pkg, 'AlertMind configuration; secrets come from the environment (.env).') }) },
    envFile(`${STACK}/.env`, [ANTHROPIC, DISCORD], {}, [STACK]),
  ];
}

// A function of the site: AlertMind runs in the monitoring LXC, so it shares that guest's address
// in the site's address plan.
export default defineService((site) => ({
  name: 'alertmind',
  description: 'AI alert triage: receives Alertmanager webhooks, enriches them through the Claude API, posts to Discord',
  // Declared sharing: the monitoring LXC (205) runs it; it has no guest or resources of its own.
  kind: 'lxc',
  placement: 'monitoring',
  sharesGuestWith: 'monitoring',
  tier: 'low',
  group: 'observability',
  docker: true,
  ports: [{ port: ALERTMIND_PORT, protocol: 'tcp', description: 'Alertmanager webhook receiver' }],
  secrets: [
    { env: ANTHROPIC, description: 'Anthropic API key (Claude API) used to enrich alerts' },
    { env: DISCORD, description: 'Discord webhook URL the enriched alerts are posted to' },
  ],
  // The guest exists once monitoring is deployed; Alertmanager only holds this URL and retries.
  dependsOn: ['monitoring'],
  facts: { alertWebhook: { name: 'alertmind', url: `http://${site.addressPlan.monitoring?.ip ?? ''}:${ALERTMIND_PORT}${WEBHOOK_PATH}` } },
  files,
}));
