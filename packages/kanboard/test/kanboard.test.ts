import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { synthesized } from '@homelab/site/testing';

const k = await synthesized('kanboard');
const compose = parse(k.text('files/kanboard/opt/stacks/kanboard/compose.yml'));

describe('kanboard', () => {
  const ct = k.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container.kanboard;
  it('is LXC 211 at .33 on pve3 with CPU weight 512 (minimal, assumed) and Docker', () => {
    expect(ct).toMatchObject({ vm_id: 211, node_name: 'pve3', cpu: { units: 512 }, features: { nesting: true } });
    expect(ct.initialization.ip_config[0].ipv4.address).toBe('192.168.86.33/24');
  });
  it('runs the pinned kanboard/kanboard image with its data in a volume', () => {
    expect(compose.services.kanboard.image).toMatch(/^docker\.io\/kanboard\/kanboard:v\d+\.\d+\.\d+$/);
    expect(compose.services.kanboard.volumes).toContain('kanboard-data:/var/www/app/data');
    expect(compose.services.kanboard.environment.PLUGIN_INSTALLER).toBe('false');
  });
  it('sits behind Authentik', () => {
    const route = parse(k.text('files/traefik/etc/traefik/dynamic/kanboard.yml')).http.routers.kanboard;
    expect(route).toMatchObject({ rule: 'Host(`kanboard.woodhead.tech`)', middlewares: ['authentik@file'] });
    expect(k.text('files/authentik/opt/stacks/authentik/blueprints/homelab/kanboard.yaml')).toContain('external_host: https://kanboard.woodhead.tech');
  });
});
