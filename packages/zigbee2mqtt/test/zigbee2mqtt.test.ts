import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';
import { MQTT_USER, Z2M_IMAGE, Z2M_SECRET_ENV } from '../src/index.ts';
import { MQTT_CLIENT_LOGIN } from '../../../libs/core/src/bootstrap/home-assistant-first-run.ts';

const s = await synthesizeFor(fixtureSite, 'zigbee2mqtt');
const here = placementOf(fixtureSite, 'zigbee2mqtt');
/** The serial node the site gives the coordinator on the node the service is placed on. */
const coordinator = fixtureSite.nodes.find((n) => n.name === here.node)!.devices!['zigbee-coordinator']!.path!;
const ct = s.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container.zigbee2mqtt;
const composeText = s.text('files/zigbee2mqtt/opt/stacks/zigbee2mqtt/compose.yml');
const z2m = parse(composeText).services.zigbee2mqtt;
const configText = s.text('files/zigbee2mqtt/opt/stacks/zigbee2mqtt/data/configuration.yaml');
const config = parse(configText);

describe('zigbee2mqtt: infrastructure', () => {
  it('is its address-plan LXC with CPU weight 1024, in the hardware-bound group', () => {
    expect(ct).toMatchObject({ vm_id: here.vmid, node_name: here.node, cpu: { units: 1024 }, features: { nesting: true } });
    expect(ct.initialization.ip_config[0].ipv4).toEqual({ address: here.cidr, gateway: here.gateway });
    expect(ct.tags).toContain('group-special');
  });
  it('passes the coordinator through as its serial node, not as a vendor:product id (root step on its node)', () => {
    expect(Object.entries(s.rootSettings(here.vmid!)).filter(([k]) => /^dev\d+$/.test(k))).toEqual([['dev0', `${coordinator},mode=0660`]]);
    expect(ct.device_passthrough).toBeUndefined();
    expect(ct.lifecycle.ignore_changes).toContain('device_passthrough');
  });
  it('is valid Terraform JSON for bpg/proxmox', () => {
    expect(validateArtifact('terraform-json', s.text('terraform/cdk.tf.json'), 'cdk.tf.json').problems).toEqual([]);
  });
});

describe('zigbee2mqtt: configuration', () => {
  it('publishes to the Mosquitto add-on of Home Assistant OS at its address', () => {
    expect(config.mqtt).toEqual({ base_topic: 'zigbee2mqtt', server: `mqtt://${placementOf(fixtureSite, 'home-assistant').ip}:1883`, user: 'zigbee2mqtt' });
  });
  it('drives the coordinator on the passed-through port with the ember driver', () => {
    expect(config.serial).toEqual({ port: coordinator, adapter: 'ember' });
    expect(z2m.devices).toEqual([`${coordinator}:${coordinator}`]);
  });
  it('holds no secret and never GENERATEs the network identity (it comes from the environment)', () => {
    expect(config.mqtt.password).toBeUndefined();
    expect(configText).not.toMatch(/GENERATE|network_key|pan_id|permit_join/);
    expect(z2m.environment).toEqual({
      ZIGBEE2MQTT_CONFIG_MQTT_PASSWORD: expect.stringMatching(/^\$\{Z2M_MQTT_PASSWORD:\?/),
      ZIGBEE2MQTT_CONFIG_ADVANCED_NETWORK_KEY: expect.stringMatching(/^\$\{Z2M_NETWORK_KEY:\?/),
      ZIGBEE2MQTT_CONFIG_ADVANCED_PAN_ID: expect.stringMatching(/^\$\{Z2M_PAN_ID:\?/),
      ZIGBEE2MQTT_CONFIG_ADVANCED_EXT_PAN_ID: expect.stringMatching(/^\$\{Z2M_EXT_PAN_ID:\?/),
    });
  });
  it('keeps paired devices and groups in files Zigbee2MQTT owns (written once)', () => {
    expect(config).toMatchObject({ version: 4, devices: 'devices.yaml', groups: 'groups.yaml', homeassistant: { enabled: true }, frontend: { enabled: true, port: 8080 } });
    const plays = parse(s.text('ansible/playbook.yml')) as { hosts: string; tasks: Record<string, any>[] }[];
    const tasks = plays.find((p) => p.hosts === 'zigbee2mqtt')!.tasks;
    for (const f of ['devices.yaml', 'groups.yaml']) {
      expect(tasks.find((t) => t.name === `Install /opt/stacks/zigbee2mqtt/data/${f}`)!['ansible.builtin.copy'].force).toBe(false);
    }
    expect(tasks.find((t) => t.name === 'Install /opt/stacks/zigbee2mqtt/data/configuration.yaml')!['ansible.builtin.copy'].force).toBeUndefined();
  });
  it('runs the pinned image and passes the Compose schemas', () => {
    expect(z2m.image).toBe(Z2M_IMAGE);
    expect(z2m.image).toMatch(/:2\.\d+\.\d+$/);
    expect(validateArtifact('compose', composeText, 'compose.yml').problems).toEqual([]);
  });
  it('writes the four secrets into the 0600 .env by name', () => {
    const dotenv = s.text('files/zigbee2mqtt/opt/stacks/zigbee2mqtt/.env');
    for (const n of ['Z2M_MQTT_PASSWORD', 'Z2M_NETWORK_KEY', 'Z2M_PAN_ID', 'Z2M_EXT_PAN_ID']) expect(dotenv).toContain(`${n}={{ lookup('ansible.builtin.env', '${n}') }}`);
    expect(s.json('manifest.json').artifacts.find((x: any) => x.target?.path === '/opt/stacks/zigbee2mqtt/.env').target.mode).toBe('0600');
  });
});

describe('zigbee2mqtt: route and dependencies', () => {
  it('puts the frontend behind Authentik', () => {
    const routes = parse(s.text('files/traefik/etc/traefik/dynamic/zigbee2mqtt.yml'));
    expect(routes.http.routers.zigbee2mqtt).toMatchObject({ rule: `Host(\`zigbee2mqtt.${fixtureSite.domain}\`)`, middlewares: ['authentik@file'] });
    expect(routes.http.services.zigbee2mqtt.loadBalancer.servers).toEqual([{ url: `http://${here.ip}:8080` }]);
  });
  it('deploys after Home Assistant, Traefik and Authentik (and proxmox, which creates its token)', () => {
    const all = s.synthesis;
    expect(all.home.byName.get('zigbee2mqtt')!.dependsOn).toEqual(['authentik', 'home-assistant', 'proxmox', 'traefik']);
    expect(all.plan.waveOf.get('zigbee2mqtt')!).toBeGreaterThan(all.plan.waveOf.get('home-assistant')!);
  });
});

describe('zigbee2mqtt: the broker login bootstrap checks', () => {
  it('is this package\'s user and password variable (core keeps its own copy, since core imports no service package)', () => {
    expect(MQTT_CLIENT_LOGIN.username).toBe(MQTT_USER);
    expect(Object.entries(Z2M_SECRET_ENV)).toContainEqual(['ZIGBEE2MQTT_CONFIG_MQTT_PASSWORD', MQTT_CLIENT_LOGIN.passwordEnv]);
  });
});
