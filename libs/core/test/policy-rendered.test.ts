/**
 * The security rules that read rendered files and Terraform stacks (seed section 05): one table of
 * passing fixtures and one of failing fixtures per rule, each failing row naming the code, the
 * package and the place it must be reported at.
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, parseDocument } from 'yaml';
import { BLUEPRINT_YAML_TAGS, BlueprintTag, validateArtifact } from '../src/validate/index.ts';
import { tagged } from '../src/render/yaml.ts';
import {
  buildHomelab, checkRenderedFiles, formatProblem, formatProblems, POLICY_RULES, privilegesNeeded, synthesizeSite, toYaml,
  type ConfigFile, type Problem, type ServiceProps, type Site,
} from '../src/index.ts';
import { constructOf, TerraformResource } from '../src/proxmox/cdktf.ts';
import {
  acmeFile, app, CONTAINER_PRIVILEGES, LAB_ACL_PATHS, downloads, dynamicFile, gluetun, headersFile, hypervisor, hypervisorWithToken, idp, indexer, ingress, lab, labSite, middlewareFile,
  qbittorrent, replace, staticFile, synth, vpn,
} from './corpus/fixtures.ts';
import { entries } from './fixtures/test-site.ts';

const secure = { entryPoints: ['websecure'], tls: { certResolver: 'le' }, service: 'app' };
/** The app service with one extra dynamic file of its own on the ingress. */
const appWith = (http: Record<string, unknown>): ServiceProps => ({ ...app, files: () => [dynamicFile('app-extra', http)] });
const router = (name: string, body: Record<string, unknown>) => appWith({ routers: { [name]: { ...secure, ...body } } });
const withVm: ServiceProps = {
  name: 'vmsvc', description: 'a VM', kind: 'vm', placement: 'vm', tier: 'normal', group: 'apps',
  resources: { cores: 1, memoryMiB: 1024, disks: [{ storage: 'local', sizeGiB: 8 }] },
};
const extraStack = (type: string): ServiceProps => ({ ...app, terraform: (scope) => { new TerraformResource(constructOf(scope), 'x', { terraformResourceType: type }); } });
/** The app behind a self-signed HTTPS backend, and a site that pins its CA. */
const selfSigned: ServiceProps = { ...app, routes: [{ host: 'app', port: 443, scheme: 'https', selfSignedBackend: true, auth: 'authentik' }] };
const pinnedSite: Site = { ...labSite, edge: { backendCas: { app: { pemEnv: 'APP_CA_PEM', description: 'the app\'s self-signed CA', serverName: 'app.internal' } } } };
const wgSite = (subnet: string): Site => ({ ...labSite, wireguard: { ...labSite.wireguard!, subnet } });

type Row = [rule: string, code: string, site: Site, defs: ServiceProps[], source: string, path: string];

const failing: Row[] = [
  // https-only
  ['https-only', 'PlainHttpRouter', labSite, replace(lab(), router('plain', { rule: 'Host(`app2.example.test`)', entryPoints: ['web'] })), 'packages/app', 'files[/etc/traefik/dynamic/app-extra.yml].http.routers.plain.entryPoints'],
  ['https-only', 'PlainHttpRouter', labSite, replace(lab(), router('all', { rule: 'Host(`app2.example.test`)', entryPoints: undefined })), 'packages/app', 'http.routers.all.entryPoints'],
  ['https-only', 'PlainHttpRouter', labSite, replace(lab(), router('both', { rule: 'Host(`app2.example.test`)', entryPoints: ['web', 'websecure'] })), 'packages/app', 'http.routers.both.entryPoints'],
  ['https-only', 'RouterWithoutTls', labSite, replace(lab(), router('notls', { rule: 'Host(`app2.example.test`)', tls: undefined })), 'packages/app', 'http.routers.notls.tls'],
  ['https-only', 'CatchAllRouterRule', labSite, replace(lab(), router('regexp', { rule: 'HostRegexp(`.+`)' })), 'packages/app', 'http.routers.regexp.rule'],
  ['https-only', 'CatchAllRouterRule', labSite, replace(lab(), router('path', { rule: 'PathPrefix(`/`)' })), 'packages/app', 'http.routers.path.rule'],
  ['https-only', 'CatchAllRouterRule', labSite, replace(lab(), router('star', { rule: 'Host(`*.example.test`)' })), 'packages/app', 'http.routers.star.rule'],
  ['https-only', 'CatchAllRouterRule', labSite, replace(lab(), router('or', { rule: 'Host(`app2.example.test`) || PathPrefix(`/x`)' })), 'packages/app', 'http.routers.or.rule'],
  ['https-only', 'CatchAllRouterRule', labSite, replace(lab(), router('norule', { rule: undefined })), 'packages/app', 'http.routers.norule.rule'],
  ['https-only', 'RouterRuleNotSingleHost', labSite, replace(lab(), router('two', { rule: 'Host(`a.example.test`, `b.example.test`)' })), 'packages/app', 'http.routers.two.rule'],
  ['https-only', 'MissingHttpsRedirect', labSite, replace(lab(), ingress(() => [staticFile((c) => { delete c.entryPoints.web.http; return c; }), acmeFile, middlewareFile(), headersFile()])), 'packages/proxy', 'files[/etc/traefik/traefik.yml].entryPoints.web'],
  ['https-only', 'MissingHttpsRedirect', labSite, replace(lab(), ingress(() => [staticFile((c) => { c.entryPoints.web.http.redirections.entryPoint.scheme = 'http'; return c; }), acmeFile, middlewareFile(), headersFile()])), 'packages/proxy', 'entryPoints.web'],
  ['https-only', 'InsecureDashboard', labSite, replace(lab(), ingress(() => [staticFile((c) => ({ ...c, api: { dashboard: true, insecure: true } })), acmeFile, middlewareFile(), headersFile()])), 'packages/proxy', 'files[/etc/traefik/traefik.yml].api.insecure'],
  ['https-only', 'UnreadableTraefikFile', labSite, replace(lab(), { ...app, files: () => [{ ...dynamicFile('app-extra', {}), content: 'http: [unclosed' }] }), 'packages/app', 'files[/etc/traefik/dynamic/app-extra.yml]'],
  // forward-auth
  ['forward-auth', 'ForwardAuthMissing', labSite, replace(lab(), router('app-api', { rule: 'Host(`app.example.test`) && PathPrefix(`/api`)' })), 'packages/app', 'http.routers.app-api.middlewares'],
  ['forward-auth', 'ForwardAuthNotFirst', labSite, replace(lab(), router('app-api', { rule: 'Host(`app.example.test`) && PathPrefix(`/api`)', middlewares: ['compress@file', 'authentik@file'] })), 'packages/app', 'http.routers.app-api.middlewares'],
  ['forward-auth', 'ForwardAuthMissing', labSite, replace(lab(), { ...app, routes: [{ host: 'app', port: 3000, auth: 'authentik', middlewares: [] }], files: () => [dynamicFile('app-extra', { routers: { dashboard: { ...secure, rule: 'Host(`proxy.example.test`)', service: 'api@internal' } } })] }), 'packages/app', 'http.routers.dashboard.middlewares'],
  ['forward-auth', 'ForwardAuthUndefined', labSite, replace(lab(), ingress(() => [staticFile(), acmeFile])), 'packages/proxy', 'files[/etc/traefik/dynamic]'],
  ['forward-auth', 'ForwardAuthWrongTarget', labSite, replace(lab(), ingress(() => [staticFile(), acmeFile, middlewareFile('http://10.20.0.99:9000')])), 'packages/proxy', 'http.middlewares.authentik.forwardAuth.address'],
  ['forward-auth', 'ForwardAuthWrongTarget', labSite, replace(lab(), ingress(() => [staticFile(), acmeFile, middlewareFile(undefined, () => ({ http: { middlewares: { authentik: { basicAuth: { users: [] } } } } }))])), 'packages/proxy', 'http.middlewares.authentik'],
  ['kill-switch', 'VpnOutboundTooBroad', labSite, replace(lab(), downloads({ gluetun: { ...gluetun, environment: { FIREWALL_OUTBOUND_SUBNETS: '10.20.0.0/24' } }, qbittorrent, indexer })), 'packages/dl', 'files[/opt/stacks/dl/compose.yml].services.gluetun.environment.FIREWALL_OUTBOUND_SUBNETS'],
  ['kill-switch', 'VpnOutboundTooBroad', labSite, replace(lab(), downloads({ gluetun: { ...gluetun, environment: ['FIREWALL_OUTBOUND_SUBNETS=10.20.0.20/32,10.0.0.0/8'] as never }, qbittorrent, indexer })), 'packages/dl', 'services.gluetun.environment.FIREWALL_OUTBOUND_SUBNETS'],
  ['kill-switch', 'VpnOutboundOutsideLan', labSite, replace(lab(), downloads({ gluetun: { ...gluetun, environment: { FIREWALL_OUTBOUND_SUBNETS: '8.8.8.8/32' } }, qbittorrent, indexer })), 'packages/dl', 'services.gluetun.environment.FIREWALL_OUTBOUND_SUBNETS'],
  // split-tunnel
  ['split-tunnel', 'InvalidTunnelSubnet', wgSite('10.99.0.0/33'), lab(), 'libs/site', 'wireguard.subnet'],
  ['split-tunnel', 'TunnelOverlapsLan', wgSite('10.20.0.0/25'), replace(lab(), vpn({ subnet: '10.20.0.0/25' })), 'libs/site', 'wireguard.subnet'],
  ['split-tunnel', 'TunnelSubnetMismatch', labSite, replace(lab(), vpn({ subnet: '10.98.0.0/24' })), 'packages/vpn', 'facts.wireguard.subnet'],
  ['split-tunnel', 'FullTunnelClient', labSite, replace(lab(), vpn({ clientAllowedIps: ['0.0.0.0/0'] })), 'packages/vpn', 'files[/etc/wireguard/clients/laptop.conf]'],
  ['split-tunnel', 'FullTunnelClient', labSite, replace(lab(), vpn({ clientAllowedIps: ['0.0.0.0/1', '128.0.0.0/1'] })), 'packages/vpn', 'files[/etc/wireguard/clients/laptop.conf]'],
  ['split-tunnel', 'FullTunnelClient', labSite, replace(lab(), vpn({ factsAllowedIps: ['0.0.0.0/0', '::/0'] })), 'packages/vpn', 'facts.wireguard.peers[0].allowedIps'],
  ['split-tunnel', 'ClientRoutesBeyondTunnel', labSite, replace(lab(), vpn({ clientAllowedIps: ['10.99.0.0/24', '10.20.0.0/24'] })), 'packages/vpn', 'files[/etc/wireguard/clients/laptop.conf]'],
  ['split-tunnel', 'PeerOutsideTunnel', labSite, replace(lab(), vpn({ clientAddress: '10.20.0.77/32' })), 'packages/vpn', 'files[/etc/wireguard/clients/laptop.conf]'],
  ['split-tunnel', 'PeerOutsideTunnel', labSite, replace(lab(), vpn({ serverPeerAllowedIps: ['10.20.0.0/24'] })), 'packages/vpn', 'files[/etc/wireguard/wg0.conf]'],
  ['split-tunnel', 'UnreadableWireguardConfig', labSite, replace(lab(), vpn({ clientText: 'not a wireguard config\n' })), 'packages/vpn', 'files[/etc/wireguard/clients/laptop.conf]'],
  // kill-switch
  ['kill-switch', 'DownloadClientOutsideVpn', labSite, replace(lab(), downloads({ gluetun, qbittorrent: { ...qbittorrent, network_mode: undefined }, indexer })), 'packages/dl', 'files[/opt/stacks/dl/compose.yml].services.qbittorrent.network_mode'],
  ['kill-switch', 'DownloadClientOutsideVpn', labSite, replace(lab(), downloads({ gluetun, qbittorrent, indexer, transmission: { image: 'lscr.io/linuxserver/transmission:4.0.0' } })), 'packages/dl', 'services.transmission.network_mode'],
  ['kill-switch', 'DownloadClientOutsideVpn', labSite, replace(lab(), downloads({ nzbget: { image: 'lscr.io/linuxserver/nzbget:v24' } }, null)), 'packages/dl', 'services.nzbget.network_mode'],
  ['kill-switch', 'DownloadClientOwnNetwork', labSite, replace(lab(), downloads({ gluetun, qbittorrent: { ...qbittorrent, ports: ['8081:8081'] }, indexer })), 'packages/dl', 'services.qbittorrent.ports'],
  ['kill-switch', 'DownloadClientOwnNetwork', labSite, replace(lab(), downloads({ gluetun, qbittorrent: { ...qbittorrent, networks: ['default'] }, indexer })), 'packages/dl', 'services.qbittorrent.networks'],
  ['kill-switch', 'VpnGatewayWithoutTunnel', labSite, replace(lab(), downloads({ gluetun: { ...gluetun, cap_add: undefined }, qbittorrent, indexer })), 'packages/dl', 'services.gluetun.cap_add'],
  ['kill-switch', 'VpnGatewayWithoutTunnel', labSite, replace(lab(), downloads({ gluetun: { ...gluetun, devices: undefined }, qbittorrent, indexer })), 'packages/dl', 'services.gluetun.devices'],
  ['kill-switch', 'VpnGatewayOnHostNetwork', labSite, replace(lab(), downloads({ gluetun: { ...gluetun, network_mode: 'host' }, qbittorrent, indexer })), 'packages/dl', 'services.gluetun.network_mode'],
  ['kill-switch', 'UndeclaredVpnNamespaceShare', labSite, replace(lab(), downloads({ gluetun, qbittorrent, indexer: { ...indexer, ports: undefined, network_mode: 'service:qbittorrent' } })), 'packages/dl', 'services.indexer.network_mode'],
  ['kill-switch', 'KillSwitchServiceMissing', labSite, replace(lab(), downloads(undefined, { gateway: 'vpn-gateway', clients: ['qbittorrent'] })), 'packages/dl', 'services.vpn-gateway'],
  ['kill-switch', 'UnreadableComposeFile', labSite, replace(lab(), { ...downloads(), files: () => [{ path: '/opt/stacks/dl/compose.yml', mode: '0644', format: 'compose', content: 'services: {gluetun: [' }] }), 'packages/dl', 'files[/opt/stacks/dl/compose.yml]'],
  ['split-tunnel', 'PeerWithoutPresharedKey', labSite, replace(lab(), vpn({ withoutPsk: true })), 'packages/vpn', 'files[/etc/wireguard/wg0.conf]'],
  ['split-tunnel', 'PeerWithoutPresharedKey', labSite, replace(lab(), vpn({ withoutPsk: true })), 'packages/vpn', 'files[/etc/wireguard/clients/laptop.conf]'],
  // terraform-token
  ['terraform-token', 'TokenPrivilegeMissing', labSite, replace(lab(), hypervisor(CONTAINER_PRIVILEGES.filter((p) => p !== 'VM.Allocate'))), 'packages/hv', 'facts.terraformRole.privileges'],
  ['terraform-token', 'TokenPrivilegeMissing', labSite, [...lab(), withVm], 'packages/hv', 'facts.terraformRole.privileges'],
  ['terraform-token', 'TokenPrivilegeNotNeeded', labSite, replace(lab(), hypervisor([...CONTAINER_PRIVILEGES, 'VM.Config.CDROM'])), 'packages/hv', 'facts.terraformRole.privileges'],
  ['terraform-token', 'TokenTooBroad', labSite, replace(lab(), hypervisor([...CONTAINER_PRIVILEGES, 'Sys.Modify'])), 'packages/hv', 'facts.terraformRole.privileges'],
  ['terraform-token', 'TokenTooBroad', labSite, replace(lab(), hypervisor(CONTAINER_PRIVILEGES, undefined, 'Administrator')), 'packages/hv', 'facts.terraformRole.name'],
  ['terraform-token', 'UnknownProxmoxResourceType', labSite, replace(lab(), extraStack('proxmox_virtual_environment_firewall_ipset')), 'packages/app', 'terraform.proxmox_virtual_environment_firewall_ipset'],
  ['terraform-token', 'TerraformRoleMismatch', labSite, replace(lab(), hypervisor(CONTAINER_PRIVILEGES, { name: 'OtherRole', privileges: CONTAINER_PRIVILEGES })), 'packages/hv', 'facts.terraformRole'],
  ['terraform-token', 'DuplicateTerraformRole', labSite, [...lab(), { ...hypervisor(), name: 'hv2', provides: [] }], 'packages/hv2', 'facts.terraformRole'],
  ['terraform-token', 'TerraformRoleMismatch', labSite, replace(lab(), hypervisor(CONTAINER_PRIVILEGES, { name: 'LabTerraform', privileges: CONTAINER_PRIVILEGES.filter((p) => p !== 'VM.Audit') })), 'packages/hv', 'facts.terraformRole.privileges'],
  // edge-tls
  ['edge-tls', 'SecurityHeadersNotApplied', labSite, replace(lab(), ingress(() => [staticFile((c) => { delete c.entryPoints.websecure.http.middlewares; return c; }), acmeFile, middlewareFile(), headersFile()])), 'packages/proxy', 'files[/etc/traefik/traefik.yml].entryPoints.websecure.http.middlewares'],
  ['edge-tls', 'SecurityHeadersUndefined', labSite, replace(lab(), ingress(() => [staticFile(), acmeFile, middlewareFile()])), 'packages/proxy', 'files[/etc/traefik/dynamic]'],
  ['edge-tls', 'SecurityHeadersWeak', labSite, replace(lab(), ingress(() => [staticFile(), acmeFile, middlewareFile(), headersFile((c) => { c.http.middlewares['security-headers'].headers.stsSeconds = 300; return c; })])), 'packages/proxy', 'files[/etc/traefik/dynamic/middleware-security-headers.yml].http.middlewares.security-headers.headers.stsSeconds'],
  ['edge-tls', 'SecurityHeadersWeak', labSite, replace(lab(), ingress(() => [staticFile(), acmeFile, middlewareFile(), headersFile((c) => { delete c.http.middlewares['security-headers'].headers.contentTypeNosniff; return c; })])), 'packages/proxy', 'headers.contentTypeNosniff'],
  ['edge-tls', 'SecurityHeadersWeak', labSite, replace(lab(), ingress(() => [staticFile(), acmeFile, middlewareFile(), headersFile((c) => { c.http.middlewares['security-headers'].headers.customFrameOptionsValue = 'ALLOW-FROM https://x.test'; return c; })])), 'packages/proxy', 'headers.customFrameOptionsValue'],
  ['edge-tls', 'SecurityHeadersWeak', labSite, replace(lab(), ingress(() => [staticFile(), acmeFile, middlewareFile(), headersFile((c) => { c.http.middlewares['security-headers'].headers.referrerPolicy = 'unsafe-url'; return c; })])), 'packages/proxy', 'headers.referrerPolicy'],
  ['edge-tls', 'WeakTlsOptions', labSite, replace(lab(), ingress(() => [staticFile(), acmeFile, middlewareFile(), headersFile((c) => { c.tls.options.default.minVersion = 'VersionTLS11'; return c; })])), 'packages/proxy', 'files[/etc/traefik/dynamic/middleware-security-headers.yml].tls.options.default.minVersion'],
  ['edge-tls', 'WeakTlsOptions', labSite, replace(lab(), ingress(() => [staticFile(), acmeFile, middlewareFile(), headersFile((c) => { c.tls.options.default.sniStrict = false; return c; })])), 'packages/proxy', 'tls.options.default.sniStrict'],
  ['edge-tls', 'WeakTlsOptions', labSite, replace(lab(), ingress(() => [staticFile(), acmeFile, middlewareFile(), headersFile((c) => { delete c.tls; return c; })])), 'packages/proxy', 'files[/etc/traefik/dynamic].tls.options'],
  ['edge-tls', 'TlsVerificationOff', labSite, replace(lab(), appWith({ serversTransports: { nas: { insecureSkipVerify: true } } })), 'packages/app', 'files[/etc/traefik/dynamic/app-extra.yml].http.serversTransports.nas.insecureSkipVerify'],
  ['edge-tls', 'BackendCaMissing', labSite, replace(lab(), selfSigned), 'libs/site', 'edge.backendCas.app'],
  ['edge-tls', 'InvalidBackendCa', { ...pinnedSite, edge: { backendCas: { app: { pemEnv: 'X; rm -rf /', description: 'ca' } } } }, replace(lab(), selfSigned), 'libs/site', 'edge.backendCas.app.pemEnv'],
  ['edge-tls', 'InvalidBackendCa', pinnedSite, lab(), 'libs/site', 'edge.backendCas.app'],
  // authentik-admin
  ['authentik-admin', 'AdminGroupUndefined', { ...labSite, identity: undefined }, lab(), 'libs/site', 'identity.adminGroup'],
  ['terraform-token', 'TokenAclOnRoot', labSite, replace(lab(), hypervisor(CONTAINER_PRIVILEGES, undefined, 'LabTerraform', ['/'])), 'packages/hv', 'terraform.proxmox_acl.acl_0.path'],
  ['terraform-token', 'TokenAclOnRoot', labSite, replace(lab(), hypervisor(CONTAINER_PRIVILEGES, undefined, 'LabTerraform', [...LAB_ACL_PATHS, '/'])), 'packages/hv', 'terraform.proxmox_acl.acl_6.path'],
  ['terraform-token', 'TokenAclPathMissing', labSite, replace(lab(), hypervisor(CONTAINER_PRIVILEGES, undefined, 'LabTerraform', LAB_ACL_PATHS.filter((p) => p !== '/vms'))), 'packages/hv', 'terraform.proxmox_acl'],
  ['terraform-token', 'TokenAclPathMissing', labSite, replace(lab(), hypervisor(CONTAINER_PRIVILEGES, undefined, 'LabTerraform', LAB_ACL_PATHS.filter((p) => p !== '/nodes/n2'))), 'packages/hv', 'terraform.proxmox_acl'],
  ['terraform-token', 'TokenPermissionIneffective', labSite, replace(lab(), hypervisorWithToken('token', true)), 'packages/hv', 'terraform.proxmox_user_token.tf_token'],
  ['terraform-token', 'TokenPermissionIneffective', labSite, replace(lab(), hypervisorWithToken('user', true)), 'packages/hv', 'terraform.proxmox_user_token.tf_token'],
  ['terraform-token', 'TokenAclPathNotNeeded', labSite, replace(lab(), hypervisor(CONTAINER_PRIVILEGES, undefined, 'LabTerraform', [...LAB_ACL_PATHS, '/storage/ceph'])), 'packages/hv', 'terraform.proxmox_acl.acl_6.path'],
  // secrets: acme.json
  ['secrets', 'SecretFileModeTooOpen', labSite, replace(lab(), ingress(() => [staticFile(), { ...acmeFile, mode: '0644', secret: false }, middlewareFile()])), 'packages/proxy', 'files[/etc/traefik/acme.json].mode'],
];

describe.each(failing)('rule %s: %s', (rule, code, site, defs, source, path) => {
  const problems = synth(site, defs);
  it(`is reported against ${source} at ${path}, in the message grammar`, () => {
    const hit = problems.find((p) => p.code === code && p.source === source && p.path.includes(path));
    expect(hit, formatProblems(problems)).toBeDefined();
    expect(POLICY_RULES.find((r) => r.name === rule)!.codes).toContain(code);
    expect(hit!.message.length).toBeGreaterThan(15);
    expect(hit!.fix).toMatch(/^[A-Z].*\.$/);
    expect(formatProblem(hit!)).toContain(`${source}: `);
  });
});

const passing: [string, ServiceProps[], Site?][] = [
  ['the whole lab', lab()],
  ['https-only: Host && PathPrefix on the secure entrypoint with TLS', replace(lab(), router('app-api', { rule: 'Host(`app.example.test`) && PathPrefix(`/api`)', middlewares: ['authentik@file'] }))],
  ['https-only: a static config with no web entrypoint at all', replace(lab(), ingress(() => [staticFile((c) => { delete c.entryPoints.web; return c; }), acmeFile, middlewareFile(), headersFile()]))],
  ['forward-auth: other middlewares after authentik@file', replace(lab(), { ...app, routes: [{ host: 'app', port: 3000, auth: 'authentik', middlewares: ['compress@file'] }] })],
  ['forward-auth: a route with the application\'s own login needs no forwardAuth', replace(lab(), { ...app, routes: [{ host: 'app', port: 3000, auth: 'app', admin: false }], dependsOn: ['proxy'] })],
  ['split-tunnel: a /16 tunnel far from the LAN', replace(lab(), vpn({ subnet: '172.30.0.0/16' })), wgSite('172.30.0.0/16')],
  ['kill-switch: several clients in the gateway namespace', replace(lab(), downloads({ gluetun, qbittorrent, sabnzbd: { image: 'lscr.io/linuxserver/sabnzbd:4.5.5', network_mode: 'service:gluetun' }, indexer }, { gateway: 'gluetun', clients: ['qbittorrent', 'sabnzbd'] }))],
  ['kill-switch: an outbound exception of single LAN hosts (the ingress)', replace(lab(), downloads({ gluetun: { ...gluetun, environment: { FIREWALL_OUTBOUND_SUBNETS: '10.20.0.20/32, 10.20.0.40' } }, qbittorrent, indexer }))],
  ['kill-switch: a stack without download clients needs no kill switch', replace(lab(), downloads({ indexer: { ...indexer, ports: ['9696:9696', '8080:8080'] } }, null))],
  ['terraform-token: VMs present and their privileges granted', [...replace(lab(), hypervisor(privilegesNeeded(['proxmox_virtual_environment_container', 'proxmox_virtual_environment_vm']))), withVm]],
  ['terraform-token: a broad grant is allowed where a resource needs it', replace(lab(), extraStack('proxmox_acl'), hypervisor([...CONTAINER_PRIVILEGES, 'Permissions.Modify']))],
  ['terraform-token: the token\'s ACLs exactly on the paths the stacks touch', replace(lab(), hypervisor(CONTAINER_PRIVILEGES, undefined, 'LabTerraform', LAB_ACL_PATHS))],
  ['terraform-token: an unseparated token whose user holds the role (PVE: the token holds its user\'s permissions)', replace(lab(), hypervisorWithToken('user', false))],
  ['terraform-token: a separated token and its user both hold the role', replace(lab(), hypervisorWithToken('both', true))],
  ['terraform-token: a site without a declared role is not checked', lab().filter((d) => d.name !== 'hv')],
  ['edge-tls: a self-signed backend whose CA the site pins', replace(lab(), selfSigned), pinnedSite],
  ['edge-tls: frameDeny is a frame policy too', replace(lab(), ingress(() => [staticFile(), acmeFile, middlewareFile(), headersFile((c) => { const h = c.http.middlewares['security-headers'].headers; delete h.customFrameOptionsValue; h.frameDeny = true; return c; })]))],
  ['CPU weight inside the tier band (high: 1200-1500)', replace(lab(), { ...idp, cpuWeight: 1500 })],
];

describe('passing fixtures', () => {
  it.each(passing)('%s has no problem', (_name, defs, site = labSite) => {
    expect(formatProblems(synth(site, defs))).toBe('');
  });
});

describe('seed promises covered by earlier rules, passing side', () => {
  const storageSite: Site = { ...labSite, addressPlan: { ...labSite.addressPlan, nas: { node: 'n2', vmid: 140, ip: '10.20.0.60' } } };
  const nas: ServiceProps = { ...withVm, name: 'nas', placement: 'nas', kind: 'lxc', group: 'core', tier: 'high', provides: ['nfs'] };
  const ceph: ServiceProps = { name: 'ceph', description: 'ceph', kind: 'none', tier: 'high', group: 'core', provides: ['block-storage'] };
  it.each<[string, ServiceProps[]]>([
    ['storage-dependencies: an NFS mount that depends on the NAS', [...lab(), nas].map((d) => (d.name === 'app' ? { ...app, nfsMounts: [{ share: '/media', path: '/media' }], dependsOn: ['idp', 'nas', 'proxy'] } : d))],
    ['storage-dependencies: a Ceph disk that depends on Ceph', [...replace(lab(), hypervisor(privilegesNeeded(['proxmox_virtual_environment_container', 'proxmox_virtual_environment_vm']))), ceph, { ...withVm, resources: { cores: 1, memoryMiB: 1024, disks: [{ storage: 'ceph', sizeGiB: 8 }] }, dependsOn: ['ceph'] }]],
    ['groups: an always-on service that depends on an always-on one', lab()],
    ['dependencies: a chain without a cycle', replace(lab(), { ...vpn(), dependsOn: ['proxy'] })],
  ])('%s has no problem', (_name, defs) => {
    expect(formatProblems(synth(storageSite, defs))).toBe('');
  });
});

describe('seed promises covered by earlier rules, failing side', () => {
  it('CpuWeightOutsideTier: 1600 is outside the high band', () => {
    const problems = synth(labSite, replace(lab(), { ...idp, cpuWeight: 1600 }));
    expect(problems.map((p) => p.code)).toContain('CpuWeightOutsideTier');
  });
  it('acme.json that says it is secret is checked like every secret; 0600 passes', () => {
    const codes = (mode: string) => synth(labSite, replace(lab(), ingress(() => [staticFile(), { ...acmeFile, mode }, middlewareFile(), headersFile()]))).map((p) => p.code);
    expect(codes('0640')).toContain('SecretFileModeTooOpen');
    expect(codes('0600')).toEqual([]);
  });
});

describe('rendered rules and partial synthesis', () => {
  it('reports nothing extra when only some services are synthesized (--service)', () => {
    const home = buildHomelab(labSite, entries(...replace(lab(), hypervisor([...CONTAINER_PRIVILEGES]))));
    const only = synthesizeSite(home, { only: ['hv', 'vpn'] }).problems;
    expect(formatProblems(only)).toBe('');
  });
  it('an image exception is judged on the rendered files, also when its service is not among those synthesized', () => {
    const withException = (image: string): ServiceProps => ({
      ...app,
      facts: { unpinnedImages: { 'nginx:latest': 'upstream publishes only latest' } },
      files: () => [{ path: '/opt/stacks/app/compose.yml', mode: '0644', format: 'compose', content: toYaml({ services: { web: { image } } }) }],
    });
    const codes = (image: string, only: string[]) => synthesizeSite(buildHomelab(labSite, entries(...replace(lab(), withException(image)))), { only }).problems.map((p) => p.code);
    // Every service's files are rendered for the rules (the cross-service ones need the whole
    // site), so app's unused exception is seen even when only hv and vpn are synthesized.
    expect(codes('nginx:1.27.0', ['hv', 'vpn'])).toContain('UnusedImageException');
    expect(codes('nginx:1.27.0', ['hv', 'app'])).toContain('UnusedImageException');
    expect(codes('nginx:latest', ['hv', 'app'])).not.toContain('UnusedImageException');
  });
  it('tells a missing privilege even then, but not an unneeded one', () => {
    const home = buildHomelab(labSite, entries(...replace(lab(), hypervisor(['VM.Config.CDROM', 'VM.Audit']))));
    const codes = synthesizeSite(home, { only: ['hv', 'app'] }).problems.map((p) => p.code);
    expect(codes).toContain('TokenPrivilegeMissing');
    expect(codes).not.toContain('TokenPrivilegeNotNeeded');
  });
  it('ProtectedRouteWithoutRouter: a route file that lost its router', () => {
    const home = buildHomelab(labSite, entries(...lab()));
    const files = new Map<string, readonly ConfigFile[]>([['app', [dynamicFile('app', { routers: {} })]], ['proxy', [middlewareFile()]]]);
    const problems: Problem[] = checkRenderedFiles(home, files);
    expect(problems.map((p) => [p.code, p.source, p.path])).toContainEqual(['ProtectedRouteWithoutRouter', 'packages/app', 'routes[0]']);
  });
  it('rendered rules do not run on the model alone', () => {
    const rendered = POLICY_RULES.filter((r) => r.phase === 'rendered').flatMap((r) => r.codes);
    const problems = buildHomelab(labSite, entries(...replace(lab(), hypervisor(['Sys.Modify'])))).problems;
    expect(problems.filter((p) => rendered.includes(p.code))).toEqual([]);
  });
  it('a rule that crashes reports RuleCrashed instead of stopping the run', () => {
    const home = buildHomelab(labSite, entries(...lab()));
    const boom = { name: 'boom', codes: [], description: 'crashes', phase: 'rendered' as const, check: () => { throw new Error('kaput'); } };
    expect(checkRenderedFiles(home, new Map(), [boom]).map((p) => [p.code, p.path])).toEqual([['RuleCrashed', 'rules.boom']]);
  });
  it('the middleware file renders a forwardAuth to the identity service (fixture sanity)', () => {
    expect(middlewareFile().content).toContain('http://10.20.0.21:9000/outpost.goauthentik.io/auth/traefik');
    expect(toYaml({ a: 1 })).toBe('a: 1\n');
  });
});

describe('edge-tls: what synth renders for a self-signed backend', () => {
  const result = synthesizeSite(buildHomelab(pinnedSite, entries(...replace(lab(), selfSigned))));
  const app = result.results.find((r) => r.service === 'app')!;
  const file = (path: string) => app.configFiles.find((f) => f.path === path);
  it('pins the site\'s CA in a servers transport, never skipping verification', () => {
    const routes = parseYaml(file('/etc/traefik/dynamic/app.yml')!.content);
    expect(routes.http.services.app.loadBalancer.serversTransport).toBe('app-pinned-ca');
    expect(routes.http.serversTransports['app-pinned-ca']).toEqual({ rootCAs: ['/etc/traefik/ca/app.pem'], serverName: 'app.internal' });
    expect(file('/etc/traefik/dynamic/app.yml')!.content).not.toContain('insecureSkipVerify');
  });
  it('writes the CA from the deploy environment onto the ingress, and declares the variable so preflight asks for it', () => {
    expect(file('/etc/traefik/ca/app.pem')).toMatchObject({ host: 'proxy', mode: '0600', content: "{{ lookup('ansible.builtin.env', 'APP_CA_PEM') }}\n" });
    expect(result.home.byName.get('app')!.secrets.map((s) => s.env)).toContain('APP_CA_PEM');
    expect(app.manifest.env).toContain('APP_CA_PEM');
  });
  it('without a pinned CA, declares nothing and renders no transport', () => {
    const bare = synthesizeSite(buildHomelab(labSite, entries(...replace(lab(), selfSigned))));
    const routes = parseYaml(bare.results.find((r) => r.service === 'app')!.configFiles.find((f) => f.path === '/etc/traefik/dynamic/app.yml')!.content);
    expect(routes.http.serversTransports).toBeUndefined();
    expect(bare.home.byName.get('app')!.secrets.map((s) => s.env)).toEqual(['APP_TOKEN']);
  });
});

describe('authentik-admin: the rendered blueprints bind the admin group to admin applications only', () => {
  const withUser: ServiceProps = { ...app, routes: [{ host: 'app', port: 3000, auth: 'authentik' }, { name: 'portal', host: 'portal', port: 3000, auth: 'authentik', admin: false }] };
  const result = synthesizeSite(buildHomelab(labSite, entries(...replace(lab(), withUser))));
  const files = result.results.find((r) => r.service === 'app')!.configFiles;
  const blueprint = files.find((f) => f.format === 'authentik-blueprint' && f.path.endsWith('/app.yaml'))!;
  const entriesOf = (text: string) => (parseDocument(text, { customTags: BLUEPRINT_YAML_TAGS }).toJS() as { entries: Record<string, any>[] }).entries;
  /** Parsed tags back into tags toYaml writes, so the changed file differs only by the change. */
  const retag = (v: unknown): unknown => (v instanceof BlueprintTag ? tagged(v.tag.slice(1), v.args)
    : Array.isArray(v) ? v.map(retag) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, retag(x)])) : v);
  const check = (change: (list: Record<string, any>[]) => Record<string, any>[]) => {
    const changed = files.map((f) => (f === blueprint ? { ...f, content: toYaml({ version: 1, metadata: { name: 'x' }, entries: retag(change(entriesOf(f.content))) }) } : f));
    return checkRenderedFiles(result.home, new Map([['app', changed]])).filter((p) => p.code.startsWith('Admin')).map((p) => [p.code, p.source, p.path]);
  };
  it('one binding, of lab-admins, on the admin application; none on the route open to every user', () => {
    const list = entriesOf(blueprint.content);
    const bindings = list.filter((e) => e.model === 'authentik_policies.policybinding');
    expect(bindings).toHaveLength(1);
    expect(bindings[0]!.identifiers.target).toEqual(new BlueprintTag('!Find', ['authentik_core.application', ['slug', 'app']]));
    expect(bindings[0]!.identifiers.group).toEqual(new BlueprintTag('!Find', ['authentik_core.group', ['name', 'lab-admins']]));
    expect(list.filter((e) => e.model === 'authentik_core.group').map((e) => e.identifiers)).toEqual([{ name: 'lab-admins' }]);
    expect(result.problems.filter((p) => p.code.startsWith('Admin'))).toEqual([]);
    expect(validateArtifact('authentik-blueprint', blueprint.content, blueprint.path).problems).toEqual([]);
  });
  it('the file rewritten unchanged has no problem (so the failures below are the change\'s)', () => {
    expect(check((l) => l)).toEqual([]);
  });
  it('AdminAppWithoutBinding: the binding removed, disabled, negated, or aimed at another group', () => {
    const expected = [['AdminAppWithoutBinding', 'packages/app', 'routes[0]']];
    expect(check((l) => l.filter((e) => e.model !== 'authentik_policies.policybinding'))).toEqual(expected);
    expect(check((l) => l.map((e) => (e.model === 'authentik_policies.policybinding' ? { ...e, attrs: { ...e.attrs, negate: true } } : e)))).toEqual(expected);
    expect(check((l) => l.map((e) => (e.model === 'authentik_policies.policybinding' ? { ...e, attrs: { ...e.attrs, enabled: false } } : e)))).toEqual(expected);
    expect(check((l) => l.map((e) => (e.model === 'authentik_policies.policybinding' ? { ...e, identifiers: { ...e.identifiers, group: tagged('Find', ['authentik_core.group', ['name', 'everyone']]) } } : e)))).toEqual(expected);
  });
  it('AdminGroupUndefined: a binding whose group no blueprint declares', () => {
    expect(check((l) => l.filter((e) => e.model !== 'authentik_core.group'))).toEqual([['AdminGroupUndefined', 'packages/app', 'routes[0]']]);
  });
});
