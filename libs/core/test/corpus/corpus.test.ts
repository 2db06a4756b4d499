/**
 * The bad-input corpus (issue #4 part 3): invalid service and site definitions, each with the
 * codes it must produce. Every case runs the whole `homelab synth` path in memory (load entries →
 * parse → normalize → model rules → render → rendered-file rules) and must come back as problems,
 * never as an exception; a definition with several mistakes reports all of them.
 */
import { describe, expect, it } from 'vitest';
import {
  buildHomelab, formatProblem, formatProblems, synthesizeSite, toYaml,
  type PackageInfo, type Problem, type ServiceEntry, type ServiceProps, type Site,
} from '../../src/index.ts';
import { entries, pkgOf } from '../fixtures/test-site.ts';
import {
  acmeFile, app, CONTAINER_PRIVILEGES, downloads, dynamicFile, gluetun, hypervisor, idp, indexer, ingress, lab, labSite, middlewareFile,
  qbittorrent, replace, staticFile, vpn,
} from './fixtures.ts';

interface Case {
  /** The site; @default labSite */
  readonly site?: Site;
  /** Valid definitions plus the broken ones (replacing those of the same name). */
  readonly defs?: readonly ServiceProps[];
  /** Loader entries as they come from packages, for definitions that are not even objects. */
  readonly raw?: readonly ServiceEntry[];
}

/** The lab with `broken` in place of its namesake (or added). */
const withDef = (...broken: ServiceProps[]): Case => ({ defs: replace(lab(), ...broken) });
/** The lab with an extra package whose default export is `definition`, unchecked. */
const withRaw = (name: string, definition: unknown, pkg: Partial<PackageInfo> = {}): Case => ({
  raw: [...entries(...lab()), { pkg: { ...pkgOf({ name }), ...pkg }, definition }],
});
/** The lab with `definition` as the app package's default export (entries() cannot read its dependsOn). */
const asPackage = (definition: unknown): Case => ({ raw: [...entries(...lab().filter((d) => d.name !== 'app')), { pkg: pkgOf(app), definition }] });
/** The app service with fields overridden, type checks off: packages may be plain JS or cast. */
const appWith = (over: Record<string, unknown>): ServiceProps => ({ ...app, ...over }) as ServiceProps;
const site = (change: (s: Site) => Site): Case => ({ site: change(labSite), defs: lab() });
const plan = (extra: Site['addressPlan']): Case => site((s) => ({ ...s, addressPlan: { ...s.addressPlan, ...extra } }));
const lxc = (name: string, over: Partial<ServiceProps> = {}): ServiceProps => ({
  name, description: name, kind: 'lxc', tier: 'normal', group: 'apps', placement: name,
  resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 4 }] }, ...over,
});
const secure = { entryPoints: ['websecure'], tls: { certResolver: 'le' }, service: 'app' };

/** [title, codes that must all be reported, input] */
const CORPUS: [string, readonly string[], Case][] = [
  // ---- not a definition at all ----
  ['default export is a number', ['NotAServiceDefinition'], withRaw('junk', 42)],
  ['default export is null', ['NotAServiceDefinition'], withRaw('junk', null)],
  ['default export is missing', ['NotAServiceDefinition'], withRaw('junk', undefined)],
  ['default export is an array', ['NotAServiceDefinition'], withRaw('junk', [app])],
  ['default export is a string', ['NotAServiceDefinition'], withRaw('junk', 'defineService(...)')],
  ['default export is a function that returns no definition', ['NotAServiceDefinition'], withRaw('junk', () => 'not a definition')],
  ['definition function that throws', ['DefinitionThrew'], withRaw('junk', () => { throw new Error('broken'); })],
  ['empty object: every required field', ['InvalidName', 'MissingDescription', 'InvalidKind', 'InvalidTier', 'MissingGroup'], withRaw('junk', {})],
  // ---- shape (parse) ----
  ['name with capitals and underscore', ['InvalidName'], withDef(appWith({ name: 'App_1' }))],
  ['name is a number', ['InvalidName'], withRaw('junk', { ...app, name: 7 })],
  ['description blank', ['MissingDescription'], withDef(appWith({ description: '   ' }))],
  ['kind docker', ['InvalidKind'], withDef(appWith({ kind: 'docker' }))],
  ['tier urgent', ['InvalidTier'], withDef(appWith({ tier: 'urgent' }))],
  ['group empty', ['MissingGroup'], withDef(appWith({ group: '' }))],
  ['cpuWeight negative', ['InvalidCpuWeight'], withDef(appWith({ cpuWeight: -5 }))],
  ['cpuWeight a string', ['InvalidCpuWeight'], withDef(appWith({ cpuWeight: 'high' }))],
  ['LXC without resources', ['MissingResources'], withDef(appWith({ resources: undefined }))],
  ['zero cores', ['InvalidCores'], withDef(appWith({ resources: { cores: 0, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 4 }] } }))],
  ['memory as "1G"', ['InvalidMemory'], withDef(appWith({ resources: { cores: 1, memoryMiB: '1G', disks: [{ storage: 'local', sizeGiB: 4 }] } }))],
  ['balloon floor above memory', ['InvalidBalloonFloor'], withDef(appWith({ resources: { cores: 1, memoryMiB: 512, balloonMiB: 1024, disks: [{ storage: 'local', sizeGiB: 4 }] } }))],
  ['no disk', ['MissingDisk'], withDef(appWith({ resources: { cores: 1, memoryMiB: 512, disks: [] } }))],
  ['disk on nfs, size 0', ['InvalidDisk'], withDef(appWith({ resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'nfs', sizeGiB: 0 }] } }))],
  ['routes is an object', ['NotAList'], withDef(appWith({ routes: { host: 'app' } }))],
  ['route is a string', ['InvalidRoute'], withDef(appWith({ routes: ['app.example.test'] }))],
  ['route host with a space', ['InvalidRouteHost'], withDef(appWith({ routes: [{ host: 'my app', port: 80, auth: 'authentik' }] }))],
  ['route port 70000', ['InvalidPort'], withDef(appWith({ routes: [{ host: 'app', port: 70000, auth: 'authentik' }] }))],
  ['route auth "maybe"', ['InvalidAuth'], withDef(appWith({ routes: [{ host: 'app', port: 80, auth: 'maybe' }] }))],
  ['route public "yes"', ['InvalidRoutePublic'], withDef(appWith({ routes: [{ host: 'app', port: 80, auth: 'none', admin: false, public: 'yes' }] }))],
  ['port over sctp', ['InvalidPort'], withDef(appWith({ ports: [{ port: 22, protocol: 'sctp', description: 'ssh' }] }))],
  ['metrics without a port', ['InvalidMetrics'], withDef(appWith({ metrics: [{ name: 'app' }] }))],
  ['secret pasted as a value', ['SecretNotEnvReference'], withDef(appWith({ secrets: [{ env: 'sk-live-0123456789abcdef', description: 'key' }] }))],
  ['dependency an empty string', ['InvalidDependency'], withDef(appWith({ dependsOn: ['proxy', 'idp', ''] }))],
  ['NFS mount with a relative path', ['InvalidNfsMount'], withDef(appWith({ nfsMounts: [{ share: 'media', path: 'media' }] }))],
  ['device without a name', ['InvalidDevice'], withDef(appWith({ devices: [{ dev: '/dev/dri' }] }))],
  ['files is a file name', ['InvalidFiles'], withDef(appWith({ files: 'compose.yml' }))],
  ['guests is a string', ['NotAList'], withDef(appWith({ guests: 'talos-1' }))],
  ['guest that is null', ['InvalidGuest'], withDef(appWith({ guests: [null] }))],
  ['guest without resources', ['MissingResources'], withDef(appWith({ guests: [{ name: 'g1', kind: 'vm', placement: 'nowhere', tier: 'normal' }] }))],
  ['provides a role that does not exist', ['InvalidRole'], withDef(appWith({ provides: ['loadbalancer'] }))],
  ['docker "yes"', ['InvalidFlag'], withDef(appWith({ docker: 'yes' }))],
  ['route middlewares as one string', ['InvalidMiddlewares'], withDef(appWith({ routes: [{ host: 'app', port: 80, auth: 'authentik', middlewares: 'compress@file' }] }))],
  // ---- resolution against the site (normalize) ----
  ['group not in the site', ['UnknownGroup'], withDef(appWith({ group: 'games' }))],
  ['placement not in the address plan', ['UnknownPlacement'], withDef(appWith({ placement: 'nowhere' }))],
  ['CPU weight outside its tier', ['CpuWeightOutsideTier'], withDef(appWith({ cpuWeight: 2048 }))],
  ['route host in another domain', ['RouteHostOutsideDomain'], withDef(appWith({ routes: [{ host: 'app.other.org', port: 80, auth: 'authentik' }] }))],
  ['address plan names an unknown node', ['UnknownNode'], plan({ app: { node: 'n9', vmid: 102, ip: '10.20.0.22' } })],
  ['address plan names an unknown external host', ['UnknownHost'], { site: { ...labSite, addressPlan: { ...labSite.addressPlan, pi: { host: 'pi9', ip: '10.20.0.50' } } }, defs: [...lab(), { name: 'pi', description: 'pi', kind: 'external', tier: 'low', group: 'apps' }] }],
  ['external service on a Proxmox entry', ['ExternalWithoutHost'], withDef(appWith({ kind: 'external' }))],
  ['LXC whose entry has no VMID', ['GuestWithoutNodeOrVmid'], plan({ app: { node: 'n2', ip: '10.20.0.22' } })],
  // ---- model rules ----
  ['depends on a service that does not exist', ['UnknownDependency'], withDef(appWith({ dependsOn: ['proxy', 'idp', 'database'] }))],
  ['depends on itself', ['SelfDependency'], withDef(appWith({ dependsOn: ['proxy', 'idp', 'app'] }))],
  ['model dependency missing from package.json', ['DependencyMissingFromPackageJson'], { raw: [...entries(...lab().filter((d) => d.name !== 'app')), { pkg: { ...pkgOf(app), dependencies: ['@t/proxy'] }, definition: app }] }],
  ['package.json dependency the model does not declare', ['PackageJsonDependencyNotDeclared'], { raw: [...entries(...lab().filter((d) => d.name !== 'app')), { pkg: pkgOf(app, ['@t/vpn']), definition: app }] }],
  ['two services depend on each other', ['DependencyCycle'], withDef(appWith({ dependsOn: ['proxy', 'idp', 'vpn'] }), { ...vpn(), dependsOn: ['app'] })],
  ['two packages with one service name', ['DuplicateServiceName'], withRaw('app-copy', { ...app })],
  ['admin surface with no auth', ['AdminRouteWithoutAuth'], withDef(appWith({ routes: [{ host: 'app', port: 80, auth: 'none' }] }))],
  ['non-admin route with no auth and not public', ['UnauthenticatedRoute'], withDef(appWith({ routes: [{ host: 'app', port: 80, auth: 'none', admin: false }] }))],
  ['route host already taken', ['DuplicateRouteHost'], withDef(appWith({ routes: [{ host: 'auth', port: 80, auth: 'authentik' }] }))],
  ['wildcard route', ['CatchAllRoute'], withDef(appWith({ routes: [{ host: '*.example.test', port: 80, auth: 'authentik' }] }))],
  ['route without depending on the ingress', ['RouteWithoutIngressDependency'], withDef(appWith({ dependsOn: ['idp'] }))],
  ['protected route without depending on the identity provider', ['ProtectedRouteWithoutIdentityDependency'], withDef(appWith({ dependsOn: ['proxy'] }))],
  ['public port the router does not forward', ['UndeclaredPublicPort'], withDef(appWith({ ports: [{ port: 22, protocol: 'tcp', description: 'ssh', public: true }] }))],
  ['device on another node', ['DeviceNotOnNode'], withDef(appWith({ group: 'special', devices: [{ device: 'gpu' }] }))],
  ['USB passthrough outside a hardware-bound group', ['PassthroughOutsideHardwareGroup'], withDef(appWith({ devices: [{ device: 'stick' }] }))],
  ['two services in one guest, undeclared', ['UndeclaredSharedGuest'], withDef(lxc('twin', { placement: 'app' }))],
  ['shares the guest of nobody', ['UnknownSharedGuest'], withDef({ name: 'twin', description: 'twin', kind: 'lxc', tier: 'normal', group: 'apps', placement: 'app', sharesGuestWith: 'nobody' })],
  ['shares a guest and sizes it again', ['SharedGuestWithResources'], withDef(lxc('twin', { placement: 'app', sharesGuestWith: 'app' }))],
  ['mounts NFS without depending on the NAS', ['NfsWithoutStorageDependency'], { site: { ...labSite, addressPlan: { ...labSite.addressPlan, nas: { node: 'n2', vmid: 140, ip: '10.20.0.60' } } }, defs: [...replace(lab(), appWith({ nfsMounts: [{ share: '/media', path: '/media' }] })), lxc('nas', { provides: ['nfs'], group: 'core' })] }],
  ['VM disk on Ceph without depending on Ceph', ['CephDiskWithoutCephDependency'], { defs: [...lab(), { name: 'ceph', description: 'ceph', kind: 'none', tier: 'high', group: 'core', provides: ['block-storage'] }, lxc('vmsvc', { kind: 'vm', placement: 'vm', resources: { cores: 1, memoryMiB: 1024, disks: [{ storage: 'ceph', sizeGiB: 20 }] } })] }],
  ['always-on service depends on a stoppable one', ['AlwaysOnDependsOnStoppable'], withDef({ ...idp, dependsOn: ['proxy', 'app'] }, appWith({ dependsOn: ['proxy'] }))],
  ['more vCPUs than the node may commit', ['CpuOvercommitExceeded'], withDef(appWith({ resources: { cores: 40, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 4 }] } }))],
  ['more RAM than the node may commit', ['MemoryOvercommitExceeded'], withDef(appWith({ resources: { cores: 1, memoryMiB: 40000, disks: [{ storage: 'local', sizeGiB: 4 }] } }))],
  // ---- the site ----
  ['LAN is not a CIDR', ['InvalidSubnet'], site((s) => ({ ...s, network: { ...s.network, cidr: 'lan' } }))],
  ['guest outside the LAN', ['IpOutsideSubnet'], plan({ app: { node: 'n2', vmid: 102, ip: '10.21.0.22' } })],
  ['two guests with one VMID', ['DuplicateVmid'], plan({ dl: { node: 'n2', vmid: 102, ip: '10.20.0.31' } })],
  ['two guests with one address', ['DuplicateIp'], plan({ dl: { node: 'n2', vmid: 111, ip: '10.20.0.22' } })],
  ['guest on the gateway address', ['IpIsGateway'], plan({ app: { node: 'n2', vmid: 102, ip: '10.20.0.1' } })],
  ['guest on the Kubernetes API VIP', ['IpIsApiVip'], plan({ app: { node: 'n2', vmid: 102, ip: '10.20.0.100' } })],
  ['guest inside the MetalLB pool', ['IpInMetallbPool'], plan({ app: { node: 'n2', vmid: 102, ip: '10.20.0.160' } })],
  ['VMID below 100', ['VmidOutOfRange'], plan({ app: { node: 'n2', vmid: 42, ip: '10.20.0.22' } })],
  ['address with three octets', ['InvalidIp'], plan({ app: { node: 'n2', vmid: 102, ip: '10.20.0' } })],
  ['no DNS records at all', ['MissingDnsRecord'], site((s) => ({ ...s, dns: { ...s.dns, records: [] } }))],
  ['proxied wildcard record', ['DnsRecordMustBeDnsOnly'], site((s) => ({ ...s, dns: { ...s.dns, records: s.dns.records.map((r) => (r.name.startsWith('*.') ? { ...r, proxied: true } : r)) } }))],
  ['router forwards to a service without that port', ['PortForwardWithoutService'], site((s) => ({ ...s, portForwards: [...s.portForwards, { port: 25, protocol: 'tcp', service: 'app' }] }))],
  ['overcommit limit of zero', ['InvalidOvercommitLimit'], site((s) => ({ ...s, overcommit: { cpu: 0, memory: 2 } }))],
  ['site that is not an object', ['InvalidSite'], { site: 'woodhead' as never, defs: lab() }],
  ['site without nodes or groups', ['InvalidSite'], site((s) => ({ ...s, nodes: undefined, groups: undefined }) as never)],
  ['site with a node missing its cores and a null address-plan entry', ['InvalidSite'], site((s) => ({ ...s, nodes: [{ ...s.nodes[0]!, cores: '4' }, s.nodes[1]!], addressPlan: { ...s.addressPlan, app: null } }) as never)],
  ['tunnel subnet not a CIDR', ['InvalidTunnelSubnet'], site((s) => ({ ...s, wireguard: { ...s.wireguard!, subnet: '10.99.0.1/24' } }))],
  ['tunnel subnet inside the LAN', ['TunnelOverlapsLan', 'TunnelSubnetMismatch'], site((s) => ({ ...s, wireguard: { ...s.wireguard!, subnet: '10.20.0.128/25' } }))],
  // ---- rendered files ----
  ['password written as a literal', ['SecretLiteral'], withDef(appWith({ files: () => [{ path: '/etc/app/app.ini', mode: '0600', format: 'text', content: 'password = hunter2hunter2\n' }] }))],
  ['reference to an undeclared secret', ['UndeclaredSecret'], withDef(appWith({ files: () => [{ path: '/etc/app/app.env', mode: '0600', format: 'text', content: "TOKEN={{ lookup('ansible.builtin.env', 'OTHER_TOKEN') }}\n" }] }))],
  ['acme.json readable by all', ['SecretFileModeTooOpen'], withDef(ingress(() => [staticFile(), { ...acmeFile, mode: '0644', secret: false }, middlewareFile()]))],
  ['file mode without the leading zero', ['InvalidFileMode'], withDef(appWith({ files: () => [{ path: '/etc/app/app.conf', mode: '644', format: 'text', content: 'x\n' }] }))],
  ['two services write one file differently', ['FileConflict'], withDef(appWith({ files: () => [{ ...dynamicFile('shared', { routers: {} }) }] }), { ...vpn(), files: () => [{ ...dynamicFile('shared', { middlewares: {} }) }] })],
  ['template function throws', ['RenderFailed'], withDef(appWith({ files: () => { throw new Error('template bug'); } }))],
  ['router on the web entrypoint', ['PlainHttpRouter'], withDef(appWith({ files: () => [dynamicFile('app-extra', { routers: { plain: { ...secure, rule: 'Host(`x.example.test`)', entryPoints: ['web'] } } })] }))],
  ['router for any host', ['CatchAllRouterRule'], withDef(appWith({ files: () => [dynamicFile('app-extra', { routers: { any: { ...secure, rule: 'HostRegexp(`{host:.+}`)' } } })] }))],
  ['second router on a protected host without Authentik', ['ForwardAuthMissing'], withDef(appWith({ files: () => [dynamicFile('app-extra', { routers: { api: { ...secure, rule: 'Host(`app.example.test`) && PathPrefix(`/api`)' } } })] }))],
  ['web entrypoint without the HTTPS redirect', ['MissingHttpsRedirect'], withDef(ingress(() => [staticFile((c) => { delete c.entryPoints.web.http; return c; }), acmeFile, middlewareFile()]))],
  ['Traefik file that is not YAML', ['UnreadableTraefikFile'], withDef(appWith({ files: () => [{ ...dynamicFile('app-extra', {}), content: 'http: {routers: [' }] }))],
  ['forwardAuth pointing at the wrong host', ['ForwardAuthWrongTarget'], withDef(ingress(() => [staticFile(), acmeFile, middlewareFile('http://10.20.0.22:9000')]))],
  ['VPN client routing everything', ['FullTunnelClient'], withDef(vpn({ clientAllowedIps: ['0.0.0.0/0'] }))],
  ['VPN client also routing the LAN', ['ClientRoutesBeyondTunnel'], withDef(vpn({ clientAllowedIps: ['10.99.0.0/24', '10.20.0.0/24'] }))],
  ['download client on the default network', ['DownloadClientOutsideVpn'], withDef(downloads({ gluetun, qbittorrent: { ...qbittorrent, network_mode: undefined }, indexer }))],
  ['VPN gateway without NET_ADMIN', ['VpnGatewayWithoutTunnel'], withDef(downloads({ gluetun: { ...gluetun, cap_add: undefined }, qbittorrent, indexer }))],
  ['kill switch that is not an object', ['InvalidKillSwitch'], withDef(downloads(undefined, 'gluetun'))],
  ['token role with Sys.Modify', ['TokenTooBroad'], withDef(hypervisor([...CONTAINER_PRIVILEGES, 'Sys.Modify']))],
  ['token role missing VM.Allocate', ['TokenPrivilegeMissing'], withDef(hypervisor(CONTAINER_PRIVILEGES.filter((p) => p !== 'VM.Allocate')))],
  ['token role that is a string', ['InvalidTerraformRole'], withDef(hypervisor(CONTAINER_PRIVILEGES, 'Administrator'))],
  // ---- bad input operators really make (issue 9 section 5) ----
  ['one guest with more cores than its node, within the overcommit ratio', ['GuestCoresExceedNode'], withDef(appWith({ resources: { cores: 10, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 4 }] } }))],
  ['one guest with more RAM than its node, within the overcommit ratio', ['GuestMemoryExceedsNode'], withDef(appWith({ resources: { cores: 1, memoryMiB: 20480, disks: [{ storage: 'local', sizeGiB: 4 }] } }))],
  ['route to a port the service does not declare', ['RoutePortNotExposed'], withDef(appWith({ ports: [{ port: 3000, protocol: 'tcp', description: 'web' }], routes: [{ host: 'app', port: 3300, auth: 'authentik' }] }))],
  ['route to a port the Compose stack does not publish', ['RoutePortNotPublished'], withDef(downloads({ gluetun: { ...gluetun, ports: ['8081:8080'] }, qbittorrent, indexer }))],
  ['an OS template nobody defined', ['UnknownOsImage'], withDef(appWith({ os: 'ubuntu-24.04' }))],
  ['a VM image as an LXC template', ['OsImageKindMismatch'], withDef(appWith({ os: 'haos' }))],
  ['an image checksum of the wrong length', ['ImageChecksumMalformed'], site((s) => ({ ...s, imageChecksums: { ...s.imageChecksums, 'debian-13': 'f'.repeat(64) } }))],
  ['an image checksum for an image nobody downloads', ['ImageChecksumWithoutSource'], site((s) => ({ ...s, imageChecksums: { 'raspberry-pi-os': 'f'.repeat(64) } }))],
  ['a *_KEY with a literal value', ['SecretLiteral'], withDef(appWith({ files: () => [{ path: '/etc/app/app.env', mode: '0600', format: 'text', content: 'SECRET_KEY=9f8e7d6c5b4a3210\n' }] }))],
  ['a Slack webhook with its token in a file', ['SecretUrl'], withDef(appWith({ files: () => [{ path: '/etc/app/notify.yml', mode: '0600', format: 'yaml', content: 'url: https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXX\n' }] }))],
  ['a token pasted into a fact', ['SecretLiteral'], withDef(appWith({ facts: { alertRules: { groups: [{ name: 'app', rules: [{ alert: 'AppDown', expr: 'up == 0', labels: { accessToken: 'tok_live_9f8e7d6c5b4a' } }] }] } } }))],
  ['a fact of the wrong shape', ['InvalidKillSwitch'], withDef({ ...downloads(), facts: { killSwitch: { gateway: 'gluetun', clients: [] } } })],
  ['a fact that is not a fact', ['UnknownKey'], withDef(appWith({ facts: { killswitch: { gateway: 'gluetun', clients: ['qbittorrent'] } } as never }))],
  ['a relative file path', ['RelativeFilePath'], withDef(appWith({ files: () => [{ path: 'app.conf', mode: '0644', format: 'text', content: 'x\n' }] }))],
  ['a file path that climbs out with ..', ['FilePathNotNormalized'], withDef(appWith({ files: () => [{ path: '/etc/app/../passwd', mode: '0644', format: 'text', content: 'x\n' }] }))],
  ['a file path holding a Jinja lookup', ['FilePathTemplate'], withDef(appWith({ files: () => [{ path: "/etc/app/{{ lookup('pipe', 'id') }}", mode: '0644', format: 'text', content: 'x\n' }] }))],
  ['a compose path with ;', ['FilePathUnsafeCharacter'], withDef(appWith({ files: () => [{ path: '/opt/stacks/app;id/compose.yml', mode: '0644', format: 'compose', content: 'services: {}\n' }] }))],
  ['a 5000-character file path', ['FilePathTooLong', 'FilePathComponentTooLong'], withDef(appWith({ files: () => [{ path: `/etc/${'a'.repeat(4995)}`, mode: '0644', format: 'text', content: 'x\n' }] }))],
  ['a file host that is a path', ['UnknownFileHost'], withDef(appWith({ files: () => [{ path: '/etc/app/x', host: '../../..', mode: '0644', format: 'text', content: 'x\n' }] }))],
  ['/etc/shadow on a Proxmox node', ['CredentialPathTarget', 'FileOnForeignHost'], withDef(appWith({ files: () => [{ path: '/etc/shadow', host: 'n1', mode: '0600', format: 'text', content: 'x\n' }] }))],
  ['root\'s authorized_keys on a node, declared host-level', ['CredentialPathTarget'], withDef(appWith({ files: () => [{ path: '/root/.ssh/authorized_keys', host: 'n1', hostLevel: { reason: 'probe' }, mode: '0600', format: 'text', content: 'x\n' }] }))],
  ['a file on another service\'s guest without a declaration', ['FileOnForeignHost'], withDef(appWith({ files: () => [{ path: '/etc/idp/extra.conf', host: 'idp', mode: '0644', format: 'text', content: 'x\n' }] }))],
  ['a file owner that is an option', ['InvalidFileOwner'], withDef(appWith({ files: () => [{ path: '/etc/app/x', owner: '-oProxyCommand=id', mode: '0644', format: 'text', content: 'x\n' }] }))],
  ['a package without a version', ['MissingPackageVersion'], { raw: [...entries(...lab().filter((d) => d.name !== 'app')), { pkg: { ...pkgOf(app), version: '0.0.0' }, definition: app }] }],
  ['an image without a tag', ['UnpinnedImage'], withDef(downloads({ gluetun: { ...gluetun, image: 'docker.io/qmcgaw/gluetun' }, qbittorrent, indexer }))],
  ['an image tagged latest', ['UnpinnedImage'], withDef(downloads({ gluetun, qbittorrent, indexer: { ...indexer, image: 'lscr.io/linuxserver/prowlarr:latest' } }))],
  ['an unpinned-image exception without a reason', ['UnpinnedImageWithoutReason'], withDef({ ...downloads({ gluetun, qbittorrent, indexer: { ...indexer, image: 'prowlarr:latest' } }), facts: { killSwitch: { gateway: 'gluetun', clients: ['qbittorrent'] }, unpinnedImages: { 'prowlarr:latest': 'why' } } })],
  ['gateway outside the LAN', ['GatewayOutsideLan'], site((s) => ({ ...s, network: { ...s.network, gateway: '10.21.0.1' } }))],
  ['two nodes with one name', ['DuplicateNodeName'], site((s) => ({ ...s, nodes: [s.nodes[0]!, { ...s.nodes[1]!, name: 'n1' }] }))],
  ['a Proxmox node outside the LAN', ['NodeOutsideLan'], site((s) => ({ ...s, nodes: [{ ...s.nodes[0]!, ip: '192.0.2.11' }, s.nodes[1]!] }))],
  ['MetalLB pool that ends before it starts', ['MetallbPoolReversed'], site((s) => ({ ...s, kubernetes: { ...s.kubernetes!, metallbPool: { start: '10.20.0.199', end: '10.20.0.150' } } }))],
  ['a domain outside its DNS zone', ['DomainOutsideDnsZone'], site((s) => ({ ...s, domain: 'exmaple.test' }))],
  // ---- several problems in one definition: all of them ----
  ['one definition, five shape mistakes', ['InvalidTier', 'InvalidPort', 'InvalidAuth', 'SecretNotEnvReference', 'NotAList'], asPackage(appWith({
    tier: 'urgent', routes: [{ host: 'app', port: 0, auth: 'maybe' }], secrets: [{ env: 'hunter2', description: 'pw' }], dependsOn: 'proxy',
  }))],
  ['one definition, a broken guest list and flags', ['InvalidGuest', 'InvalidTier', 'MissingResources', 'InvalidFlag', 'InvalidRole'], withDef(appWith({
    guests: [{ name: 'Node 1', kind: 'container', placement: 'vm', tier: 'urgent' }, null], docker: 'yes', provides: ['router'],
  }))],
  ['one definition, five model mistakes', ['UnknownGroup', 'CpuWeightOutsideTier', 'RouteHostOutsideDomain', 'UndeclaredPublicPort', 'UnknownDependency'], withDef(appWith({
    group: 'games', cpuWeight: 600, routes: [{ host: 'app.other.org', port: 80, auth: 'authentik' }],
    ports: [{ port: 8443, protocol: 'tcp', description: 'alt', public: true }], dependsOn: ['proxy', 'idp', 'redis'],
  }))],
  ['one stack, four rendered mistakes', ['DownloadClientOutsideVpn', 'DownloadClientOwnNetwork', 'VpnGatewayWithoutTunnel', 'UndeclaredVpnNamespaceShare'], withDef(downloads({
    gluetun: { ...gluetun, devices: undefined }, qbittorrent: { ...qbittorrent, ports: ['6881:6881'] },
    indexer: { ...indexer, ports: undefined, network_mode: 'service:gluetun' }, deluge: { image: 'lscr.io/linuxserver/deluge:2.1.1' },
  }))],
  ['one site, four mistakes', ['DuplicateVmid', 'IpIsGateway', 'MissingDnsRecord', 'InvalidTunnelSubnet'], site((s) => ({
    ...s, addressPlan: { ...s.addressPlan, dl: { node: 'n2', vmid: 102, ip: '10.20.0.1' } }, dns: { ...s.dns, records: [] }, wireguard: { ...s.wireguard!, subnet: 'vpn' },
  }))],
];

/** Runs the whole synth path in memory; anything thrown fails the test with its message. */
function runCase(c: Case): Problem[] {
  const home = buildHomelab(c.site ?? labSite, c.raw ?? entries(...(c.defs ?? lab())));
  return [...synthesizeSite(home).problems];
}

describe('the bad-input corpus', () => {
  it('holds at least 60 invalid definitions', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
  });
  it('starts from a lab with no problem at all', () => {
    expect(formatProblems(runCase({}))).toBe('');
  });
  describe.each(CORPUS)('%s', (_title, codes, input) => {
    it(`reports ${codes.join(', ')}`, () => {
      const problems = runCase(input);
      expect(problems.map((p) => p.code), formatProblems(problems)).toEqual(expect.arrayContaining([...codes]));
      expect(problems.filter((p) => p.code === 'RuleCrashed'), 'no rule may crash').toEqual([]);
      for (const p of problems) {
        expect(p.source, formatProblem(p)).toMatch(/^(packages\/|libs\/site)/);
        expect(p.message.length, formatProblem(p)).toBeGreaterThan(10);
        expect(p.fix, formatProblem(p)).toMatch(/^\S.*\.$/s);
      }
      const text = formatProblems(problems);
      expect(text).toMatch(/^(packages\/\S+|libs\/site) \(\d+ problems?\)$/m);
      expect(text).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
    });
  });
  it('never echoes a pasted secret back', () => {
    const problems = runCase(withDef(appWith({ secrets: [{ env: 'sk-live-0123456789abcdef', description: 'key' }], files: () => [{ path: '/etc/app/app.ini', mode: '0600', format: 'text', content: 'password = hunter2hunter2\n' }] })));
    const text = JSON.stringify(problems);
    expect(text).not.toContain('0123456789abcdef');
    expect(text).not.toContain('hunter2hunter2');
  });
  it('renders YAML for the fixtures (sanity)', () => {
    expect(toYaml({ ok: true })).toBe('ok: true\n');
  });
});
