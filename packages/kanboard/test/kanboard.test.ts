import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';

const k = await synthesizeFor(fixtureSite, 'kanboard');
const here = placementOf(fixtureSite, 'kanboard');
const domain = fixtureSite.domain;
const compose = parse(k.text('files/kanboard/opt/stacks/kanboard/compose.yml'));

describe('kanboard', () => {
  const ct = k.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container.kanboard;
  it('is its address-plan LXC with CPU weight 512 (minimal, assumed) and Docker', () => {
    expect(ct).toMatchObject({ vm_id: here.vmid, node_name: here.node, cpu: { units: 512 }, features: { nesting: true } });
    expect(ct.initialization.ip_config[0].ipv4.address).toBe(here.cidr);
  });
  it('runs the pinned kanboard/kanboard image with its data in a volume', () => {
    expect(compose.services.kanboard.image).toMatch(/^docker\.io\/kanboard\/kanboard:v\d+\.\d+\.\d+$/);
    expect(compose.services.kanboard.volumes).toContain('kanboard-data:/var/www/app/data');
    expect(compose.services.kanboard.environment.PLUGIN_INSTALLER).toBe('false');
  });
  it('sits behind Authentik', () => {
    const route = parse(k.text('files/traefik/etc/traefik/dynamic/kanboard.yml')).http.routers.kanboard;
    expect(route).toMatchObject({ rule: `Host(\`kanboard.${domain}\`)`, middlewares: ['authentik@file'] });
    expect(k.text('files/authentik/opt/stacks/authentik/blueprints/homelab/kanboard.yaml')).toContain(`external_host: https://kanboard.${domain}`);
  });
});
