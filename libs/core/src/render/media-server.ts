/**
 * A media server in Compose (Plex, Jellyfin): host networking for LAN discovery, the node's iGPU
 * render node passed through for hardware transcoding, the library read-only from the NAS share,
 * and one route with the application's own login. One package per server uses it, so the servers
 * share one definition; what differs (image, port, environment, sizing, the site's group and
 * dependencies) is an argument.
 */
import { defineService, type ConfigFile, type RenderContext, type ServiceProps } from '../model/service.ts';
import { composeFile, stackDir } from './compose.ts';
import { generatedHeader, toYaml } from './yaml.ts';
import { deviceNodeOf } from '../model/unmeasured.ts';

/** The site device of the iGPU a media server transcodes with. */
export const MEDIA_SERVER_GPU = 'igpu';
const PUID = '1000';

export interface MediaServerOptions {
  /** Service name; also its stack, Compose service, route and route host label. */
  readonly name: string;
  readonly description: string;
  /** The pinned image. */
  readonly image: string;
  /** The HTTP port the server listens on (host networking). */
  readonly port: number;
  /** What the route's readiness probe requests. */
  readonly probePath: string;
  readonly portDescription: string;
  /** The line that says what compose.yml runs, in its generated header. */
  readonly summary: string;
  readonly diskGiB: number;
  readonly group: string;
  readonly tier: ServiceProps['tier'];
  /** The ingress and the NAS the library comes from. */
  readonly dependsOn: readonly string[];
  /** Environment beyond the user ids, given the route's public name. */
  readonly environment?: (fqdn: string) => Readonly<Record<string, string>>;
  /** Volumes between the configuration and the library (a transcode scratch directory). */
  readonly extraVolumes?: readonly string[];
}

export function mediaServerService(o: MediaServerOptions): ServiceProps {
  const files = (ctx: RenderContext): ConfigFile[] => {
    const gpu = ctx.service.node?.devices[MEDIA_SERVER_GPU];
    // An unmeasured render node is left out (the manifest lists it and deploy waits for it).
    const renderNode = gpu ? deviceNodeOf(gpu) : '/dev/dri/renderD128';
    const media = ctx.service.nfsMounts[0]!.path;
    const route = ctx.service.routes[0]!;
    const compose = composeFile({
      name: o.name,
      services: {
        [o.name]: {
          image: o.image,
          // Host networking: discovery and clients on the LAN reach the server directly.
          network_mode: 'host',
          environment: { PUID, PGID: PUID, ...o.environment?.(route.fqdn) },
          ...(renderNode ? { devices: [`${renderNode}:${renderNode}`] } : {}),
          volumes: ['./config:/config', ...(o.extraVolumes ?? []), `${media}:${media}:ro`],
        },
      },
    });
    return [{
      path: `${stackDir(o.name)}/compose.yml`, mode: '0644', format: 'compose',
      content: toYaml(compose, { header: generatedHeader(ctx.service.pkg, o.summary) }),
    }];
  };
  return defineService({
    name: o.name,
    description: o.description,
    kind: 'lxc',
    tier: o.tier,
    group: o.group,
    docker: true,
    resources: { cores: 2, memoryMiB: 2048, disks: [{ storage: 'local', sizeGiB: o.diskGiB }] },
    devices: [{ device: MEDIA_SERVER_GPU }],
    // The library only: a media server never writes to it.
    nfsMounts: [{ share: '/media', path: '/media', readOnly: true }],
    // The player UI and its settings are behind the application's own login.
    routes: [{ name: o.name, host: o.name, port: o.port, auth: 'app', admin: false, probePath: o.probePath }],
    ports: [{ port: o.port, protocol: 'tcp', description: o.portDescription, from: ['lan'] }],
    dependsOn: o.dependsOn,
    files,
  });
}
