import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';

const a = await synthesizeFor(fixtureSite, 'alertmind');
const { home, plan } = a.synthesis;
const monitoring = placementOf(fixtureSite, 'monitoring');
const STACK = 'files/monitoring/opt/stacks/alertmind';

describe('alertmind: placement in the monitoring LXC', () => {
  const svc = home.byName.get('alertmind')!;
  it('shares the monitoring LXC and its address and has no guest or Terraform of its own', () => {
    expect(svc.sharesGuestWith).toBe('monitoring');
    expect(svc.ip).toBe(monitoring.ip);
    expect(svc.guests).toEqual([]);
    expect(a.files.has('terraform/cdk.tf.json')).toBe(false);
  });
  it('is not counted in the node capacity a second time', () => {
    const node = plan.capacity.find((c) => c.node === monitoring.node)!;
    expect(node.guests.map((g) => g.service)).not.toContain('alertmind');
    expect(node.guests.filter((g) => g.guest.placement.vmid === monitoring.vmid)).toHaveLength(1);
  });
  it('deploys after monitoring, whose LXC it runs in', () => {
    expect(svc.dependsOn).toEqual(['monitoring']);
    expect(plan.waveOf.get('alertmind')!).toBeGreaterThan(plan.waveOf.get('monitoring')!);
  });
  it('ships its files to the monitoring host', () => {
    const inv = parse(a.text('ansible/inventory.yml'));
    expect(inv.all.hosts).toEqual({ monitoring: expect.objectContaining({ ansible_host: monitoring.ip }) });
  });
});

describe('alertmind: stack', () => {
  const compose = parse(a.text(`${STACK}/compose.yml`));
  const config = parse(a.text(`${STACK}/config.yaml`));
  it('runs the pinned image with its config mounted', () => {
    expect(compose.services.alertmind.image).toMatch(/^ghcr\.io\/woodhead\/alertmind:\d+\.\d+\.\d+$/);
    expect(compose.services.alertmind.volumes).toContain('./config.yaml:/etc/alertmind/config.yaml:ro');
  });
  it('listens for Alertmanager on :5001/webhook, which monitoring\'s Alertmanager targets', async () => {
    expect(config).toMatchObject({ listen: ':5001', webhook_path: '/webhook' });
    const am = parse((await synthesizeFor(fixtureSite, 'monitoring')).text('files/monitoring/opt/stacks/monitoring/alertmanager/alertmanager.yml'));
    expect(am.receivers.find((r: any) => r.name === 'alertmind').webhook_configs[0].url).toBe(`http://${monitoring.ip}:5001/webhook`);
  });
  it('takes the Claude API key and the Discord webhook by env name only', () => {
    expect(config.anthropic.api_key_env).toBe('ANTHROPIC_API_KEY');
    expect(config.discord.webhook_url_env).toBe('DISCORD_WEBHOOK_URL');
    const dotenv = a.text(`${STACK}/.env`);
    expect(dotenv).toContain("ANTHROPIC_API_KEY={{ lookup('ansible.builtin.env', 'ANTHROPIC_API_KEY') }}");
    expect(dotenv).toContain("DISCORD_WEBHOOK_URL={{ lookup('ansible.builtin.env', 'DISCORD_WEBHOOK_URL') }}");
    expect(a.json('manifest.json').artifacts.find((x: any) => x.target?.path === '/opt/stacks/alertmind/.env').target.mode).toBe('0600');
  });
});
