/**
 * An admin surface is behind Authentik only if nobody can reach its backend port around Traefik.
 * This rule reads what was synthesized, not what was meant: the guest firewall resources of the
 * Terraform stacks (and, for a host outside Proxmox, its nftables guard file), so a `terraform`
 * hook, a disabled firewall or a `from` that opens an admin port to a network is caught wherever
 * it comes from. Allowed sources of an admin port: the ingress, machines of other services (a
 * dashboard that polls Prometheus), and the site's management sources.
 */
import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import type { NormalizedGuest, NormalizedRoute, NormalizedService } from '../model/service.ts';
import { ingressAddresses } from '../proxmox/firewall.ts';
import { HOST_GUARD_PATH } from '../render/host-guard.ts';
import type { PolicyContext, PolicyRule } from './rule.ts';

const OPTIONS = 'proxmox_virtual_environment_firewall_options';
const RULES = 'proxmox_virtual_environment_firewall_rules';

type Body = Record<string, unknown>;

function resourcesOf(stack: Readonly<Record<string, unknown>> | undefined, type: string): [string, Body][] {
  const byName = (stack?.resource as Record<string, Record<string, Body>> | undefined)?.[type];
  return Object.entries(byName ?? {});
}

function backendOf(route: NormalizedRoute): { host: string; port: number } | undefined {
  try {
    const u = new URL(route.backendUrl);
    return { host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
  } catch {
    return undefined;
  }
}

function targetsGuest(body: Body, guest: NormalizedGuest): boolean {
  const id = guest.kind === 'lxc' ? body.container_id : body.vm_id;
  return id === guest.placement.vmid;
}

/** Whether a dport field ('' = every port, '80', '80:85', '22,80') covers the port. */
function coversPort(dport: unknown, port: number): boolean {
  if (dport === undefined || dport === null || dport === '') return true;
  return String(dport).split(',').some((part) => {
    const [lo, hi] = part.trim().split(':').map(Number);
    return hi === undefined ? lo === port : lo! <= port && port <= hi;
  });
}

function coversTcp(proto: unknown): boolean {
  return proto === undefined || proto === null || proto === '' || String(proto).toLowerCase() === 'tcp' || proto === '6';
}

/** Whether a guard (hostGuardRules' form) drops the port for every IPv4 source but the ingress. */
function guardCovers(content: string, port: number, ingress: readonly string[]): boolean {
  return [...content.matchAll(/^\s*tcp dport \{ ([^}]*) \} ip saddr != \{ ([^}]*) \} drop\s*$/gm)].some((m) => {
    const ports = m[1]!.split(',').map((x) => Number(x.trim()));
    const allow = m[2]!.split(',').map((x) => x.trim());
    return ports.includes(port) && allow.every((a) => ingress.includes(a));
  });
}

interface Backend { readonly owner: NormalizedService; readonly guest?: NormalizedGuest; readonly external?: NormalizedService }

function findBackend(host: string, services: readonly NormalizedService[]): Backend | undefined {
  for (const s of services) {
    const guest = s.guests.find((g) => g.placement.ip === host);
    if (guest) return { owner: s, guest };
  }
  const external = services.find((s) => s.kind === 'external' && s.ip === host);
  return external ? { owner: external, external } : undefined;
}

function check(ctx: PolicyContext): Problem[] {
  const { site, services, stacks, files } = ctx;
  if (!stacks) return [];
  const ingress = ingressAddresses(services);
  const serviceHosts = new Set(services.flatMap((s) => [...(s.ip ? [s.ip] : []), ...s.guests.map((g) => g.placement.ip)]));
  const allowed = new Set([...ingress, ...serviceHosts, ...site.management.sources]);
  const problems: Problem[] = [];
  for (const s of services) {
    const out = new ProblemCollector(s.pkg.dir);
    s.routes.forEach((route, i) => {
      if (!route.admin || route.auth !== 'authentik') return;
      const b = backendOf(route);
      if (!b) return; // api@internal: inside Traefik itself
      const at = `routes[${i}]`;
      const what = `admin route ${route.fqdn} (${route.name}) → ${b.host}:${b.port}`;
      const backend = findBackend(b.host, services);
      if (!backend) return; // a backend outside the model is the routes rule's concern
      if (backend.external) {
        const guardFiles = files?.get(backend.owner.name);
        if (!guardFiles) return; // files not rendered for it in this run
        const guard = guardFiles.find((f) => f.path === HOST_GUARD_PATH);
        if (!guard || !guardCovers(guard.content, b.port, ingress)) {
          out.report(at, 'AdminBackendWithoutFirewall', `${what}: ${backend.owner.name} is not a Proxmox guest and no guard at ${HOST_GUARD_PATH} limits port ${b.port} to the ingress (${ingress.join(', ')}), so anyone on the LAN reaches it without Authentik`, guard?.path, `Add hostGuardFiles({ ports: [${b.port}], allow: ingressAddresses(ctx.services) }) (libs/core/src/render/host-guard.ts) to ${backend.owner.name}'s files.`);
        }
        return;
      }
      const guest = backend.guest!;
      if (!stacks.has(backend.owner.name)) return; // not synthesized in this run
      const stack = stacks.get(backend.owner.name);
      const where = `${backend.owner.pkg.dir} guest ${guest.name} (${guest.kind} ${guest.placement.vmid})`;
      const options = resourcesOf(stack, OPTIONS).filter(([, body]) => targetsGuest(body, guest));
      if (options.length === 0) {
        out.report(at, 'AdminBackendWithoutFirewall', `${what}: ${where} has no firewall (no ${OPTIONS}), so anyone on the LAN reaches port ${b.port} without Authentik`, backend.owner.props.firewall?.reason, `Remove firewall: { enabled: false } from ${backend.owner.name}, so core generates its guest firewall (input DROP, port ${b.port} from the ingress only).`);
        return;
      }
      for (const [name, body] of options) {
        if (body.enabled !== true || String(body.input_policy ?? 'DROP').toUpperCase() !== 'DROP') {
          out.report(at, 'AdminBackendWithoutFirewall', `${what}: the firewall of ${where} (${OPTIONS}.${name}) is ${body.enabled !== true ? 'disabled' : `open (input_policy ${String(body.input_policy)})`}, so anyone on the LAN reaches port ${b.port} without Authentik`, { enabled: body.enabled, input_policy: body.input_policy }, 'Set enabled: true and input_policy: "DROP" (the generated firewall does), and open the port only to the ingress.');
        }
      }
      for (const [name, body] of resourcesOf(stack, RULES).filter(([, r]) => targetsGuest(r, guest))) {
        const list = Array.isArray(body.rule) ? body.rule as Body[] : [body.rule as Body];
        list.forEach((r, j) => {
          if (!r || r.enabled === false || String(r.type ?? '').toLowerCase() !== 'in') return;
          if (r.security_group) {
            out.report(at, 'AdminBackendOpenToNetwork', `${what}: ${RULES}.${name}.rule[${j}] inserts security group ${String(r.security_group)} on ${where}, whose rules homelab cannot see`, r.security_group, 'Write the rules on the guest itself (core generates them from the model).');
            return;
          }
          if (String(r.action ?? '').toUpperCase() !== 'ACCEPT' || !coversTcp(r.proto) || !coversPort(r.dport, b.port)) return;
          const sources = String(r.source ?? '').split(',').map((x) => x.trim()).filter(Boolean);
          const strangers = sources.length === 0 ? ['anywhere'] : sources.filter((x) => !allowed.has(x));
          if (strangers.length) {
            out.report(at, 'AdminBackendOpenToNetwork', `${what}: ${RULES}.${name}.rule[${j}] on ${where} accepts port ${b.port} from ${strangers.join(', ')}, not only from the ingress (${ingress.join(', ')}), so those reach it without Authentik`, r.source ?? '', `Remove the source from the port's "from" (reach ${route.fqdn} through Traefik), or name the one service that needs it; the site's management.sources are allowed too.`);
          }
        });
      }
    });
    problems.push(...out.problems);
  }
  return problems;
}

export const adminBackendReachRule: PolicyRule = {
  name: 'admin-backend-reach',
  codes: ['AdminBackendWithoutFirewall', 'AdminBackendOpenToNetwork'],
  description: 'An admin route\'s backend port is reachable only from the ingress (and named services or the management sources): its guest firewall is on with input DROP and no rule opens the port to a network; a host outside Proxmox has its ingress guard.',
  phase: 'rendered',
  check,
};
