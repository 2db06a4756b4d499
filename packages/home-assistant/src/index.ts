import { defineService } from '@homelab/core/model';

export const HA_PORT = 8123;

/**
 * Home Assistant OS is an appliance: no SSH or Python for Ansible, configured in its own UI. This
 * package provisions the VM (UEFI, the HAOS disk image imported, the USB radio passed through) and
 * its route; what must be set inside HAOS is in the README (trusted proxy, Mosquitto add-on).
 */
export default defineService({
  name: 'home-assistant',
  description: 'Home Assistant OS: smart home controller with USB passthrough (Zigbee), automations',
  kind: 'vm',
  os: 'haos',
  tier: 'normal',
  // USB passthrough binds it to tower1: hardware-bound, managed one by one.
  group: 'special',
  // HAOS asks for 2 cores, 4 GB and a 32 GB disk; the balloon floor keeps 2 GB guaranteed.
  resources: { cores: 2, memoryMiB: 4096, balloonMiB: 2048, disks: [{ storage: 'local', sizeGiB: 32 }] },
  devices: [{ device: 'ha-usb' }],
  // Seed, Service Catalog: Home Assistant OS | VM 301 | .41 | "Own auth". HA's UI is its own admin
  // surface behind HA's login (users, MFA), so Traefik adds no forward auth; admin: false records
  // that the application, not Authentik, guards it.
  routes: [{ name: 'ha', host: 'ha', port: HA_PORT, auth: 'app', admin: false, probePath: '/manifest.json' }],
  ports: [
    // LAN devices and the companion app on the home network talk to HA directly; HA's own login guards it.
    { port: HA_PORT, protocol: 'tcp', description: 'Home Assistant UI and API', from: ['lan'] },
    { port: 1883, protocol: 'tcp', description: 'MQTT (Mosquitto add-on) for Zigbee2MQTT', from: ['zigbee2mqtt'] },
  ],
  dependsOn: ['traefik'],
  facts: { mqttBroker: { port: 1883 } },
});
