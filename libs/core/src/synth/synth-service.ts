/**
 * Synthesizes one service: Terraform JSON, rendered config files (its own plus the route file for
 * the ingress host and the blueprint for the identity host), the Ansible inventory and playbook,
 * and the manifest with content hashes. Pure: returns the files; `write-dist.ts` writes them.
 */
import { createHash } from 'node:crypto';
import type { Homelab } from '../model/homelab.ts';
import type { ConfigFile, NormalizedService, RenderContext } from '../model/service.ts';
import { synthesizeStack } from '../proxmox/stack.ts';
import { guestRootSettings, rootSettingsFile } from '../proxmox/root-settings.ts';
import type { BackendSetting } from '../proxmox/backend.ts';
import { DEFAULT_BACKEND } from '../proxmox/backend.ts';
import { inventory, playbook, type HostFiles } from '../render/ansible.ts';
import { outpostBlueprint, protectedRoutes, serviceBlueprint, BLUEPRINT_DIR, BLUEPRINT_MODELINE } from '../render/authentik-blueprint.ts';
import { TRAEFIK_DYNAMIC_DIR } from '../render/traefik-static.ts';
import { traefikRouteConfig } from '../render/traefik-route.ts';
import { generatedHeader, toYaml } from '../render/yaml.ts';
import { ANSIBLE_INVENTORY, ANSIBLE_PLAYBOOK, MANIFEST_FILE, TERRAFORM_FILE, type ArtifactRecord, type ServiceManifest } from './manifest.ts';

export interface SynthOptions {
  readonly backend?: BackendSetting;
  /** Dependency wave of each service (1-based), for the Proxmox boot order. */
  readonly waves?: ReadonlyMap<string, number>;
}

export interface SynthResult {
  readonly service: string;
  /** Path inside dist/<service>/ → content. Sorted by path. */
  readonly files: ReadonlyMap<string, string>;
  readonly manifest: ServiceManifest;
  /** The rendered config files with their targets, for policy checks. */
  readonly configFiles: readonly ConfigFile[];
}

export function findProvider(home: Homelab, role: string): NormalizedService | undefined {
  return home.services.find((s) => s.provides.includes(role as never));
}

/** Renders the service's own templates plus the files it contributes to other hosts. */
export function renderConfigFiles(home: Homelab, service: NormalizedService): ConfigFile[] {
  const ctx: RenderContext = { site: home.site, service, services: home.services };
  const own = service.props.files?.(ctx) ?? [];
  const ingress = findProvider(home, 'ingress');
  const identity = findProvider(home, 'identity');
  const contributed: ConfigFile[] = [];
  if (service.routes.length && ingress) {
    const resolverName = String(ingress.extra.certResolver ?? 'letsencrypt');
    contributed.push({
      path: `${TRAEFIK_DYNAMIC_DIR}/${service.name}.yml`,
      content: toYaml(traefikRouteConfig(service, { resolverName }), { header: generatedHeader(service.pkg, `Traefik routes of ${service.name}; Traefik hot-reloads this file.`) }),
      mode: '0644',
      format: 'traefik-dynamic',
      host: ingress.name,
    });
  }
  if (identity && protectedRoutes(service).length && service.dependsOn.includes(identity.name)) {
    contributed.push(blueprintFile(service, identity.name));
    // Every protected service carries the site-wide outpost binding: blueprints replace the list.
    contributed.push(outpostFile(home.services, service));
  }
  if (identity === service) {
    // Services that Authentik itself depends on (Traefik's dashboard) cannot push to a host that
    // does not exist yet when they deploy: Authentik carries their blueprints.
    for (const other of home.services) {
      if (other !== service && protectedRoutes(other).length && !other.dependsOn.includes(service.name)) {
        contributed.push(blueprintFile(other, service.name));
      }
    }
  }
  for (const guest of service.guests) {
    const settings = guestRootSettings(home.site, service, guest);
    if (settings.length) {
      contributed.push(rootSettingsFile(guest, settings, generatedHeader(service.pkg, `Root-only settings of ${guest.kind.toUpperCase()} ${guest.placement.vmid} (${guest.name}) that the Terraform token cannot apply.`)));
    }
  }
  return [...own, ...contributed].sort((a, b) => `${a.host ?? service.name}:${a.path}`.localeCompare(`${b.host ?? service.name}:${b.path}`));
}

function blueprintFile(service: NormalizedService, identityHost: string): ConfigFile {
  return {
    path: `${BLUEPRINT_DIR}/${service.name}.yaml`,
    content: toYaml(serviceBlueprint(service), { modeline: BLUEPRINT_MODELINE, header: generatedHeader(service.pkg, `Authentik provider and application for ${service.name}.`) }),
    mode: '0644',
    format: 'authentik-blueprint',
    host: identityHost,
  };
}

export function outpostFile(services: readonly NormalizedService[], owner: NormalizedService): ConfigFile {
  const identity = services.find((s) => s.provides.includes('identity'));
  return {
    path: `${BLUEPRINT_DIR}/outpost-embedded.yaml`,
    // The same bytes whichever service carries it: the header names no package.
    content: toYaml(outpostBlueprint(services), { modeline: BLUEPRINT_MODELINE, header: ['Providers bound to the embedded outpost: the site-wide list of protected routes.', 'Generated by homelab from every service\'s routes. Do not edit: deploy overwrites it.'] }),
    mode: '0644',
    format: 'authentik-blueprint',
    host: identity?.name ?? owner.name,
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function hostAddress(home: Homelab, name: string): string {
  const s = home.byName.get(name);
  return s?.ip ?? home.site.addressPlan[name]?.ip
    ?? home.site.nodes.find((n) => n.name === name)?.ip
    ?? home.site.externalHosts.find((h) => h.name === name)?.ip
    ?? name;
}

export function synthService(home: Homelab, service: NormalizedService, options: SynthOptions = {}): SynthResult {
  const files = new Map<string, string>();
  const artifacts: ArtifactRecord[] = [];
  const wave = options.waves?.get(service.name) ?? 1;
  const hasTerraform = service.guests.length > 0 || service.props.terraform !== undefined;
  // Only a stack that uses the Proxmox provider needs its endpoint and token (a DNS stack does not).
  let usesProxmox = false;
  if (hasTerraform) {
    const tf = synthesizeStack({ site: home.site, service, services: home.services, wave, backend: options.backend ?? DEFAULT_BACKEND }, service.props.terraform);
    usesProxmox = (tf.terraform as { required_providers?: Record<string, unknown> } | undefined)?.required_providers?.proxmox !== undefined;
    const text = `${JSON.stringify(tf, null, 2)}\n`;
    files.set(TERRAFORM_FILE, text);
    artifacts.push({ file: TERRAFORM_FILE, format: 'terraform-json', secret: false, sha256: sha256(text) });
  }

  const configFiles = renderConfigFiles(home, service);
  const byHost = new Map<string, HostFiles['files'][number][]>();
  for (const file of configFiles) {
    const host = file.host ?? (service.sharesGuestWith ?? service.name);
    const distPath = `files/${host}${file.path}`;
    files.set(distPath, file.content);
    byHost.set(host, [...(byHost.get(host) ?? []), { file, distPath }]);
    artifacts.push({
      file: distPath, format: file.format, secret: file.secret ?? false, sha256: sha256(file.content),
      target: { host, path: file.path, mode: file.mode, owner: file.owner ?? 'root' },
    });
  }

  if (byHost.size > 0) {
    // Proxmox nodes first: their root-only guest settings must be in place before the guests are configured.
    const isNode = (h: string) => home.site.nodes.some((n) => n.name === h);
    const hosts: HostFiles[] = [...byHost.keys()].sort((a, b) => Number(isNode(b)) - Number(isNode(a)) || a.localeCompare(b)).map((host) => ({ host, address: hostAddress(home, host), files: byHost.get(host)! }));
    const ownHost = service.sharesGuestWith ?? service.name;
    const stacks = configFiles.filter((f) => f.format === 'compose' && (f.host ?? ownHost) === ownHost)
      .map((f) => ({ host: ownHost, dir: f.path.slice(0, f.path.lastIndexOf('/')) }));
    const packages: Record<string, string[]> = {};
    if (stacks.length) packages[ownHost] = ['docker.io', 'docker-compose'];
    for (const [host, names] of Object.entries(service.hostPackages)) {
      const key = host === service.name ? ownHost : host;
      if (byHost.has(key)) packages[key] = [...new Set([...(packages[key] ?? []), ...names])].sort();
    }
    const input = { service: service.name, hosts, stacks, packages };
    const header = generatedHeader(service.pkg, `Ansible ${'%s'} for ${service.name}.`);
    const inv = toYaml(inventory(input), { header: header.map((l) => l.replace('%s', 'inventory')) });
    const play = `---\n${toYaml(playbook(input), { header: header.map((l) => l.replace('%s', 'playbook')) })}`;
    files.set(ANSIBLE_INVENTORY, inv);
    files.set(ANSIBLE_PLAYBOOK, play);
    artifacts.push({ file: ANSIBLE_INVENTORY, format: 'ansible-inventory', secret: false, sha256: sha256(inv) });
    artifacts.push({ file: ANSIBLE_PLAYBOOK, format: 'ansible-playbook', secret: false, sha256: sha256(play) });
  }

  const env = [...new Set([
    ...service.secrets.map((s) => s.env),
    ...(usesProxmox ? [home.site.providerEnv.endpoint, home.site.providerEnv.apiToken] : []),
  ])].sort();
  const manifest: ServiceManifest = {
    service: service.name,
    package: service.pkg.name,
    version: service.pkg.version,
    group: service.group,
    kind: service.kind,
    dependsOn: service.dependsOn,
    env,
    artifacts: artifacts.sort((a, b) => a.file.localeCompare(b.file)),
  };
  files.set(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
  return { service: service.name, files: new Map([...files].sort(([a], [b]) => a.localeCompare(b))), manifest, configFiles };
}
