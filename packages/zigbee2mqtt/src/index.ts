import { defineService, deviceNodeOf, type ConfigFile, type RenderContext } from '@homelab/core/model';
import { composeFile, composeRef, envFile, generatedHeader, stackDir, toYaml } from '@homelab/core/render';

export const Z2M_IMAGE = 'docker.io/koenkk/zigbee2mqtt:2.8.0';
export const FRONTEND_PORT = 8080;
const STACK = stackDir('zigbee2mqtt');
const DATA = `${STACK}/data`;
const COORDINATOR = 'zigbee-coordinator';
/** zigbee-herdsman driver of the assumed Sonoff ZBDongle-E (EFR32MG21); see libs/site assumptions. */
export const ADAPTER = 'ember';
/** The broker's login for Zigbee2MQTT, created in HA's Mosquitto add-on (an assumption: not in the seed). */
export const MQTT_USER = 'zigbee2mqtt';
/** The service that runs the MQTT broker Zigbee2MQTT publishes to (seed: "publishes MQTT to HAOS"). */
const BROKER = 'home-assistant';

/**
 * Secrets and network identity, set through Zigbee2MQTT's documented environment overrides
 * (ZIGBEE2MQTT_CONFIG_<SECTION>_<KEY>), so configuration.yaml holds none and can be rewritten
 * on every deploy without regenerating the network key (which would orphan every paired device).
 */
export const Z2M_SECRET_ENV = {
  ZIGBEE2MQTT_CONFIG_MQTT_PASSWORD: 'Z2M_MQTT_PASSWORD',
  ZIGBEE2MQTT_CONFIG_ADVANCED_NETWORK_KEY: 'Z2M_NETWORK_KEY',
  ZIGBEE2MQTT_CONFIG_ADVANCED_PAN_ID: 'Z2M_PAN_ID',
  ZIGBEE2MQTT_CONFIG_ADVANCED_EXT_PAN_ID: 'Z2M_EXT_PAN_ID',
} as const;

function files(ctx: RenderContext): ConfigFile[] {
  const pkg = ctx.service.pkg;
  const device = ctx.service.node?.devices[COORDINATOR];
  // Unmeasured (the manifest lists it and deploy waits for it): no port and no device line.
  const serialPort = device ? deviceNodeOf(device) : undefined;
  const broker = ctx.services.find((s) => s.name === BROKER);
  const mqttPort = broker?.facts.mqttBroker?.port ?? 1883;
  const config = {
    version: 4,
    homeassistant: { enabled: true },
    frontend: { enabled: true, port: FRONTEND_PORT },
    mqtt: { base_topic: 'zigbee2mqtt', server: `mqtt://${broker?.ip ?? BROKER}:${mqttPort}`, user: MQTT_USER },
    serial: { ...(serialPort ? { port: serialPort } : {}), adapter: ADAPTER },
    // Paired devices and groups live in files Zigbee2MQTT owns, so deploy never overwrites them.
    devices: 'devices.yaml',
    groups: 'groups.yaml',
    // No permit_join: Zigbee2MQTT 2.x removed it from the configuration; joining starts closed.
    advanced: { log_level: 'info' },
  };
  const compose = composeFile({
    name: 'zigbee2mqtt',
    services: {
      zigbee2mqtt: {
        image: Z2M_IMAGE,
        environment: Object.fromEntries(Object.entries(Z2M_SECRET_ENV).map(([k, v]) => [k, composeRef(v)])),
        ...(serialPort ? { devices: [`${serialPort}:${serialPort}`] } : {}),
        volumes: ['./data:/app/data', '/run/udev:/run/udev:ro'],
        ports: [`${FRONTEND_PORT}:${FRONTEND_PORT}`],
      },
    },
  });
  const owned = (name: string): ConfigFile => ({
    path: `${DATA}/${name}`, mode: '0644', format: 'yaml', createOnly: true,
    content: '# Written once by homelab; Zigbee2MQTT owns this file.\n{}\n',
  });
  return [
    { path: `${STACK}/compose.yml`, mode: '0644', format: 'compose', content: toYaml(compose, { header: generatedHeader(pkg, 'Zigbee2MQTT with the Zigbee coordinator passed through.') }) },
    envFile(`${STACK}/.env`, Object.values(Z2M_SECRET_ENV), {}, [STACK]),
    { path: `${DATA}/configuration.yaml`, mode: '0644', format: 'yaml', content: toYaml(config, { header: generatedHeader(pkg, 'Zigbee2MQTT configuration; secrets come from ZIGBEE2MQTT_CONFIG_* in the environment.') }) },
    owned('devices.yaml'),
    owned('groups.yaml'),
  ];
}

// A function of the site: the node the coordinator is plugged into is its address plan's.
export default defineService((site) => ({
  name: 'zigbee2mqtt',
  description: `Zigbee2MQTT: the Zigbee coordinator on ${site.addressPlan.zigbee2mqtt?.node ?? 'its node'}, publishing MQTT to Home Assistant OS`,
  kind: 'lxc',
  tier: 'normal',
  // USB passthrough binds it to zotac.
  group: 'special',
  docker: true,
  resources: { cores: 1, memoryMiB: 1024, disks: [{ storage: 'local', sizeGiB: 8 }] },
  // The LXC gets the coordinator's serial node (the site device's `path`).
  devices: [{ device: COORDINATOR }],
  // The frontend can pair devices and change the network: an admin surface, behind Authentik.
  routes: [{ name: 'zigbee2mqtt', host: 'zigbee2mqtt', port: FRONTEND_PORT, auth: 'authentik', admin: true }],
  ports: [{ port: FRONTEND_PORT, protocol: 'tcp', description: 'Zigbee2MQTT frontend' }],
  secrets: [
    { env: 'Z2M_MQTT_PASSWORD', description: `Password of the "${MQTT_USER}" user of HA's Mosquitto add-on` },
    { env: 'Z2M_NETWORK_KEY', description: 'Zigbee network key, a JSON array of 16 bytes, e.g. [1,2,...]; changing it re-pairs every device' },
    { env: 'Z2M_PAN_ID', description: 'Zigbee PAN ID (integer); part of the network identity, keep it stable' },
    { env: 'Z2M_EXT_PAN_ID', description: 'Zigbee extended PAN ID, a JSON array of 8 bytes; keep it stable' },
  ],
  dependsOn: ['authentik', 'home-assistant', 'traefik'],
  files,
}));
