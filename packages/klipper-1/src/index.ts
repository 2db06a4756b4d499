import { defineService, generatedHeader, moonrakerConfig, type ConfigFile, type RenderContext } from '@homelab/core';

/** One package per Klipper Pi (docs/decisions.md): this one is the Pi named by the service. */
const NAME = 'klipper-1';
/** MainsailOS layout on the Pi (an assumption, libs/site/src/assumptions.ts). */
const PI_USER = 'pi';
const CONFIG_DIR = `/home/${PI_USER}/printer_data/config`;
/** Mainsail, served by nginx on the Pi, which proxies the API to Moonraker on 127.0.0.1. */
export const MAINSAIL_PORT = 80;

function files(ctx: RenderContext): ConfigFile[] {
  const ingress = ctx.services.find((s) => s.provides.includes('ingress'));
  const route = ctx.service.routes[0]!;
  return [{
    path: `${CONFIG_DIR}/moonraker.conf`, mode: '0644', format: 'text', owner: PI_USER,
    // Moonraker reads its configuration only at start.
    restarts: ['moonraker.service'],
    content: moonrakerConfig({
      // nginx on the Pi forwards the client as the reverse proxy's address.
      trustedClients: ingress?.ip ? [`${ingress.ip}/32`] : [],
      corsDomains: [`https://${route.fqdn}`],
      header: generatedHeader(ctx.service.pkg, `Moonraker on ${NAME}. printer.cfg is the printer's own and is not managed here.`),
    }),
  }];
}

export default defineService({
  name: NAME,
  description: `Klipper printer host ${NAME} (Raspberry Pi 3B): Moonraker configuration and the Mainsail route`,
  kind: 'external',
  // No Proxmox guest: the tier sets no CPU weight here (the field is required).
  tier: 'normal',
  // Bound to its printer: managed one by one.
  group: 'special',
  // Mainsail drives heaters and motors: an admin surface, behind Authentik.
  routes: [{ name: 'mainsail', host: NAME, port: MAINSAIL_PORT, auth: 'authentik', admin: true }],
  ports: [{ port: MAINSAIL_PORT, protocol: 'tcp', description: 'Mainsail (nginx) with the Moonraker API behind it' }],
  dependsOn: ['authentik', 'traefik'],
  files,
});
