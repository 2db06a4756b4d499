/**
 * A made-up homelab whose services render the files the security rules read: a Traefik-like
 * ingress (static config, acme.json, the forwardAuth middleware), a WireGuard server with client
 * configs, a download stack behind a VPN gateway, and a hypervisor package that declares the
 * Terraform token's role. Every definition here passes every rule; the tests and the corpus
 * break one thing at a time.
 */
import {
  buildHomelab, composeFile, DEPLOY_MACHINE, ensureProxmoxProvider, envRef, forwardAuthConfig, privilegesNeeded, ProxmoxAcl, ProxmoxRole, ProxmoxUser, ProxmoxUserToken,
  formatIpv4, parseCidr, securityHeadersConfig, synthesizeSite, toYaml, traefikStaticConfig, TRAEFIK_ACME_STORAGE, TRAEFIK_DYNAMIC_DIR, wireguardConfig,
  type ComposeService, type ConfigFile, type Problem, type RenderContext, type ServiceProps, type Site,
} from '../../src/index.ts';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

export { app, idp, testSite };

export const labSite: Site = {
  ...testSite,
  addressPlan: {
    ...testSite.addressPlan,
    vpn: { node: 'n1', vmid: 110, ip: '10.20.0.30' },
    dl: { node: 'n2', vmid: 111, ip: '10.20.0.31' },
  },
  portForwards: [...testSite.portForwards, { port: 51820, protocol: 'udp', service: 'vpn' }],
};

// ---- ingress -------------------------------------------------------------------------------

export function staticFile(over: (cfg: Record<string, any>) => Record<string, any> = (c) => c): ConfigFile {
  const cfg = traefikStaticConfig({ domain: 'example.test', acmeEmail: 'ops@example.test', dnsProvider: 'cloudflare', resolverName: 'le' });
  return { path: '/etc/traefik/traefik.yml', mode: '0644', format: 'traefik-static', content: toYaml(over(structuredClone(cfg))) };
}

export function middlewareFile(authentikUrl = 'http://10.20.0.21:9000', over: (cfg: Record<string, any>) => Record<string, any> = (c) => c): ConfigFile {
  return { path: `${TRAEFIK_DYNAMIC_DIR}/middleware-forward-auth.yml`, mode: '0644', format: 'traefik-dynamic', content: toYaml(over(structuredClone(forwardAuthConfig({ authentikUrl })))) };
}

/** The security-headers middleware and the default TLS options (traefik-headers.ts). */
export function headersFile(over: (cfg: Record<string, any>) => Record<string, any> = (c) => c): ConfigFile {
  return { path: `${TRAEFIK_DYNAMIC_DIR}/middleware-security-headers.yml`, mode: '0644', format: 'traefik-dynamic', content: toYaml(over(structuredClone(securityHeadersConfig()))) };
}

export const acmeFile: ConfigFile = { path: TRAEFIK_ACME_STORAGE, mode: '0600', format: 'text', content: '', createOnly: true, secret: true };

export const ingress = (files: (ctx: RenderContext) => ConfigFile[] = () => [staticFile(), acmeFile, middlewareFile(), headersFile()]): ServiceProps => ({ ...proxy, files });

/** A dynamic file a service drops on the ingress host, with whatever routers it is given. */
export function dynamicFile(name: string, http: Record<string, unknown>): ConfigFile {
  return { path: `${TRAEFIK_DYNAMIC_DIR}/${name}.yml`, host: 'proxy', hostLevel: { reason: 'extra routers, which the ingress proxy reads' }, mode: '0644', format: 'traefik-dynamic', content: toYaml({ http }) };
}

// ---- WireGuard -----------------------------------------------------------------------------

export interface VpnOptions {
  readonly subnet?: string;
  readonly clientAllowedIps?: readonly string[];
  readonly clientAddress?: string;
  readonly serverPeerAllowedIps?: readonly string[];
  readonly factsAllowedIps?: readonly string[];
  /** The published tunnel fact, when it is not the one the configs are rendered from. */
  readonly facts?: unknown;
  readonly clientText?: string;
  /** Render the pair without its preshared key. */
  readonly withoutPsk?: boolean;
}

/** The n-th host address of a subnet. */
function hostOf(subnet: string, n: number): string {
  return formatIpv4(parseCidr(subnet)!.network + n);
}

export function vpn(o: VpnOptions = {}): ServiceProps {
  const subnet = o.subnet ?? '10.99.0.0/24';
  const [server, laptop] = [hostOf(subnet, 1), hostOf(subnet, 2)];
  const prefix = subnet.split('/')[1];
  const psk = o.withoutPsk ? {} : { presharedKey: envRef('WG_LAPTOP_PRESHARED_KEY') };
  const facts = { subnet, serverAddress: server, peers: [{ name: 'laptop', address: laptop, allowedIps: o.factsAllowedIps ?? [subnet] }] };
  return {
    name: 'vpn', description: 'remote-management VPN', kind: 'lxc', tier: 'minimal', group: 'core',
    resources: { cores: 1, memoryMiB: 256, disks: [{ storage: 'local', sizeGiB: 2 }] },
    ports: [{ port: 51820, protocol: 'udp', description: 'WireGuard', public: true }],
    secrets: ['WG_SERVER_PRIVATE_KEY', 'WG_SERVER_PUBLIC_KEY', 'WG_LAPTOP_PUBLIC_KEY', 'WG_LAPTOP_PRIVATE_KEY', ...(o.withoutPsk ? [] : ['WG_LAPTOP_PRESHARED_KEY'])].map((env) => ({ env, description: env })),
    facts: { wireguard: (o.facts === undefined ? facts : o.facts) as never },
    files: () => [
      {
        path: '/etc/wireguard/wg0.conf', mode: '0600', format: 'wireguard', secret: true,
        content: wireguardConfig({
          interface: { address: [`${server}/${prefix}`], listenPort: 51820, privateKey: envRef('WG_SERVER_PRIVATE_KEY') },
          peers: [{ name: 'laptop', publicKey: envRef('WG_LAPTOP_PUBLIC_KEY'), ...psk, allowedIps: o.serverPeerAllowedIps ?? [`${laptop}/32`] }],
        }),
      },
      {
        path: '/etc/wireguard/clients/laptop.conf', host: DEPLOY_MACHINE, hostLevel: { reason: 'the laptop\'s client configuration, handed to the laptop' }, mode: '0600', format: 'wireguard', secret: true,
        content: o.clientText ?? wireguardConfig({
          interface: { address: [o.clientAddress ?? `${laptop}/32`], privateKey: envRef('WG_LAPTOP_PRIVATE_KEY') },
          peers: [{ name: 'vpn', publicKey: envRef('WG_SERVER_PUBLIC_KEY'), ...psk, allowedIps: o.clientAllowedIps ?? [subnet], endpoint: 'wg.example.test:51820' }],
        }),
      },
    ],
  };
}

// ---- download stack behind a VPN gateway ---------------------------------------------------

export const gluetun: ComposeService = {
  image: 'docker.io/qmcgaw/gluetun:v3.40.0', cap_add: ['NET_ADMIN'], devices: ['/dev/net/tun:/dev/net/tun'], ports: ['8080:8080'],
};
export const qbittorrent: ComposeService = {
  image: 'lscr.io/linuxserver/qbittorrent:5.0.0', network_mode: 'service:gluetun', depends_on: { gluetun: { condition: 'service_healthy' } },
};
export const indexer: ComposeService = { image: 'lscr.io/linuxserver/prowlarr:2.0.0', ports: ['9696:9696'] };

/** A download stack; `killSwitch` null declares none. */
export function downloads(services: Record<string, ComposeService> = { gluetun, qbittorrent, indexer }, killSwitch: unknown = { gateway: 'gluetun', clients: ['qbittorrent'] }): ServiceProps {
  return {
    name: 'dl', description: 'downloads behind a VPN', kind: 'lxc', tier: 'normal', group: 'apps', docker: true,
    resources: { cores: 1, memoryMiB: 1024, disks: [{ storage: 'local', sizeGiB: 8 }] },
    routes: [{ host: 'torrent', port: 8080, auth: 'authentik' }],
    dependsOn: ['idp', 'proxy'],
    facts: killSwitch === null ? {} : { killSwitch: killSwitch as never },
    files: () => [{ path: '/opt/stacks/dl/compose.yml', mode: '0644', format: 'compose', content: toYaml(composeFile({ name: 'dl', services })) }],
  };
}

// ---- the hypervisor package and its Terraform token role -----------------------------------

/** What the guests of the lab need: containers only, unless a VM is added. */
export const CONTAINER_PRIVILEGES = privilegesNeeded(['proxmox_virtual_environment_container']);

/** The ACL paths the lab's service stacks touch (containers on n1 and n2, local-lvm, the template store, vmbr0). */
export const LAB_ACL_PATHS = ['/nodes/n1', '/nodes/n2', '/sdn/zones/localnetwork/vmbr0', '/storage/local', '/storage/local-lvm', '/vms'];

/** `aclPaths`: the token's ACLs (none by default: the stack then manages no token). */
export function hypervisor(privileges: readonly string[] = CONTAINER_PRIVILEGES, role: unknown = undefined, roleId = 'LabTerraform', aclPaths?: readonly string[]): ServiceProps {
  return {
    name: 'hv', description: 'the hypervisor cluster', kind: 'none', tier: 'critical', group: 'core', provides: ['hypervisor'],
    facts: { terraformRole: (role ?? { name: roleId, privileges }) as never },
    terraform: (scope) => {
      ensureProxmoxProvider(scope);
      new ProxmoxRole(scope, 'terraform_role', { role_id: roleId, privileges });
      aclPaths?.forEach((path, i) => new ProxmoxAcl(scope, `acl_${i}`, { path, role_id: roleId, token_id: 'tf@pve!lab', propagate: path === '/' || path === '/vms' }));
    },
  };
}

/**
 * A hypervisor whose stack creates the token's user and the token: `holder` says who the ACLs on
 * LAB_ACL_PATHS name, `separated` the token's privilege separation.
 */
export function hypervisorWithToken(holder: 'user' | 'token' | 'both', separated: boolean): ServiceProps {
  const base = hypervisor();
  return {
    ...base,
    terraform: (scope) => {
      ensureProxmoxProvider(scope);
      const role = new ProxmoxRole(scope, 'terraform_role', { role_id: 'LabTerraform', privileges: CONTAINER_PRIVILEGES });
      const user = new ProxmoxUser(scope, 'tf_user', { user_id: 'tf@pve', enabled: true });
      const token = new ProxmoxUserToken(scope, 'tf_token', { user_id: user.userIdRef, token_name: 'lab', privileges_separation: separated });
      LAB_ACL_PATHS.forEach((path, i) => {
        const common = { path, role_id: role.roleIdRef, propagate: path === '/vms' };
        if (holder !== 'token') new ProxmoxAcl(scope, `user_acl_${i}`, { ...common, user_id: user.userIdRef });
        if (holder !== 'user') new ProxmoxAcl(scope, `token_acl_${i}`, { ...common, token_id: token.idRef });
      });
    },
  };
}

/** The whole lab: every service valid. */
export const lab = (): ServiceProps[] => [ingress(), idp, app, vpn(), downloads(), hypervisor()];

/** Builds the model, synthesizes every service and returns every problem (the `homelab synth` path). */
export function synth(site: Site, defs: readonly ServiceProps[]): Problem[] {
  return [...synthesizeSite(buildHomelab(site, entries(...defs))).problems];
}

/** Replaces the definition named like `def` in the list. */
export function replace(defs: readonly ServiceProps[], ...changed: ServiceProps[]): ServiceProps[] {
  const names = new Set(changed.map((d) => d.name));
  return [...defs.filter((d) => !names.has(d.name)), ...changed];
}
