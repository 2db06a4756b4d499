/**
 * A Klipper printer host (a Pi outside Proxmox): its Moonraker configuration, pushed over SSH,
 * and the Mainsail route behind the forward-auth middleware. One package per printer uses it, so
 * the printers share one definition; the site-specific parts (group, dependencies) are arguments.
 */
import { defineService, type ConfigFile, type RenderContext, type ServiceProps } from '../model/service.ts';
import { moonrakerConfig, MOONRAKER_PORT } from './moonraker.ts';
import { generatedHeader } from './yaml.ts';
import { hostGuardFiles } from './host-guard.ts';
import { ingressAddresses } from '../proxmox/firewall.ts';

/** Mainsail, served by nginx on the Pi, which proxies the API to Moonraker on 127.0.0.1. */
export const MAINSAIL_PORT = 80;

export interface KlipperHostOptions {
  /** Service name; also its address-plan entry and route host label. */
  readonly name: string;
  /** A hardware-bound group: the host is bound to its printer. */
  readonly group: string;
  /** The ingress and identity services the route needs. */
  readonly dependsOn: readonly string[];
  /** User of the MainsailOS layout on the Pi. @default "pi" */
  readonly user?: string;
}

export function klipperHostService(o: KlipperHostOptions): ServiceProps {
  const user = o.user ?? 'pi';
  const configDir = `/home/${user}/printer_data/config`;
  const files = (ctx: RenderContext): ConfigFile[] => {
    const ingress = ctx.services.find((s) => s.provides.includes('ingress'));
    const route = ctx.service.routes[0]!;
    // No Proxmox firewall in front of a Pi: its own nftables guard lets only the ingress reach Mainsail.
    // Moonraker's own port too: nginx reaches it over loopback, nobody else needs it.
    const guard = hostGuardFiles({ ports: [MAINSAIL_PORT, MOONRAKER_PORT], allow: ingressAddresses(ctx.services) });
    return [...guard, {
      path: `${configDir}/moonraker.conf`, mode: '0644', format: 'text', owner: user,
      // Moonraker reads its configuration only at start.
      restarts: ['moonraker.service'],
      content: moonrakerConfig({
        // nginx on the Pi forwards the client as the reverse proxy's address.
        trustedClients: ingress?.ip ? [`${ingress.ip}/32`] : [],
        corsDomains: [`https://${route.fqdn}`],
        header: generatedHeader(ctx.service.pkg, `Moonraker on ${o.name}. printer.cfg is the printer's own and is not managed here.`),
      }),
    }];
  };
  return defineService({
    name: o.name,
    description: `Klipper printer host ${o.name} (Raspberry Pi 3B): Moonraker configuration and the Mainsail route`,
    kind: 'external',
    // No Proxmox guest: the tier sets no CPU weight here (the field is required).
    tier: 'normal',
    group: o.group,
    // Mainsail drives heaters and motors: an admin surface, behind Authentik.
    routes: [{ name: 'mainsail', host: o.name, port: MAINSAIL_PORT, auth: 'authentik', admin: true }],
    ports: [{ port: MAINSAIL_PORT, protocol: 'tcp', description: 'Mainsail (nginx) with the Moonraker API behind it' }],
    dependsOn: o.dependsOn,
    hostPackages: { [o.name]: ['nftables'] },
    files,
  });
}
